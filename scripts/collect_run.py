"""Put one run's artefacts from its seed batch into the run directory (no torch needed)."""

import argparse

from simbias.plan.specs import read_job_spec
from simbias.train.collect import collect_seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, help="the group's training spec file")
    parser.add_argument("--seed", required=True, type=int, help="the run's seed")
    parser.add_argument("--batch", required=True, help="seed batch directory")
    parser.add_argument("--out", required=True, help="run directory")
    args = parser.parse_args()
    runs = read_job_spec(args.spec, job=f"collect {args.out}")["runs"]
    (run_spec,) = [spec for spec in runs if spec["seed"] == args.seed]
    collect_seed(run_spec, args.batch, args.out)


if __name__ == "__main__":
    main()
