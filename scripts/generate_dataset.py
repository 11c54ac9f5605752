"""Generate one dataset: its splits and card.json."""

import argparse

from simbias.data.base import get_generator
from simbias.data.store import write_dataset
from simbias.plan.specs import read_job_spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, help="the job's spec file (the plan's)")
    parser.add_argument("--out", required=True, help="output directory")
    args = parser.parse_args()
    spec = read_job_spec(args.spec)
    seed = spec.get("seed", 0)
    dataset = get_generator(spec["kind"], spec.get("params", {})).generate(seed)
    write_dataset(args.out, spec["name"], dataset, seed=seed)


if __name__ == "__main__":
    main()
