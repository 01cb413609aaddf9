"""Scenarios compared run by run: the policies x scenarios analysis of ``concertsim analyze``.

An experiment with ``[scenarios]`` runs its design once per scenario, and replicate ``r`` of
every scenario and design point has the same seed (common random numbers). So run
``(scenario, point, r)`` is **paired** with the baseline's run ``(baseline, point, r)``: both
saw the same luck, their difference is the scenario's effect. For each outcome and each
scenario against the baseline:

* continuous outcomes: the mean of the paired differences, its Student t interval and the
  paired t-test's p-value;
* yes/no outcomes (every value 0 or 1: survived, collapsed): the proportions with Wilson
  intervals, Newcombe's interval of the paired difference (method 10) and the exact McNemar
  test on the discordant pairs;
* both: the share of pairs where the scenario is higher, and lower, than the baseline.

``paired_points.csv`` compares at each design point (independent pairs: one per replicate).
``paired.csv`` pools the design points: since replicate ``r`` shares its seed across points
too, the pairs of one replicate are not independent, so the pooled interval is a t interval
over the replicates' mean differences (one value per replicate, averaged over the points),
clipped to the difference's range for yes/no outcomes; with one design point both tables
agree. Every interval comes from :mod:`concertsim.intervals`.

Example:
    >>> runs = pd.DataFrame({
    ...     "scenario": ["a"] * 4 + ["b"] * 4, "point": [0] * 8, "replicate": [0, 1, 2, 3] * 2,
    ...     "status": ["ok"] * 8, "y": [1.0, 2.0, 3.0, 4.0, 2.0, 3.1, 3.9, 5.0]})
    >>> pooled, points = paired_tables(runs, ["y"], ["a", "b"], "a")
    >>> row = pooled.iloc[0]
    >>> row["scenario"], int(row["pairs"]), round(float(row["difference"]), 3), row["test"]
    ('b', 4, 1.0, 'paired t')
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from concertsim.intervals import (
    clip_to,
    mean_ci,
    wilson,
)

__all__ = ["paired_tables", "scenario_levels", "is_yes_no", "pair"]

_NAN = float("nan")


def is_yes_no(*values: np.ndarray) -> bool:
    """Whether every finite value is 0 or 1 (a yes/no outcome).

    Example:
        >>> is_yes_no(np.array([0.0, 1.0]), np.array([1.0, np.nan])), is_yes_no(np.array([0.5]))
        (True, False)
    """
    x = np.concatenate([np.asarray(v, dtype=float) for v in values])
    x = x[np.isfinite(x)]
    return bool(x.size) and bool(np.isin(x, (0.0, 1.0)).all())


def pair(runs: pd.DataFrame, outcome: str, scenario: str, baseline: str) -> pd.DataFrame:
    """The pairs of an outcome: ``point``, ``replicate``, ``base`` and ``alt``, both finite.

    Failed runs and runs where the outcome is undefined (e.g. the month of a collapse that did
    not happen) are left out, with their partner.
    """
    ok = runs[(runs["status"] == "ok") & np.isfinite(runs[outcome].astype(float))]
    keys = ["point", "replicate"]
    base = ok.loc[ok["scenario"] == baseline, [*keys, outcome]].rename(columns={outcome: "base"})
    alt = ok.loc[ok["scenario"] == scenario, [*keys, outcome]].rename(columns={outcome: "alt"})
    return base.merge(alt, on=keys, how="inner").sort_values(keys, kind="stable")


def _independent(base: np.ndarray, alt: np.ndarray, yes_no: bool, conf: float) -> dict:
    """Independent pairs: Wilson / Newcombe / McNemar, or a paired t interval and test.

    The statistics of one set of pairs are :mod:`concertsim.compare.paired`'s (``concertsim
    compare`` uses the same), renamed to this table's columns.
    """
    from concertsim.compare.paired import paired_binary, paired_continuous

    row = (paired_binary if yes_no else paired_continuous)(base, alt, conf)
    out = {"pairs": len(base)}
    for name in ("baseline", "scenario"):
        out |= {f"{name}_{k}": row[f"{name}_{k}"] for k in ("mean", "low", "high")}
    out |= {"difference": row["difference"], "difference_low": row["low"]}
    out |= {"difference_high": row["high"], "p_value": row["p_value"], "test": row["test"]}
    out["interval"] = (
        "Wilson; difference: Newcombe paired (method 10)"
        if yes_no
        else "Student t; difference: paired t"
    )
    return out


def _t_test(d: np.ndarray) -> float:
    """Two-sided one-sample t-test of mean 0 (NaN with fewer than 2 values or no spread)."""
    if len(d) < 2 or np.std(d) == 0:
        return 0.0 if len(d) >= 2 and np.mean(d) != 0 else _NAN
    from scipy.stats import ttest_1samp

    return float(ttest_1samp(d, 0.0).pvalue)


def _by_replicate(pairs: pd.DataFrame, yes_no: bool, conf: float) -> dict:
    """Pooled over design points: t intervals over the replicates' means (clustered pairs)."""
    means = pairs.groupby("replicate")[["base", "alt"]].mean()
    d = (means["alt"] - means["base"]).to_numpy()
    out = {"pairs": len(pairs)}
    for name, column in (("baseline", "base"), ("scenario", "alt")):
        mean, low, high, _ = mean_ci(means[column].to_numpy(), conf)
        if yes_no:
            low, high = clip_to((low, high), (0.0, 1.0))
        out |= {f"{name}_mean": mean, f"{name}_low": low, f"{name}_high": high}
    diff, low, high, _ = mean_ci(d, conf)
    if yes_no:
        low, high = clip_to((low, high), (-1.0, 1.0))
    out |= {"difference": diff, "difference_low": low, "difference_high": high}
    out |= {"p_value": _t_test(d), "test": "paired t over replicates"}
    out["interval"] = f"Student t over {len(d)} replicates' means of the design points"
    return out


