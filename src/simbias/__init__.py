"""simbias: a reproducibility pipeline for simplicity-bias research."""

__version__ = "0.1.0"
