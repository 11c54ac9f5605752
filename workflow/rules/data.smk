rule generate_dataset:
    output:
        train="results/data/{dataset}/train.npz",
        test="results/data/{dataset}/test.npz",
        s_rand="results/data/{dataset}/s_rand.npz",
        sc_rand="results/data/{dataset}/sc_rand.npz",
        card="results/data/{dataset}/card.json",
    params:
        spec=lambda wildcards: json_arg(config["datasets"][wildcards.dataset]),
        out=lambda wildcards, output: os.path.dirname(output.card),
    log:
        "results/logs/data/{dataset}.log",
    conda:
        "../../envs/simbias.yaml"
    shell:
        "python {SCRIPTS}/generate_dataset.py --name {wildcards.dataset} --spec {params.spec}"
        " --out {params.out} > {log} 2>&1"
