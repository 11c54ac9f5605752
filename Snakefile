# simbias: datasets -> training runs -> analyses -> figures, tables and claims.
# Usage: snakemake --cores all            (default scale, config.yaml)
#        snakemake --cores all --configfile config.yaml configs/tiny.yaml
import os

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: os.path.join(workflow.basedir, "config.yaml")


report: "workflow/report/workflow.rst"


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
        final_targets(),
