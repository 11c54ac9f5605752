rule generate_dataset:
    output:
        directory(layout.DATA),
    log:
        layout.LOG.format(job="data/{dataset}"),
    benchmark:
        layout.BENCHMARK.format(job="data/{dataset}")
    conda:
        "../../envs/simbias.yaml"
    params:
        spec=spec("data/{dataset}"),
        digest=digest("data/{dataset}"),
        script=script("generate_dataset.py"),
    shell:
        "{params.script} --spec {params.spec} --out {output} > {log} 2>&1"
