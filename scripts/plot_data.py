"""Write per-experiment learning-curve CSVs for `dvc plots`."""

import argparse
import json

from simbias.report.tables import write_plot_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--manifest", required=True, help="JSON manifest of history.csv files")
    parser.add_argument("--out", required=True, help="output directory")
    args = parser.parse_args()
    write_plot_data(json.loads(args.manifest), args.out)


if __name__ == "__main__":
    main()
