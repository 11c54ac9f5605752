"""Draw one figure as PNG and PDF."""

import argparse

from simbias.plan.specs import read_job_spec
from simbias.report.figures import write_figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, help='the job\'s spec: {"figure", "manifest"}')
    parser.add_argument("--png", required=True)
    parser.add_argument("--pdf", required=True)
    args = parser.parse_args()
    spec = read_job_spec(args.spec)
    write_figure(spec["figure"], spec["manifest"], args.png, args.pdf)


if __name__ == "__main__":
    main()
