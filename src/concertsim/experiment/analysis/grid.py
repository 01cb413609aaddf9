"""Main effects of a grid design: the outcome at each level of each parameter.

Example:
    >>> import pandas as pd
    >>> design = pd.DataFrame({"a": [0, 0, 1, 1], "b": [0, 1, 0, 1]})
    >>> summary = pd.DataFrame({"y_mean": [1.0, 2.0, 3.0, 4.0]})
    >>> main_effects(design, summary, "y")[["parameter", "level", "mean"]].values.tolist()
    [['a', 0, 1.5], ['a', 1, 3.5], ['b', 0, 2.0], ['b', 1, 3.0]]
"""

from __future__ import annotations

import pandas as pd

from concertsim.experiment.analysis import figures
from concertsim.experiment.analysis.common import AnalysisReport

__all__ = ["main_effects", "analyze_grid"]


def main_effects(design: pd.DataFrame, summary: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Mean of an outcome's point means at each level of each varying parameter of a grid.

    Args:
        design: one row per point, one column per parameter.
        summary: per point, ``<outcome>_mean`` (aligned with ``design``).
        outcome: the outcome.

    Returns:
        ``outcome, parameter, level, mean, sd, points`` (empty when nothing varies).
    """
    means = summary[f"{outcome}_mean"]
    frames = []
    for name in design.columns:
        if design[name].nunique() < 2:
            continue
        grouped = means.groupby(design[name])
        frame = pd.DataFrame(
            {"mean": grouped.mean(), "sd": grouped.std(ddof=1), "points": grouped.count()}
        )
        frame = frame.rename_axis("level").reset_index()
        frame.insert(0, "parameter", name)
        frame.insert(0, "outcome", outcome)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def analyze_grid(
    report: AnalysisReport, design: pd.DataFrame, summary: pd.DataFrame, draw: bool
) -> None:
    """The ``main_effects`` table and a figure per outcome."""
    frames = []
    for outcome in report.outcomes:
        table = main_effects(design, summary, outcome)
        if table.empty:
            continue
        frames.append(table)
        if draw:
            report.figure(
                f"main_effects_{outcome}.png",
                lambda t=table, o=outcome: figures.main_effects(t, o),
            )
    if frames:
        report.table("main_effects", pd.concat(frames, ignore_index=True))
