"""Run one named analysis on every seed's run of a (dataset, model, regime) group."""

import argparse
import json

from simbias.analysis.registry import RUN_ANALYSES, run_group_analysis
from simbias.io import write_json_atomic
from simbias.train.device import configure_torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--analysis", required=True, choices=sorted(RUN_ANALYSES))
    parser.add_argument("--runs", required=True, help="JSON {seed: run directory}")
    parser.add_argument("--data", required=True, help="dataset directory")
    parser.add_argument("--out", required=True, help="output JSON, keyed seed{s}")
    parser.add_argument("--settings", default="{}", help="analysis settings, as JSON")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = configure_torch(args.device, threads=1)
    run_dirs = {int(seed): path for seed, path in json.loads(args.runs).items()}
    result = run_group_analysis(
        args.analysis, run_dirs, args.data, device, json.loads(args.settings)
    )
    write_json_atomic(args.out, result)


if __name__ == "__main__":
    main()
