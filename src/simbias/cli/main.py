"""``simbias``: list what the pipeline holds, run the DAG or one experiment.

    simbias list [datasets|models|regimes|experiments|claims ...]
    simbias results [--config configs/paper.yaml] [--cores 8] [--verbose] [-- SNAKEMAKE ARGS]
    simbias run EXPERIMENT [--config ...] [--cores ...] [--verbose] [-- SNAKEMAKE ARGS]

Run from the repository's root (where ``config.yaml`` is). ``make results`` calls
``simbias results``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from simbias.cli.listing import KINDS, list_catalogue
from simbias.cli.locks import RunningError
from simbias.plan import ConfigError, load_config
from simbias.plan.validate import plan_checked

BASE = "config.yaml"


def _config_files(overlays: Sequence[str]) -> list[str]:
    """The base and the overlays, as Snakemake gets them (the base named again is a no-op)."""
    return [BASE, *[path for path in overlays if path != BASE]]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simbias", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser(
        "list", help="list datasets, models, regimes, experiments, claims"
    )
    listing.add_argument("kinds", nargs="*", metavar="KIND", help=f"any of {', '.join(KINDS)}")
    run_parsers = {
        "results": commands.add_parser("results", help="the whole DAG, the report, a summary"),
        "run": commands.add_parser("run", help="one experiment's runs and analyses"),
    }
    run_parsers["run"].add_argument("experiment", help="an experiment's name (simbias list)")
    for sub in [listing, *run_parsers.values()]:
        sub.add_argument(
            "--config",
            action="append",
            default=[],
            metavar="FILE",
            help="an overlay merged on config.yaml (repeatable), e.g. configs/paper.yaml",
        )
    for sub in run_parsers.values():
        sub.add_argument("--cores", default="all", help="cores for Snakemake (default: all)")
        sub.add_argument(
            "--verbose", action="store_true", help="show each job and its shell command"
        )
    return parser


def _split_at_dashes(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """simbias's own arguments, and Snakemake's after ``--`` (argparse's subcommands do not
    take a ``--`` tail themselves)."""
    argv = list(argv)
    if "--" not in argv:
        return argv, []
    cut = argv.index("--")
    return argv[:cut], argv[cut + 1 :]


def main(argv: Sequence[str] | None = None) -> int:
    own, snakemake_args = _split_at_dashes(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(own)
    if snakemake_args and args.command == "list":
        print("simbias: list takes no Snakemake arguments", file=sys.stderr)
        return 2
    files = _config_files(args.config)
    try:
        if args.command == "list":
            print(list_catalogue(load_config(*files[1:]), args.kinds or KINDS))
            return 0
        from simbias.cli.workflow import WorkflowRun, run_workflow

        targets = []
        if args.command == "run":
            targets = plan_checked(load_config(*files[1:])).experiment_targets(args.experiment)
        run = WorkflowRun(
            configfiles=files,
            targets=targets,
            cores=args.cores,
            verbose=args.verbose,
            extra=snakemake_args,
        )
        return run_workflow(run)
    except (ConfigError, ValueError, RunningError, FileNotFoundError) as error:
        print(f"simbias: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
