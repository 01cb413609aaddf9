"""Paired comparisons of outcomes: each scenario against a baseline, run by run.

Replicate ``r`` of every scenario uses the same random streams (common random numbers), so
run ``r`` of a scenario and run ``r`` of the baseline form a *pair*: their difference is
mostly the scenario's doing, not chance, and its interval is narrower than the unpaired one.

* continuous outcomes: the mean paired difference and its t-interval
  (:func:`concertsim.intervals.mean_ci` of the differences), a paired t-test;
* yes/no outcomes (survived, collapsed): each proportion with its Wilson interval, the paired
  difference with Newcombe's interval and the exact McNemar test
  (:func:`concertsim.intervals.newcombe_paired_interval`, :func:`~concertsim.intervals.mcnemar_exact_p`);
* for both, the probability that a paired run does better (ties count half).

:func:`paired_table` does this for every outcome and scenario of a table of runs; the
functions for one outcome (:func:`paired_continuous`, :func:`paired_binary`) take two aligned
arrays, so any pairing (replicates, design points) can use them.

Example:
    >>> row = paired_continuous([0.1, 0.2, 0.3, 0.4], [0.3, 0.5, 0.4, 0.6])
    >>> round(row["difference"], 3), round(row["prob_better"], 3), row["n"]
    (0.2, 1.0, 4)
    >>> row = paired_binary([1, 1, 0, 0, 1], [1, 1, 1, 1, 1])
    >>> row["difference"], round(row["p_value"], 3)
    (0.4, 0.5)
"""  # noqa: E501

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from concertsim.intervals import (
    bounded_ci,
    clip_to,
    mcnemar_exact_p,
    mean_ci,
    newcombe_paired_interval,
    t_quantile,
    wilson,
)
from concertsim.outcomes import LOWER_IS_BETTER, outcome_range

__all__ = [
    "HEADLINE",
    "PAIRED_COLUMNS",
    "is_binary",
    "prob_better",
    "paired_continuous",
    "paired_binary",
    "unpaired_difference",
    "paired_table",
    "summary_table",
    "half_width",
]

HEADLINE = (
    "survived",
    "stability_end",
    "legitimacy_end_regional",
    "credibility_end_regional",
    "participation_retained",
)
"""The outcomes a comparison leads with (and ``--precision`` is about)."""

PAIRED_COLUMNS = (
    "scenario",
    "baseline",
    "outcome",
    "kind",
    "n",
    "baseline_mean",
    "baseline_low",
    "baseline_high",
    "scenario_mean",
    "scenario_low",
    "scenario_high",
    "difference",
    "low",
    "high",
    "unpaired_low",
    "unpaired_high",
    "p_value",
    "test",
    "prob_better",
)
"""Columns of :func:`paired_table`, in order."""


def is_binary(*arrays) -> bool:
    """Whether every finite value of the arrays is 0 or 1 (a yes/no outcome).

    Example:
        >>> is_binary([0, 1, 1], [1.0, float("nan")]), is_binary([0, 0.5])
        (True, False)
    """
    x = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    x = x[np.isfinite(x)]
    return bool(x.size) and bool(np.isin(x, (0.0, 1.0)).all())


def prob_better(base, alt, lower_is_better: bool = False) -> float:
    """The share of pairs in which the scenario's run does better (a tie counts half).

    Example:
        >>> prob_better([1, 2, 3], [2, 2, 1]), prob_better([1, 2, 3], [2, 2, 1], True)
        (0.5, 0.5)
        >>> prob_better([1.0, 1.0], [0.0, 1.0], lower_is_better=True)
        0.75
    """
    b, a = np.asarray(base, dtype=float), np.asarray(alt, dtype=float)
    if not b.size:
        return math.nan
    sign = -1.0 if lower_is_better else 1.0
    d = sign * (a - b)
    return float(((d > 0).sum() + 0.5 * (d == 0).sum()) / d.size)


def _pairs(base, alt) -> tuple[np.ndarray, np.ndarray]:
    """The pairs where both values are finite (e.g. a collapse month needs two collapses)."""
    b, a = np.asarray(base, dtype=float), np.asarray(alt, dtype=float)
    if b.shape != a.shape:
        raise ValueError(f"paired arrays differ in length: {b.shape} and {a.shape}")
    keep = np.isfinite(b) & np.isfinite(a)
    return b[keep], a[keep]


