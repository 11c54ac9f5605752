# simbias: datasets -> training runs -> analyses -> figures, tables and claims.
# Usage: snakemake --cores all                                    (default scale)
#        snakemake --cores all --configfile configs/tiny.yaml    (an overlay)
#        snakemake --cores all --configfile configs/paper.yaml   (paper scale)
import glob
import os

from snakemake.utils import min_version, validate

min_version("9.0")


# The base: config.yaml and one experiments file per paper; named --configfile overlays
# merge on top (Snakemake re-applies them after each configfile directive).
configfile: os.path.join(workflow.basedir, "config.yaml")


for paper_file in sorted(
    glob.glob(os.path.join(workflow.basedir, "configs/experiments/*.yaml"))
):
    workflow.configfile(paper_file)


# Keys and types first (refusing unknown keys), then cross-references.
validate(config, schema="workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        PLAN.final_targets(),
