"""The ``simbias`` command: list the catalogue, run one experiment through Snakemake."""
