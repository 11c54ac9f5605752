"""Run one analysis on every group of one dataset that reads it: one JSON per group."""

import argparse

from simbias.analysis import run_group_analysis
from simbias.io import write_json_atomic
from simbias.plan.specs import read_job_spec
from simbias.train.device import configure_torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--spec",
        required=True,
        help='the job\'s spec: {"groups": {group: {"analysis", "runs", "settings", "out"}}}',
    )
    parser.add_argument("--data", required=True, help="dataset directory")
    parser.add_argument("--out", required=True, help="output directory (the groups' JSONs)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    spec = read_job_spec(args.spec)
    device = configure_torch(args.device, threads=1)
    for group, job in spec["groups"].items():
        if not job["out"].startswith(args.out.rstrip("/") + "/"):
            raise ValueError(
                f"{args.spec}: group {group}'s output {job['out']} is not in {args.out}"
            )
        print(f"{job['analysis']}: {group} ({len(job['runs'])} runs)", flush=True)
        run_dirs = {int(seed): path for seed, path in job["runs"].items()}
        result = run_group_analysis(job["analysis"], run_dirs, args.data, device, job["settings"])
        write_json_atomic(job["out"], result)


if __name__ == "__main__":
    main()
