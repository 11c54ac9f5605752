"""Train every seed of one group in one process; stage their artefacts."""

import argparse

from simbias.plan.specs import read_job_spec
from simbias.train.device import configure_torch
from simbias.train.seed_batch import train_seed_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, help='the job\'s spec: {"vmap", "runs"}')
    parser.add_argument("--data", required=True, help="dataset directory")
    parser.add_argument("--out", required=True, help="group directory (a run per seed)")
    parser.add_argument(
        "--work-root",
        required=True,
        help="root of the runs' work directories (checkpoints, live curves)",
    )
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto")
    args = parser.parse_args()
    group = read_job_spec(args.spec)
    device = configure_torch(args.device, args.threads)
    train_seed_batch(group, args.data, args.out, args.work_root, device)


if __name__ == "__main__":
    main()
