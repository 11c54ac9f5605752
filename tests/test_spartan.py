"""SpaRTAN (Pay et al. 2025): their configuration's parameter count, the block's defining
properties, the small configuration of configs/experiments/spartan.yaml, and the claims
that compare it with the same-size CNN (each FAILs on a null)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from simbias.analysis.aggregate import mean_ci
from simbias.models import build_model
from simbias.models.architectures.spartan import ChannelMixer, SpartanBlock, SpatialMixer
from simbias.plan.config import base_config_files, read_config_files
from simbias.report.claims._base import CLAIMS, Evidence
from simbias.report.claims.spartan import relies_more
from simbias.report.figures import write_figure
from simbias.report.tables import summarise_metrics

#: [S] src/config/model/spartan.yaml built by [S] src/model/spartan.py with ImageNet's 1000
#: classes (counted on their code): the paper's "3.8M parameters".
THEIR_PARAMETERS = 3_820_296


def _count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def _config() -> dict:
    return read_config_files(base_config_files())


def test_their_configuration_has_their_parameter_count():
    # The kind's defaults are [S]'s shipped configuration.
    model = build_model("spartan", {}, (3, 224, 224), 1000)
    assert _count(model) == THEIR_PARAMETERS
    explicit = {"init_dim": 32, "depths": [3, 3, 12, 2], "expand_ratios": [4, 4, 2, 2],
                "dims": [64, 128, 256], "stem_strides": [2, 2], "drop_path": 0.1}  # fmt: skip
    assert _count(build_model("spartan", explicit, (3, 224, 224), 1000)) == THEIR_PARAMETERS
    assert round(THEIR_PARAMETERS / 1e6, 1) == 3.8  # the paper's abstract
    assert model(torch.randn(1, 3, 224, 224)).shape == (1, 1000)


def test_dense_convs_in_the_first_half_of_the_stages_then_depthwise():
    model = build_model("spartan", {"depths": [1, 1, 1, 1]}, (3, 64, 64), 10)
    blocks = [m for m in model.modules() if isinstance(m, SpartanBlock)]
    for stage, block in enumerate(blocks):
        dim = block.norm_spatial.num_channels
        late = stage >= 2
        near = block.spatial.near[0]
        assert near.groups == (dim // 2 if late else 1)  # SMixer: dense, then depthwise
        assert block.spatial.far[0][0].dilation == (2, 2)
        # CMixer: depthwise in the dense stages, r channels per group in the later ones.
        ratio = (4, 4, 2, 2)[stage]
        assert block.channel.conv[0].groups == (dim if late else dim * ratio)


def test_blocks_start_near_the_identity_through_their_layer_scales():
    block = SpartanBlock(16, 4, late=False, drop_path=0.0).eval()
    x = torch.randn(2, 16, 8, 8)
    assert torch.allclose(block(x), x, atol=1e-3)
    assert torch.all(block.scale_spatial == 1e-5) and torch.all(block.scale_channel == 1e-5)
    assert torch.all(block.spatial.contrast == 1e-5)


def test_channel_pairs_are_turned_by_a_complex_product():
    mixer = ChannelMixer(8, 2, late=False)
    feat = torch.randn(3, 16, 4, 5)
    pairs = feat.permute(0, 2, 3, 1).reshape(3, 4, 5, 8, 2)
    expected = torch.view_as_complex(pairs.contiguous()) * torch.view_as_complex(
        mixer.complex_weight.detach().contiguous()
    )
    expected = torch.view_as_real(expected).reshape(3, 4, 5, 16).permute(0, 3, 1, 2)
    assert torch.allclose(mixer._rotate_pairs(feat), expected, atol=1e-6)


def test_the_dominant_channel_reaches_every_channel():
    """The channel mixer's neck is w theta plus the dominant channel's w theta, added to
    every channel of the pixel."""
    torch.manual_seed(0)
    mixer = ChannelMixer(8, 2, late=False).eval()
    x = torch.randn(1, 8, 1, 1)
    dominant = int(x.argmax())
    theta, weight = torch.nn.functional.gelu(mixer.theta(x)), mixer.weight(x)
    at_dominant = weight[:, dominant : dominant + 1] * theta[:, dominant : dominant + 1]
    expected = weight * theta + at_dominant
    captured = {}
    mixer.conv.register_forward_hook(lambda m, i, o: captured.setdefault("in", i[0]))
    mixer(x)
    assert torch.allclose(captured["in"], mixer._rotate_pairs(expected), atol=1e-6)


def test_widths_must_suit_the_spatial_mixer():
    with pytest.raises(ValueError, match="multiples of 8"):
        build_model("spartan", {"init_dim": 12}, (3, 32, 32), 2)
    with pytest.raises(ValueError, match="one width per stage"):
        build_model("spartan", {"dims": [64, 128]}, (3, 32, 32), 2)
    assert SpatialMixer(8, late=True).near_gate.reduce.out_channels == 1


def test_the_small_configuration_fits_small_images_and_matches_the_cnn_in_size():
    config = _config()
    params = config["models"]["spartan_small"]["params"]
    cnn = config["models"]["cnn"]["params"]
    for shape in ((3, 16, 16), (3, 32, 16), (3, 32, 32)):
        model = build_model("spartan", params, shape, 2)
        assert model(torch.randn(2, *shape)).shape == (2, 2)
    small = _count(build_model("spartan", params, (3, 32, 16), 2))
    same_size = _count(build_model("cnn", cnn, (3, 32, 16), 2))
    assert small == 22_834 and abs(small / same_size - 1) < 0.1


def test_drop_path_is_off_in_eval_and_seeded_in_training():
    params = {"init_dim": 8, "depths": [1, 1], "expand_ratios": [2, 2], "dims": [8],
              "stem_strides": [1, 1], "drop_path": 0.5}  # fmt: skip
    torch.manual_seed(0)
    model = build_model("spartan", params, (3, 8, 8), 2)
    x = torch.randn(4, 3, 8, 8)
    model.eval()
    assert torch.equal(model(x), model(x))
    model.train()
    torch.manual_seed(1)
    first = model(x)
    torch.manual_seed(1)
    assert torch.equal(model(x), first)


# --- the claims ---------------------------------------------------------------------------
def _stat(values: np.ndarray) -> pd.Series:
    low, high = mean_ci(values)
    return pd.Series({"mean": values.mean(), "ci_low": low, "ci_high": high})


def test_relies_more_fails_on_two_draws_of_one_distribution():
    rng = np.random.default_rng(0)
    passes = np.mean([
        relies_more(_stat(rng.normal(0.6, 0.03, 5)), _stat(rng.normal(0.6, 0.03, 5)), True)
        for _ in range(600)
    ])  # fmt: skip
    assert passes < 0.01
    assert not relies_more(_stat(np.full(5, 0.6)), _stat(np.full(5, 0.6)), True)


def test_relies_more_passes_a_planted_difference_only_when_the_task_is_learned():
    treated, baseline = _stat(np.array([0.80, 0.82, 0.79, 0.81, 0.80])), _stat(np.full(5, 0.55))
    assert relies_more(treated, baseline, True)
    assert not relies_more(treated, baseline, False)
    assert not relies_more(baseline, treated, True)  # lower is not more


def _summary(values: dict[str, list[float]], analysis: str) -> pd.DataFrame:
    """A summary as the aggregation writes it: experiment -> that probe's per-seed values."""
    key, learned = {"sb_metrics": ("s_rand_auc", "test_auc"),
                    "shape_bias": ("shape_bias", "test_accuracy")}[analysis]  # fmt: skip
    rows = [
        {"experiment": experiment, "dataset": "d", "model": experiment.split("_")[0],
         "regime": "r", "seed": seed, "split": name.rpartition("_")[0],
         "metric": name.rpartition("_")[2], "key": name, "value": value}
        for experiment, seeds in values.items()
        for seed, measured in enumerate(seeds)
        for name, value in ((key, measured), (learned, 1.0))
    ]  # fmt: skip
    return summarise_metrics(pd.DataFrame(rows))


