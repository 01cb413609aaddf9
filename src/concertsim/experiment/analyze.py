"""Analysis of a results store: indices, variance shares, stability maps, tables and figures.

For every outcome of interest, :func:`analyze_store` writes CSV tables and PNG figures into
``DIR/analysis`` (or another directory):

* ``points.csv`` -- per design point: parameters, runs, mean and standard deviation;
* ``variance.csv`` -- the share of outcome variance due to parameters against replicates
  (stochasticity): a points x replicates two-way analysis of variance, since replicate ``r``
  has the same seed at every point (common random numbers):
  ``var_parameters = var(point means) - MS_res / replicates`` (see :func:`variance_shares`);
* Sobol designs: ``sobol.csv`` (S1, ST and their bootstrap intervals), ``sobol_s2.csv``
  (second order, when sampled), ``sobol_convergence.csv`` (indices at growing base sample
  sizes) and figures ``sobol_<outcome>.png``, ``sobol_convergence_<outcome>.png``;
* Morris designs: ``morris.csv`` (mu, mu*, sigma, mu* interval), ``morris_convergence.csv``
  and the mu*-sigma plane ``morris_<outcome>.png``;
* grid designs: ``main_effects.csv`` (the outcome at each level of each parameter, averaged
  over the others) and ``main_effects_<outcome>.png``;
* mixture designs: ``mixture.csv`` (every mix with the mean of each outcome, its interval and
  whether it is stable: mean of ``stable_outcome`` >= ``stable_min``; ``stable_surely`` when
  the interval's lower end is), ``stable_mixes.csv``,
  the simplex map ``simplex_<outcome>.png`` and the effect of each share
  ``mixture_effects_<outcome>.png``.

Indices use the mean over replicates at each point; the variance table says how much of the
outcome's variance those means leave out.

Example:
    >>> import numpy as np
    >>> points, reps = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    >>> t = variance_shares(points, np.array([1.0, 3.0, 5.0, 7.0]), reps)
    >>> float(t["var_within"]), float(t["var_parameters"]), round(t["share_replicates"], 6)
    (2.0, 8.0, 0.2)
    >>> t["method"]
    'two-way'
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from concertsim.experiment.store import ResultsStore

__all__ = [
    "AnalysisReport",
    "analyze_store",
    "variance_shares",
    "point_summary",
    "sobol_indices",
    "sobol_convergence",
    "morris_indices",
    "mixture_table",
    "main_effects",
    "RUN_COLUMNS",
]

RUN_COLUMNS = ("run_id", "point", "replicate", "seed_entropy", "seed_spawn_key", "status", "error")
"""Columns of the run table that are neither parameters nor outcomes."""


@dataclass
class AnalysisReport:
    """What :func:`analyze_store` wrote and found.

    Attributes:
        out: the directory written to.
        files: the tables and figures written.
        outcomes: the outcomes analysed.
        notes: one-line remarks (failed runs, points without a successful run...).
        tables: the tables by name (also written as CSV).
    """

    out: Path
    files: list[Path] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


# --------------------------------------------------------------------------- statistics


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
    independent replicates) and ``method`` says so.

    Args:
        points: design point of every run.
        values: the outcome of every run (NaN ignored).
        replicates: replicate of every run (``None``: treat replicates as independent).

    Returns:
        ``runs``, ``points``, ``mean_replicates``, ``var_total``, ``var_between`` (variance
        of point means), ``var_within``, ``var_residual`` (``MS_res``), ``var_parameters``,
        ``share_parameters``, ``share_replicates`` and ``method`` (``"two-way"``,
        ``"two-way, complete points"``, ``"two-way, complete replicates"`` or ``"one-way"``).
    """
    reps_in = np.zeros(len(points)) if replicates is None else replicates
    frame = pd.DataFrame({"p": points, "r": reps_in, "y": values}).dropna()
    groups = frame.groupby("p")["y"]
    means, var, n = groups.mean(), groups.var(ddof=1), groups.count()
    within = float(var[n > 1].mean()) if (n > 1).any() else float("nan")
    between = float(means.var(ddof=1)) if len(means) > 1 else 0.0
    reps = float(n.mean()) if len(n) else float("nan")
    params, residual, method = _two_way(frame) if replicates is not None else (None, math.nan, "")
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
    """Per design point and outcome: runs, mean and standard deviation (successful runs)."""
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


