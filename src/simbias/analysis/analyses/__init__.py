"""The per-run analyses, one module each, named after the analysis (see
``simbias.analysis.catalogue``). A module registers its entry function with ``ANALYSES``
and imports the heavy measurement code inside it, so listing the catalogue imports no torch.
"""