@pytest.mark.parametrize(
    "claim, analysis",
    [("spartan_relies_more_on_complex", "sb_metrics"), ("spartan_more_shape_biased", "shape_bias")],
)
def test_claims_compare_with_their_compare_experiment(claim, analysis):
    rng = np.random.default_rng(1)
    planted = {"spartan_e": list(0.8 + 0.01 * rng.standard_normal(5)),
               "cnn_e": list(0.6 + 0.01 * rng.standard_normal(5)),
               "cnn_null": list(0.6 + 0.01 * rng.standard_normal(5))}  # fmt: skip
    evidence = Evidence(summaries={analysis: _summary(planted, analysis)})
    check = CLAIMS.get(claim).obj()
    spec = {"model": "spartan", "dataset": "d", "compare_experiment": "cnn_e"}
    (row,) = check.rows(evidence, "spartan_e", spec)
    assert row.verdict == "PASS" and "cnn (cnn_e)" in row.measured
    (null,) = check.rows(evidence, "cnn_null", {**spec, "model": "cnn"})
    assert null.verdict == "FAIL"
    with pytest.raises(ValueError, match="compare_experiment"):
        check.rows(evidence, "spartan_e", {"model": "spartan", "dataset": "d"})


def test_the_experiments_compare_with_the_cnn_and_control_with_more_cnn_seeds():
    experiments = _config()["experiments"]
    for probe in ("dominoes", "cues"):
        claimed = experiments[f"spartan_{probe}"]
        control = experiments[claimed["controls"][claimed["claims"][0]]["experiment"]]
        baseline = experiments[claimed["compare_experiment"]]
        assert baseline["model"] == control["model"] == "cnn"
        assert control["compare_experiment"] == claimed["compare_experiment"]
        assert not set(control["seeds"]) & set(baseline["seeds"])
        for name in (f"spartan_{probe}_cnn", f"spartan_{probe}_mlp", f"spartan_{probe}_cnn_null"):
            other = experiments[name]
            same = ("dataset", "regimes", "train", "analyses")
            assert {k: other[k] for k in same} == {k: claimed[k] for k in same}


