# simbias: `make results` regenerates the default scale, `make test` runs the suite.
SHELL := /bin/bash
VENV ?= .venv
PYTHON_BASE ?= python3
CORES ?= all
# Overlays on the base (config.yaml + configs/experiments/*.yaml), e.g. configs/paper.yaml.
CONFIG ?= config.yaml
SNAKEMAKE_ARGS ?=
# VERBOSE=1: show every job and its shell command (quiet by default).
VERBOSE ?=

# The recipes' snakemake, dvc, pytest, ruff come from the venv (the rules find their own python).
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: help results experiment list cluster test bench push pull repro lint format dry-run \
	clean-results venv catalogue

# `make` alone, or `make help`: every target with its one-line description (the `##`).
help:
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:[^#]*## /\t/' | expand -t 16

venv: $(VENV)/.installed ## the virtualenv .venv with the pinned packages (the other targets make it)

$(VENV)/.installed: envs/requirements.txt pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON_BASE) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r envs/requirements.txt
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

SIMBIAS_ARGS = --cores $(CORES) $(foreach file,$(CONFIG),--config $(file)) $(if $(VERBOSE),--verbose)

results: venv ## the whole DAG (CONFIG=configs/paper.yaml for paper scale), the report, a summary
	$(VENV)/bin/simbias results $(SIMBIAS_ARGS) $(if $(SNAKEMAKE_ARGS),-- $(SNAKEMAKE_ARGS))

experiment: venv ## one experiment's runs and analyses: make experiment NAME=pitfalls_lms5
	$(VENV)/bin/simbias run $(NAME) $(SIMBIAS_ARGS) $(if $(SNAKEMAKE_ARGS),-- $(SNAKEMAKE_ARGS))

list: venv ## the catalogue: datasets, models, regimes, experiments, claims (one line each)
	@$(VENV)/bin/simbias list $(foreach file,$(CONFIG),--config $(file))

# The same DAG through SLURM (profiles/slurm: sbatch per job, groups, retries); run it on
# the cluster's login node. A throw-away one-node cluster here: tests/slurm/start-slurm.sh.
cluster: venv ## the same DAG through SLURM (profiles/slurm), from the login node
	snakemake --workflow-profile profiles/slurm --configfile $(CONFIG) $(SNAKEMAKE_ARGS)

dry-run: venv ## what the DAG would run, without running it
	snakemake -n --configfile $(CONFIG) $(SNAKEMAKE_ARGS)

test: venv ## the test suite (PYTEST_ARGS='-k name' to choose)
	pytest $(PYTEST_ARGS)

# Artefacts with DVC (README, "Artefacts with DVC"). Snakemake made the outputs, not `dvc
# repro`, so DVC's cache lacks them until `dvc commit` records them: push commits first.
push: venv ## record what make results made (dvc commit) and upload it to the DVC remote
	dvc commit --force --quiet
	dvc push
	@# dvc commit does not stage the lock file it wrote (core.autostage covers other commands).
	@git add dvc.lock
	@echo "make push: dvc.lock is staged; commit it so that a clone can pull: git commit -m 'artefacts'"

# Pulled files get new mtimes in arbitrary order: snakemake --touch marks them current.
pull: venv ## restore the published artefacts (dvc pull) and mark them current for Snakemake
	@test -f dvc.lock || { echo "make pull: this checkout has no dvc.lock, so no artefacts were" \
		"published with it: run make results, or see the README (Artefacts with DVC)" >&2; exit 1; }
	@dvc pull || { echo "make pull: dvc pull failed (above); the default remote is" \
		"'$$(dvc remote default)': point at a published one with dvc remote add -d --local" \
		"NAME URL (README, Artefacts with DVC)" >&2; exit 1; }
	snakemake --configfile $(CONFIG) --touch --cores 1 --quiet

repro: venv ## the DAG through DVC's stages (dvc repro)
	dvc repro

bench: venv ## speed benchmarks, as ratios against a reference run (results/bench)
	python scripts/bench.py --out-dir results/bench

# The config schema and the plan's catalogue, generated from the components' registrations
# (tests/test_catalogue.py fails when they are stale).
catalogue: venv ## regenerate the config schema and the plan's catalogue
	python -m simbias.index

lint: venv ## ruff, snakefmt and snakemake --lint
	ruff check .
	ruff format --check .
	snakefmt --check Snakefile workflow/rules
	snakemake --lint --cores 1

format: venv ## format the code (ruff, snakefmt)
	ruff format .
	ruff check --fix .
	snakefmt Snakefile workflow/rules

clean-results: ## delete results/ and Snakemake's metadata (DVC's cache stays)
	rm -rf results .snakemake
