"""PRIM (concertsim.experiment.analysis.prim): against EMA Workbench and on known boxes."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest

from concertsim.experiment.analysis.prim import get_quantile, prim


def _shared_data(seed: int, replicates: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Runs on four parameters; the structure folds mostly where a > 0.6 and b < 0.4.

    With ``replicates`` > 1 every design point is run several times (equal inputs), as in
    a sweep; ``d`` takes five levels only (ties), as a crossed parameter does.
    """
    rng = np.random.default_rng(seed)
    points = 800 // replicates
    x = pd.DataFrame(rng.uniform(size=(points, 4)), columns=["a", "b", "c", "d"])
    x["d"] = np.round(x["d"] * 4) / 4
    x = x.loc[x.index.repeat(replicates)].reset_index(drop=True)
    n = len(x)
    rule = ((x["a"] > 0.6) & (x["b"] < 0.4)).to_numpy()
    y = (rule & (rng.uniform(size=n) < 0.9)) | (rng.uniform(size=n) < 0.05)
    return x, y


def _ema_prim():
    """EMA Workbench's prim (a dev dependency: CI installs it, so there it must import)."""
    if os.environ.get("CI"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim as ema
        return ema
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("ema_workbench.analysis.prim")


@pytest.mark.parametrize(("seed", "replicates"), [(0, 1), (1, 1), (2, 4), (3, 20)])
def test_trajectory_and_boxes_match_ema_workbench(seed: int, replicates: int):
    ema = _ema_prim()
    x, y = _shared_data(seed, replicates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ema.Prim(x, y.astype(int), threshold=0.8).find_box()
    ours = prim(x, y, threshold=0.8)
    t, m = theirs.peeling_trajectory, ours.trajectory
    assert len(m) == len(t)
    for column in ("coverage", "density", "mass"):
        np.testing.assert_allclose(m[column], t[column].astype(float), atol=0.02)
    np.testing.assert_array_equal(m["res_dim"], t["res_dim"].astype(int))
    for step in (len(t) // 2, len(t) - 1):  # the same box limits, the same quasi-p-values
        box = ours.box(step)
        lims = theirs.box_lims[step]
        for name in x.columns:
            assert box.limits.loc[name, "lower"] == pytest.approx(lims.loc[0, name])
            assert box.limits.loc[name, "upper"] == pytest.approx(lims.loc[1, name])
        for name, (low, high) in theirs.qp[step].items():
            for side, value in (("lower", low), ("upper", high)):
                expected = np.nan if value == -1 else value
                np.testing.assert_allclose(box.quasi_p.loc[name, side], expected, rtol=1e-9)


def test_finds_the_planted_box_and_its_quasi_p_values():
    x, y = _shared_data(5)
    result = prim(x, y, threshold=0.8)
    box = result.box()
    assert sorted(box.restricted) == ["a", "b"]
    assert box.density >= 0.8 and box.coverage > 0.6
    assert box.limits.loc["a", "lower"] == pytest.approx(0.6, abs=0.05)
    assert box.limits.loc["b", "upper"] == pytest.approx(0.4, abs=0.05)
    table = box.table().set_index("parameter")
    assert table.loc["a", "qp_lower"] < 1e-6 and table.loc["b", "qp_upper"] < 1e-6
    assert np.isnan(table.loc["a", "qp_upper"]) or table.loc["a", "qp_upper"] > 0.01


def test_chosen_box_is_the_widest_dense_enough_one():
    x, y = _shared_data(6)
    result = prim(x, y, threshold=0.5)
    t = result.trajectory
    step = result.chosen_step()
    assert t.loc[step, "density"] >= 0.5
    assert t.loc[step, "coverage"] == t.loc[t["density"] >= 0.5, "coverage"].max()
    assert prim(x, y, threshold=1.01).chosen_step() == int(t["density"].idxmax())


def test_trajectory_peels_to_the_minimum_mass_and_never_loses_density():
    x, y = _shared_data(7)
    t = prim(x, y, mass_min=0.1).trajectory
    assert t["mass"].iloc[0] == 1.0 and t["coverage"].iloc[0] == 1.0
    assert (t["mass"] >= 0.1).all()
    peel = t[t["phase"] != "paste"]
    assert (np.diff(peel["density"]) > 0).all()
    assert (np.diff(peel["mass"]) < 0).all()


def test_quantiles_never_cut_through_ties():
    assert get_quantile(np.array([0.0, 0.0, 0.0, 1.0, 1.0]), 0.05) == 0.5
    assert get_quantile(np.array([0.0, 0.0, 1.0, 1.0, 1.0]), 0.95) == 0.5


def test_refuses_what_it_cannot_search():
    x = pd.DataFrame({"a": [0.0, 1.0]})
    with pytest.raises(ValueError, match="no run is a case of interest"):
        prim(x, [False, False])
    with pytest.raises(ValueError, match="as many runs"):
        prim(x, [True])
