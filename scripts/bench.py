"""Run the timing benchmarks of simbias.bench; write one JSON per benchmark and print
a markdown summary."""

import argparse

import torch

from simbias.bench import BENCHMARKS
from simbias.bench.runner import run_benchmarks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out-dir", default="results/bench", help="where NAME.json go")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument(
        "--only", nargs="+", choices=sorted(BENCHMARKS), help="run these benchmarks only"
    )
    parser.add_argument(
        "--threads",
        nargs="+",
        type=int,
        help="torch threads, one run per value (default: torch's default, "
        f"{torch.get_num_threads()} here)",
    )
    args = parser.parse_args()
    names = args.only or list(BENCHMARKS)
    print(run_benchmarks(names, args.out_dir, quick=args.quick, threads=args.threads))


if __name__ == "__main__":
    main()
