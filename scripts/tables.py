"""Summarise one per-run analysis over seeds into CSV and markdown tables."""

import argparse

from simbias.plan.specs import read_job_spec
from simbias.report.tables import write_analysis_tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, help='the job\'s spec: {"analysis", "manifest"}')
    parser.add_argument("--runs-csv", required=True)
    parser.add_argument("--summary-csv", required=True)
    parser.add_argument("--markdown", required=True)
    args = parser.parse_args()
    spec = read_job_spec(args.spec)
    write_analysis_tables(
        spec["analysis"], spec["manifest"], args.runs_csv, args.summary_csv, args.markdown
    )


if __name__ == "__main__":
    main()
