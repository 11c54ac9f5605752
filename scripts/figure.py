"""Draw one named figure as PNG and PDF."""

import argparse
import json

from simbias.report.figures import FIGURES, write_figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--name", required=True, choices=sorted(FIGURES))
    parser.add_argument(
        "--manifest",
        required=True,
        help="JSON list of {experiment, dataset, model, regime, seed, path}",
    )
    parser.add_argument("--png", required=True)
    parser.add_argument("--pdf", required=True)
    args = parser.parse_args()
    write_figure(args.name, json.loads(args.manifest), args.png, args.pdf)


if __name__ == "__main__":
    main()
