"""Kaplan–Meier survival (concertsim.compare.survival): by hand, and against scipy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from concertsim.compare.survival import event_times, kaplan_meier, survival_tables

Z = 1.959963984540054


def test_a_hand_computed_example():
    """Seven runs over 10 months: folds at 2, 3, 5; censored at 3, 8 and twice at 10.

    At risk and events: t=2: 7, 1 -> S = 6/7; t=3: 6, 1 -> S = 6/7 * 5/6 = 5/7;
    t=5: 4, 1 -> S = 5/7 * 3/4 = 15/28. Greenwood's sum at t=3: 1/(7*6) + 1/(6*5).
    """
    times = [2, 3, 3, 5, 8, 10, 10]
    folded = [True, True, False, True, False, False, False]
    c = kaplan_meier(times, folded, horizon=10)
    s = [1, 1, 6 / 7, 5 / 7, 5 / 7, 15 / 28, 15 / 28, 15 / 28, 15 / 28, 15 / 28, 15 / 28]
    assert c.survival == pytest.approx(s)
    assert c.at_risk.tolist() == [7, 7, 7, 6, 4, 4, 3, 3, 3, 2, 2]
    # the log-log band at t = 3: S ** exp(+-z * sqrt(greenwood) / |log S|)
    g = 1 / (7 * 6) + 1 / (6 * 5)
    w = Z * math.sqrt(g) / abs(math.log(5 / 7))
    assert (c.low[3], c.high[3]) == pytest.approx(((5 / 7) ** math.exp(w), (5 / 7) ** math.exp(-w)))
    assert (c.low[0], c.high[0]) == (1.0, 1.0)
    assert math.isnan(c.median)  # 15/28 > 1/2 at the horizon
    # restricted mean: the area under the steps over months 0..9
    rmst = 2 * 1 + 6 / 7 + 2 * 5 / 7 + 5 * 15 / 28
    assert c.rmst == pytest.approx(rmst)
    # its variance: sum over event times of A^2 d / (Y (Y - d)), A = area from t to 10
    a2, a3, a5 = rmst - 2, rmst - 2 - 6 / 7, 5 * 15 / 28
    var = a2**2 / (7 * 6) + a3**2 / (6 * 5) + a5**2 / (4 * 3)
    assert (c.rmst_low, c.rmst_high) == pytest.approx(
        (rmst - Z * math.sqrt(var), min(rmst + Z * math.sqrt(var), 10))
    )
    assert (c.runs, c.events) == (7, 3)


def test_median_is_the_first_month_at_or_below_one_half():
    c = kaplan_meier([1, 2, 3, 4], [True] * 4, horizon=6)
    assert c.survival.tolist() == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0, 0.0]
    assert c.median == 2.0
    assert c.rmst == pytest.approx(1 + 0.75 + 0.5 + 0.25)
    assert (c.low[5], c.high[5]) == (0.0, 0.0)


def test_nothing_folds():
    c = kaplan_meier([120] * 5, [False] * 5, horizon=120)
    assert (c.survival == 1).all() and (c.low == 1).all() and (c.high == 1).all()
    assert math.isnan(c.median) and c.rmst == 120 == c.rmst_low == c.rmst_high


def test_against_scipys_own_estimate():
    rng = np.random.default_rng(5)
    times = rng.integers(1, 121, size=200).astype(float)
    folded = rng.random(200) < 0.6
    times[~folded] = 120.0
    c = kaplan_meier(times, folded, horizon=120)
    sf = stats.ecdf(stats.CensoredData.right_censored(times, ~folded)).sf
    grid = np.arange(121)
    assert c.survival == pytest.approx(sf.evaluate(grid))
    band = sf.confidence_interval(0.95, method="log-log")
    low = band.low.evaluate(grid)
    ok = np.isfinite(low)
    assert c.low[ok] == pytest.approx(low[ok])
    # RMST: the integral of scipy's step function from 0 to the horizon
    edges = np.concatenate([[0.0], sf.quantiles[sf.quantiles < 120], [120.0]])
    values = np.concatenate([[1.0], sf.probabilities[sf.quantiles < 120]])
    assert c.rmst == pytest.approx(float((np.diff(edges) * values).sum()))


def test_event_times_from_outcomes():
    out = pd.DataFrame({"collapse_month": [0.0, 59.0, np.nan]})
    t, folded = event_times(out, 120)
    assert t.tolist() == [1.0, 60.0, 120.0] and folded.tolist() == [True, True, False]


def test_the_comparisons_curves_and_tables(comparison):
    curves, summary = survival_tables(comparison.curves)
    assert list(summary["scenario"]) == list(comparison.scenarios)
    assert set(curves.groupby("scenario").size()) == {comparison.horizon + 1}
    assert ((curves["low"] <= curves["survival"]) & (curves["survival"] <= curves["high"])).all()
    for name, c in comparison.curves.items():
        runs = comparison.runs[comparison.runs["scenario"] == name]
        assert c.survival[-1] == pytest.approx(runs["survived"].mean())
        assert c.events == int(runs["collapsed"].sum())