def unpaired_difference(base, alt, conf: float = 0.95) -> tuple[float, float, float]:
    """(``mean(alt) - mean(base)``, low, high): Welch's interval, ignoring the pairing.

    What the difference's interval would be had the scenarios been run on independent
    streams; :func:`paired_continuous` is narrower whenever the pairs are correlated.

    Example:
        >>> tuple(round(v, 3) for v in unpaired_difference([1, 2, 3], [2, 3, 4]))
        (1.0, -1.267, 3.267)
    """
    b = np.asarray(base, dtype=float)
    a = np.asarray(alt, dtype=float)
    b, a = b[np.isfinite(b)], a[np.isfinite(a)]
    if b.size < 2 or a.size < 2:
        return float(a.mean() - b.mean()) if b.size and a.size else math.nan, math.nan, math.nan
    vb, va = b.var(ddof=1) / b.size, a.var(ddof=1) / a.size
    diff = float(a.mean() - b.mean())
    if vb + va == 0:
        return diff, diff, diff
    df = (vb + va) ** 2 / (vb**2 / (b.size - 1) + va**2 / (a.size - 1))
    half = t_quantile(conf, df) * math.sqrt(vb + va)
    return diff, diff - half, diff + half


def _difference_bounds(bounds: tuple[float, float]) -> tuple[float, float]:
    lo, hi = bounds
    return (lo - hi, hi - lo)


