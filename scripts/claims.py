"""Check every declared published claim against the measured evidence."""

import argparse

from simbias.plan.specs import read_job_spec
from simbias.report.claims import ClaimOutputs, load_evidence, write_claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--spec", required=True, help="the job's spec: summaries, finals, histories, experiments"
    )
    parser.add_argument("--csv", required=True)
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--metrics", help="small JSON summary for dvc metrics")
    parser.add_argument("--html", help="the table as a page for Snakemake's report")
    parser.add_argument("--landing", help="the report's landing page (reStructuredText)")
    parser.add_argument("--description", help="the workflow's description, atop the landing")
    args = parser.parse_args()
    spec = read_job_spec(args.spec)
    evidence = load_evidence(spec["summaries"], spec["finals"], spec["histories"])
    outputs = ClaimOutputs(
        args.csv, args.markdown, args.metrics, args.html, args.landing, args.description
    )
    write_claims(evidence, spec["experiments"], outputs)


if __name__ == "__main__":
    main()
