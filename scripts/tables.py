"""Summarise one per-run analysis over seeds into CSV and markdown tables."""

import argparse
import json

from simbias.report.tables import write_analysis_tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--analysis", required=True, help="analysis name")
    parser.add_argument(
        "--manifest",
        required=True,
        help="JSON list of {experiment, dataset, model, regime, seed, path}",
    )
    parser.add_argument("--runs-csv", required=True)
    parser.add_argument("--summary-csv", required=True)
    parser.add_argument("--markdown", required=True)
    args = parser.parse_args()
    write_analysis_tables(
        args.analysis, json.loads(args.manifest), args.runs_csv, args.summary_csv, args.markdown
    )


if __name__ == "__main__":
    main()
