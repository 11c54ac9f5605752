rule generate_dataset:
    output:
        train="results/data/{dataset}/train.npz",
        test="results/data/{dataset}/test.npz",
        s_rand="results/data/{dataset}/s_rand.npz",
        sc_rand="results/data/{dataset}/sc_rand.npz",
        card="results/data/{dataset}/card.json",
    log:
        "results/logs/data/{dataset}.log",
    conda:
        "../../envs/simbias.yaml"
    params:
        script=script_path("generate_dataset.py"),
        spec=lambda wildcards: json_arg(config["datasets"][wildcards.dataset]),
        out=lambda wildcards, output: os.path.dirname(output.card),
    shell:
        "python {params.script} --name {wildcards.dataset} --spec {params.spec}"
        " --out {params.out} > {log} 2>&1"
