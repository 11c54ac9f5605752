"""The typed plan, computed once from the config: runs, groups, and every job with its
inputs, outputs and spec. Snakemake's rules and the DVC stages read it; nothing else
resolves a run or spells a path."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from simbias.plan import layout
from simbias.plan.catalogue import entry, load_catalogue
from simbias.plan.config import ConfigError, declared, enabled_experiments
from simbias.plan.needs import applies, missing_facts
from simbias.plan.papers import papers_label, short_citation
from simbias.plan.runs import Run, RunUse, experiment_runs, run_specs, seed_groups

#: The atlas's figures (``layout.ATLAS_FIGURE_PNG``'s panels) and what its report reads of
#: the config's ``atlas`` section.
ATLAS_PANELS = ("heatmap", "questions")
ATLAS_REPORT_KEYS = ("metrics", "questions", "reference_regimes")
#: What the cost summary charges an analysis job to that no experiment names.
ATLAS_PAPER = "atlas (across papers)"


@dataclass
class Plan:
    config: dict[str, Any]
    #: Runs per experiment, in the config's order.
    runs: dict[str, list[Run]]
    #: Run path -> resolved spec.
    specs: dict[str, dict[str, Any]]
    #: Group -> {"vmap": bool, "runs": [specs by seed]} (the training job's spec).
    groups: dict[str, dict[str, Any]]
    #: (analysis, group) -> the analysis job's spec.
    analyses: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def build(cls, config: dict[str, Any]) -> Plan:
        experiments = enabled_experiments(config)
        runs = {name: experiment_runs(config, name) for name in experiments}
        specs = run_specs(config)
        plan = cls(config, runs, specs, seed_groups(config, specs))
        plan.analyses = plan._analysis_jobs()
        return plan

    # --- what experiments use -------------------------------------------------------
    @property
    def experiments(self) -> dict[str, dict[str, Any]]:
        return enabled_experiments(self.config)

    def uses(self, field_name: str | None = None, item: str | None = None) -> list[RunUse]:
        """Runs of the experiments whose ``field_name`` list names ``item`` (all runs when
        no field is given), each as the experiment uses it."""
        return [
            RunUse(name, run)
            for name, spec in self.experiments.items()
            if field_name is None or item in spec.get(field_name, [])
            for run in self.runs[name]
        ]

    @staticmethod
    def manifest(uses: list[RunUse], pattern: str) -> list[dict[str, Any]]:
        """One entry per use: its row keys and ``pattern`` filled with its run's group
        and seed."""
        return [
            {**use.keys(), "path": pattern.format(group=use.run.group, seed=use.run.seed)}
            for use in uses
        ]

    @staticmethod
    def run_groups(uses: list[RunUse]) -> list[str]:
        """The group directories (one training job's output each) that hold these runs."""
        return sorted({layout.RUN_GROUP.format(group=use.run.group) for use in uses})

    def group_data(self, group: str) -> str:
        """The dataset directory a group trains on."""
        return layout.DATA.format(dataset=self.groups[group]["runs"][0]["dataset"])

    def group_starts(self, group: str) -> list[str]:
        """The group directories whose runs this group's runs start from (a policy-gradient
        phase's ``start_from``): inputs of its training job."""
        return sorted(
            {str(PurePosixPath(spec["start_from"]).parent)
             for spec in self.groups[group]["runs"] if "start_from" in spec}
        )  # fmt: skip

    def datasets(self) -> list[str]:
        return sorted({spec["dataset"] for spec in self.experiments.values()})

    # --- analyses -----------------------------------------------------------------
    def _analysis_jobs(self) -> dict[tuple[str, str], dict[str, Any]]:
        """The experiments' own analyses (with their settings), then the atlas: every
        analysis on every group whose runs have all it needs (simbias.plan.needs)."""
        jobs: dict[tuple[str, str], dict[str, Any]] = {}
        settings_of: dict[tuple[str, str], tuple[str, str]] = {}
        for use in self.uses():
            spec = self.experiments[use.experiment]
            for analysis in spec.get("analyses", []):
                key = (analysis, use.run.group)
                missing = missing_facts(analysis, self.groups[use.run.group]["runs"][0])
                if missing:
                    raise ConfigError(
                        f"config key experiments/{use.experiment}/analyses: {analysis} needs "
                        f"{', '.join(missing)}, which the runs of {use.run.group} do not have"
                    )
                settings = spec.get("analysis_settings", {}).get(analysis, {})
                encoded = json.dumps(settings, sort_keys=True)
                if key in settings_of and settings_of[key][0] != encoded:
                    raise ConfigError(
                        f"config key experiments/{use.experiment}/analysis_settings/{analysis}:"
                        f" experiments/{settings_of[key][1]} runs {analysis} on "
                        f"{use.run.group} with other settings"
                    )
                settings_of[key] = (encoded, use.experiment)
                jobs.setdefault(key, self._analysis_job(analysis, use.run.group, settings))
        for analysis, settings in self.atlas_analyses().items():
            for group, batch in self.groups.items():
                if (analysis, group) not in jobs and applies(analysis, batch["runs"][0]):
                    jobs[(analysis, group)] = self._analysis_job(analysis, group, settings)
        return jobs

    def _analysis_job(self, analysis: str, group: str, settings: dict[str, Any]) -> dict[str, Any]:
        runs = self.groups[group]["runs"]
        return {
            "analysis": analysis,
            "dataset": runs[0]["dataset"],
            "runs": {str(r["seed"]): layout.RUN.format(group=group, seed=r["seed"]) for r in runs},
            "settings": settings,
        }

    def atlas_analyses(self) -> dict[str, dict[str, Any]]:
        """The analyses the atlas runs on every run they apply to, with their settings: all
        but those ``atlas/exclude`` names; one whose settings have no defaults must have
        them in ``atlas/analysis_settings``."""
        atlas = self.config.get("atlas") or {}
        if not atlas.get("enabled", True):
            return {}
        chosen = {}
        for name, facts in load_catalogue()["analyses"].items():
            if name in atlas.get("exclude", {}):
                continue
            settings = atlas.get("analysis_settings", {}).get(name, {})
            missing = sorted(set(facts.get("required_settings", [])) - set(settings))
            if missing:
                raise ConfigError(
                    f"config key atlas/analysis_settings/{name}: the atlas runs {name} on every"
                    f" run it applies to and needs {', '.join(missing)} (or name it in "
                    "atlas/exclude, saying why)"
                )
            chosen[name] = settings
        return chosen

    def analysis_names(self) -> list[str]:
        """Every analysis some job runs: the experiments' and the atlas's."""
        return sorted({analysis for analysis, _ in self.analyses})

    def analysis_manifest(self, analysis: str) -> list[dict[str, Any]]:
        return self.manifest(
            self.uses("analyses", analysis), layout.ANALYSIS.replace("{analysis}", analysis)
        )

    # --- figures, claims, plot data ----------------------------------------------------
    def figure_manifest(self, figure: str) -> list[dict[str, Any]]:
        source = entry("figures", figure)["source"]
        if source.startswith("analysis:"):
            pattern = layout.ANALYSIS.replace("{analysis}", source.removeprefix("analysis:"))
        else:
            pattern = {"history": layout.HISTORY, "final": layout.FINAL}[source]
        return self.manifest(self.uses("figures", figure), pattern)

    def figure_experiments(self, figure: str) -> list[str]:
        """The experiments that declare ``figure``, in config order."""
        return [n for n, spec in self.experiments.items() if figure in spec.get("figures", [])]

    def figure_papers(self, figure: str) -> str:
        """The papers of the experiments that draw ``figure``, by short citation: the
        report's group for it."""
        return papers_label(
            [self.experiments[name].get("paper", "") for name in self.figure_experiments(figure)]
        )

    def claim_experiments(self) -> list[str]:
        """Experiments whose runs the claims read: those with claims, the experiments their
        ``claim_evidence`` names (a sweep's other points) and their controls."""
        names = set()
        for name, spec in self.experiments.items():
            if spec.get("claims"):
                names.add(name)
                names |= set(spec.get("claim_evidence", []))
                names |= {
                    control["experiment"]
                    for control in spec.get("controls", {}).values()
                    if "experiment" in control
                }
        return sorted(names)

    def claim_summaries(self) -> dict[str, str]:
        """Summary tables of every analysis an experiment the claims read runs."""
        names = {
            analysis
            for name in self.claim_experiments()
            for analysis in self.experiments[name].get("analyses", [])
        }
        return {name: layout.TABLE_SUMMARY.format(analysis=name) for name in sorted(names)}

    def claim_manifest(self, pattern: str) -> list[dict[str, Any]]:
        chosen = set(self.claim_experiments())
        entries = self.manifest([u for u in self.uses() if u.experiment in chosen], pattern)
        return sorted(entries, key=lambda e: (e["experiment"], e["path"]))

    # --- the jobs' input files --------------------------------------------------------
    def analysis_groups(self, analysis: str, dataset: str) -> list[str]:
        """The groups on ``dataset`` that ``analysis`` reads, sorted."""
        return sorted(
            group
            for (name, group), job in self.analyses.items()
            if name == analysis and job["dataset"] == dataset
        )

    def analysis_sets(self, analysis: str) -> list[str]:
        """The analysis jobs' outputs: one per dataset that ``analysis`` reads runs of."""
        datasets = {job["dataset"] for (name, _), job in self.analyses.items() if name == analysis}
        return [layout.ANALYSIS_SET.format(analysis=analysis, dataset=d) for d in sorted(datasets)]

    def analysis_inputs(self, analysis: str, dataset: str) -> list[str]:
        """The group directories whose runs the job reads (its spec names the seeds)."""
        groups = self.analysis_groups(analysis, dataset)
        if not groups:
            raise ConfigError(f"no experiment runs analysis {analysis!r} on dataset {dataset!r}")
        return [layout.RUN_GROUP.format(group=group) for group in groups]

    def table_inputs(self, analysis: str) -> list[str]:
        return self.analysis_sets(analysis)

    def figure_inputs(self, figure: str) -> list[str]:
        source = entry("figures", figure)["source"]
        if source.startswith("analysis:"):
            analysis = source.removeprefix("analysis:")
            datasets = {use.run.dataset for use in self.uses("figures", figure)}
            return [
                layout.ANALYSIS_SET.format(analysis=analysis, dataset=d) for d in sorted(datasets)
            ]
        return self.run_groups(self.uses("figures", figure))

    def claims_inputs(self) -> list[str]:
        chosen = set(self.claim_experiments())
        uses = [use for use in self.uses() if use.experiment in chosen]
        return list(self.claim_summaries().values()) + self.run_groups(uses)

    def plot_data_inputs(self) -> list[str]:
        return self.run_groups(self.uses())

    # --- what each job is for ------------------------------------------------------------
    def job_papers(self) -> dict[str, list[str]]:
        """The papers (short citations) whose experiments use each data, training and analysis
        job, by job id (``layout.BENCHMARK``'s): what a job's cost is charged to. An analysis
        job no experiment names is the atlas's."""
        papers: dict[str, set[str]] = {}
        for use in self.uses():
            spec = self.experiments[use.experiment]
            paper = self.paper_of(use.experiment)
            dataset = use.run.dataset
            jobs = [f"data/{dataset}", f"train/{use.run.group}"]
            jobs += [f"analysis/{name}/{dataset}" for name in spec.get("analyses", [])]
            for job in jobs:
                papers.setdefault(job, set()).add(paper)
        for (analysis, _), job in self.analyses.items():
            papers.setdefault(f"analysis/{analysis}/{job['dataset']}", {ATLAS_PAPER})
        return {job: sorted(names) for job, names in papers.items()}

    def paper_of(self, experiment: str) -> str:
        """An experiment's paper by short citation ("no paper" when it cites none)."""
        return short_citation(self.experiments[experiment].get("paper", "")) or "no paper"

    def group_papers(self) -> dict[str, list[str]]:
        """Every group's papers: those of the experiments that train it, in one pass."""
        papers: dict[str, set[str]] = {}
        for use in self.uses():
            papers.setdefault(use.run.group, set()).add(self.paper_of(use.experiment))
        return {group: sorted(names) for group, names in papers.items()}

    def atlas_manifest(self) -> list[dict[str, Any]]:
        """One entry per (analysis, run): the run's keys, its papers and its group's JSON.
        ``regime`` is the group's last path component (what the runs record included), so
        runs that differ only in what they record stay apart."""
        papers = self.group_papers()
        entries = []
        for (analysis, group), job in sorted(self.analyses.items()):
            dataset, model, regime = group.split("/")
            for seed in job["runs"]:
                entries.append({
                    "dataset": dataset, "model": model, "regime": regime, "group": group,
                    "seed": int(seed), "analysis": analysis, "papers": papers[group],
                    "path": layout.ANALYSIS.format(analysis=analysis, group=group),
                })  # fmt: skip
        return entries

    def atlas_inputs(self) -> list[str]:
        return sorted({layout.ANALYSIS_SET.format(analysis=a, dataset=j["dataset"])
                       for (a, _), j in self.analyses.items()})  # fmt: skip

    def atlas_enabled(self) -> bool:
        return bool((self.config.get("atlas") or {}).get("enabled", True)) and bool(self.analyses)

    # --- the jobs' specs ---------------------------------------------------------------
    def job_specs(self) -> dict[str, dict[str, Any]]:
        """Every job's spec by job id (``layout.SPEC`` names its file): all a job needs
        besides its input and output paths, so no rule passes a document on the command
        line."""
        specs: dict[str, dict[str, Any]] = {}
        for name in self.datasets():
            specs[f"data/{name}"] = {"name": name, **self.config["datasets"][name]}
        for group, batch in self.groups.items():
            specs[f"train/{group}"] = batch
        for (analysis, group), job in sorted(self.analyses.items()):
            dataset_job = specs.setdefault(f"analysis/{analysis}/{job['dataset']}", {"groups": {}})
            out = layout.ANALYSIS.format(analysis=analysis, group=group)
            dataset_job["groups"][group] = {**job, "out": out}
        for analysis in declared(self.config, "analyses"):
            specs[f"table/{analysis}"] = {
                "analysis": analysis,
                "manifest": self.analysis_manifest(analysis),
            }
        for figure in declared(self.config, "figures"):
            specs[f"figure/{figure}"] = {"figure": figure, "manifest": self.figure_manifest(figure)}
        if declared(self.config, "claims"):
            specs["claims"] = {
                "summaries": self.claim_summaries(),
                "finals": self.claim_manifest(layout.FINAL),
                "histories": self.claim_manifest(layout.HISTORY),
                "experiments": self.experiments,
            }
        specs["plot_data"] = {"manifest": self.manifest(self.uses(), layout.HISTORY)}
        if self.atlas_enabled():
            atlas = self.config.get("atlas") or {}
            specs["atlas"] = {
                "manifest": self.atlas_manifest(),
                "atlas": {key: atlas.get(key, []) for key in ATLAS_REPORT_KEYS},
            }
        return specs

    def final_targets(self) -> list[str]:
        targets = [
            layout.TABLE_MARKDOWN.format(analysis=a) for a in declared(self.config, "analyses")
        ]
        for figure in declared(self.config, "figures"):
            targets += [
                layout.FIGURE_PNG.format(figure=figure),
                layout.FIGURE_PDF.format(figure=figure),
            ]
        if declared(self.config, "claims"):
            targets.append(layout.CLAIMS_MARKDOWN)
        if self.atlas_enabled():
            targets += [layout.ATLAS_CSV, layout.ATLAS_MARKDOWN]
            targets += [
                pattern.format(panel=panel)
                for panel in ATLAS_PANELS
                for pattern in (layout.ATLAS_FIGURE_PNG, layout.ATLAS_FIGURE_PDF)
            ]
        targets.append(layout.PLOTS)
        return targets

    def experiment_targets(self, name: str) -> list[str]:
        """What one experiment makes on its own: its runs and their analyses (figures and
        claims read several experiments; the whole DAG makes them)."""
        if name not in self.experiments:
            known = ", ".join(sorted(self.experiments))
            raise ConfigError(f"no enabled experiment {name!r}; known: {known}")
        runs = self.runs[name]
        targets = sorted({layout.RUN_GROUP.format(group=run.group) for run in runs})
        dataset = self.experiments[name]["dataset"]
        for analysis in self.experiments[name].get("analyses", []):
            targets.append(layout.ANALYSIS_SET.format(analysis=analysis, dataset=dataset))
        return targets
