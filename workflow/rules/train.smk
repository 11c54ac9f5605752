rule train:
    input:
        unpack(train_inputs),
    output:
        model="results/runs/{dataset}/{model}/{regime}/seed{seed}/model.pt",
        history="results/runs/{dataset}/{model}/{regime}/seed{seed}/history.csv",
        final="results/runs/{dataset}/{model}/{regime}/seed{seed}/final.json",
    log:
        "results/logs/train/{dataset}/{model}/{regime}/seed{seed}.log",
    conda:
        "../../envs/simbias.yaml"
    threads: config["threads_per_run"]
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        script=script_path("train.py"),
        spec=run_spec_arg,
        out=lambda wildcards, output: os.path.dirname(output.final),
        batch=lambda wildcards, input: input.get("batch", "''"),
        device=config["device"],
    shell:
        "python {params.script} --spec {params.spec} --data {input.data} --out {params.out}"
        " --threads {threads} --device {params.device} --batch {params.batch} > {log} 2>&1"


rule train_seed_batch:
    input:
        data=DATASET,
    output:
        directory("results/runs/{dataset}/{model}/{regime}/seed_batch"),
    log:
        "results/logs/train/{dataset}/{model}/{regime}/seed_batch.log",
    conda:
        "../../envs/simbias.yaml"
    threads: config["threads_per_run"]
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        script=script_path("train_seed_batch.py"),
        specs=lambda wildcards: json_arg(
            SEED_BATCHES[f"{wildcards.dataset}/{wildcards.model}/{wildcards.regime}"]
        ),
        device=config["device"],
    shell:
        "python {params.script} --specs {params.specs} --data {input.data} --out {output}"
        " --threads {threads} --device {params.device} > {log} 2>&1"
