rule train:
    input:
        data=lambda wildcards: PLAN.group_data(wildcards.group),
    output:
        directory(layout.SEED_BATCH),
    log:
        layout.LOG.format(job="train/{group}"),
    conda:
        "../../envs/simbias.yaml"
    threads: config["threads_per_run"]
    resources:
        mem_mb=4000,
        runtime=240,
    params:
        spec=spec("train/{group}"),
        digest=digest("train/{group}"),
        script=script("train.py"),
        device=config["device"],
        work_root=lambda wildcards: layout.RUNS_ROOT,
    shell:
        "{params.script} --spec {params.spec} --data {input.data} --out {output}"
        " --work-root {params.work_root} --threads {threads} --device {params.device}"
        " > {log} 2>&1"


rule collect_run:
    input:
        batch=layout.SEED_BATCH,
    output:
        model=layout.MODEL,
        history=layout.HISTORY,
        final=layout.FINAL,
    log:
        layout.LOG.format(job="collect/{group}/seed{seed}"),
    conda:
        "../../envs/simbias.yaml"
    params:
        spec=spec("train/{group}"),
        digest=digest("train/{group}"),
        script=script("collect_run.py"),
        out=lambda wildcards, output: os.path.dirname(output.final),
    shell:
        "{params.script} --spec {params.spec} --seed {wildcards.seed} --batch {input.batch}"
        " --out {params.out} > {log} 2>&1"
