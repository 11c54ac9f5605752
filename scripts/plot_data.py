"""Write per-experiment learning-curve CSVs for `dvc plots`."""

import argparse

from simbias.plan.specs import read_job_spec
from simbias.report.tables import write_plot_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, help='the job\'s spec: {"manifest"}')
    parser.add_argument("--out", required=True, help="output directory")
    args = parser.parse_args()
    write_plot_data(read_job_spec(args.spec)["manifest"], args.out)


if __name__ == "__main__":
    main()
