"""Envelopes: monthly bands of the main series, by scenario (and design point).

For an experiment with ``[scenarios]`` and ``series = true``, each scenario's runs give, every
month, the median and the 10-90% band of each main series (the regional body's credibility,
legitimacy, knowledge and funding, the participation of local committees and sectoral tables),
like EMA Workbench's envelopes of outcomes by policy. With at most :data:`MAX_ROWS` design
points the bands are drawn per point (one row of panels each); with more, over every point.

Example:
    >>> series = pd.DataFrame({"run_id": [0, 0, 1, 1], "month": [0, 1, 0, 1],
    ...                        "level": ["regional"] * 4, "variable": ["legitimacy"] * 4,
    ...                        "value": [0.5, 0.6, 0.5, 0.4]})
    >>> runs = pd.DataFrame({"run_id": [0, 1], "scenario": ["a", "b"], "point": [0, 0]})
    >>> t = envelope_table(series, runs)
    >>> t[["scenario", "month", "median"]].values.tolist()
    [['a', 0, 0.5], ['a', 1, 0.6], ['b', 0, 0.5], ['b', 1, 0.4]]
"""

from __future__ import annotations

import pandas as pd

__all__ = ["MAIN_SERIES", "MAX_ROWS", "envelope_table"]

MAIN_SERIES: tuple[tuple[str, str], ...] = (
    ("regional", "credibility"),
    ("regional", "legitimacy"),
    ("regional", "knowledge"),
    ("regional", "funding"),
    ("local", "participation"),
    ("sectoral", "participation"),
)
"""``(level, variable)`` of the series drawn, in panel order."""

MAX_ROWS = 4
"""Most design points drawn one by one; beyond, the bands pool every point."""


def envelope_table(series: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Median and 10/90% of each main series by scenario, design point and month.

    Args:
        series: tidy series (``run_id``, ``month``, ``level``, ``variable``, ``value``).
        runs: the run table (``run_id``, ``scenario``, ``point``).

    Returns:
        Columns ``scenario``, ``point`` (``-1``: every point pooled), ``level``,
        ``variable``, ``month``, ``runs``, ``low`` (10%), ``median``, ``high`` (90%),
        ``min``, ``max``.
    """
    keep = pd.Series(False, index=series.index)
    for level, variable in MAIN_SERIES:
        keep |= (series["level"] == level) & (series["variable"] == variable)
    data = series[keep].merge(runs[["run_id", "scenario", "point"]], on="run_id")
    if runs["point"].nunique() > MAX_ROWS:
        data = data.assign(point=-1)
    keys = ["scenario", "point", "level", "variable", "month"]
    grouped = data.groupby(keys, sort=False)["value"]
    table = grouped.agg(
        runs="count",
        low=lambda v: v.quantile(0.1),
        median="median",
        high=lambda v: v.quantile(0.9),
        min="min",
        max="max",
    ).reset_index()
    order = {name: i for i, name in enumerate(dict.fromkeys(runs["scenario"]))}
    table["_order"] = table["scenario"].map(order)
    table = table.sort_values(["_order", "point", "level", "variable", "month"], kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)
