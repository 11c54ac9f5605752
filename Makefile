# simbias: `make results` regenerates the default scale, `make test` runs the suite.
SHELL := /bin/bash
VENV ?= .venv
PYTHON_BASE ?= python3
CORES ?= all
# Overlays on the base (config.yaml + configs/experiments/*.yaml), e.g. configs/paper.yaml.
CONFIG ?= config.yaml
SNAKEMAKE_ARGS ?=

# Scripts called by the rules run with the venv's python.
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: results cluster test bench push pull repro lint format dry-run clean-results venv catalogue

venv: $(VENV)/.installed

$(VENV)/.installed: envs/requirements.txt pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON_BASE) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r envs/requirements.txt
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

results: venv
	snakemake --cores $(CORES) --configfile $(CONFIG) --rerun-incomplete $(SNAKEMAKE_ARGS)
	snakemake --configfile $(CONFIG) --report results/report.html

# The same DAG through SLURM (profiles/slurm: sbatch per job, groups, retries); run it on
# the cluster's login node. A throw-away one-node cluster here: tests/slurm/start-slurm.sh.
cluster: venv
	snakemake --workflow-profile profiles/slurm --configfile $(CONFIG) $(SNAKEMAKE_ARGS)

dry-run: venv
	snakemake -n --configfile $(CONFIG) $(SNAKEMAKE_ARGS)

test: venv
	pytest $(PYTEST_ARGS)

# Artefacts with DVC: upload results/ to the remote; restore them (then mark them current,
# since pulled files get new mtimes in arbitrary order and Snakemake would rerun them).
push: venv
	dvc push

pull: venv
	dvc pull
	snakemake --configfile $(CONFIG) --touch --cores 1 --quiet

repro: venv
	dvc repro

bench: venv
	python scripts/bench.py --out-dir results/bench

# The config schema and the plan's catalogue, generated from the components' registrations
# (tests/test_catalogue.py fails when they are stale).
catalogue: venv
	python -m simbias.index

lint: venv
	ruff check .
	ruff format --check .
	snakefmt --check Snakefile workflow/rules
	snakemake --lint --cores 1

format: venv
	ruff format .
	ruff check --fix .
	snakefmt Snakefile workflow/rules

clean-results:
	rm -rf results .snakemake
