"""In-context regression (Panwar, Ahuja & Goyal, "In-Context Learning through the Bayesian
Prism"; code mdrpanwar/icl-bayesian-prism): a pretraining distribution over functions.

The dataset is a *prior*, not a sample: its card's ``stream`` entry defines the endless
stream of fresh prompts a run trains on (simbias.data.prompt_stream, seeded by the run's
seed), and its ``test`` split holds held-out prompts of the same distribution (the full
prompt length and maximum frequency), seeded by the dataset's seed, on which training
logs its error and the analysis measures error against the number of in-context examples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simbias.data.base import GENERATORS, DatasetGenerator, DatasetSplits, GeneratorParams, Split
from simbias.data.icl_tasks import (
    FOURIER_POINTS,
    HALF_PERIOD,
    LINEAR_DIM,
    MAX_FREQUENCY,
    TaskName,
    sample_prompts,
)
from simbias.data.prompt_stream import PromptStream, Schedule, step_seed
from simbias.params import param

#: The held-out prompts are drawn as the dataset seed's stream at a step no run reaches, so
#: no training batch of any seed repeats their generator.
TEST_STEP = 2**32 - 1


@dataclass(frozen=True, kw_only=True)
class IclRegressionParams(GeneratorParams):
    """The icl_regression kind's parameters."""

    task: TaskName = param(
        "fourier_series_mixture",
        description="Function class (src/tasks.py): linear_regression (y = <w, x>, w and x"
        " N(0, I_d)), fourier_series_mixture (max frequency M uniform in 1..N, N(0, 1/M)"
        " coefficients up to M, none above, no constant) or fourier_series (every frequency"
        " 0..N, N(0, 1/N) coefficients); x uniform in [-5, 5] for the Fourier classes.",
    )
    points: int = param(
        FOURIER_POINTS,
        description="Points (x, y) per prompt: 43 for the Fourier classes (src/conf/"
        "fourier_series_simpl.yaml curriculum points), 41 for linear regression (end of"
        " src/conf/linear_regression.yaml's curriculum).",
        minimum=2,
    )
    dim: int = param(
        LINEAR_DIM,
        description="Input dimension of linear regression (src/conf/base.yaml n_dims 20);"
        " the Fourier classes are 1-d.",
        minimum=1,
    )
    max_frequency: int = param(
        MAX_FREQUENCY,
        description="N, the largest frequency (src/conf/fourier_series*.yaml max_frequency 10).",
        minimum=1,
    )
    half_period: float = param(
        HALF_PERIOD,
        description="L: the basis is cos and sin of pi n x / L (task_kwargs L 5).",
        exclusive_minimum=0,
    )
    standardize: bool = param(
        True,
        description="Divide the Fourier sum by sqrt of its number of frequencies (task_kwargs"
        " standardize True).",
    )
    n_test: int = param(
        1280,
        description="Held-out prompts in the test split (src/eval.py num_eval_examples 1280).",
        minimum=1,
    )
    curriculum_interval: int | None = param(
        None,
        description="Steps between curriculum increments (src/conf/fourier_series.yaml: 2000);"
        " unset: no curriculum, every prompt at full length and maximum frequency (their"
        " fourier_series_simpl.yaml, the mixture).",
        minimum=1,
    )
    points_start: int | None = param(
        None,
        description="Curriculum: prompt length at step 0, raised by points_inc every"
        " curriculum_interval steps up to points (fourier_series.yaml: 7, +4).",
        minimum=1,
    )
    points_inc: int = param(0, description="Curriculum: prompt-length increment.", minimum=0)
    frequency_start: int | None = param(
        None,
        description="Curriculum: maximum frequency at step 0, raised by frequency_inc every"
        " curriculum_interval steps up to max_frequency (fourier_series.yaml: 1, +1).",
        minimum=1,
    )
    frequency_inc: int = param(0, description="Curriculum: frequency increment.", minimum=0)

    def __post_init__(self) -> None:
        super().__post_init__()
        starts = {"points_start": self.points_start, "frequency_start": self.frequency_start}
        if self.curriculum_interval is None and any(v is not None for v in starts.values()):
            raise ValueError("points_start / frequency_start need curriculum_interval")
        if self.points_start is not None and self.points_start > self.points:
            raise ValueError(f"points_start {self.points_start} exceeds points {self.points}")
        if self.frequency_start is not None and self.frequency_start > self.max_frequency:
            raise ValueError(
                f"frequency_start {self.frequency_start} exceeds max_frequency {self.max_frequency}"
            )

    def stream(self) -> PromptStream:
        """The training stream these parameters define."""

        def schedule(start: int | None, inc: int, end: int) -> Schedule | None:
            if start is None:
                return None
            return Schedule(start, inc, self.curriculum_interval, end)

        return PromptStream(
            task=self.task,
            points=self.points,
            dim=self.dim,
            max_frequency=self.max_frequency,
            half_period=self.half_period,
            standardize=self.standardize,
            points_schedule=schedule(self.points_start, self.points_inc, self.points),
            frequency_schedule=schedule(
                self.frequency_start, self.frequency_inc, self.max_frequency
            ),
        )


@GENERATORS.register(
    "icl_regression",
    provides=("icl_prompts",),
    params=IclRegressionParams,
    caption="In-context regression prompts (Panwar et al. 2024): a stream of fresh functions"
    " for training, held-out prompts for testing (simbias.data.generators.icl_regression).",
)
class IclRegressionDataset(DatasetGenerator):
    params: IclRegressionParams
    extra_splits = ()

    def generate(self, seed: int) -> DatasetSplits:
        p = self.params
        stream = p.stream()
        test = sample_prompts(
            p.task, step_seed(seed, TEST_STEP), p.n_test, p.points, dim=p.dim,
            max_frequency=p.max_frequency, half_period=p.half_period, standardize=p.standardize,
        )  # fmt: skip
        attributes = {}
        if test.max_frequency is not None:
            attributes["max_frequency"] = test.max_frequency.numpy().astype(np.int64)
        split = Split(x=test.xs.numpy(), y=test.ys.numpy(), attributes=attributes)
        return DatasetSplits(
            {"test": split}, params=self.card(), input_range=None, stream=stream.to_dict()
        )
