"""``concertsim analyze`` on an experiment with ``[scenarios]`` (policies x scenarios).

The design's own methods (points, variance, Sobol, Morris, mixture, grid) run on each
scenario's runs; their tables gain a ``scenario`` column and their figures the scenario's name
(``variance_<scenario>.png``, ``simplex_<outcome>_<scenario>.png``...). Then the scenarios are
compared with the baseline run by run (:mod:`.paired`):

| file | content |
|---|---|
| ``scenarios.csv`` | each scenario's level of each outcome at each design point, with its interval |
| ``paired.csv`` | each scenario against the baseline, pooled over the design points |
| ``paired_points.csv`` | the same at each design point, with its parameters |
| ``paired_differences.png`` | the pooled paired differences and their intervals |
| ``envelopes.csv``, ``envelopes.png`` | monthly bands of the main series by scenario (with ``series = true``) |

Example:
    >>> from pathlib import Path
    >>> from concertsim.experiment.analysis.common import AnalysisReport
    >>> r = AnalysisReport(Path("a"))
    >>> r.table("points", pd.DataFrame({"x": [1]}))
    >>> r.figure("variance.png", lambda: None)
    >>> merged = AnalysisReport(Path("a"))
    >>> merge(merged, r, "cut")
    >>> list(merged.tables["points"].columns), list(merged.figures)
    (['scenario', 'x'], ['variance_cut.png'])
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from concertsim.experiment.analysis.common import AnalysisReport
from concertsim.experiment.analysis.envelopes import envelope_table
from concertsim.experiment.analysis.figures import short
from concertsim.experiment.analysis.paired import paired_tables, scenario_levels

__all__ = ["analyze_scenarios", "merge", "point_labels"]


def merge(report: AnalysisReport, part: AnalysisReport, scenario: str) -> None:
    """Add one scenario's analysis to ``report``: tables stacked, figures and notes named."""
    for name, table in part.tables.items():
        table = table.copy()
        table.insert(0, "scenario", scenario)
        old = report.tables.get(name)
        report.tables[name] = table if old is None else pd.concat([old, table], ignore_index=True)
    for name, draw in part.figures.items():
        stem, dot, ext = name.rpartition(".")
        report.figure(f"{stem}_{scenario}{dot}{ext}", draw)
    for note in part.notes:
        report.note(f"{scenario}: {note}")
    for warning in part.warnings:
        report.warn(f"{scenario}: {warning}")


def point_labels(design: pd.DataFrame) -> dict[int, str]:
    """A short label per design point: the parameters that vary, ``name = value``.

    Example:
        >>> point_labels(pd.DataFrame({"turnover.local_annual": [0.1, 0.4], "c": [1, 1],
        ...                            "turnover.regional_annual": [0.1, 0.4]}))
        {0: 'local_annual = 0.1', 1: 'local_annual = 0.4', -1: 'every design point'}
    """
    varying = [c for c in design.columns if design[c].nunique() > 1]
    varying = list(design[varying].T.drop_duplicates().index)  # linked parameters: once
    labels = {
        int(i): ", ".join(f"{short(c)} = {row[c]:g}" for c in varying) or f"point {i}"
        for i, row in design.iterrows()
    }
    labels[-1] = "every design point"
    return labels


def analyze_scenarios(
    report: AnalysisReport,
    manifest: dict[str, Any],
    design: pd.DataFrame,
    runs: pd.DataFrame,
    store: Any,
    scenarios: list[str],
    baseline: str,
    figures: bool,
    methods: Callable[..., None],
) -> None:
    """Each scenario's own analysis, then the paired comparisons and the envelopes.

    Args:
        report: the report to fill.
        manifest: the merged manifest.
        design: the design (one row per point).
        runs: the run table (with ``scenario``).
        store: the results store (its series are read for the envelopes).
        scenarios: the scenarios, in the experiment's order.
        baseline: the scenario the others are compared with.
        figures: also draw figures.
        methods: the design's methods (:func:`.driver.methods`).
    """
    for name in scenarios:
        part = AnalysisReport(report.out, outcomes=list(report.outcomes))
        part.conf_level = report.conf_level
        mine = runs[runs["scenario"] == name].drop(columns="scenario")
        if mine.empty:
            report.note(f"{name}: no runs in the store yet")
            continue
        methods(part, manifest, design, mine, figures)
        merge(report, part, name)
    conf = report.conf_level
    report.note(
        f"scenarios compared with {baseline}, run by run (same seeds: common random numbers)"
    )
    levels = scenario_levels(runs, report.outcomes, scenarios, conf)
    report.table("scenarios", _with_parameters(levels, design))
    pooled, by_point = paired_tables(runs, report.outcomes, scenarios, baseline, conf)
    report.table("paired", pooled)
    report.table("paired_points", _with_parameters(by_point, design))
    if figures and len(pooled):
        from concertsim.experiment.analysis.scenario_figures import differences

        report.figure("paired_differences.png", lambda: differences(pooled, conf))
    if manifest["experiment"]["experiment"].get("series"):
        series = store.read_series()
        if len(series):
            table = envelope_table(series, runs)
            report.table("envelopes", table)
            if figures:
                from concertsim.experiment.analysis.scenario_figures import envelopes

                labels = point_labels(design)
                report.figure("envelopes.png", lambda: envelopes(table, scenarios, labels))
    else:
        report.note("no series stored (series = false): no envelopes")


def _with_parameters(table: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the design point's parameters after its ``point`` column."""
    if table.empty or "point" not in table:
        return table
    params = design.reset_index().rename(columns={"index": "point"})
    if "point" not in params:
        params.insert(0, "point", range(len(params)))
    merged = table.merge(params, on="point", how="left")
    first = [c for c in table.columns if c in ("scenario", "point")]
    rest = [c for c in table.columns if c not in first]
    return merged[[*first, *[c for c in params.columns if c != "point"], *rest]]
