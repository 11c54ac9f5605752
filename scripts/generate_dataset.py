"""Generate one dataset: its four splits and card.json."""

import argparse
import json

from simbias.data.base import get_generator
from simbias.data.store import write_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--name", required=True, help="dataset name (the config key)")
    parser.add_argument("--spec", required=True, help="the dataset's config entry, as JSON")
    parser.add_argument("--out", required=True, help="output directory")
    args = parser.parse_args()
    spec = json.loads(args.spec)
    dataset = get_generator(spec["kind"], spec.get("params", {})).generate(spec.get("seed", 0))
    write_dataset(args.out, args.name, dataset, seed=spec.get("seed", 0))


if __name__ == "__main__":
    main()
