"""model_size: how large a run's network is, as scaling studies count it (parameters and the
multiply-adds of one forward)."""

from __future__ import annotations

from simbias.analysis.catalogue import ANALYSES, RunInputs


@ANALYSES.register(
    "model_size",
    caption="""Size of the trained network: its parameters (every member of an ensemble) and
    the multiply-adds of one forward on one example (Bachmann et al.'s forward FLOPs, the
    training_compute probe's count).""",
    title="Model size (parameters, forward multiply-adds)",
    needs=("model",),
)
def model_size(run: RunInputs, settings: None) -> dict[str, float]:
    from simbias.data.store import read_card
    from simbias.train.recorders.training_compute import forward_flops
    from simbias.train.run import load_trained_model

    model = load_trained_model(run.run_dir, run.data_dir, run.device)
    input_shape = tuple(read_card(run.data_dir)["input_shape"])
    return {
        "parameters": float(sum(p.numel() for p in model.parameters())),
        "forward_flops": float(forward_flops(model, input_shape)),
    }
