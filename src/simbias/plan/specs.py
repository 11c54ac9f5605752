"""Job specs on disk: written once per change by the process that reads the DAG, read by
the job's script. A spec is an input of its job, so a job reruns exactly when its spec
changed (its file is rewritten only then, keeping its time stamp otherwise)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from simbias.io import write_text_atomic
from simbias.plan import layout


def encode(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=1, sort_keys=True) + "\n"


def write_job_specs(specs: dict[str, dict[str, Any]], root: str | Path = ".") -> int:
    """Write every spec whose file is missing or different; the number written."""
    written = 0
    for job, spec in specs.items():
        path = Path(root) / layout.SPEC.format(job=job)
        text = encode(spec)
        if not path.exists() or path.read_text() != text:
            write_text_atomic(path, text)
            written += 1
    return written


def read_job_spec(path: str | Path, job: str | None = None) -> dict[str, Any]:
    """The spec of the job this process runs (``job``: its id, when the spec is another
    job's); the log's first line names the job."""
    path = Path(path)
    job = job or path.as_posix().split("/specs/", 1)[-1].removesuffix(".json")
    print(f"simbias job {job}", file=sys.stderr, flush=True)
    return json.loads(path.read_text())


def spec_digest(spec: dict[str, Any]) -> str:
    """A short fingerprint of a spec: the param Snakemake compares to rerun its job."""
    import hashlib

    return hashlib.sha256(encode(spec).encode()).hexdigest()[:16]
