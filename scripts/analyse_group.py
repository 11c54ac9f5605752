"""Run one analysis on every seed's run of a group."""

import argparse

from simbias.analysis import run_group_analysis
from simbias.io import write_json_atomic
from simbias.plan.specs import read_job_spec
from simbias.train.device import configure_torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--spec", required=True, help='the job\'s spec: {"analysis", "runs", "settings"}'
    )
    parser.add_argument("--data", required=True, help="dataset directory")
    parser.add_argument("--out", required=True, help="output JSON, keyed seed{s}")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    spec = read_job_spec(args.spec)
    device = configure_torch(args.device, threads=1)
    run_dirs = {int(seed): path for seed, path in spec["runs"].items()}
    result = run_group_analysis(spec["analysis"], run_dirs, args.data, device, spec["settings"])
    write_json_atomic(args.out, result)


if __name__ == "__main__":
    main()