# --- the figures --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "figure, metrics",
    [
        ("architecture_sb", {"test_auc": 1.0, "s_rand_auc": 0.6, "sc_rand_auc": 1.0}),
        (
            "architecture_shape_bias",
            {
                "shape_bias": 0.3,
                "test_accuracy": 1.0,
                "shape_only_accuracy": 0.4,
                "texture_only_accuracy": 0.9,
                "colour_only_accuracy": 0.8,
            },
        ),  # fmt: skip
    ],
)
def test_the_architecture_figures_are_drawn(tmp_path, figure, metrics):
    manifest = []
    for model in ("spartan_small", "cnn", "mlp"):
        path = tmp_path / f"{model}.json"
        path.write_text(json.dumps({
            f"seed{s}": {k: v + 0.01 * s for k, v in metrics.items()} for s in range(3)
        }))  # fmt: skip
        manifest += [{"experiment": f"e_{model}", "dataset": "d", "model": model,
                      "regime": "r", "seed": s, "path": str(path)} for s in range(3)]  # fmt: skip
    write_figure(figure, manifest, tmp_path / "fig.png", tmp_path / "fig.pdf")
    assert (tmp_path / "fig.png").stat().st_size > 1000


def test_an_image_too_small_for_the_downsamplings_is_refused_by_name():
    params = {"init_dim": 8, "depths": [1, 1, 1, 1], "dims": [16, 16, 24], "stem_strides": [2, 1]}
    with pytest.raises(ValueError, match="stem_strides"):
        build_model("spartan", params, (3, 16, 8), 2)
    small = build_model("spartan", {**params, "stem_strides": [1, 1]}, (3, 16, 8), 2)
    assert small(torch.randn(2, 3, 16, 8)).shape == (2, 2)
