rule generate_dataset:
    output:
        directory("results/data/{dataset}"),
    log:
        "results/logs/data/{dataset}.log",
    conda:
        "../../envs/simbias.yaml"
    params:
        script=script_path("generate_dataset.py"),
        spec=lambda wildcards: json_arg(config["datasets"][wildcards.dataset]),
    shell:
        "python {params.script} --name {wildcards.dataset} --spec {params.spec}"
        " --out {output} > {log} 2>&1"
