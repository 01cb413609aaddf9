"""The figures of an experiment with ``[scenarios]``: envelopes and paired differences.

Drawn without pyplot on their own canvas (:func:`.figures.new_figure`).

Example:
    >>> t = pd.DataFrame({"scenario": ["b"], "baseline": ["a"], "outcome": ["y"],
    ...                   "kind": ["continuous"], "difference": [0.2],
    ...                   "difference_low": [0.1], "difference_high": [0.3]})
    >>> type(differences(t, 0.95)).__name__
    'Figure'
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from concertsim.experiment.analysis.envelopes import MAIN_SERIES
from concertsim.experiment.analysis.figures import new_figure

__all__ = ["envelopes", "differences"]

_COLOURS = ("#222222", "#c0392b", "#2471a3", "#229954", "#d68910", "#7d3c98", "#17a589")


def envelopes(table: pd.DataFrame, scenarios: list[str], points: Mapping[int, str]) -> Figure:
    """One panel per main series (columns) and design point (rows): a band per scenario.

    Args:
        table: :func:`~.envelopes.envelope_table`.
        scenarios: the scenarios in order (the first drawn in black: the baseline).
        points: a label for each design point of the table (``-1``: every point).
    """
    series = [
        s for s in MAIN_SERIES if ((table["level"] == s[0]) & (table["variable"] == s[1])).any()
    ]
    rows = sorted(table["point"].unique())
    fig = new_figure((3.1 * len(series) + 1.5, 2.6 * len(rows) + 0.9))
    axes = np.atleast_2d(fig.subplots(len(rows), len(series), sharex=True, squeeze=False))
    for r, point in enumerate(rows):
        for c, (level, variable) in enumerate(series):
            ax = axes[r, c]
            for k, scenario in enumerate(scenarios):
                mine = table[
                    (table["scenario"] == scenario)
                    & (table["point"] == point)
                    & (table["level"] == level)
                    & (table["variable"] == variable)
                ]
                if mine.empty:
                    continue
                colour = _COLOURS[k % len(_COLOURS)]
                ax.fill_between(
                    mine["month"], mine["low"], mine["high"], color=colour, alpha=0.15, lw=0
                )
                ax.plot(mine["month"], mine["median"], color=colour, lw=1.4, label=scenario)
            if r == 0:
                ax.set_title(f"{variable} ({level})", fontsize=9)
            if c == 0:
                ax.set_ylabel(points.get(point, str(point)), fontsize=8)
            if r == len(rows) - 1:
                ax.set_xlabel("month")
            ax.tick_params(labelsize=7)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), frameon=False, fontsize=9)
    fig.suptitle(
        "median (line) and 10-90% of runs (band), by scenario", y=0.005, va="bottom", fontsize=8
    )
    fig.tight_layout(rect=(0, 0.03, 1, 0.94))
    return fig


def differences(table: pd.DataFrame, conf: float) -> Figure:
    """Each scenario minus the baseline, per outcome: the paired difference and its interval.

    Args:
        table: the pooled :func:`~.paired.paired_tables` table.
        conf: the confidence level, for the title.
    """
    outcomes = list(dict.fromkeys(table["outcome"]))
    scenarios = list(dict.fromkeys(table["scenario"]))
    fig = new_figure(
        (3.0 * min(len(outcomes), 3) + 1.0, 0.5 * len(scenarios) * -(-len(outcomes) // 3) + 1.6)
    )
    cols = min(len(outcomes), 3)
    rows = -(-len(outcomes) // cols)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, outcome in zip(axes, outcomes, strict=False):
        mine = table[table["outcome"] == outcome].reset_index(drop=True)
        y = np.arange(len(mine))[::-1]
        d = mine["difference"].to_numpy(float)
        low = d - mine["difference_low"].to_numpy(float)
        high = mine["difference_high"].to_numpy(float) - d
        ax.errorbar(d, y, xerr=[low, high], fmt="o", color="#c0392b", capsize=3, ms=4)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(y, list(mine["scenario"]), fontsize=8)
        ax.set_ylim(-0.7, len(mine) - 0.3)
        kind = " (share)" if (mine["kind"] == "yes/no").all() else ""
        ax.set_title(f"{outcome}{kind}", fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    for ax in axes[len(outcomes) :]:
        ax.set_visible(False)
    baseline = table["baseline"].iloc[0] if len(table) else ""
    fig.suptitle(f"scenario minus {baseline}, paired run by run ({conf:.0%} interval)", fontsize=10)
    fig.tight_layout()
    return fig
