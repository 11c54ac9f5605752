rule figure:
    input:
        lambda wildcards: [e["path"] for e in figure_manifest(wildcards)],
    output:
        png="results/figures/{figure}.png",
        pdf="results/figures/{figure}.pdf",
    params:
        manifest=lambda wildcards: json_arg(figure_manifest(wildcards)),
    log:
        "results/logs/figures/{figure}.log",
    conda:
        "../../envs/simbias.yaml"
    shell:
        "python {SCRIPTS}/figure.py --name {wildcards.figure} --manifest {params.manifest}"
        " --png {output.png} --pdf {output.pdf} > {log} 2>&1"


rule claims:
    input:
        summary="results/tables/sb_metrics.csv",
    output:
        csv="results/tables/claims.csv",
        markdown="results/tables/claims.md",
    params:
        experiments=json_arg(config["experiments"]),
    log:
        "results/logs/tables/claims.log",
    conda:
        "../../envs/simbias.yaml"
    shell:
        "python {SCRIPTS}/claims.py --summary {input.summary} --experiments {params.experiments}"
        " --csv {output.csv} --markdown {output.markdown} > {log} 2>&1"
