# The plan, computed once: every rule looks its job up here; paths come from the layout.
import os
import shlex
import sys

from snakemake_interface_executor_plugins.settings import DeploymentMethod

from simbias.plan import ConfigError, declared, layout
from simbias.plan.validate import plan_checked
from simbias.plan.catalogue import entry
from simbias.plan.specs import spec_digest, write_job_specs

# Cross-references and the plan's checks (the schema ran in the Snakefile).
try:
    PLAN = plan_checked(config)
except ConfigError as error:
    raise WorkflowError(f"invalid config: {error}") from None

# Each job's spec file, written before the first job and rewritten only where it changed
# (a dry run writes nothing). Its digest is a param: a job reruns when its spec changed.
JOB_SPECS = PLAN.job_specs()


onstart:
    write_job_specs(JOB_SPECS)


wildcard_constraints:
    dataset=r"[A-Za-z0-9_+-][A-Za-z0-9_.+-]*",
    group=layout.GROUP_PATTERN,
    seed=r"\d+",
    figure="|".join(declared(config, "figures")) or "no-figures",
    analysis="|".join(PLAN.analysis_names()) or "no-analyses",


def script(name):
    """A script by absolute path (so that --directory elsewhere finds it), run by the
    interpreter that runs Snakemake (whatever python PATH holds may lack simbias), or by
    the job's conda environment's under ``--sdm conda``."""
    in_conda = DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method
    python = "python" if in_conda else sys.executable
    return shlex.join([python, os.path.join(workflow.basedir, "scripts", name)])


def spec(job_pattern):
    """The spec file of the job ``job_pattern`` names (wildcards filled)."""
    return lambda wildcards: layout.SPEC.format(job=job_pattern.format(**wildcards))


def digest(job_pattern):
    return lambda wildcards: spec_digest(JOB_SPECS[job_pattern.format(**wildcards)])


def caption(kind, name):
    return entry(kind, name)["caption"]


def report_landing():
    """The landing page the claims rule wrote (read when ``--report`` runs, after the DAG),
    else the bare description: a report of a DAG without claims still builds."""
    landing = os.path.abspath(layout.REPORT_LANDING)
    if declared(config, "claims") and os.path.exists(landing):
        return landing
    return os.path.join(workflow.basedir, layout.REPORT_DESCRIPTION)
