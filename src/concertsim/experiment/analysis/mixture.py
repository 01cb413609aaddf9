"""Mixture designs: every mix with each outcome's mean and interval, and whether it is stable.

A mix is *stable* when the mean of ``stable_outcome`` over its replicates is at least
``stable_min``, and *surely stable* when the lower end of that mean's interval is too.
Intervals come from :mod:`concertsim.intervals`: Wilson for 0/1 outcomes (survival), Student
t otherwise.

Example:
    >>> import pandas as pd
    >>> runs = pd.DataFrame({"point": [0, 0, 0, 1, 1, 1], "status": ["ok"] * 6,
    ...                      "y": [1.0, 1.0, 1.0, 0.0, 1.0, 0.0]})
    >>> design = pd.DataFrame({"a": [0.2, 0.8]}, index=pd.Index([0, 1], name="point"))
    >>> t = mixture_table(runs, design, "y", conf=0.95, stable_min=0.4)
    >>> t[["a", "runs", "stable", "stable_surely"]].values.tolist()
    [[0.2, 3, True, True], [0.8, 3, False, False]]
    >>> t["ci_high"].round(3).tolist()
    [1.0, 0.792]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from concertsim.experiment.analysis import figures
from concertsim.experiment.analysis.common import AnalysisReport
from concertsim.intervals import proportion_ci

__all__ = ["mixture_table", "analyze_mixture"]


def mixture_table(
    runs: pd.DataFrame, design: pd.DataFrame, outcome: str, *, conf: float, stable_min: float
) -> pd.DataFrame:
    """Every mix: the outcome's mean and interval over replicates, and whether it is stable.

    Args:
        runs: the run table (only successful runs are used).
        design: one row per point (indexed by ``point``).
        outcome: the outcome.
        conf: the confidence level of the intervals.
        stable_min: a mix is stable when the mean is at least this.

    Returns:
        The design with ``runs, mean, ci_low, ci_high, stable, stable_surely,
        stable_possibly`` (the interval's low, or high, end at least ``stable_min``).
    """
    ok = runs[runs["status"] == "ok"]
    rows = []
    for point, group in ok.groupby("point"):
        mean, lo, hi, n = proportion_ci(group[outcome].to_numpy(dtype=float), conf)
        rows.append((point, n, mean, lo, hi))
    stats = pd.DataFrame(rows, columns=["point", "runs", "mean", "ci_low", "ci_high"])
    table = design.reset_index().merge(stats, on="point", how="left")
    table["stable"] = table["mean"] >= stable_min
    table["stable_surely"] = table["ci_low"] >= stable_min  # even at the interval's low end
    table["stable_possibly"] = table["ci_high"] >= stable_min  # at the interval's high end
    return table


def analyze_mixture(
    report: AnalysisReport,
    manifest: dict[str, Any],
    design: pd.DataFrame,
    runs: pd.DataFrame,
    draw: bool,
) -> None:
    """The ``mixture`` and ``stable_mixes`` tables, simplex maps, effects and notes."""
    analysis = manifest["experiment"]["analysis"]
    components = list(manifest["design"]["sampled"])
    crossed = [c for c in manifest["design"]["crossed"] if design[c].nunique() > 1]
    conf, stable_min = float(analysis["conf_level"]), float(analysis["stable_min"])
    stable_outcome = analysis["stable_outcome"]
    links = {n: p.get("link", []) for n, p in manifest["experiment"]["parameters"].items()}
    if stable_outcome not in runs:
        report.note(
            f"stable_outcome '{stable_outcome}' is not an outcome analysed; "
            f"using '{report.outcomes[0]}'"
        )
        stable_outcome = report.outcomes[0]
    base = mixture_table(runs, design, stable_outcome, conf=conf, stable_min=stable_min)
    wide = base.rename(
        columns={
            "mean": f"{stable_outcome}_mean",
            "ci_low": f"{stable_outcome}_ci_low",
            "ci_high": f"{stable_outcome}_ci_high",
        }
    )
    for outcome in report.outcomes:
        table = mixture_table(runs, design, outcome, conf=conf, stable_min=stable_min)
        if outcome != stable_outcome:
            wide[f"{outcome}_mean"] = table["mean"].to_numpy()
            wide[f"{outcome}_ci_low"] = table["ci_low"].to_numpy()
            wide[f"{outcome}_ci_high"] = table["ci_high"].to_numpy()
        if draw:
            table["stable"] = base["stable"].to_numpy()
            report.figure(
                f"simplex_{outcome}.png",
                lambda t=table, o=outcome: figures.simplex(
                    t, components, crossed, o, stable_min, stable_outcome, links
                ),
            )
            report.figure(
                f"mixture_effects_{outcome}.png",
                lambda t=table, o=outcome: figures.mixture_effects(t, components, crossed, o),
            )
    report.table("mixture", wide)
    stable = wide[wide["stable"]].sort_values(f"{stable_outcome}_mean", ascending=False)
    report.table("stable_mixes", stable)
    unsure = int((wide["stable"] & ~wide["stable_surely"]).sum())
    if unsure:
        report.warn(
            f"mixture: {unsure} of {int(wide['stable'].sum())} stable mixes are stable by their "
            f"mean only: the lower end of the {conf:.0%} interval of {stable_outcome} is below "
            f"{stable_min:g} (column stable_surely); more replicates would tell"
        )
    groups = list(wide.groupby(crossed)) if crossed else [((), wide)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        where = ", ".join(
            f"{figures.label(c, links)} = {v:g}" for c, v in zip(crossed, key, strict=True)
        )
        report.note(
            f"{int(group['stable'].sum())} of {len(group)} mixes are stable "
            f"({stable_outcome} mean >= {stable_min:g})" + (f" at {where}" if where else "")
        )
