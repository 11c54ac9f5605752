"""Put one run's artefacts from its seed batch into the run directory (no torch needed)."""

import argparse
import json

from simbias.train.collect import collect_seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, help="resolved run spec, as JSON")
    parser.add_argument("--batch", required=True, help="seed batch directory")
    parser.add_argument("--out", required=True, help="run directory")
    args = parser.parse_args()
    collect_seed(json.loads(args.spec), args.batch, args.out)


if __name__ == "__main__":
    main()
