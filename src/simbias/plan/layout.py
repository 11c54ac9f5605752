"""Every path of the results tree, spelled in this one place.

Snakemake's rules, the plan and the scripts take their paths from here; nothing else
builds ``seed{...}`` or cuts a group out of a path. A *group* is the directory of a
(dataset, model, regime[, recorders]) combination whose seeds one training job trains.
"""

from __future__ import annotations

RESULTS = "results"
DATA = f"{RESULTS}/data/{{dataset}}"
RUNS_ROOT = f"{RESULTS}/runs"
#: A group's training job writes this directory, one run directory ``seed{s}/`` per seed:
#: the runs of a group are one output, so the DAG has one job per group, not one per run.
RUN_GROUP = f"{RUNS_ROOT}/{{group}}"
RUN = f"{RUN_GROUP}/seed{{seed}}"
#: Where runs train (``WORK_ROOT/{group}/seed{s}``): checkpoints, the live history and the
#: TensorBoard events. Outside RUN_GROUP, which Snakemake deletes before its job starts, so a
#: killed job resumes from its checkpoints; a finished run's events move into its run
#: directory and the rest is deleted.
WORK_ROOT = f"{RESULTS}/work"
MODEL = f"{RUN}/model.pt"
HISTORY = f"{RUN}/history.csv"
#: A run's history while it trains (in its work directory), appended every epoch
#: (``tail -f``); removed with its checkpoints once the run is done.
LIVE_HISTORY_NAME = "history.live.csv"
FINAL = f"{RUN}/final.json"
#: One JSON per (analysis, group), keyed ``seed{s}``.
ANALYSIS = f"{RESULTS}/analysis/{{analysis}}/{{group}}.json"
#: An analysis job's output: ANALYSIS of every group on one dataset (a group's path starts
#: with its dataset). One job per (analysis, dataset), not per group: a job that imports
#: torch and loads the data costs ~3 s before it analyses anything.
ANALYSIS_SET = f"{RESULTS}/analysis/{{analysis}}/{{dataset}}"
TABLE_RUNS = f"{RESULTS}/tables/{{analysis}}_runs.csv"
TABLE_SUMMARY = f"{RESULTS}/tables/{{analysis}}.csv"
TABLE_MARKDOWN = f"{RESULTS}/tables/{{analysis}}.md"
FIGURE_PNG = f"{RESULTS}/figures/{{figure}}.png"
FIGURE_PDF = f"{RESULTS}/figures/{{figure}}.pdf"
CLAIMS_CSV = f"{RESULTS}/tables/claims.csv"
CLAIMS_MARKDOWN = f"{RESULTS}/tables/claims.md"
#: The claims table as the page Snakemake's report shows inline.
CLAIMS_HTML = f"{RESULTS}/tables/claims.html"
CLAIMS_METRICS = f"{RESULTS}/metrics/claims.json"
#: The report's landing page: the workflow's description, then the claims checked.
REPORT_LANDING = f"{RESULTS}/tables/report_landing.rst"
#: Its first part, the workflow's description (beside the Snakefile).
REPORT_DESCRIPTION = "workflow/report/workflow.rst"
#: The atlas (every analysis on every run it applies to): long form, summary, figures.
ATLAS_CSV = f"{RESULTS}/tables/atlas.csv"
ATLAS_MARKDOWN = f"{RESULTS}/tables/atlas.md"
ATLAS_FIGURE_PNG = f"{RESULTS}/figures/atlas_{{panel}}.png"
ATLAS_FIGURE_PDF = f"{RESULTS}/figures/atlas_{{panel}}.pdf"
PLOTS = f"{RESULTS}/plots"
REPORT = f"{RESULTS}/report.html"
#: The plan's job specs, one JSON per job, rewritten only when they change.
SPEC = f"{RESULTS}/specs/{{job}}.json"
LOG = f"{RESULTS}/logs/{{job}}.log"
#: Snakemake's measurement of one job (wall and CPU seconds, peak memory), per job.
BENCHMARK = f"{RESULTS}/benchmarks/{{job}}.tsv"

#: A seed's directory name inside its group (run directory and seed batch alike).
SEED_DIR = "seed{seed}"
#: Joins a regime and what its runs record into a group's last path component.
RECORDS_MARK = "@"


def group_path(dataset: str, model: str, regime: str, records: tuple[str, ...] = ()) -> str:
    """``dataset/model/regime``, or ``dataset/model/regime@rec1+rec2`` for runs that
    record dynamics or probes (so they never share a directory with runs that do not)."""
    last = regime + (RECORDS_MARK + "+".join(records) if records else "")
    return f"{dataset}/{model}/{last}"


def seed_key(seed: int) -> str:
    """A seed's name: its directory in a group and in a seed batch, its key in a group's
    analysis JSON."""
    return SEED_DIR.format(seed=seed)


def run_path(group: str, seed: int) -> str:
    """A run's directory below ``results/runs``."""
    return f"{group}/{seed_key(seed)}"


def fill(pattern: str, **values: object) -> str:
    return pattern.format(**values)


#: Wildcard constraints of the patterns above (names are path components, see SAFE_NAME).
GROUP_PATTERN = r"[A-Za-z0-9_+-][A-Za-z0-9_.+-]*/[A-Za-z0-9_+-][A-Za-z0-9_.+-]*/[A-Za-z0-9_.+@-]+"
