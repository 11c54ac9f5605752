rule analyse_run:
    input:
        data=DATASET,
        model="results/runs/{dataset}/{model}/{regime}/seed{seed}/model.pt",
        final="results/runs/{dataset}/{model}/{regime}/seed{seed}/final.json",
    output:
        "results/analysis/{analysis}/{dataset}/{model}/{regime}/seed{seed}.json",
    log:
        "results/logs/analysis/{analysis}/{dataset}/{model}/{regime}/seed{seed}.log",
    conda:
        "../../envs/simbias.yaml"
    params:
        script=script_path("analyse_run.py"),
        run=lambda wildcards, input: os.path.dirname(input.final),
        settings=analysis_settings_arg,
        device=config["device"],
    shell:
        "python {params.script} --analysis {wildcards.analysis} --run {params.run}"
        " --data {input.data} --out {output} --settings {params.settings}"
        " --device {params.device} > {log} 2>&1"


rule analysis_table:
    input:
        lambda wildcards: [e["path"] for e in analysis_manifest(wildcards)],
    output:
        runs="results/tables/{analysis}_runs.csv",
        summary="results/tables/{analysis}.csv",
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