def paired_continuous(
    base,
    alt,
    conf: float = 0.95,
    *,
    lower_is_better: bool = False,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> dict:
    """The paired comparison of a continuous outcome: ``alt - base`` run by run.

    Args:
        base: the baseline's values, one per pair.
        alt: the scenario's values, aligned with ``base``.
        conf: the confidence level.
        lower_is_better: for :func:`prob_better`.
        bounds: the outcome's range: each arm's interval stays inside it, the difference's
            inside ``[low - high, high - low]``.

    Returns:
        A row of :data:`PAIRED_COLUMNS` (less scenario, baseline, outcome); pairs with a
        missing value on either side are left out (``n`` counts the others).
    """
    b, a = _pairs(base, alt)
    diff, low, high, n = mean_ci(a - b, conf)
    low, high = clip_to((low, high), _difference_bounds(bounds))
    p = math.nan
    if n >= 2 and np.ptp(a - b) > 1e-12 * max(1.0, abs(diff)):
        from scipy import stats

        p = float(stats.ttest_rel(a, b).pvalue)
    elif n >= 2:
        p = 1.0 if diff == 0 else 0.0
    _, ulow, uhigh = unpaired_difference(base, alt, conf)
    bm, bl, bh, _ = bounded_ci(b, bounds, conf)
    am, al, ah, _ = bounded_ci(a, bounds, conf)
    return {
        "kind": "continuous",
        "n": n,
        "baseline_mean": bm,
        "baseline_low": bl,
        "baseline_high": bh,
        "scenario_mean": am,
        "scenario_low": al,
        "scenario_high": ah,
        "difference": diff,
        "low": low,
        "high": high,
        "unpaired_low": ulow,
        "unpaired_high": uhigh,
        "p_value": p,
        "test": "paired t",
        "prob_better": prob_better(b, a, lower_is_better),
    }


def _newcombe_unpaired(b: np.ndarray, a: np.ndarray, conf: float) -> tuple[float, float]:
    """Newcombe's (1998) hybrid score interval for two independent proportions."""
    pb, lb, hb = wilson(float(b.sum()), b.size, conf)
    pa, la, ha = wilson(float(a.sum()), a.size, conf)
    d = pa - pb
    return d - math.hypot(pa - la, hb - pb), d + math.hypot(ha - pa, pb - lb)


def paired_binary(base, alt, conf: float = 0.95, *, lower_is_better: bool = False) -> dict:
    """The paired comparison of a yes/no outcome.

    Each proportion with its Wilson interval, the difference ``p_alt - p_base`` with
    Newcombe's paired interval, the exact McNemar test on the discordant pairs.

    Returns:
        A row of :data:`PAIRED_COLUMNS` (less scenario, baseline, outcome).
    """
    b, a = _pairs(base, alt)
    n = int(b.size)
    if n == 0:
        nan = math.nan
        diff = low = high = p = nan
        bw = aw = (nan, nan, nan)
        ulow = uhigh = nan
    else:
        diff, low, high = newcombe_paired_interval(b, a, conf)
        p = mcnemar_exact_p(b, a)
        bw = wilson(float(b.sum()), n, conf)
        aw = wilson(float(a.sum()), n, conf)
        ulow, uhigh = _newcombe_unpaired(b, a, conf)
    low, high = clip_to((low, high), (-1.0, 1.0))
    ulow, uhigh = clip_to((ulow, uhigh), (-1.0, 1.0))
    return {
        "kind": "binary",
        "n": n,
        "baseline_mean": bw[0],
        "baseline_low": bw[1],
        "baseline_high": bw[2],
        "scenario_mean": aw[0],
        "scenario_low": aw[1],
        "scenario_high": aw[2],
        "difference": diff,
        "low": low,
        "high": high,
        "unpaired_low": ulow,
        "unpaired_high": uhigh,
        "p_value": p,
        "test": "exact McNemar",
        "prob_better": prob_better(b, a, lower_is_better),
    }


def _outcome_columns(runs: pd.DataFrame, outcomes: Sequence[str] | None) -> list[str]:
    skip = {"scenario", "run", "seed"}
    numeric = [c for c in runs.columns if c not in skip and pd.api.types.is_numeric_dtype(runs[c])]
    if outcomes is not None:
        return [c for c in outcomes if c in numeric]
    first = [c for c in HEADLINE if c in numeric]
    return first + [c for c in numeric if c not in first]


def _aligned(runs: pd.DataFrame, by: str, pair_on: str, name: str) -> pd.DataFrame:
    one = runs[runs[by] == name].set_index(pair_on)
    if one.index.has_duplicates:
        raise ValueError(f"{by} {name!r}: {pair_on} values repeat, so runs cannot be paired")
    return one


def paired_table(
    runs: pd.DataFrame,
    baseline: str,
    *,
    horizon: float,
    outcomes: Sequence[str] | None = None,
    by: str = "scenario",
    pair_on: str = "run",
    conf: float = 0.95,
) -> pd.DataFrame:
    """Every scenario against ``baseline``, outcome by outcome, paired on ``pair_on``.

    Args:
        runs: one row per run: a ``by`` column (the scenario), a ``pair_on`` column (the
            replicate, or any key shared by the runs that used the same streams) and one
            numeric column per outcome.
        baseline: the value of ``by`` to compare against.
        horizon: months simulated (the range of month outcomes).
        outcomes: the outcomes to compare (default: every numeric column, headline first).
        by: the column naming the scenario.
        pair_on: the column that pairs runs across scenarios (only keys present in both
            are used).
        conf: the confidence level.

    Returns:
        One row per (scenario, outcome), columns :data:`PAIRED_COLUMNS`; yes/no outcomes
        (range [0, 1], every value of every scenario 0 or 1: :func:`is_binary`, such as
        ``survived`` in a one-region run) get the binary methods.
    """
    base = _aligned(runs, by, pair_on, baseline)
    rows = []
    for name in pd.unique(runs[by]):
        if name == baseline:
            continue
        alt = _aligned(runs, by, pair_on, name)
        keys = base.index.intersection(alt.index, sort=True)
        for outcome in _outcome_columns(runs, outcomes):
            b = base.loc[keys, outcome].to_numpy(dtype=float)
            a = alt.loc[keys, outcome].to_numpy(dtype=float)
            lower = outcome in LOWER_IS_BETTER
            bounds = outcome_range(outcome, horizon)
            if bounds == (0.0, 1.0) and is_binary(runs[outcome]):
                row = paired_binary(b, a, conf, lower_is_better=lower)
            else:
                row = paired_continuous(b, a, conf, lower_is_better=lower, bounds=bounds)
            rows.append({"scenario": name, "baseline": baseline, "outcome": outcome, **row})
    return pd.DataFrame(rows, columns=list(PAIRED_COLUMNS))


def half_width(table: pd.DataFrame, outcomes: Sequence[str] = HEADLINE) -> float:
    """The widest half-width of the paired intervals of ``outcomes`` (NaN: none defined).

    Example:
        >>> t = pd.DataFrame({"outcome": ["survived", "x"], "low": [0.1, 0.0], "high": [0.3, 9]})
        >>> round(half_width(t), 3)
        0.1
    """
    rows = table[table["outcome"].isin(outcomes)]
    widths = ((rows["high"] - rows["low"]) / 2).to_numpy(dtype=float)
    widths = widths[np.isfinite(widths)]
    return float(widths.max()) if widths.size else math.nan


def summary_table(
    runs: pd.DataFrame,
    *,
    horizon: float,
    outcomes: Sequence[str] | None = None,
    by: str = "scenario",
    conf: float = 0.95,
) -> pd.DataFrame:
    """Each scenario's outcomes on their own: mean and interval inside the outcome's range.

    Returns:
        One row per (scenario, outcome): ``mean``, ``low``, ``high``, ``n`` (Wilson for
        yes/no outcomes, else a t-interval cut at the range: :func:`~concertsim.intervals.bounded_ci`).
    """  # noqa: E501
    rows = []
    for name in pd.unique(runs[by]):
        one = runs[runs[by] == name]
        for outcome in _outcome_columns(runs, outcomes):
            mean, low, high, n = bounded_ci(one[outcome], outcome_range(outcome, horizon), conf)
            rows.append(
                {by: name, "outcome": outcome, "mean": mean, "low": low, "high": high, "n": n}
            )
    return pd.DataFrame(rows, columns=[by, "outcome", "mean", "low", "high", "n"])
