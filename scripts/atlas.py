"""Write the simplicity-bias atlas: every analysis result in one long-form CSV, a markdown
page, a heat map of the headline metrics per task and the cross-paper question scatters."""

import argparse

from simbias.plan.specs import read_job_spec
from simbias.report.atlas import write_atlas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, help='the job\'s spec: {"manifest", "atlas"}')
    parser.add_argument("--csv", required=True)
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--heatmap-png", required=True)
    parser.add_argument("--heatmap-pdf", required=True)
    parser.add_argument("--questions-png", required=True)
    parser.add_argument("--questions-pdf", required=True)
    args = parser.parse_args()
    write_atlas(
        read_job_spec(args.spec),
        args.csv,
        args.markdown,
        args.heatmap_png,
        args.heatmap_pdf,
        args.questions_png,
        args.questions_pdf,
    )


if __name__ == "__main__":
    main()
