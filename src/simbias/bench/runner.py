"""Run named benchmarks, write one JSON each, and summarise them as markdown tables."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

import torch

from simbias.bench import BENCHMARKS
from simbias.io import write_json_atomic, write_text_atomic


def markdown_table(columns: tuple[tuple[str, str], ...], rows: list[dict[str, Any]]) -> str:
    def cell(value: Any) -> str:
        return f"{value:.3g}" if isinstance(value, float) else str(value)

    lines = [
        "| " + " | ".join(header for header, _ in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    # A key a row lacks (the naive loop exists for plain SGD only) shows as a dash.
    lines += [
        "| " + " | ".join(cell(row.get(key, "-")) for _, key in columns) + " |" for row in rows
    ]
    return "\n".join(lines)


def run_benchmarks(
    names: list[str], out_dir: str | Path, quick: bool = False, threads: list[int] | None = None
) -> str:
    """Run ``names`` (one run per thread count), write ``out_dir/NAME.json`` and
    ``out_dir/summary.md``; return the markdown."""
    out_dir = Path(out_dir)
    parts = []
    for name in names:
        benchmark = BENCHMARKS[name]
        settings = benchmark.quick if quick else {}
        rows = [benchmark.run(**settings, threads=t) for t in threads or [None]]
        path = write_json_atomic(
            out_dir / f"{name}.json",
            {
                "benchmark": name,
                "quick": quick,
                "machine": {
                    "cpu_count": os.cpu_count(),
                    "processor": platform.processor() or platform.machine(),
                    "torch": torch.__version__,
                },
                "results": rows,
            },
        )
        parts.append(f"## {name} ({path})\n\n{markdown_table(benchmark.columns, rows)}\n")
    summary = "\n".join(parts)
    write_text_atomic(out_dir / "summary.md", summary)
    return summary
