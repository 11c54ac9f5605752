rule sb_metrics:
    input:
        unpack(dataset_files),
        model="results/runs/{dataset}/{model}/{regime}/seed{seed}/model.pt",
        final="results/runs/{dataset}/{model}/{regime}/seed{seed}/final.json",
    output:
        "results/analysis/sb_metrics/{dataset}/{model}/{regime}/seed{seed}.json",
    log:
        "results/logs/analysis/sb_metrics/{dataset}/{model}/{regime}/seed{seed}.log",
    conda:
        "../../envs/simbias.yaml"
    params:
        script=script_path("sb_metrics.py"),
        run=lambda wildcards, input: os.path.dirname(input.final),
        data=lambda wildcards, input: os.path.dirname(input.card),
        device=config["device"],
    shell:
        "python {params.script} --run {params.run} --data {params.data} --out {output}"
        " --device {params.device} > {log} 2>&1"


rule sb_tables:
    input:
        lambda wildcards: [
            e["path"] for e in manifest("analyses", "sb_metrics", SB_METRICS)
        ],
    output:
        runs="results/tables/sb_metrics_runs.csv",
        summary="results/tables/sb_metrics.csv",
        markdown="results/tables/sb_metrics.md",
    log:
        "results/logs/tables/sb_metrics.log",
    conda:
        "../../envs/simbias.yaml"
    params:
        script=script_path("tables.py"),
        manifest=lambda wildcards: json_arg(
            manifest("analyses", "sb_metrics", SB_METRICS)
        ),
    shell:
        "python {params.script} --manifest {params.manifest} --runs-csv {output.runs}"
        " --summary-csv {output.summary} --markdown {output.markdown} > {log} 2>&1"
