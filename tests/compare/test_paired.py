"""Paired statistics (concertsim.compare.paired): methods, pairing, ranges."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from concertsim.compare.paired import (
    HEADLINE,
    half_width,
    is_binary,
    paired_binary,
    paired_continuous,
    paired_table,
    prob_better,
    unpaired_difference,
)
from concertsim.intervals import mcnemar_exact_p, newcombe_paired_interval, wilson
from concertsim.outcomes import outcome_range


def test_paired_continuous_is_the_t_interval_of_the_differences():
    base = np.array([0.2, 0.4, 0.5, 0.7, 0.9])
    alt = base + np.array([0.1, 0.12, 0.08, 0.11, 0.09])
    row = paired_continuous(base, alt)
    d = alt - base
    half = 2.7764451051977987 * d.std(ddof=1) / math.sqrt(5)  # t(0.975, 4)
    assert row["difference"] == pytest.approx(d.mean())
    assert (row["low"], row["high"]) == pytest.approx((d.mean() - half, d.mean() + half))
    assert row["n"] == 5 and row["prob_better"] == 1.0 and row["p_value"] < 0.001


def test_pairs_with_a_missing_value_are_left_out():
    row = paired_continuous([1.0, np.nan, 3.0, 4.0], [2.0, 5.0, np.nan, 6.0])
    assert row["n"] == 2 and row["difference"] == pytest.approx(1.5)


def test_paired_binary_uses_wilson_newcombe_and_exact_mcnemar():
    base = np.array([1] * 30 + [0] * 10)
    alt = np.array([1] * 25 + [0] * 5 + [1] * 8 + [0] * 2)
    row = paired_binary(base, alt)
    assert row["kind"] == "binary" and row["n"] == 40
    assert row["baseline_mean"] == 0.75
    assert (row["baseline_low"], row["baseline_high"]) == pytest.approx(wilson(30, 40)[1:])
    assert (row["difference"], row["low"], row["high"]) == pytest.approx(
        newcombe_paired_interval(base, alt)
    )
    # 8 pairs only the scenario survived, 5 only the baseline: two-sided binomial(13, 1/2)
    assert row["p_value"] == pytest.approx(mcnemar_exact_p(base, alt))
    assert row["p_value"] == pytest.approx(2 * sum(math.comb(13, k) for k in range(6)) / 2**13)
    assert row["prob_better"] == pytest.approx((8 + 0.5 * 27) / 40)


def test_prob_better_counts_ties_half_and_follows_the_direction():
    assert prob_better([0, 0, 1, 1], [1, 0, 1, 0]) == 0.5
    assert prob_better([3.0, 3.0], [1.0, 5.0], lower_is_better=True) == 0.5
    assert prob_better([3.0, 3.0], [1.0, 2.0], lower_is_better=True) == 1.0


def test_is_binary():
    assert is_binary([0, 1, np.nan], [1, 1]) and not is_binary([0.0, 0.5]) and not is_binary([])


def test_unpaired_is_welch():
    from scipy import stats

    rng = np.random.default_rng(0)
    a, b = rng.normal(1, 1, 12), rng.normal(0, 2, 9)
    diff, low, high = unpaired_difference(b, a)
    res = stats.ttest_ind(a, b, equal_var=False).confidence_interval()
    assert (low, high) == pytest.approx((res.low, res.high))
    assert diff == pytest.approx(a.mean() - b.mean())


def test_paired_intervals_are_narrower_than_unpaired_on_the_same_runs(comparison):
    """Common random numbers pay: on the model's runs, pairing narrows every headline interval
    (yes/no outcomes included), most of them by more than a quarter."""
    rows = comparison.paired[comparison.paired["outcome"].isin(HEADLINE)]
    assert len(rows) == 2 * len(HEADLINE)
    paired = rows["high"] - rows["low"]
    unpaired = rows["unpaired_high"] - rows["unpaired_low"]
    assert (paired < unpaired).all(), rows[["scenario", "outcome", "low", "high"]]
    assert (paired / unpaired).median() < 0.75


def test_every_interval_lies_within_its_outcomes_range(comparison):
    horizon = comparison.horizon
    s = comparison.summary.dropna(subset=["low"])
    assert len(s) > 20
    for _, r in s.iterrows():
        lo, hi = outcome_range(r["outcome"], horizon)
        assert lo <= r["low"] <= r["mean"] <= r["high"] <= hi, r.to_dict()
    for _, r in comparison.paired.dropna(subset=["low"]).iterrows():
        lo, hi = outcome_range(r["outcome"], horizon)
        assert lo - hi <= r["low"] <= r["difference"] <= r["high"] <= hi - lo, r.to_dict()
        for side in ("baseline", "scenario"):
            if not math.isnan(r[f"{side}_low"]):
                assert lo <= r[f"{side}_low"] <= r[f"{side}_high"] <= hi, r.to_dict()


def test_paired_table_pairs_on_the_key_whatever_the_row_order():
    runs = pd.DataFrame(
        {
            "scenario": ["a"] * 4 + ["b"] * 4,
            "run": [0, 1, 2, 3, 3, 2, 1, 0],
            "x": [0.1, 0.5, 0.3, 0.9, 1.0, 0.4, 0.6, 0.2],
            "survived": [1, 1, 0, 1, 1, 0, 1, 1],
        }
    )
    table = paired_table(runs, "a", horizon=120).set_index("outcome")
    assert table.loc["x", "difference"] == pytest.approx(0.1)
    assert table.loc["x", "high"] - table.loc["x", "low"] == pytest.approx(0.0)
    assert table.loc["survived", "kind"] == "binary" and table.loc["survived", "p_value"] == 1.0
    assert half_width(table.reset_index(), ["x"]) == pytest.approx(0.0)


def test_paired_table_refuses_repeated_keys():
    runs = pd.DataFrame({"scenario": ["a", "a", "b"], "run": [0, 0, 0], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="repeat"):
        paired_table(runs, "a", horizon=120)
