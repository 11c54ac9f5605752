"""Check every declared published claim against the measured evidence."""

import argparse
import json

from simbias.report.claims import load_evidence, write_claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--summaries", required=True, help="JSON {analysis: summary CSV path}")
    parser.add_argument("--finals", required=True, help="JSON manifest of final.json files")
    parser.add_argument("--histories", required=True, help="JSON manifest of history.csv files")
    parser.add_argument("--experiments", required=True, help="the config's experiments, as JSON")
    parser.add_argument("--csv", required=True)
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--metrics", help="small JSON summary for dvc metrics")
    args = parser.parse_args()
    evidence = load_evidence(
        json.loads(args.summaries), json.loads(args.finals), json.loads(args.histories)
    )
    config = {"experiments": json.loads(args.experiments)}
    write_claims(evidence, config, args.csv, args.markdown, args.metrics)


if __name__ == "__main__":
    main()
