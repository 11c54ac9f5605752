"""How well a coordinate network reproduces a signed distance field near the thin parts of
its shape and near the thick part (thin_shape_sdf): DebSDF's observation (Xiao et al. 2023) that
a coordinate network loses thin structures, as the mean absolute error of the SDF and as
the share of each part's inside that the fit still puts inside (a part whose zero level set
vanishes from the fit is lost, however small its error in distance)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simbias.data.generators.thin_shape_sdf import REGIONS


def sdf_errors(
    fits: dict[str, np.ndarray], targets: dict[str, np.ndarray], regions: dict[str, np.ndarray]
) -> dict[str, float]:
    """Mean absolute SDF error on the training points (``train_mae``) and on the held-out
    ones (``test_mae``); on the held-out points near a thin part's boundary (``thin_mae``)
    and near the thick part's (``thick_mae``); and their difference, thin - thick, in one
    run (``gap_mae``); per region, the share of its held-out points inside the shape (target
    < 0) that the fit puts inside (``thin_inside``, ``thick_inside``) and thick - thin
    (``lost_inside``: how much more of the thin parts than of the thick one is lost).
    ``fits`` / ``targets``: per split, (N,) or (N, 1); ``regions``: the held-out points'
    boolean masks by region. A region without points scores NaN."""
    errors = {
        split: np.abs(np.ravel(fits[split]).astype(np.float64) - np.ravel(targets[split]))
        for split in fits
    }
    result = {f"{split}_mae": float(errors[split].mean()) for split in ("train", "test")}
    for region in REGIONS:
        chosen = errors["test"][np.asarray(regions[region], dtype=bool)]
        result[f"{region}_mae"] = float(chosen.mean()) if chosen.size else float("nan")
    result["gap_mae"] = result["thin_mae"] - result["thick_mae"]
    fit, target = np.ravel(fits["test"]), np.ravel(targets["test"])
    for region in REGIONS:
        inside = np.asarray(regions[region], dtype=bool) & (target < 0)
        kept = fit[inside] < 0
        result[f"{region}_inside"] = float(kept.mean()) if kept.size else float("nan")
    result["lost_inside"] = result["thick_inside"] - result["thin_inside"]
    return result


def predict_splits(
    run_dir: str | Path, data_dir: str | Path, device: str
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """A trained network's fits and the targets on the train and test splits, and the test
    split's region masks."""
    import torch

    from simbias.data.store import load_split
    from simbias.train.engine import predict_logits
    from simbias.train.run import load_trained_model

    model = load_trained_model(run_dir, data_dir, device)
    fits, targets, regions = {}, {}, {}
    for split in ("train", "test"):
        data = load_split(data_dir, split)
        with torch.no_grad():
            fit = predict_logits(model, torch.from_numpy(data.x).to(device))
        fits[split] = fit.cpu().numpy()
        targets[split] = data.y
        if split == "test":
            regions = {region: data.attributes[region] for region in REGIONS}
    return fits, targets, regions


def sdf_fit_analysis(run_dir: str | Path, data_dir: str | Path, device: str) -> dict[str, float]:
    """:func:`sdf_errors` of a finished run on a thin_shape_sdf dataset."""
    return sdf_errors(*predict_splits(run_dir, data_dir, device))
