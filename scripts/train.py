"""Train one run (resuming from its checkpoint), or collect it from a vmapped seed batch."""

import argparse
import json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, help="resolved run spec, as JSON")
    parser.add_argument("--data", required=True, help="dataset directory")
    parser.add_argument("--out", required=True, help="run directory")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto")
    parser.add_argument("--batch", default="", help="vmapped seed batch to collect the run from")
    args = parser.parse_args()
    spec = json.loads(args.spec)
    if args.batch:
        # Imported here: collecting needs no torch, so this path starts in milliseconds.
        from simbias.train.collect import collect_seed

        collect_seed(spec, args.batch, args.out)
        print(f"{spec['name']}: collected from {args.batch}")
        return

    from simbias.train.device import configure_torch
    from simbias.train.run import train_run

    device = configure_torch(args.device, args.threads)
    final = train_run(spec, args.data, args.out, device=device)
    print(
        f"{final['run']}: test accuracy {final['test_accuracy']:.4f} "
        f"in {final['train_seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
