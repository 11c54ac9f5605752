rule figure:
    input:
        lambda wildcards: [e["path"] for e in figure_manifest(wildcards)],
    output:
        png="results/figures/{figure}.png",
        pdf="results/figures/{figure}.pdf",
    log:
        "results/logs/figures/{figure}.log",
    conda:
        "../../envs/simbias.yaml"
    params:
        script=script_path("figure.py"),
        manifest=lambda wildcards: json_arg(figure_manifest(wildcards)),
    shell:
        "python {params.script} --name {wildcards.figure} --manifest {params.manifest}"
        " --png {output.png} --pdf {output.pdf} > {log} 2>&1"


rule claims:
    input:
        summaries=lambda wildcards: list(claim_summaries().values()),
        finals=lambda wildcards: [e["path"] for e in claim_manifest(FINAL)],
        histories=lambda wildcards: [e["path"] for e in claim_manifest(HISTORY)],
    output:
        csv="results/tables/claims.csv",
        markdown="results/tables/claims.md",
    log:
        "results/logs/tables/claims.log",
    conda:
        "../../envs/simbias.yaml"
    params:
        script=script_path("claims.py"),
        summaries=lambda wildcards: json_arg(claim_summaries()),
        finals=lambda wildcards: json_arg(claim_manifest(FINAL)),
        histories=lambda wildcards: json_arg(claim_manifest(HISTORY)),
        experiments=json_arg(config["experiments"]),
    shell:
        "python {params.script} --summaries {params.summaries} --finals {params.finals}"
        " --histories {params.histories} --experiments {params.experiments}"
        " --csv {output.csv} --markdown {output.markdown} > {log} 2>&1"
