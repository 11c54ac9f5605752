# The report's landing page: the workflow's description and, once the claims rule wrote
# it, the claims checked (their count per paper and the table).
report: report_landing()


rule figure:
    input:
        sources=lambda wildcards: PLAN.figure_inputs(wildcards.figure),
    output:
        png=report(
            layout.FIGURE_PNG,
            caption="../report/figure.rst",
            category="Figures",
            subcategory=lambda wildcards: PLAN.figure_papers(wildcards.figure),
            labels=lambda wildcards: {
                "figure": wildcards.figure,
                "experiments": ", ".join(PLAN.figure_experiments(wildcards.figure)),
            },
        ),
        pdf=layout.FIGURE_PDF,
    log:
        layout.LOG.format(job="figure/{figure}"),
    conda:
        "../../envs/simbias.yaml"
    params:
        spec=spec("figure/{figure}"),
        digest=digest("figure/{figure}"),
        script=script("figure.py"),
        caption=lambda wildcards: caption("figures", wildcards.figure),
    shell:
        "{params.script} --spec {params.spec} --png {output.png} --pdf {output.pdf}"
        " > {log} 2>&1"


rule claims:
    input:
        evidence=lambda wildcards: PLAN.claims_inputs(),
        description=os.path.join(workflow.basedir, layout.REPORT_DESCRIPTION),
    output:
        html=report(
            layout.CLAIMS_HTML,
            caption="../report/claims.rst",
            category="Claims",
            labels={"table": "claims checked"},
        ),
        csv=layout.CLAIMS_CSV,
        markdown=layout.CLAIMS_MARKDOWN,
        metrics=layout.CLAIMS_METRICS,
        landing=layout.REPORT_LANDING,
    log:
        layout.LOG.format(job="claims"),
    conda:
        "../../envs/simbias.yaml"
    params:
        spec=spec("claims"),
        digest=digest("claims"),
        script=script("claims.py"),
    shell:
        "{params.script} --spec {params.spec} --csv {output.csv} --html {output.html}"
        " --markdown {output.markdown} --metrics {output.metrics}"
        " --landing {output.landing} --description {input.description} > {log} 2>&1"


rule plot_data:
    input:
        histories=lambda wildcards: PLAN.plot_data_inputs(),
    output:
        directory(layout.PLOTS),
    log:
        layout.LOG.format(job="plot_data"),
    conda:
        "../../envs/simbias.yaml"
    params:
        spec=spec("plot_data"),
        digest=digest("plot_data"),
        script=script("plot_data.py"),
    shell:
        "{params.script} --spec {params.spec} --out {output} > {log} 2>&1"


rule atlas:
    input:
        analyses=lambda wildcards: PLAN.atlas_inputs(),
    output:
        csv=layout.ATLAS_CSV,
        markdown=report(
            layout.ATLAS_MARKDOWN,
            caption="../report/atlas.rst",
            category="Atlas",
            labels={"atlas": "summary"},
        ),
        heatmap_png=report(
            layout.ATLAS_FIGURE_PNG.format(panel="heatmap"),
            caption="../report/atlas.rst",
            category="Atlas",
            labels={"atlas": "heat map"},
        ),
        heatmap_pdf=layout.ATLAS_FIGURE_PDF.format(panel="heatmap"),
        questions_png=report(
            layout.ATLAS_FIGURE_PNG.format(panel="questions"),
            caption="../report/atlas.rst",
            category="Atlas",
            labels={"atlas": "questions"},
        ),
        questions_pdf=layout.ATLAS_FIGURE_PDF.format(panel="questions"),
    log:
        layout.LOG.format(job="atlas"),
    conda:
        "../../envs/simbias.yaml"
    params:
        spec=spec("atlas"),
        digest=digest("atlas"),
        script=script("atlas.py"),
    shell:
        "{params.script} --spec {params.spec} --csv {output.csv}"
        " --markdown {output.markdown} --heatmap-png {output.heatmap_png}"
        " --heatmap-pdf {output.heatmap_pdf} --questions-png {output.questions_png}"
        " --questions-pdf {output.questions_pdf} > {log} 2>&1"
