rule analyse:
    input:
        data=layout.DATA,
        runs=lambda wildcards: PLAN.analysis_inputs(
            wildcards.analysis, wildcards.dataset
        ),
    output:
        directory(layout.ANALYSIS_SET),
    log:
        layout.LOG.format(job="analysis/{analysis}/{dataset}"),
    benchmark:
        layout.BENCHMARK.format(job="analysis/{analysis}/{dataset}")
    conda:
        "../../envs/simbias.yaml"
    params:
        spec=spec("analysis/{analysis}/{dataset}"),
        digest=digest("analysis/{analysis}/{dataset}"),
        script=script("analyse.py"),
        device=config["device"],
    shell:
        "{params.script} --spec {params.spec} --data {input.data} --out {output}"
        " --device {params.device} > {log} 2>&1"


rule analysis_table:
    input:
        results=lambda wildcards: PLAN.table_inputs(wildcards.analysis),
    output:
        runs=layout.TABLE_RUNS,
        summary=report(
            layout.TABLE_SUMMARY,
            caption="../report/analysis_table.rst",
            category="Tables",
            labels={"table": "{analysis}"},
        ),
        markdown=layout.TABLE_MARKDOWN,
    log:
        layout.LOG.format(job="table/{analysis}"),
    conda:
        "../../envs/simbias.yaml"
    params:
        spec=spec("table/{analysis}"),
        digest=digest("table/{analysis}"),
        script=script("tables.py"),
        caption=lambda wildcards: caption("analyses", wildcards.analysis),
    shell:
        "{params.script} --spec {params.spec} --runs-csv {output.runs}"
        " --summary-csv {output.summary} --markdown {output.markdown} > {log} 2>&1"
