rule train:
    input:
        data=DATASET,
    output:
        directory("results/runs/{dataset}/{model}/{regime}/seeds"),
    log:
        "results/logs/train/{dataset}/{model}/{regime}.log",
    conda:
        "../../envs/simbias.yaml"
    threads: config["threads_per_run"]
    resources:
        mem_mb=4000,
        runtime=240,
    params:
        script=script_path("train.py"),
        group=lambda wildcards: json_arg(SEED_BATCHES[group_path(wildcards)]),
        device=config["device"],
    shell:
        "python {params.script} --group {params.group} --data {input.data} --out {output}"
        " --work-root results/runs --threads {threads} --device {params.device} > {log} 2>&1"


rule collect_run:
    input:
        batch="results/runs/{dataset}/{model}/{regime}/seeds",
    output:
        model="results/runs/{dataset}/{model}/{regime}/seed{seed}/model.pt",
        history="results/runs/{dataset}/{model}/{regime}/seed{seed}/history.csv",
        final="results/runs/{dataset}/{model}/{regime}/seed{seed}/final.json",
    log:
        "results/logs/collect/{dataset}/{model}/{regime}/seed{seed}.log",
    conda:
        "../../envs/simbias.yaml"
    params:
        script=script_path("collect_run.py"),
        spec=run_spec_arg,
        out=lambda wildcards, output: os.path.dirname(output.final),
    shell:
        "python {params.script} --spec {params.spec} --batch {input.batch}"
        " --out {params.out} > {log} 2>&1"
