"""Sobol (Saltelli) indices: S1, ST and S2 with bootstrap intervals, and their convergence.

Indices are computed by SALib on the replicate means of each design point, in design order.
An index is a share of variance, in [0, 1]; an estimate outside [0, 1] *beyond its bootstrap
interval* means the base sample is too small for that outcome, and the analysis warns.

Example:
    >>> import pandas as pd
    >>> table = pd.DataFrame({"parameter": ["a", "b"], "S1": [0.5, -0.3], "S1_conf": [0.1, 0.1],
    ...                       "ST": [0.6, 0.2], "ST_conf": [0.1, 0.1]})
    >>> out_of_range(table, "S1")
    ['b']
    >>> out_of_range(table, "ST")
    []
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from concertsim.experiment.analysis import figures
from concertsim.experiment.analysis.common import (
    AnalysisReport,
    bootstrap_settings,
    filled,
    indexable,
)

__all__ = ["sobol_indices", "sobol_convergence", "out_of_range", "analyze_sobol"]


def sobol_indices(
    problem: dict[str, Any],
    y: np.ndarray,
    *,
    second_order: bool,
    resamples: int,
    conf_level: float,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """S1 and ST with bootstrap intervals (and S2), from point means in design order.

    Args:
        problem: the SALib problem (``num_vars``, ``names``, ``bounds``).
        y: the mean outcome at each design point (NaN: filled with the mean of the others).
        second_order: whether the design sampled second-order indices.
        resamples: bootstrap resamples.
        conf_level: confidence level of the intervals.
        seed: seed of the bootstrap.

    Returns:
        ``(first, second)``: ``parameter, S1, S1_conf, ST, ST_conf`` (``*_conf``: the
        half-width of the interval) and ``parameter_i, parameter_j, S2, S2_conf``.
    """
    from SALib.analyze import sobol

    res = sobol.analyze(
        problem,
        filled(y),
        calc_second_order=second_order,
        num_resamples=resamples,
        conf_level=conf_level,
        seed=seed,
    )
    first = pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )
    rows = []
    if second_order:
        names = problem["names"]
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rows.append((names[i], names[j], res["S2"][i, j], res["S2_conf"][i, j]))
    second = pd.DataFrame(rows, columns=["parameter_i", "parameter_j", "S2", "S2_conf"])
    return first, second


def sobol_convergence(
    problem: dict[str, Any],
    y: np.ndarray,
    *,
    second_order: bool,
    resamples: int,
    conf_level: float,
    seed: int,
) -> pd.DataFrame:
    """Sobol indices at base sample sizes 2^k up to the full design (Saltelli blocks)."""
    d = problem["num_vars"]
    block = 2 * d + 2 if second_order else d + 2
    full = len(y) // block
    sizes = sorted({full >> k for k in range(0, 8) if full >> k >= 16} | {full})
    frames = []
    for n in sizes:
        first, _ = sobol_indices(
            problem,
            y[: n * block],
            second_order=second_order,
            resamples=resamples,
            conf_level=conf_level,
            seed=seed,
        )
        first.insert(0, "base_samples", n)
        first.insert(1, "runs_points", n * block)
        frames.append(first)
    return pd.concat(frames, ignore_index=True)


def out_of_range(table: pd.DataFrame, index: str) -> list[str]:
    """Parameters whose ``index`` lies outside [0, 1] even at the near end of its interval."""
    value, half = table[index].to_numpy(float), table[f"{index}_conf"].to_numpy(float)
    half = np.where(np.isfinite(half), half, 0.0)
    bad = (value + half < 0.0) | (value - half > 1.0)
    return [str(p) for p, b in zip(table["parameter"], bad, strict=True) if b]


def analyze_sobol(
    report: AnalysisReport, manifest: dict[str, Any], summary: pd.DataFrame, draw: bool
) -> None:
    """Sobol tables (``sobol``, ``sobol_s2``, ``sobol_convergence``), figures and warnings."""
    problem = manifest["salib_problem"]
    second = bool(manifest["experiment"]["design"]["second_order"])
    resamples, conf, seed = bootstrap_settings(manifest)
    block = 2 * problem["num_vars"] + 2 if second else problem["num_vars"] + 2
    firsts, seconds, convergence = [], [], []
    for outcome in report.outcomes:
        y = summary[f"{outcome}_mean"].to_numpy()
        if not indexable(report, outcome, y, summary):
            continue
        first, s2 = sobol_indices(
            problem, y, second_order=second, resamples=resamples, conf_level=conf, seed=seed
        )
        conv = sobol_convergence(
            problem,
            y,
            second_order=second,
            resamples=min(resamples, 100),
            conf_level=conf,
            seed=seed,
        )
        for index in ("S1", "ST"):
            bad = out_of_range(first, index)
            if bad:
                shown = ", ".join(
                    f"{p} = {v:.2f} +- {h:.2f}"
                    for p, v, h in first.set_index("parameter")
                    .loc[bad, [index, f"{index}_conf"]]
                    .itertuples(name=None)
                )
                report.warn(
                    f"sobol: {index} of {outcome} outside [0, 1] beyond its interval ({shown}): "
                    f"the base sample (N = {len(y) // block}) is too small for this outcome; "
                    "raise [design] n"
                )
        for frame in (first, s2, conv):
            frame.insert(0, "outcome", outcome)
        firsts.append(first)
        seconds.append(s2)
        convergence.append(conv)
        if draw:
            report.figure(
                f"sobol_{outcome}.png", lambda t=first, o=outcome, c=conf: figures.sobol(t, o, c)
            )
            report.figure(
                f"sobol_convergence_{outcome}.png",
                lambda t=conv, o=outcome: figures.convergence(t, o),
            )
    if not firsts:
        return
    report.table("sobol", pd.concat(firsts, ignore_index=True))
    if second:
        report.table("sobol_s2", pd.concat(seconds, ignore_index=True))
    report.table("sobol_convergence", pd.concat(convergence, ignore_index=True))
