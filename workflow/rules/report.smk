rule figure:
    input:
        lambda wildcards: [e["path"] for e in figure_manifest(wildcards)],
    output:
        png=report(
            "results/figures/{figure}.png",
            caption="../report/figure.rst",
            category="Figures",
            labels={"figure": "{figure}"},
        ),
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
        csv=report(
            "results/tables/claims.csv",
            caption="../report/claims.rst",
            category="Claims",
            labels={"table": "claims"},
        ),
        markdown="results/tables/claims.md",
        metrics="results/metrics/claims.json",
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
        " --csv {output.csv} --markdown {output.markdown} --metrics {output.metrics}"
        " > {log} 2>&1"


rule plot_data:
    input:
        lambda wildcards: [e["path"] for e in all_runs_manifest(HISTORY)],
    output:
        directory("results/plots"),
    log:
        "results/logs/tables/plot_data.log",
    conda:
        "../../envs/simbias.yaml"
    params:
        script=script_path("plot_data.py"),
        manifest=lambda wildcards: json_arg(all_runs_manifest(HISTORY)),
    shell:
        "python {params.script} --manifest {params.manifest} --out {output} > {log} 2>&1"
