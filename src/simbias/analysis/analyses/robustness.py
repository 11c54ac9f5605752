"""robustness: clean and robust test accuracy of a run under one fixed attack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simbias.analysis.catalogue import ANALYSES, RunInputs
from simbias.params import Params, param


@dataclass(frozen=True, kw_only=True)
class RobustnessSettings(Params):
    """The attack of the robustness analysis (clean vs robust test accuracy); clip comes
    from the dataset."""

    # Today's robustness defaults (steps 10), which differ from a regime's adversarial ones.
    kind: Literal["pgd", "fgsm"] = param(description="Attack kind.")
    norm: Literal["linf", "l2"] = param(description="Threat model.")
    eps: float = param(description="Radius of the perturbation ball.", exclusive_minimum=0)
    step_size: float | None = param(
        None,
        description="Ascent step (default 2.5 eps / steps for PGD, 1.25 eps for FGSM).",
        exclusive_minimum=0,
    )
    steps: int = param(10, description="PGD steps (FGSM takes one).", minimum=1)
    random_start: bool = param(True, description="Random start in the ball.")

    def __post_init__(self) -> None:
        if self.kind == "fgsm" and self.norm != "linf":
            raise ValueError(f"norm must be 'linf' for FGSM, got {self.norm!r}")


@ANALYSES.register(
    "robustness",
    params=RobustnessSettings,
    caption="""Clean test accuracy and test accuracy under the configured L_p-bounded
    attack (PGD or FGSM with random start), adversarial inputs clipped to the dataset's
    valid range.""",
    title="Clean and robust test accuracy (PGD)",
    needs=("model", "labels"),
)
def robustness(run: RunInputs, settings: RobustnessSettings) -> dict[str, float]:
    from simbias.analysis.robustness import robustness as measure

    # step_size None (its default, from eps and steps) is left out, not passed as None.
    attack = {k: v for k, v in settings.to_dict().items() if v is not None}
    return measure(run.run_dir, run.data_dir, run.device, attack=attack)
