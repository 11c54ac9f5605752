"""Run the timing benchmarks of simbias.bench; write one JSON per benchmark and print
a markdown summary."""

import argparse
import os
import platform
from pathlib import Path

import torch

from simbias.bench import BENCHMARKS
from simbias.io import write_json_atomic


def markdown_table(columns, rows) -> str:
    def cell(value) -> str:
        return f"{value:.3g}" if isinstance(value, float) else str(value)

    lines = [
        "| " + " | ".join(header for header, _ in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    lines += ["| " + " | ".join(cell(row[key]) for _, key in columns) + " |" for row in rows]
    return "\n".join(lines)


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
    out_dir = Path(args.out_dir)
    for name in args.only or list(BENCHMARKS):
        benchmark = BENCHMARKS[name]
        settings = benchmark.quick if args.quick else {}
        rows = [benchmark.run(**settings, threads=t) for t in args.threads or [None]]
        path = write_json_atomic(
            out_dir / f"{name}.json",
            {
                "benchmark": name,
                "quick": args.quick,
                "machine": {
                    "cpu_count": os.cpu_count(),
                    "processor": platform.processor() or platform.machine(),
                    "torch": torch.__version__,
                },
                "results": rows,
            },
        )
        print(f"## {name} ({path})\n")
        print(markdown_table(benchmark.columns, rows))
        print()


if __name__ == "__main__":
    main()
