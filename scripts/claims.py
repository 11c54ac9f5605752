"""Check every declared published claim against the measured summary table."""

import argparse
import json

from simbias.report.claims import write_claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--summary", required=True, help="summary CSV of the sb metrics")
    parser.add_argument("--experiments", required=True, help="the config's experiments, as JSON")
    parser.add_argument("--csv", required=True)
    parser.add_argument("--markdown", required=True)
    args = parser.parse_args()
    config = {"experiments": json.loads(args.experiments)}
    write_claims(args.summary, config, args.csv, args.markdown)


if __name__ == "__main__":
    main()