def _filled(y: np.ndarray) -> np.ndarray:
    """Point means with missing points (no successful run) set to the overall mean."""
    y = y.astype(float).copy()
    bad = ~np.isfinite(y)
    if bad.any():
        y[bad] = np.nanmean(y) if (~bad).any() else 0.0
    return y


def sobol_indices(
    problem: dict[str, Any],
    y: np.ndarray,
    *,
    second_order: bool,
    resamples: int,
    conf_level: float,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """S1 and ST with bootstrap intervals (and S2), from point means in design order."""
    from SALib.analyze import sobol

    res = sobol.analyze(
        problem,
        _filled(y),
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
    """Morris mu, mu* (with its bootstrap interval) and sigma."""
    from SALib.analyze import morris

    res = morris.analyze(
        problem,
        x,
        _filled(y),
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


def _interval(values: pd.Series, conf: float) -> tuple[float, float, float, int]:
    """Mean and interval: Wilson for 0/1 outcomes, normal approximation otherwise."""
    from scipy.stats import norm

    v = values.dropna().to_numpy(dtype=float)
    n = len(v)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    z = float(norm.ppf(0.5 + conf / 2))
    mean = float(v.mean())
    if np.isin(v, (0.0, 1.0)).all():
        centre = (mean + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(mean * (1 - mean) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return mean, centre - half, centre + half, n
    half = z * float(v.std(ddof=1)) / math.sqrt(n) if n > 1 else float("nan")
    return mean, mean - half, mean + half, n


def mixture_table(
    runs: pd.DataFrame, design: pd.DataFrame, outcome: str, *, conf: float, stable_min: float
) -> pd.DataFrame:
    """Every mix: the outcome's mean and interval over replicates, and whether it is stable."""
    ok = runs[runs["status"] == "ok"]
    rows = []
    for point, group in ok.groupby("point"):
        mean, lo, hi, n = _interval(group[outcome], conf)
        rows.append((point, n, mean, lo, hi))
    stats = pd.DataFrame(rows, columns=["point", "runs", "mean", "ci_low", "ci_high"])
    table = design.reset_index().merge(stats, on="point", how="left")
    table["stable"] = table["mean"] >= stable_min
    table["stable_surely"] = table["ci_low"] >= stable_min  # even at the interval's low end
    return table


# --------------------------------------------------------------------------- figures


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _short(name: str) -> str:
    return name.split(".", 1)[-1]


def _fig_sobol(table: pd.DataFrame, outcome: str, path: Path) -> None:
    plt = _plt()
    n = len(table)
    fig, ax = plt.subplots(figsize=(max(5.0, 0.9 * n + 2), 3.8))
    x = np.arange(n)
    ax.bar(x - 0.2, table["S1"], 0.4, yerr=table["S1_conf"], capsize=3, label="first order S1")
    ax.bar(x + 0.2, table["ST"], 0.4, yerr=table["ST_conf"], capsize=3, label="total ST")
    ax.set_xticks(x, list(table["parameter"]), rotation=30, ha="right")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylabel("Sobol index")
    ax.set_title(f"Sobol indices of {outcome} (bars: bootstrap intervals)")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fig_convergence(table: pd.DataFrame, outcome: str, path: Path) -> None:
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.0), sharey=True)
    groups = list(table.groupby("parameter", sort=False))
    colours = plt.get_cmap("tab20").colors
    for ax, idx in zip(axes, ("S1", "ST"), strict=True):
        for k, (name, group) in enumerate(groups):
            ax.errorbar(
                group["base_samples"] * (1 + 0.02 * (k - len(groups) / 2)),  # dodge the bars
                group[idx],
                yerr=group[f"{idx}_conf"],
                marker="o",
                ms=4,
                capsize=2,
                color=colours[k % len(colours)],
                label=name,
            )
        ax.set_xscale("log", base=2)
        ax.set_xlabel("base samples N")
        ax.set_title(f"{idx} of {outcome} (bars: bootstrap intervals)")
    axes[0].set_ylabel("index")
    fig.legend(*axes[1].get_legend_handles_labels(), loc="center right", frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0, 0.78, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fig_morris(table: pd.DataFrame, outcome: str, path: Path, labelled: int = 10) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 5))
    rank = (table["mu_star"] + table["sigma"]).rank(ascending=False, method="first")
    top = table[rank <= labelled]
    rest = table[rank > labelled]
    ax.scatter(rest["mu_star"], rest["sigma"], s=12, color="grey", label="other parameters")
    ax.errorbar(
        top["mu_star"],
        top["sigma"],
        xerr=top["mu_star_conf"],
        fmt="o",
        capsize=2,
        label=f"the {len(top)} most influential (mu* interval)",
    )
    for _, row in top.iterrows():
        ax.annotate(
            row["parameter"],
            (row["mu_star"], row["sigma"]),
            fontsize=7,
            xytext=(4, 3),
            textcoords="offset points",
        )
    peak = float(np.nanmax([table["mu_star"].max(), table["sigma"].max(), 1e-12]))
    ax.plot([0, peak], [0, peak], color="grey", lw=0.6, ls="--", label="sigma = mu*")
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (interactions, non-linearity)")
    ax.set_title(f"Morris screening of {outcome}")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _polygon(q: int) -> np.ndarray:
    angles = np.pi / 2 + 2 * np.pi * np.arange(q) / q
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _label(name: str, links: dict[str, list[str]]) -> str:
    """A crossed parameter's name, with the parameters linked to it."""
    linked = links.get(name) or []
    return name + (f" (and {', '.join(_short(n) for n in linked)})" if linked else "")


def _linked_note(name: str, links: dict[str, list[str]]) -> str:
    linked = links.get(name) or []
    return f"\n(and {', '.join(_short(n) for n in linked)})" if linked else ""


def _fig_simplex(
    table: pd.DataFrame,
    components: Sequence[str],
    crossed: Sequence[str],
    outcome: str,
    stable_min: float,
    stable_outcome: str,
    path: Path,
    links: dict[str, list[str]],
) -> None:
    plt = _plt()
    groups = list(table.groupby(list(crossed))) if crossed else [((), table)]
    fig, axes = plt.subplots(1, len(groups), figsize=(5.2 * len(groups) + 1, 5.0), squeeze=False)
    vertices = _polygon(len(components))
    vmin, vmax = float(table["mean"].min()), float(table["mean"].max())
    scatter = None
    for ax, (key, group) in zip(axes[0], groups, strict=True):
        shares = group[list(components)].to_numpy(dtype=float)
        shares = shares / shares.sum(axis=1, keepdims=True)
        xy = shares @ vertices
        ring = np.vstack([vertices, vertices[:1]])
        ax.plot(ring[:, 0], ring[:, 1], color="grey", lw=0.8)
        scatter = ax.scatter(
            xy[:, 0],
            xy[:, 1],
            c=group["mean"],
            cmap="viridis",
            vmin=vmin,
            vmax=vmax,
            s=70,
            edgecolors="none",
        )
        stable = group["stable"].to_numpy(dtype=bool)
        ax.scatter(
            xy[stable, 0],
            xy[stable, 1],
            s=140,
            facecolors="none",
            edgecolors="red",
            lw=1.2,
            label=f"stable ({stable_outcome} >= {stable_min:g})",
        )
        for (vx, vy), name in zip(vertices, components, strict=True):
            ax.annotate(
                _short(name),
                (vx, vy),
                xytext=(vx * 14, vy * 14),
                textcoords="offset points",
                ha="center",
                va="center",
                fontsize=8,
            )
        key = key if isinstance(key, tuple) else (key,)
        label = "\n".join(
            f"{c} = {v:g}" + _linked_note(c, links) for c, v in zip(crossed, key, strict=True)
        )
        ax.set_title(label or "all mixes", fontsize=8)
        ax.set_aspect("equal")
        ax.set_xlim(-1.35, 1.35)
        ax.set_ylim(-1.3, 1.35)
        ax.axis("off")
    axes[0][0].legend(loc="lower left", fontsize=7, frameon=False)
    fig.colorbar(scatter, ax=list(axes[0]), shrink=0.8, label=f"mean {outcome}")
    fig.suptitle(
        f"mean {outcome} over the mixture simplex (a corner: all the shared time on one "
        "component; the centre: equal shares)",
        fontsize=10,
    )
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fig_mixture_effects(
    table: pd.DataFrame,
    components: Sequence[str],
    crossed: Sequence[str],
    outcome: str,
    path: Path,
) -> None:
    plt = _plt()
    fig, axes = plt.subplots(
        1, len(components), figsize=(2.6 * len(components), 3.2), sharey=True, squeeze=False
    )
    groups = list(table.groupby(list(crossed))) if crossed else [((), table)]
    for ax, comp in zip(axes[0], components, strict=True):
        for key, group in groups:
            key = key if isinstance(key, tuple) else (key,)
            label = ", ".join(f"{_short(c)}={v:g}" for c, v in zip(crossed, key, strict=True))
            means = group.groupby(comp)["mean"].mean()
            ax.plot(means.index, means.to_numpy(), marker="o", label=label or None)
        ax.set_xlabel(f"share: {_short(comp)}")
    axes[0][0].set_ylabel(f"mean {outcome}")
    if crossed:
        axes[0][-1].legend(frameon=False, fontsize=7)
    fig.suptitle(
        f"{outcome} against each role's share (averaged over the other shares)", fontsize=10
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fig_main_effects(table: pd.DataFrame, outcome: str, path: Path) -> None:
    plt = _plt()
    params = list(dict.fromkeys(table["parameter"]))
    fig, axes = plt.subplots(
        1, len(params), figsize=(3.0 * len(params), 3.2), sharey=True, squeeze=False
    )
    for ax, name in zip(axes[0], params, strict=True):
        rows = table[table["parameter"] == name]
        ax.errorbar(rows["level"], rows["mean"], yerr=rows["sd"], marker="o", capsize=3)
        ax.set_xlabel(name)
    axes[0][0].set_ylabel(f"mean {outcome}")
    fig.suptitle(f"{outcome}: main effects (mean over the other parameters; bars: sd)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fig_variance(table: pd.DataFrame, path: Path) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(5.0, 0.8 * len(table) + 2), 3.6))
    x = np.arange(len(table))
    ax.bar(x, table["share_parameters"], label="parameters")
    ax.bar(
        x,
        table["share_replicates"],
        bottom=table["share_parameters"],
        label="replicates (stochasticity)",
    )
    ax.set_xticks(x, table["outcome"], rotation=30, ha="right")
    ax.set_ylabel("share of outcome variance")
    ax.set_ylim(0, 1)
    ax.legend(frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# --------------------------------------------------------------------------- driver


def _outcomes(
    runs_schema: Sequence[str], manifest: dict[str, Any], asked: Sequence[str]
) -> list[str]:
    params = set(manifest["design"]["columns"])
    available = [c for c in runs_schema if c not in RUN_COLUMNS and c not in params]
    wanted = list(asked) or list(manifest.get("outcomes") or []) or available
    return [c for c in wanted if c in available]


def _write(report: AnalysisReport, name: str, table: pd.DataFrame) -> None:
    path = report.out / f"{name}.csv"
    table.to_csv(path, index=False)
    report.files.append(path)
    report.tables[name] = table


def analyze_store(
    root: str | Path,
    out: str | Path | None = None,
    *,
    outcomes: Sequence[str] = (),
    figures: bool = True,
    experiment: str | Path | None = None,
    settings: Mapping[str, Any] | None = None,
) -> AnalysisReport:
    """Analyse the results store ``root`` (see the module docstring).

    The ``[analysis]`` settings (bootstrap, conf_level, stable_outcome, stable_min) come from,
    in order: ``settings``; the experiment file (``experiment``, else the file the sweep
    was run from, when it still exists and still describes this store's results); the
    manifest. So they can be changed without touching the results.

    Args:
        root: the store directory (a sweep's ``--out``).
        out: where to write tables and figures (default ``root/analysis``).
        outcomes: outcomes to analyse (default: the experiment's, else all).
        figures: also draw the PNG figures.
        experiment: an experiment file whose ``[analysis]`` settings to use.
        settings: ``[analysis]`` settings that override all others (e.g. command-line flags).

    Returns:
        An :class:`AnalysisReport`.

    Raises:
        InputError: ``experiment`` is unreadable, or describes other results.
    """
    store = ResultsStore.open(root)
    report = AnalysisReport(Path(out) if out else store.root / "analysis")
    manifest = _with_settings(store.manifest, experiment, settings or {}, report)
    report.out.mkdir(parents=True, exist_ok=True)
    design = store.read_design()
    schema = _schema(store)
    report.outcomes = _outcomes(schema, manifest, outcomes)
    cols = ["run_id", "point", "replicate", "status", *report.outcomes]
    runs = store.read_runs(cols)
    _notes(report, runs, manifest)
    if runs.empty:
        return report
    summary = point_summary(runs, report.outcomes, len(design))
    _write(report, "points", design.join(summary).reset_index())
    ok = runs[runs["status"] == "ok"]
    rows = [
        {
            "outcome": o,
            **variance_shares(ok["point"].to_numpy(), ok[o].to_numpy(), ok["replicate"].to_numpy()),
        }
        for o in report.outcomes
    ]
    variance = pd.DataFrame(rows)
    for row in rows:
        if row["method"] != "two-way" and row["mean_replicates"] > 1:
            report.notes.append(
                f"variance of {row['outcome']}: failed runs leave holes in the points x "
                f"replicates table; split used: {row['method']}"
                + (" (assumes replicates independent across points)" * (row["method"] == "one-way"))
            )
    _write(report, "variance", variance)
    if figures and len(variance):
        _save_fig(report, "variance.png", lambda p: _fig_variance(variance, p))
    kind = manifest["design"]["kind"]
    if kind == "sobol":
        _analyze_sobol(report, manifest, summary, figures)
    elif kind == "morris":
        _analyze_morris(report, manifest, design, summary, figures)
    elif kind == "mixture":
        _analyze_mixture(report, manifest, design, runs, figures)
    elif kind == "grid":
        _analyze_grid(report, design, summary, figures)
    return report


def _with_settings(
    manifest: dict[str, Any],
    experiment: str | Path | None,
    settings: Mapping[str, Any],
    report: AnalysisReport,
) -> dict[str, Any]:
    """A copy of the manifest whose ``[analysis]`` settings are the ones to use."""
    from concertsim.errors import InputError, verbatim
    from concertsim.experiment.spec import load_experiment

    manifest = copy.deepcopy(manifest)
    analysis = manifest["experiment"].setdefault("analysis", {})
    source = experiment or manifest.get("experiment_file")
    if source and (experiment or Path(source).is_file()):
        try:
            exp = load_experiment(source)
        except InputError:
            if experiment:
                raise
            exp = None
            report.notes.append(f"{source} no longer loads: [analysis] settings of the store")
        if exp is not None and _describes(exp, manifest):
            analysis.update(exp.to_dict()["analysis"])
            manifest["outcomes"] = list(exp.outcomes)  # outcomes of interest: the file's too
        elif exp is not None and experiment:
            raise InputError(
                str(source),
                "",
                "the experiment file of these results",
                verbatim("another experiment (parameters, design, model, ... differ)"),
            )
    analysis.update({k: v for k, v in settings.items() if v is not None})
    return manifest


def _describes(exp: Any, manifest: Mapping[str, Any]) -> bool:
    """Whether an experiment file describes the results of a store (seed aside)."""
    stored = manifest.get("identity")
    if stored is None:  # a store written before identities were recorded
        return False
    ours = json.loads(json.dumps(exp.identity(), default=str))
    theirs = {k: v for k, v in stored.items() if k != "base_scenario"}
    if ours["seed"] is None:  # fresh entropy: the store's, whatever it was
        ours["seed"] = theirs.get("seed")
    return ours == theirs


def _schema(store: ResultsStore) -> list[str]:
    import pyarrow.parquet as pq

    names: list[str] = []
    for part in store.part_files():
        for n in pq.read_schema(part).names:
            if n not in names:
                names.append(n)
    return names


def _notes(report: AnalysisReport, runs: pd.DataFrame, manifest: dict[str, Any]) -> None:
    total = int(manifest.get("n_runs", 0))
    if len(runs) < total:
        report.notes.append(f"{len(runs)} of {total} runs are in the store (sweep unfinished)")
    failed = int((runs["status"] != "ok").sum()) if len(runs) else 0
    if failed:
        report.notes.append(f"{failed} runs failed; indices use the successful runs only")


def _save_fig(report: AnalysisReport, name: str, draw: Callable[[Path], None]) -> None:
    path = report.out / name
    draw(path)
    report.files.append(path)


def _indexable(report: AnalysisReport, outcome: str, y: np.ndarray, summary: pd.DataFrame) -> bool:
    """Whether indices of an outcome can be computed; a note says why not, or what was filled.

    Sobol and Morris estimators need every design point: an unfinished sweep gives none, a
    point whose runs all failed is filled with the overall mean (and said so).
    """
    unrun = int((summary["runs_ok"] + summary["runs_failed"] == 0).sum())
    if unrun:
        report.notes.append(f"no indices of {outcome}: {unrun} design points have not run yet")
        return False
    finite = y[np.isfinite(y)]
    if not finite.size or np.ptp(finite) == 0:
        value = f" ({finite[0]:g} everywhere)" if finite.size else ""
        report.notes.append(f"{outcome} does not vary over the design{value}: no indices")
        return False
    missing = int((~np.isfinite(y)).sum())
    if missing:
        report.notes.append(
            f"{outcome}: {missing} design points without a successful run were given the mean "
            "of the others; the indices are approximate"
        )
    return True


def _settings(manifest: dict[str, Any]) -> tuple[int, float, int]:
    analysis = manifest["experiment"]["analysis"]
    seed = int(manifest["seed_entropy"]) % (2**32)
    return int(analysis["bootstrap"]), float(analysis["conf_level"]), seed


def _analyze_sobol(
    report: AnalysisReport, manifest: dict[str, Any], summary: pd.DataFrame, figures: bool
) -> None:
    problem = manifest["salib_problem"]
    second = bool(manifest["experiment"]["design"]["second_order"])
    resamples, conf, seed = _settings(manifest)
    firsts, seconds, convergence = [], [], []
    for outcome in report.outcomes:
        y = summary[f"{outcome}_mean"].to_numpy()
        if not _indexable(report, outcome, y, summary):
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
        for frame in (first, s2, conv):
            frame.insert(0, "outcome", outcome)
        firsts.append(first)
        seconds.append(s2)
        convergence.append(conv)
        if figures:
            _save_fig(
                report, f"sobol_{outcome}.png", lambda p, t=first, o=outcome: _fig_sobol(t, o, p)
            )
            _save_fig(
                report,
                f"sobol_convergence_{outcome}.png",
                lambda p, t=conv, o=outcome: _fig_convergence(t, o, p),
            )
    if not firsts:
        return
    _write(report, "sobol", pd.concat(firsts, ignore_index=True))
    if second:
        _write(report, "sobol_s2", pd.concat(seconds, ignore_index=True))
    _write(report, "sobol_convergence", pd.concat(convergence, ignore_index=True))


def _analyze_morris(
    report: AnalysisReport,
    manifest: dict[str, Any],
    design: pd.DataFrame,
    summary: pd.DataFrame,
    figures: bool,
) -> None:
    problem = manifest["salib_problem"]
    levels = int(manifest["experiment"]["design"]["levels"])
    resamples, conf, seed = _settings(manifest)
    x = design[problem["names"]].to_numpy(dtype=float)
    step = problem["num_vars"] + 1
    trajectories = len(x) // step
    frames, conv = [], []
    for outcome in report.outcomes:
        y = summary[f"{outcome}_mean"].to_numpy()
        if not _indexable(report, outcome, y, summary):
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
        if figures:
            _save_fig(
                report, f"morris_{outcome}.png", lambda p, t=table, o=outcome: _fig_morris(t, o, p)
            )
    if not frames:
        return
    morris = pd.concat(frames, ignore_index=True)
    rank = {o: i for i, o in enumerate(report.outcomes)}  # outcomes in order, mu* descending
    morris = morris.assign(_o=morris["outcome"].map(rank))
    morris = morris.sort_values(["_o", "mu_star"], ascending=[True, False]).drop(columns="_o")
    _write(report, "morris", morris.reset_index(drop=True))
    _write(report, "morris_convergence", pd.concat(conv, ignore_index=True))


def main_effects(design: pd.DataFrame, summary: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Mean of an outcome's point means at each level of each varying parameter of a grid."""
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


def _analyze_grid(
    report: AnalysisReport, design: pd.DataFrame, summary: pd.DataFrame, figures: bool
) -> None:
    frames = []
    for outcome in report.outcomes:
        table = main_effects(design, summary, outcome)
        if table.empty:
            continue
        frames.append(table)
        if figures:
            _save_fig(
                report,
                f"main_effects_{outcome}.png",
                lambda p, t=table, o=outcome: _fig_main_effects(t, o, p),
            )
    if frames:
        _write(report, "main_effects", pd.concat(frames, ignore_index=True))


def _analyze_mixture(
    report: AnalysisReport,
    manifest: dict[str, Any],
    design: pd.DataFrame,
    runs: pd.DataFrame,
    figures: bool,
) -> None:
    analysis = manifest["experiment"]["analysis"]
    components = list(manifest["design"]["sampled"])
    crossed = [c for c in manifest["design"]["crossed"] if design[c].nunique() > 1]
    conf, stable_min = float(analysis["conf_level"]), float(analysis["stable_min"])
    stable_outcome = analysis["stable_outcome"]
    links = {n: p.get("link", []) for n, p in manifest["experiment"]["parameters"].items()}
    if stable_outcome not in runs:
        report.notes.append(
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
        if figures:
            table["stable"] = base["stable"].to_numpy()
            _save_fig(
                report,
                f"simplex_{outcome}.png",
                lambda p, t=table, o=outcome: _fig_simplex(
                    t, components, crossed, o, stable_min, stable_outcome, p, links
                ),
            )
            _save_fig(
                report,
                f"mixture_effects_{outcome}.png",
                lambda p, t=table, o=outcome: _fig_mixture_effects(t, components, crossed, o, p),
            )
    _write(report, "mixture", wide)
    stable = wide[wide["stable"]].sort_values(f"{stable_outcome}_mean", ascending=False)
    _write(report, "stable_mixes", stable)
    groups = list(wide.groupby(crossed)) if crossed else [((), wide)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        where = ", ".join(f"{_label(c, links)} = {v:g}" for c, v in zip(crossed, key, strict=True))
        report.notes.append(
            f"{int(group['stable'].sum())} of {len(group)} mixes are stable "
            f"({stable_outcome} mean >= {stable_min:g})" + (f" at {where}" if where else "")
        )
