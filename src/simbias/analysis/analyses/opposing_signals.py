"""opposing_signals: paired groups of training examples whose losses swing in opposition
(Rosenfeld & Risteski 2023), selected on one window of the recorded dynamics and scored on
a later one against a permutation null. Its settings are the defaults of
simbias.analysis.opposing_signals (DEFAULT_TOP, DEFAULT_SELECT_SHARE, DEFAULT_NULL_DRAWS)."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs


@ANALYSES.register(
    "opposing_signals",
    caption="""Opposing signals (Rosenfeld & Risteski 2023): on the first half of the
    recorded iterations, the examples whose loss rises most and falls most at one iteration
    (majority labels differing); on the later half, the covariance and correlation of the
    two groups' loss changes against random groups of the same sizes and labels
    (permutation p), their label purity and share of planted outliers; with
    edge-of-stability statistics of the sharpness where it was recorded.""",
    title="opposing_signals",
    needs=("dynamics", "labels"),
)
def opposing_signals(run: RunInputs, settings: None) -> dict[str, float]:
    from simbias.analysis.opposing_signals import opposing_signals_analysis
    from simbias.data.store import load_split
    from simbias.train.recorders.dynamics import load_dynamics

    dynamics = load_dynamics(run.run_dir, "opposing_signals analysis")
    train = load_split(run.data_dir, "train")
    # The run's seed draws the null's random groups: reruns give the same p.
    return opposing_signals_analysis(
        dynamics, labels=train.y, outlier_mask=train.attributes.get("outlier"), seed=run.seed
    )
