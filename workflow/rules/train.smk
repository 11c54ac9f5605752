rule train:
    input:
        data=lambda wildcards: PLAN.group_data(wildcards.group),
        starts=lambda wildcards: PLAN.group_starts(wildcards.group),
    output:
        directory(layout.RUN_GROUP),
    log:
        layout.LOG.format(job="train/{group}"),
    benchmark:
        layout.BENCHMARK.format(job="train/{group}")
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
        work_root=layout.WORK_ROOT,
    shell:
        "{params.script} --spec {params.spec} --data {input.data} --out {output}"
        " --work-root {params.work_root} --threads {threads} --device {params.device}"
        " > {log} 2>&1"
