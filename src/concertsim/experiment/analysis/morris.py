"""Morris elementary effects: mu, mu* (with its bootstrap interval) and sigma, and convergence.

Example:
    >>> import numpy as np
    >>> problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    >>> from SALib.sample import morris as sample
    >>> x = sample.sample(problem, 10, num_levels=4, seed=1)
    >>> t = morris_indices(problem, x, 3 * x[:, 0], levels=4, resamples=50, conf_level=0.95,
    ...                    seed=1)
    >>> t["mu_star"].round(6).tolist(), t["sigma"].round(6).tolist()
    ([3.0, 0.0], [0.0, 0.0])
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

__all__ = ["morris_indices", "analyze_morris"]


def morris_indices(
    problem: dict[str, Any],
    x: np.ndarray,
    y: np.ndarray,
    *,
    levels: int,
    resamples: int,
    conf_level: float,
    seed: int,
) -> pd.DataFrame:
    """Morris mu, mu* (with its bootstrap interval) and sigma.

    Args:
        problem: the SALib problem.
        x: the design points, in trajectory order.
        y: the mean outcome at each point (NaN: filled with the mean of the others).
        levels: the design's grid levels.
        resamples: bootstrap resamples for the interval of mu*.
        conf_level: its confidence level.
        seed: seed of the bootstrap.

    Returns:
        ``parameter, mu, mu_star, mu_star_conf`` (half-width of the interval) and ``sigma``.
    """
    from SALib.analyze import morris

    res = morris.analyze(
        problem,
        x,
        filled(y),
        num_resamples=resamples,
        conf_level=conf_level,
        num_levels=levels,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu": np.asarray(res["mu"], dtype=float),
            "mu_star": np.asarray(res["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float),
            "sigma": np.asarray(res["sigma"], dtype=float),
        }
    )


def analyze_morris(
    report: AnalysisReport,
    manifest: dict[str, Any],
    design: pd.DataFrame,
    summary: pd.DataFrame,
    draw: bool,
) -> None:
    """Morris tables (``morris``, ``morris_convergence``) and the mu*-sigma planes."""
    problem = manifest["salib_problem"]
    levels = int(manifest["experiment"]["design"]["levels"])
    resamples, conf, seed = bootstrap_settings(manifest)
    x = design[problem["names"]].to_numpy(dtype=float)
    step = problem["num_vars"] + 1
    trajectories = len(x) // step
    frames, conv = [], []
    for outcome in report.outcomes:
        y = summary[f"{outcome}_mean"].to_numpy()
        if not indexable(report, outcome, y, summary):
            continue
        table = morris_indices(
            problem, x, y, levels=levels, resamples=resamples, conf_level=conf, seed=seed
        )
        table.insert(0, "outcome", outcome)
        frames.append(table)
        for r in sorted({max(2, trajectories >> k) for k in range(4)}):
            part = morris_indices(
                problem,
                x[: r * step],
                y[: r * step],
                levels=levels,
                resamples=min(resamples, 100),
                conf_level=conf,
                seed=seed,
            )
            part.insert(0, "outcome", outcome)
            part.insert(1, "trajectories", r)
            conv.append(part)
        if draw:
            report.figure(f"morris_{outcome}.png", lambda t=table, o=outcome: figures.morris(t, o))
    if trajectories < 10 and frames:
        report.warn(
            f"morris: {trajectories} trajectories: mu* rests on {trajectories} elementary effects "
            "per parameter; its interval is wide and the ranking rough"
        )
    if not frames:
        return
    morris = pd.concat(frames, ignore_index=True)
    rank = {o: i for i, o in enumerate(report.outcomes)}  # outcomes in order, mu* descending
    morris = morris.assign(_o=morris["outcome"].map(rank))
    morris = morris.sort_values(["_o", "mu_star"], ascending=[True, False]).drop(columns="_o")
    report.table("morris", morris.reset_index(drop=True))
    report.table("morris_convergence", pd.concat(conv, ignore_index=True))
