"""Train every seed of one (dataset, model, regime) at once with torch.func."""

import argparse
import json

from simbias.train.device import configure_torch
from simbias.train.seed_batch import train_seed_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--specs", required=True, help="JSON list of resolved run specs")
    parser.add_argument("--data", required=True, help="dataset directory")
    parser.add_argument("--out", required=True, help="batch directory")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = configure_torch(args.device, args.threads)
    train_seed_batch(json.loads(args.specs), args.data, args.out, device=device)


if __name__ == "__main__":
    main()