def _row(pairs: pd.DataFrame, yes_no: bool, conf: float, pooled: bool) -> dict:
    base, alt = pairs["base"].to_numpy(float), pairs["alt"].to_numpy(float)
    several = pooled and pairs["point"].nunique() > 1
    row = _by_replicate(pairs, yes_no, conf) if several else _independent(base, alt, yes_no, conf)
    n = max(len(base), 1)
    row["share_higher"] = float((alt > base).sum()) / n if len(base) else _NAN
    row["share_lower"] = float((alt < base).sum()) / n if len(base) else _NAN
    return row


_COLUMNS = [
    "scenario", "baseline", "outcome", "kind", "pairs",
    "baseline_mean", "baseline_low", "baseline_high",
    "scenario_mean", "scenario_low", "scenario_high",
    "difference", "difference_low", "difference_high",
    "p_value", "test", "share_higher", "share_lower", "interval",
]  # fmt: skip


def paired_tables(
    runs: pd.DataFrame,
    outcomes: Sequence[str],
    scenarios: Sequence[str],
    baseline: str,
    conf: float = 0.95,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every scenario against ``baseline``, pooled over the design and at each point.

    Args:
        runs: the run table (``scenario``, ``point``, ``replicate``, ``status``, outcomes).
        outcomes: the outcomes to compare.
        scenarios: the scenarios, in order.
        baseline: the one the others are compared with.
        conf: the confidence level.

    Returns:
        ``(pooled, by_point)``: one row per scenario and outcome (see :data:`_COLUMNS`), and
        the same at each design point (with a ``point`` column).
    """
    pooled, by_point = [], []
    for scenario in scenarios:
        if scenario == baseline:
            continue
        for outcome in outcomes:
            pairs = pair(runs, outcome, scenario, baseline)
            yes_no = is_yes_no(pairs["base"].to_numpy(), pairs["alt"].to_numpy())
            head = {"scenario": scenario, "baseline": baseline, "outcome": outcome,
                    "kind": "yes/no" if yes_no else "continuous"}  # fmt: skip
            pooled.append(head | _row(pairs, yes_no, conf, pooled=True))
            for point, group in pairs.groupby("point", sort=True):
                by_point.append({"point": point} | head | _row(group, yes_no, conf, False))
    pooled_table = pd.DataFrame(pooled).reindex(columns=_COLUMNS)
    point_table = pd.DataFrame(by_point).reindex(columns=["point", *_COLUMNS])
    return pooled_table, point_table


def scenario_levels(
    runs: pd.DataFrame, outcomes: Sequence[str], scenarios: Sequence[str], conf: float = 0.95
) -> pd.DataFrame:
    """Each scenario's level of each outcome at each design point, with its interval.

    Wilson intervals for yes/no outcomes, Student t otherwise (no interval leaves [0, 1]
    for a proportion).

    Example:
        >>> runs = pd.DataFrame({"scenario": ["a"] * 3, "point": [0] * 3, "status": ["ok"] * 3,
        ...                      "y": [1.0, 1.0, 0.0]})
        >>> t = scenario_levels(runs, ["y"], ["a"])
        >>> t[["scenario", "outcome", "kind"]].iloc[0].tolist(), int(t["n"].iloc[0])
        (['a', 'y', 'yes/no'], 3)
    """
    rows = []
    ok = runs[runs["status"] == "ok"]
    for outcome in outcomes:
        values = ok[outcome].astype(float)
        yes_no = is_yes_no(values.to_numpy())
        for scenario in scenarios:
            mine = ok[ok["scenario"] == scenario]
            for point, group in mine.groupby("point", sort=True):
                x = group[outcome].astype(float).to_numpy()
                x = x[np.isfinite(x)]
                if yes_no:
                    mean, low, high = wilson(float(x.sum()), len(x), conf)
                else:
                    mean, low, high, _ = mean_ci(x, conf)
                rows.append({"scenario": scenario, "point": point, "outcome": outcome,
                             "kind": "yes/no" if yes_no else "continuous", "n": len(x),
                             "mean": mean, "low": low, "high": high})  # fmt: skip
    columns = ["scenario", "point", "outcome", "kind", "n", "mean", "low", "high"]
    table = pd.DataFrame(rows, columns=columns)
    if len(table):
        table["n"] = table["n"].astype(int)
    return table
