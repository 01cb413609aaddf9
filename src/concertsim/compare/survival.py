"""Survival of the regional body: Kaplan–Meier curves, median survival and restricted mean.

A run's *time* is the month from whose end the regional body is gone: ``collapse_month + 1``
for a run in which it folded (the series show it absent from that index on), else the
horizon, where the run is *censored* (it may fold later; we did not look). The survival
curve ``S(t)`` is the share of regional bodies still there after ``t`` months.

The estimate and its pointwise confidence band (Greenwood's variance on the log-log scale)
are scipy's (:func:`scipy.stats.ecdf` on :class:`scipy.stats.CensoredData`); this module adds
the month grid, the median survival (the first month with ``S(t) <= 1/2``, "not reached"
otherwise) and the restricted mean survival time up to the horizon, ``RMST = sum of S(t)``
over months ``0 .. horizon - 1`` (``S`` is constant within a month), with its interval
from the usual variance ``sum_i A_i^2 d_i / (Y_i (Y_i - d_i))`` (``A_i``: the area under
``S`` from the i-th event time to the horizon; Klein & Moeschberger 2003, 4.5).

With several regional bodies (a province) the time is that of the *first* one to fold.

Example:
    >>> curve = kaplan_meier([2, 3, 3, 5], [True, True, False, False], horizon=5)
    >>> curve.survival.round(4).tolist()
    [1.0, 1.0, 0.75, 0.5, 0.5, 0.5]
    >>> curve.median, curve.rmst
    (3.0, 3.75)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from concertsim.intervals import z_quantile

__all__ = ["SurvivalCurve", "event_times", "kaplan_meier", "survival_tables"]


@dataclass(frozen=True)
class SurvivalCurve:
    """A Kaplan–Meier curve on the months ``0 .. horizon``.

    Attributes:
        months: ``0 .. horizon``.
        survival: ``S(t)`` at the end of month ``t`` (``S(0) = 1`` unless a run folds at 0).
        low, high: the pointwise confidence band of ``S(t)``.
        at_risk: runs still observed and not folded at the start of month ``t``.
        median: the first month with ``S(t) <= 0.5`` (NaN: not reached by the horizon).
        rmst, rmst_low, rmst_high: restricted mean survival time to the horizon, in months,
            and its interval (within [0, horizon]).
        runs, events: runs and runs whose regional body folded.
    """

    months: np.ndarray
    survival: np.ndarray
    low: np.ndarray
    high: np.ndarray
    at_risk: np.ndarray
    median: float
    rmst: float
    rmst_low: float
    rmst_high: float
    runs: int
    events: int


def event_times(outcomes: pd.DataFrame, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Each run's time and whether it is an event (folded) or censored at the horizon.

    Args:
        outcomes: one row per run with ``collapse_month`` (NaN when nothing folded).
        horizon: months simulated.

    Example:
        >>> t, folded = event_times(pd.DataFrame({"collapse_month": [4.0, float("nan")]}), 120)
        >>> t.tolist(), folded.tolist()
        ([5.0, 120.0], [True, False])
    """
    month = outcomes["collapse_month"].to_numpy(dtype=float)
    folded = np.isfinite(month)
    return np.where(folded, month + 1.0, float(horizon)), folded


def _rmst(
    grid_s: np.ndarray, times: np.ndarray, folded: np.ndarray, horizon: int, conf: float
) -> tuple[float, float, float]:
    """RMST to ``horizon`` and its interval (see the module's notes)."""
    rmst = float(grid_s[:horizon].sum())
    var = 0.0
    for t in np.unique(times[folded & (times <= horizon)]):
        y = int((times >= t).sum())
        d = int(((times == t) & folded).sum())
        area = float(grid_s[int(t) : horizon].sum())
        if area > 0 and y > d:
            var += area * area * d / (y * (y - d))
    half = z_quantile(conf) * math.sqrt(var)
    return rmst, max(rmst - half, 0.0), min(rmst + half, float(horizon))


def kaplan_meier(times, folded, *, horizon: int, conf: float = 0.95) -> SurvivalCurve:
    """The Kaplan–Meier curve of ``times`` (events where ``folded``, else censored).

    Args:
        times: each run's time in months (at most ``horizon``).
        folded: True where the run's regional body folded at that time.
        horizon: the last month of the grid (and the RMST's limit).
        conf: the level of the pointwise band (log-log Greenwood, as scipy computes it).

    Returns:
        The curve on months ``0 .. horizon``.
    """
    from scipy import stats

    times = np.asarray(times, dtype=float)
    folded = np.asarray(folded, dtype=bool)
    if times.shape != folded.shape or not times.size:
        raise ValueError("times and folded: one value each per run, at least one run")
    months = np.arange(horizon + 1)
    data = stats.CensoredData.right_censored(times, ~folded)
    sf = stats.ecdf(data).sf
    survival = sf.evaluate(months)
    if folded.any():
        with warnings.catch_warnings():  # undefined where S is 0 or 1: filled in below
            warnings.simplefilter("ignore", RuntimeWarning)
            band = sf.confidence_interval(conf, method="log-log")
            low, high = band.low.evaluate(months), band.high.evaluate(months)
    else:
        low, high = survival.copy(), survival.copy()
    low = np.where(np.isfinite(low), low, survival)
    high = np.where(np.isfinite(high), high, survival)
    at_risk = np.array([(times >= m).sum() if m else times.size for m in months])
    below = np.flatnonzero(survival <= 0.5)
    median = float(months[below[0]]) if below.size else math.nan
    rmst, rlow, rhigh = _rmst(survival, times, folded, horizon, conf)
    return SurvivalCurve(
        months=months,
        survival=survival,
        low=np.clip(low, 0.0, 1.0),
        high=np.clip(high, 0.0, 1.0),
        at_risk=at_risk,
        median=median,
        rmst=rmst,
        rmst_low=rlow,
        rmst_high=rhigh,
        runs=int(times.size),
        events=int(folded.sum()),
    )


def survival_tables(
    curves: Mapping[str, SurvivalCurve],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The curves as two tables: month by month, and one summary row per scenario.

    Returns:
        ``(curves, summary)``: ``scenario, month, survival, low, high, at_risk`` and
        ``scenario, runs, events, median, rmst, rmst_low, rmst_high``.
    """
    frames = [
        pd.DataFrame(
            {
                "scenario": name,
                "month": c.months,
                "survival": c.survival,
                "low": c.low,
                "high": c.high,
                "at_risk": c.at_risk,
            }
        )
        for name, c in curves.items()
    ]
    summary = pd.DataFrame(
        [
            {
                "scenario": name,
                "runs": c.runs,
                "events": c.events,
                "median": c.median,
                "rmst": c.rmst,
                "rmst_low": c.rmst_low,
                "rmst_high": c.rmst_high,
            }
            for name, c in curves.items()
        ]
    )
    return pd.concat(frames, ignore_index=True), summary
