rule analyse_group:
    input:
        unpack(analysis_inputs),
    output:
        "results/analysis/{analysis}/{dataset}/{model}/{regime}.json",
    log:
        "results/logs/analysis/{analysis}/{dataset}/{model}/{regime}.log",
    conda:
        "../../envs/simbias.yaml"
    params:
        script=script_path("analyse_group.py"),
        runs=lambda wildcards, input: json_arg(
            {
                s: os.path.dirname(f)
                for s, f in zip(analysis_seeds(wildcards), input.finals)
            }
        ),
        settings=analysis_settings_arg,
        device=config["device"],
    shell:
        "python {params.script} --analysis {wildcards.analysis} --runs {params.runs}"
        " --data {input.data} --out {output} --settings {params.settings}"
        " --device {params.device} > {log} 2>&1"


rule analysis_table:
    input:
        lambda wildcards: sorted({e["path"] for e in analysis_manifest(wildcards)}),
    output:
        runs="results/tables/{analysis}_runs.csv",
        summary=report(
            "results/tables/{analysis}.csv",
            caption="../report/analysis_table.rst",
            category="Tables",
            labels={"table": "{analysis}"},
        ),
        markdown="results/tables/{analysis}.md",
    log:
        "results/logs/tables/{analysis}.log",
    conda:
        "../../envs/simbias.yaml"
    params:
        script=script_path("tables.py"),
        manifest=lambda wildcards: json_arg(analysis_manifest(wildcards)),
    shell:
        "python {params.script} --analysis {wildcards.analysis} --manifest {params.manifest}"
        " --runs-csv {output.runs} --summary-csv {output.summary}"
        " --markdown {output.markdown} > {log} 2>&1"
