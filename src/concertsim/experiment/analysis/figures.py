"""Every figure of ``concertsim analyze``, drawn without pyplot.

Each function returns a :class:`matplotlib.figure.Figure` with an Agg canvas attached;
nothing here selects a backend or touches pyplot's state, so an analysis run in a notebook
leaves the notebook's own plotting alone. :func:`save` writes a figure to a PNG file.

Example:
    >>> import pandas as pd
    >>> t = pd.DataFrame({"outcome": ["y"], "share_parameters": [0.7], "share_replicates": [0.3]})
    >>> fig = variance(t)
    >>> type(fig).__name__, type(fig.canvas).__name__
    ('Figure', 'FigureCanvasAgg')
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "new_figure",
    "save",
    "sobol",
    "convergence",
    "morris",
    "simplex",
    "mixture_effects",
    "main_effects",
    "variance",
    "label",
    "short",
]

DPI = 120


def new_figure(figsize: tuple[float, float]) -> Figure:
    """A figure on its own Agg canvas (no pyplot, no backend switch)."""
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: str | Path) -> Path:
    """Write a figure as a PNG file."""
    fig.savefig(path, dpi=DPI, format="png")
    return Path(path)


def short(name: str) -> str:
    """A dotted parameter name without its section (``turnover.local_annual``: ``local_annual``)."""
    return name.split(".", 1)[-1]


def label(name: str, links: dict[str, list[str]]) -> str:
    """A crossed parameter's name, with the parameters linked to it."""
    linked = links.get(name) or []
    return name + (f" (and {', '.join(short(n) for n in linked)})" if linked else "")


def _linked_note(name: str, links: dict[str, list[str]]) -> str:
    linked = links.get(name) or []
    return f"\n(and {', '.join(short(n) for n in linked)})" if linked else ""


def sobol(table: pd.DataFrame, outcome: str, conf: float = 0.95) -> Figure:
    """S1 and ST of each parameter as bars with their bootstrap intervals."""
    n = len(table)
    fig = new_figure((max(5.0, 0.9 * n + 2), 3.8))
    ax = fig.subplots()
    x = np.arange(n)
    ax.bar(x - 0.2, table["S1"], 0.4, yerr=table["S1_conf"], capsize=3, label="first order S1")
    ax.bar(x + 0.2, table["ST"], 0.4, yerr=table["ST_conf"], capsize=3, label="total ST")
    ax.set_xticks(x, list(table["parameter"]), rotation=30, ha="right")
    ax.axhline(0, color="black", lw=0.6)
    ax.axhline(1, color="grey", lw=0.6, ls=":")
    ax.set_ylabel("Sobol index")
    ax.set_title(f"Sobol indices of {outcome} (bars: {conf:.0%} bootstrap intervals)")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def convergence(table: pd.DataFrame, outcome: str) -> Figure:
    """S1 and ST against the base sample size, one line per parameter."""
    from matplotlib import colormaps

    fig = new_figure((12, 4.0))
    axes = fig.subplots(1, 2, sharey=True)
    groups = list(table.groupby("parameter", sort=False))
    colours = colormaps["tab20"].colors
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
    return fig


def morris(table: pd.DataFrame, outcome: str, labelled: int = 10) -> Figure:
    """The mu*-sigma plane, the most influential parameters named, with mu*'s interval."""
    fig = new_figure((7, 5))
    ax = fig.subplots()
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
    return fig


def _polygon(q: int) -> np.ndarray:
    angles = np.pi / 2 + 2 * np.pi * np.arange(q) / q
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


def simplex(
    table: pd.DataFrame,
    components: Sequence[str],
    crossed: Sequence[str],
    outcome: str,
    stable_min: float,
    stable_outcome: str,
    links: dict[str, list[str]],
) -> Figure:
    """The outcome's mean over the mixture simplex, stable mixes ringed, a panel per level."""
    groups = list(table.groupby(list(crossed))) if crossed else [((), table)]
    fig = new_figure((5.2 * len(groups) + 1, 5.0))
    axes = fig.subplots(1, len(groups), squeeze=False)
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
                short(name),
                (vx, vy),
                xytext=(vx * 14, vy * 14),
                textcoords="offset points",
                ha="center",
                va="center",
                fontsize=8,
            )
        key = key if isinstance(key, tuple) else (key,)
        text = "\n".join(
            f"{c} = {v:g}" + _linked_note(c, links) for c, v in zip(crossed, key, strict=True)
        )
        ax.set_title(text or "all mixes", fontsize=8)
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
    return fig


def mixture_effects(
    table: pd.DataFrame, components: Sequence[str], crossed: Sequence[str], outcome: str
) -> Figure:
    """The outcome against each component's share (averaged over the other shares)."""
    fig = new_figure((2.6 * len(components), 3.2))
    axes = fig.subplots(1, len(components), sharey=True, squeeze=False)
    groups = list(table.groupby(list(crossed))) if crossed else [((), table)]
    for ax, comp in zip(axes[0], components, strict=True):
        for key, group in groups:
            key = key if isinstance(key, tuple) else (key,)
            text = ", ".join(f"{short(c)}={v:g}" for c, v in zip(crossed, key, strict=True))
            means = group.groupby(comp)["mean"].mean()
            ax.plot(means.index, means.to_numpy(), marker="o", label=text or None)
        ax.set_xlabel(f"share: {short(comp)}")
    axes[0][0].set_ylabel(f"mean {outcome}")
    if crossed:
        axes[0][-1].legend(frameon=False, fontsize=7)
    fig.suptitle(
        f"{outcome} against each role's share (averaged over the other shares)", fontsize=10
    )
    fig.tight_layout()
    return fig


def main_effects(table: pd.DataFrame, outcome: str) -> Figure:
    """The outcome at each level of each parameter of a grid (bars: sd over the others)."""
    params = list(dict.fromkeys(table["parameter"]))
    fig = new_figure((3.0 * len(params), 3.2))
    axes = fig.subplots(1, len(params), sharey=True, squeeze=False)
    for ax, name in zip(axes[0], params, strict=True):
        rows = table[table["parameter"] == name]
        ax.errorbar(rows["level"], rows["mean"], yerr=rows["sd"], marker="o", capsize=3)
        ax.set_xlabel(name)
    axes[0][0].set_ylabel(f"mean {outcome}")
    fig.suptitle(f"{outcome}: main effects (mean over the other parameters; bars: sd)", fontsize=10)
    fig.tight_layout()
    return fig


def variance(table: pd.DataFrame) -> Figure:
    """Shares of variance due to parameters and to replicates; "n/a" where not estimable."""
    fig = new_figure((max(5.0, 0.8 * len(table) + 2), 3.6))
    ax = fig.subplots()
    x = np.arange(len(table))
    params = table["share_parameters"].to_numpy(dtype=float)
    reps = table["share_replicates"].to_numpy(dtype=float)
    ax.bar(x, np.nan_to_num(params), label="parameters")
    ax.bar(x, np.nan_to_num(reps), bottom=np.nan_to_num(params), label="replicates (stochasticity)")
    for k in np.flatnonzero(~np.isfinite(params)):
        ax.text(x[k], 0.5, "n/a\n(1 replicate)", ha="center", va="center", fontsize=8)
    ax.set_xticks(x, table["outcome"], rotation=30, ha="right")
    ax.set_ylabel("share of outcome variance")
    ax.set_ylim(0, 1)
    ax.legend(frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    fig.tight_layout()
    return fig
