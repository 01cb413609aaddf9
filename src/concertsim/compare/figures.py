"""The figures of a comparison, in the run figure's style, in French or English.

* :func:`plot_survival`: Kaplan–Meier curves of the regional body with their bands;
* :func:`plot_bands`: the stability index and the main series, median and 10-90% band of
  the runs, one colour per scenario;
* :func:`plot_difference`: each scenario's paired difference from the baseline month by
  month, with its 95% interval;
* :func:`plot_paired`: the paired differences of the headline outcomes at the horizon.

Each draws on its own Agg canvas (no pyplot state) and writes a PNG.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from concertsim.i18n import messages
from concertsim.plots import STYLE, mark_event
from concertsim.vocabulary import label

from .core import MAIN_SERIES
from .survival import SurvivalCurve

__all__ = [
    "SCENARIO_COLOURS",
    "scenario_colours",
    "plot_survival",
    "plot_bands",
    "plot_difference",
    "plot_paired",
]

I18N_DOMAIN = "report"

SCENARIO_COLOURS = ("#222222", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
"""Okabe–Ito colours, colour-blind-distinguishable; the baseline is the first (near black)."""


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """A colour per scenario, in order (the baseline first), cycling past seven.

    Example:
        >>> scenario_colours(["baseline", "imposed"])
        {'baseline': '#222222', 'imposed': '#0072b2'}
    """
    return {n: SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)] for i, n in enumerate(names)}


def _series_title(variable: str, level: str, lang: str) -> str:
    if variable == "stability":
        return label("variable", "stability", lang)
    return f"{label('variable', variable, lang)} · {label('level', level, lang)}"


def _save(fig: Figure, path: str | Path) -> Path:
    out = Path(path)
    fig.savefig(out, dpi=90)
    return out


def plot_survival(
    curves: Mapping[str, SurvivalCurve], path: str | Path, *, lang: str = "en"
) -> Path:
    """Kaplan–Meier survival of the regional body per scenario, with 95% bands."""
    msg = messages(lang, I18N_DOMAIN)
    colours = scenario_colours(list(curves))
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(11, 6.2))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        names = list(curves)
        for i, name in reversed(list(enumerate(names))):  # the baseline on top, dashed
            c = curves[name]
            ax.fill_between(
                c.months, c.low, c.high, step="post", color=colours[name], alpha=0.12, lw=0
            )
            style = {"ls": "--", "lw": 2.4, "zorder": 5} if i == 0 else {"lw": 3}
            ax.step(c.months, c.survival, where="post", color=colours[name], label=name, **style)
        handles, labels = ax.get_legend_handles_labels()
        order = [labels.index(n) for n in names]
        ax.set_ylim(-0.02, 1.05)
        ax.margins(x=0)
        ax.set_xlabel(label("word", "month", lang))
        ax.set_ylabel(msg._("Share of regional bodies still there"))
        ax.set_title(msg._("Survival of the regional body (Kaplan–Meier, 95% band)"), loc="left")
        ax.grid(True, alpha=0.3)
        ax.legend([handles[i] for i in order], names, loc="lower left", frameon=False)
        fig.tight_layout()
        return _save(fig, path)


def plot_bands(
    bands: pd.DataFrame,
    path: str | Path,
    *,
    order: Sequence[str],
    events: Mapping[str, Sequence[int]] | None = None,
    lang: str = "en",
) -> Path:
    """The main series by scenario: median line and 10-90% band of the runs.

    Args:
        bands: :func:`~concertsim.compare.core.bands_table`.
        path: the PNG to write.
        order: the scenarios, baseline first.
        events: months of each scenario's events, marked on every panel.
        lang: ``"en"`` or ``"fr"``.
    """
    msg = messages(lang, I18N_DOMAIN)
    colours = scenario_colours(order)
    present = set(zip(bands["variable"], bands["level"], strict=True))
    panels = [p for p in MAIN_SERIES if p in present] + sorted(present - set(MAIN_SERIES))
    ncols = 3 if len(panels) > 4 else 2
    nrows = -(-len(panels) // ncols)
    months = sorted({m for ms in (events or {}).values() for m in ms})
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(7.0 * ncols, 4.3 * nrows + 1.2))
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False)
        for ax, (variable, level) in zip(axes.flat, panels, strict=False):
            one = bands[(bands["variable"] == variable) & (bands["level"] == level)]
            for i, name in reversed(list(enumerate(order))):  # the baseline on top, dashed
                b = one[one["scenario"] == name]
                ax.fill_between(b["month"], b["q10"], b["q90"], color=colours[name], alpha=0.1)
                style = {"ls": "--", "lw": 2.2, "zorder": 5} if i == 0 else {"lw": 2.6}
                ax.plot(b["month"], b["q50"], color=colours[name], label=name, **style)
            for m in months:
                mark_event(ax, m)
            ax.set_title(_series_title(variable, level, lang), loc="left", fontsize="medium")
            ax.grid(True, alpha=0.3)
            ax.margins(x=0)
        for ax in axes.flat[len(panels) :]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel(label("word", "month", lang))
        handles, labels = axes.flat[0].get_legend_handles_labels()
        handles = [handles[labels.index(n)] for n in order]
        fig.legend(handles, list(order), loc="lower center", ncol=len(order), frameon=False)
        fig.suptitle(msg._("Median and 10–90% band of the runs, by scenario"), x=0.01, ha="left")
        fig.tight_layout(rect=(0, 0.8 / fig.get_figheight(), 1, 1 - 0.5 / fig.get_figheight()))
        return _save(fig, path)


def plot_difference(
    differences: pd.DataFrame,
    path: str | Path,
    *,
    order: Sequence[str],
    variable: str = "stability",
    level: str = "regional",
    lang: str = "en",
) -> Path:
    """Each scenario minus the baseline, run by run, month by month: mean and 95% interval."""
    msg = messages(lang, I18N_DOMAIN)
    colours = scenario_colours(order)
    one = differences[(differences["variable"] == variable) & (differences["level"] == level)]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(11, 6.2))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.axhline(0.0, color=colours[order[0]], lw=1.5)
        for name in order[1:]:
            d = one[one["scenario"] == name]
            ax.fill_between(d["month"], d["low"], d["high"], color=colours[name], alpha=0.2, lw=0)
            ax.plot(d["month"], d["difference"], color=colours[name], lw=2.6, label=name)
        ax.margins(x=0)
        ax.grid(True, alpha=0.3)
        ax.set_xlabel(label("word", "month", lang))
        ax.set_ylabel(msg._("Difference from {baseline}").format(baseline=order[0]))
        title = msg._("{series}: paired difference from the baseline (95% interval)")
        ax.set_title(title.format(series=_series_title(variable, level, lang)), loc="left")
        ax.legend(loc="lower left", frameon=False)
        fig.tight_layout()
        return _save(fig, path)


def plot_paired(
    paired: pd.DataFrame,
    path: str | Path,
    *,
    order: Sequence[str],
    outcomes: Sequence[str],
    lang: str = "en",
) -> Path:
    """The paired difference of each headline outcome from the baseline, with its interval."""
    msg = messages(lang, I18N_DOMAIN)
    colours = scenario_colours(order)
    alternatives = list(order[1:])
    with matplotlib.rc_context(STYLE):
        rows = len(outcomes) * max(len(alternatives), 1)
        fig = Figure(figsize=(11, 2.4 + 0.36 * rows + 0.5 * len(outcomes)))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        step = 0.8 / max(len(alternatives), 1)
        for i, name in enumerate(alternatives):
            rows = paired[paired["scenario"] == name].set_index("outcome")
            ys = np.arange(len(outcomes)) - 0.4 + step * (i + 0.5)
            for y, outcome in zip(ys, outcomes, strict=True):
                if outcome not in rows.index:
                    continue
                r = rows.loc[outcome]
                ax.plot([r["low"], r["high"]], [y, y], color=colours[name], lw=3)
                ax.plot([r["difference"]], [y], "o", color=colours[name], ms=8)
            ax.plot([], [], "o-", color=colours[name], label=name)
        ax.axvline(0.0, color="#222222", lw=1.2)
        ax.set_yticks(np.arange(len(outcomes)))
        ax.set_yticklabels([label("outcome", o, lang) for o in outcomes])
        ax.invert_yaxis()
        ax.grid(True, axis="x", alpha=0.3)
        ax.set_xlabel(msg._("Difference from {baseline}").format(baseline=order[0]))
        ax.set_title(msg._("Paired differences at the horizon (95% interval)"), loc="left")
        ncol = min(len(alternatives), 3)
        fig.legend(loc="lower center", ncol=max(ncol, 1), frameon=False, fontsize="small")
        legend_rows = -(-len(alternatives) // max(ncol, 1))
        fig.tight_layout(rect=(0, (0.15 + 0.35 * legend_rows) / fig.get_figheight(), 1, 1))
        return _save(fig, path)
