"""Train every seed of one (dataset, model, regime) in one process; stage their artefacts."""

import argparse
import json

from simbias.train.device import configure_torch
from simbias.train.seed_batch import train_seed_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--group", required=True, help='JSON {"vmap": bool, "runs": [resolved run specs]}'
    )
    parser.add_argument("--data", required=True, help="dataset directory")
    parser.add_argument("--out", required=True, help="batch directory (staged artefacts)")
    parser.add_argument(
        "--work-root",
        required=True,
        help="directory of the run directories, where checkpoints live",
    )
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto")
    args = parser.parse_args()
    device = configure_torch(args.device, args.threads)
    train_seed_batch(json.loads(args.group), args.data, args.out, args.work_root, device)


if __name__ == "__main__":
    main()
