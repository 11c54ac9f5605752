"""Simplicity-bias metrics of one trained run: accuracy and AUC on test, S-rand, S^c-rand."""

import argparse

from simbias.analysis.sb_metrics import sb_metrics
from simbias.io import write_json_atomic
from simbias.train.device import configure_torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", required=True, help="run directory (model.pt, final.json)")
    parser.add_argument("--data", required=True, help="dataset directory")
    parser.add_argument("--out", required=True, help="output JSON")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = configure_torch(args.device, threads=1)
    write_json_atomic(args.out, sb_metrics(args.run, args.data, device))


if __name__ == "__main__":
    main()
