# simbias: datasets -> training runs -> analyses -> figures, tables and claims.
# Usage: snakemake --cores all            (default scale, config.yaml)
#        snakemake --cores all --configfile config.yaml configs/tiny.yaml   (an overlay)
#        snakemake --cores all --configfile configs/paper.yaml             (paper scale)
import os

from snakemake.utils import min_version, validate

min_version("9.0")


# config.yaml unless config files are named: then exactly those, merged left to right
# (configs/paper.yaml stands alone; an overlay names its base first).
if not workflow.overwrite_configfiles:

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
