"""Paired comparisons of scenarios (concertsim.experiment.analysis.paired), on made-up runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from concertsim.experiment.analysis.paired import pair, paired_tables, scenario_levels
from concertsim.intervals import mcnemar_exact_p, mean_ci, newcombe_paired_interval


def _runs(values: dict[str, np.ndarray], points: int, reps: int) -> pd.DataFrame:
    rows = []
    for name, y in values.items():
        for p in range(points):
            for r in range(reps):
                rows.append({"scenario": name, "point": p, "replicate": r, "status": "ok",
                             "y": y[p, r]})  # fmt: skip
    return pd.DataFrame(rows)


def test_pooled_interval_is_over_the_replicates_means():
    rng = np.random.default_rng(0)
    luck = rng.normal(size=(1, 12))  # replicate r's luck, shared by every point and scenario
    base = np.array([[0.0], [1.0], [2.0]]) + luck
    alt = base + 0.3 + 0.05 * rng.normal(size=(3, 12))
    pooled, by_point = paired_tables(_runs({"a": base, "b": alt}, 3, 12), ["y"], ["a", "b"], "a")
    row = pooled.iloc[0]
    expected = mean_ci((alt - base).mean(axis=0))
    assert (row["difference"], row["difference_low"], row["difference_high"]) == pytest.approx(
        expected[:3]
    )
    assert row["pairs"] == 36 and row["test"] == "paired t over replicates"
    assert len(by_point) == 3 and (by_point["test"] == "paired t").all()
    first = by_point.iloc[0]
    assert (first["difference_low"], first["difference_high"]) == pytest.approx(
        mean_ci(alt[0] - base[0])[1:3]
    )
    # the pairing removes the shared luck: far narrower than the spread of either scenario
    assert row["difference_high"] - row["difference_low"] < 0.1 * (
        row["baseline_high"] - row["baseline_low"]
    )


def test_yes_no_outcomes_stay_in_range_and_use_newcombe_and_mcnemar_at_one_point():
    base = np.array([[1, 1, 1, 1, 1, 1, 1, 1, 0, 1]], dtype=float)
    alt = np.array([[0, 0, 1, 0, 0, 1, 0, 0, 0, 1]], dtype=float)
    pooled, by_point = paired_tables(_runs({"a": base, "b": alt}, 1, 10), ["y"], ["a", "b"], "a")
    row = pooled.iloc[0]
    assert row["kind"] == "yes/no" and row["test"] == "exact McNemar"
    assert (row["difference"], row["difference_low"], row["difference_high"]) == pytest.approx(
        newcombe_paired_interval(base[0], alt[0])
    )
    assert row["p_value"] == pytest.approx(mcnemar_exact_p(base[0], alt[0]))
    assert row["share_lower"] == 0.6 and row["share_higher"] == 0.0
    many = np.ones((4, 3))
    pooled, _ = paired_tables(_runs({"a": many, "b": many * 0}, 4, 3), ["y"], ["a", "b"], "a")
    row = pooled.iloc[0]
    for column in ("baseline_low", "baseline_high", "scenario_low", "scenario_high"):
        assert 0 <= row[column] <= 1
    assert -1 <= row["difference_low"] <= row["difference_high"] <= 1


def test_pairs_leave_out_failed_runs_and_undefined_values_with_their_partner():
    base = np.array([[1.0, np.nan, 3.0, 4.0]])
    alt = np.array([[2.0, 5.0, 4.0, np.nan]])
    runs = _runs({"a": base, "b": alt}, 1, 4)
    runs.loc[(runs["scenario"] == "a") & (runs["replicate"] == 0), "status"] = "error"
    pairs = pair(runs, "y", "b", "a")
    assert pairs["replicate"].tolist() == [2] and pairs["alt"].tolist() == [4.0]
    levels = scenario_levels(runs, ["y"], ["a", "b"])
    assert levels.set_index("scenario")["n"].to_dict() == {"a": 2, "b": 3}
