"""Chain-of-thought arithmetic (Wu et al. 2025, "When More is Less: Understanding
Chain-of-Thought Length in LLMs"; code acetocarmine11/cot-length): sums modulo 10 written as
chains of T operators, solved in ceil(T / k) steps of k operators (simbias.data.cot_tasks).

The dataset is a distribution, not a sample: its card's ``stream`` entry defines the fresh
questions a run trains on (simbias.data.cot_stream, seeded by the run's seed), and its
``test`` split holds held-out questions, ``n_test`` for every T in ``test_operators``, drawn
from the dataset's seed: ``x`` the solved sequence (token ids, <PAD> after <END>; the step
size one of the training ones), ``y`` the answer, and per row ``n_operators``, ``step_size``
and ``question_len``. Training logs its held-out loss on them; the cot_length analysis
prompts their questions with every step size k and reads the generated answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simbias.data.base import GENERATORS, DatasetGenerator, DatasetSplits, GeneratorParams, Split
from simbias.data.cot_stream import CotStream
from simbias.data.cot_tasks import (
    MAX_OPERATORS,
    MAX_STEP,
    MIN_OPERATORS,
    OPERATORS,
    PAD,
    STEP_SIZES,
    CotVocab,
    sample_problems,
)
from simbias.data.prompt_stream import step_seed
from simbias.params import param

#: The held-out questions come from the dataset seed's stream at steps no run reaches.
TEST_STEP = 2**32 - 1


@dataclass(frozen=True, kw_only=True)
class CotArithmeticParams(GeneratorParams):
    """The cot_arithmetic kind's parameters."""

    min_operators: int = param(
        MIN_OPERATORS,
        description="Fewest operators T of a training question (gen_arith_data.py"
        " generate_data: T uniform in 12..T_max).",
        minimum=1,
    )
    max_operators: int = param(
        MAX_OPERATORS,
        description="Most operators T of a training question (gen_mixed_data T = 24;"
        " scripts/run_train.sh trains T = 80).",
        minimum=1,
    )
    step_sizes: list[int] = param(
        list(STEP_SIZES),
        description="Step sizes k of the training solutions, an equal share each"
        " (gen_mixed_data t = 4: k in 1..4; run_train.sh t = 12).",
        items={"minimum": 1, "maximum": MAX_STEP},
        min_items=1,
    )
    test_operators: list[int] = param(
        [12, 16, 20, 24],
        description="T of the held-out questions (gen_arith_test_data.py: every T from t"
        " to T_max).",
        items={"minimum": 1},
        min_items=1,
    )
    n_test: int = param(
        100,
        description="Held-out questions per T (gen_arith_test_data.py test_samples_each 100).",
        minimum=1,
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.min_operators > self.max_operators:
            raise ValueError(f"min_operators {self.min_operators} exceeds {self.max_operators}")

    def stream(self) -> CotStream:
        return CotStream(self.min_operators, self.max_operators, tuple(self.step_sizes), OPERATORS)


@GENERATORS.register(
    "cot_arithmetic",
    provides=("cot_questions",),
    params=CotArithmeticParams,
    caption="Chain-of-thought arithmetic (Wu et al. 2025): a stream of fresh modulo-10 sums"
    " with their step-by-step solutions for training, held-out questions per number of"
    " operators T for testing (simbias.data.generators.cot_arithmetic).",
)
class CotArithmeticDataset(DatasetGenerator):
    params: CotArithmeticParams
    extra_splits = ()

    def generate(self, seed: int) -> DatasetSplits:
        p = self.params
        problems = []
        for index, t in enumerate(p.test_operators):
            problems += sample_problems(
                step_seed(seed, TEST_STEP - index), p.n_test, t, p.step_sizes, OPERATORS
            )
        longest = max(len(q.ids) for q in problems)
        x = np.full((len(problems), longest), CotVocab().id(PAD), dtype=np.float32)
        for row, problem in enumerate(problems):
            x[row, : len(problem.ids)] = problem.ids
        attributes = {
            "n_operators": np.array([len(q.expression) for q in problems], dtype=np.int64),
            "step_size": np.array([q.k for q in problems], dtype=np.int64),
            "question_len": np.array([q.question_len for q in problems], dtype=np.int64),
        }
        split = Split(
            x=x, y=np.array([q.answer for q in problems], dtype=np.float32), attributes=attributes
        )
        return DatasetSplits(
            {"test": split}, params=self.card(), input_range=None, stream=p.stream().to_dict()
        )
