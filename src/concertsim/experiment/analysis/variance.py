"""Variance shares: how much of an outcome's variance is due to parameters, how much to chance.

Replicate ``r`` has the same seed at every design point (common random numbers), so the
split is a points x replicates two-way analysis of variance (see :func:`variance_shares`).
With one replicate per point the share due to chance cannot be estimated (it is reported as
NaN, with a warning, never as 0); with two it is rough (a warning says so).

Example:
    >>> import numpy as np
    >>> points, reps = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    >>> t = variance_shares(points, np.array([1.0, 3.0, 5.0, 7.0]), reps)
    >>> float(t["var_within"]), float(t["var_parameters"]), round(t["share_replicates"], 6)
    (2.0, 8.0, 0.2)
    >>> t["method"]
    'two-way'
    >>> t = variance_shares(np.arange(3), np.array([1.0, 2.0, 4.0]), np.zeros(3))
    >>> t["method"], t["share_replicates"]
    ('not estimable: one run per point', nan)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from concertsim.experiment.analysis.common import AnalysisReport

__all__ = ["variance_shares", "point_summary", "analyze_variance", "ONE_RUN"]

ONE_RUN = "not estimable: one run per point"
"""The ``method`` of a split that one run per point cannot give."""


def variance_shares(
    points: np.ndarray, values: np.ndarray, replicates: np.ndarray | None = None
) -> dict[str, Any]:
    """Split an outcome's variance between parameters (design points) and replicates.

    Replicate ``r`` has the same seed at every design point (common random numbers), so the
    replicates are *not* independent across points: a lucky replicate is lucky everywhere.
    The split is therefore a points x replicates two-way analysis of variance on the table
    ``Y[p, r]``::

        res[p, r]      = Y[p, r] - mean_r Y[p, :] - mean_p Y[:, r] + mean Y
        MS_res         = sum res^2 / ((P - 1) (R - 1))
        var_parameters = max(var(point means) - MS_res / R, 0)

    (the replicate main effect is common to every point, so it does not inflate the variance
    of the point means and is not subtracted). ``var_within`` is the mean within-point
    variance, the variance a run owes to chance at a fixed point, and
    ``share_parameters = var_parameters / (var_parameters + var_within)``.

    Failed runs leave holes in the table: points with no successful run are dropped, then
    either the points or the replicates with a hole (whichever keeps more runs). When no
    complete table of at least 2 x 2 remains, or ``replicates`` is not given, the one-way
    formula ``var(point means) - var_within / replicates`` is used instead (it assumes
    independent replicates) and ``method`` says so. With one run per point nothing separates
    chance from parameters: ``var_parameters`` and the shares are NaN and ``method`` is
    :data:`ONE_RUN`.

    Args:
        points: design point of every run.
        values: the outcome of every run (NaN ignored).
        replicates: replicate of every run (``None``: treat replicates as independent).

    Returns:
        ``runs``, ``points``, ``mean_replicates``, ``var_total``, ``var_between`` (variance
        of point means), ``var_within``, ``var_residual`` (``MS_res``), ``var_parameters``,
        ``share_parameters``, ``share_replicates`` and ``method`` (``"two-way"``,
        ``"two-way, complete points"``, ``"two-way, complete replicates"``, ``"one-way"`` or
        :data:`ONE_RUN`).
    """
    reps_in = np.zeros(len(points)) if replicates is None else replicates
    frame = pd.DataFrame({"p": points, "r": reps_in, "y": values}).dropna()
    groups = frame.groupby("p")["y"]
    means, var, n = groups.mean(), groups.var(ddof=1), groups.count()
    within = float(var[n > 1].mean()) if (n > 1).any() else float("nan")
    between = float(means.var(ddof=1)) if len(means) > 1 else 0.0
    reps = float(n.mean()) if len(n) else float("nan")
    if len(n) and int(n.max()) < 2:
        params, residual, method = float("nan"), float("nan"), ONE_RUN
    else:
        params, residual, method = (
            _two_way(frame) if replicates is not None else (None, math.nan, "")
        )
        if params is None:
            params = max(between - (within / reps if math.isfinite(within) else 0.0), 0.0)
            method = "one-way"
    denom = params + (within if math.isfinite(within) else 0.0)
    share = params / denom if denom > 0 else float("nan")
    return {
        "runs": int(len(frame)),
        "points": int(len(means)),
        "mean_replicates": reps,
        "var_total": float(frame["y"].var(ddof=1)) if len(frame) > 1 else 0.0,
        "var_between": between,
        "var_within": within,
        "var_residual": residual,
        "var_parameters": params,
        "share_parameters": share,
        "share_replicates": 1.0 - share if math.isfinite(share) else float("nan"),
        "method": method,
    }


def _two_way(frame: pd.DataFrame) -> tuple[float | None, float, str]:
    """``var_parameters``, ``MS_res`` and the method of the two-way split (``None``: none)."""
    table = frame.pivot_table(index="p", columns="r", values="y", aggfunc="mean")
    table = table.dropna(how="all")
    method = "two-way"
    if table.isna().to_numpy().any():
        rows, cols = table.dropna(axis=0), table.dropna(axis=1)
        if rows.size >= cols.size:
            table, method = rows, "two-way, complete points"
        else:
            table, method = cols, "two-way, complete replicates"
    y = table.to_numpy(dtype=float)
    n_points, n_reps = y.shape
    if n_points < 2 or n_reps < 2:
        return None, float("nan"), ""
    res = y - y.mean(axis=1, keepdims=True) - y.mean(axis=0, keepdims=True) + y.mean()
    ms_res = float((res**2).sum() / ((n_points - 1) * (n_reps - 1)))
    params = max(float(y.mean(axis=1).var(ddof=1)) - ms_res / n_reps, 0.0)
    return params, ms_res, method


def point_summary(runs: pd.DataFrame, outcomes: Sequence[str], n_points: int) -> pd.DataFrame:
    """Per design point and outcome: runs, mean and standard deviation (successful runs).

    Example:
        >>> runs = pd.DataFrame({"point": [0, 0, 1], "status": ["ok", "ok", "error"],
        ...                      "y": [1.0, 3.0, float("nan")]})
        >>> point_summary(runs, ["y"], 2).to_dict("list")
        {'runs_ok': [2, 0], 'runs_failed': [0, 1], 'y_mean': [2.0, nan], 'y_sd': [1.41..., nan]}
    """
    ok = runs[runs["status"] == "ok"]
    grouped = ok.groupby("point")
    table = pd.DataFrame(index=pd.RangeIndex(n_points, name="point"))
    table["runs_ok"] = grouped.size().reindex(table.index, fill_value=0)
    failed = runs[runs["status"] != "ok"].groupby("point").size()
    table["runs_failed"] = failed.reindex(table.index, fill_value=0)
    for name in outcomes:
        table[f"{name}_mean"] = grouped[name].mean().reindex(table.index)
        table[f"{name}_sd"] = grouped[name].std(ddof=1).reindex(table.index)
    return table


def analyze_variance(report: AnalysisReport, runs: pd.DataFrame) -> pd.DataFrame:
    """The variance table of every outcome (``variance``), with its notes and warnings.

    Args:
        report: the report to add the table, notes and warnings to.
        runs: the run table (every status; only successful runs are used).

    Returns:
        The table, one row per outcome.
    """
    ok = runs[runs["status"] == "ok"]
    rows = [
        {
            "outcome": o,
            **variance_shares(ok["point"].to_numpy(), ok[o].to_numpy(), ok["replicate"].to_numpy()),
        }
        for o in report.outcomes
    ]
    table = pd.DataFrame(rows)
    one, two = [], []
    for row in rows:
        if row["method"] == ONE_RUN:
            one.append(row["outcome"])
        elif row["mean_replicates"] < 2.5:
            two.append(row["outcome"])
        if row["method"] not in ("two-way", ONE_RUN) and row["mean_replicates"] > 1:
            report.note(
                f"variance of {row['outcome']}: failed runs leave holes in the points x "
                f"replicates table; split used: {row['method']}"
                + (" (assumes replicates independent across points)" * (row["method"] == "one-way"))
            )
    if one:
        report.warn(
            f"variance of {_names(one)}: one replicate per point: the share due to replicates "
            "(stochasticity) cannot be estimated (n/a in variance.csv, not 0); run 2 or more "
            "replicates to split it"
        )
    if two:
        report.warn(
            f"variance of {_names(two)}: about 2 replicates per point: the split between "
            "parameters and replicates is rough; more replicates make it firmer"
        )
    report.table("variance", table)
    return table


def _names(names: Sequence[str], shown: int = 4) -> str:
    """A short list of names for a one-line message."""
    head = ", ".join(names[:shown])
    return head + (f" and {len(names) - shown} more" if len(names) > shown else "")
