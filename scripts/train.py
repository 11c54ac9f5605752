"""Train one run; resumes from its checkpoint when one exists."""

import argparse
import json

from simbias.train.device import configure_torch
from simbias.train.run import train_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, help="resolved run spec, as JSON")
    parser.add_argument("--data", required=True, help="dataset directory")
    parser.add_argument("--out", required=True, help="run directory")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto")
    args = parser.parse_args()
    device = configure_torch(args.device, args.threads)
    final = train_run(json.loads(args.spec), args.data, args.out, device=device)
    print(
        f"{final['run']}: test accuracy {final['test_accuracy']:.4f} "
        f"in {final['train_seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
