"""The figure of a run: the main series by level, median and 10-90% band across replicates.

Made for a big screen: one panel per variable, one colour per level (the same in every
panel and every figure), large type, event months marked.

The figure is drawn on its own Agg canvas: importing or calling this module never selects a
matplotlib backend nor touches pyplot's state, so plots in a notebook keep working.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "plot_series",
    "LEVEL_COLOURS",
    "EVENT_COLOUR",
    "STYLE",
    "PANEL_ORDER",
    "PANEL_TITLES",
    "band_table",
    "mark_event",
]

LEVEL_COLOURS: dict[str, str] = {
    "local": "#2a9d3a",
    "sectoral": "#e07b00",
    "regional": "#1f5fbf",
    "national": "#8e3ab5",
}
"""One colour per level, colour-blind-distinguishable, the same in every figure."""

PANEL_ORDER: tuple[str, ...] = (
    "credibility",
    "legitimacy",
    "assent",
    "knowledge",
    "capacity",
    "leadership",
    "participation",
    "engagement",
    "posts_filled",
    "ties",
    "funding",
)
"""Variables in the order they are shown; others follow alphabetically."""

PANEL_TITLES: dict[str, str] = {
    "credibility": "Credibility",
    "legitimacy": "Legitimacy (assent from below)",
    "assent": "Assent",
    "knowledge": "Knowledge (share of reality known)",
    "capacity": "Capacity (local built, regional per post)",
    "leadership": "Leadership",
    "participation": "Participation (share taking part)",
    "engagement": "Engagement",
    "posts_filled": "Posts filled (staff / posts)",
    "staff": "Staff in post",
    "vacancies": "Vacant posts",
    "ties": "Tie density (ties per person)",
    "funding": "Funding of the regional body",
}
"""Panel titles a room can read; unknown variables get their name, capitalised."""

EVENT_COLOUR = "#b00020"
"""Events (shocks, elections, funding cuts) on every time axis."""

_BAND = (0.1, 0.5, 0.9)
STYLE: dict[str, object] = {
    "font.size": 15,
    "axes.titlesize": 18,
    "axes.titleweight": "bold",
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 16,
    "figure.titlesize": 24,
}
"""matplotlib settings of every concertsim figure (run, report, app): large type for a room."""


def mark_event(ax, month: float, text: str = "") -> None:
    """An event on a time axis: a dashed vertical line, labelled at the top when ``text``."""
    ax.axvline(month, color=EVENT_COLOUR, linestyle="--", linewidth=1.8, alpha=0.8)
    if text:
        ax.annotate(
            text,
            (month, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, -4),
            textcoords="offset points",
            rotation=90,
            va="top",
            fontsize="small",
            color=EVENT_COLOUR,
        )


def _with_posts_filled(series: pd.DataFrame) -> pd.DataFrame:
    """Replace ``staff`` and ``vacancies`` by ``posts_filled`` = staff / (staff + vacancies).

    Counts of people differ by orders of magnitude between levels; the share of posts
    filled is comparable across levels and shows turnover and vacancies at a glance.
    """
    import pandas as pd

    names = set(series["variable"].unique())
    if not {"staff", "vacancies"} <= names:
        return series
    keys = ["run", "month", "level"]
    staff = series[series["variable"] == "staff"].set_index(keys)["value"]
    vacant = series[series["variable"] == "vacancies"].set_index(keys)["value"]
    posts = staff.add(vacant, fill_value=0.0)
    filled = (staff / posts.where(posts > 0)).rename("value").reset_index()
    filled["variable"] = "posts_filled"
    rest = series[~series["variable"].isin(["staff", "vacancies"])]
    return pd.concat([rest, filled[list(series.columns)]], ignore_index=True)


def band_table(series: pd.DataFrame) -> pd.DataFrame:
    """10%, median and 90% of ``value`` across runs, per variable, level and month.

    Returns:
        A frame indexed by (variable, level, month) with columns ``q10``, ``q50``, ``q90``.
    """
    grouped = series.groupby(["variable", "level", "month"], sort=True)["value"]
    table = grouped.quantile(list(_BAND)).unstack()
    table.columns = ["q10", "q50", "q90"]
    return table


def _panels(variables: Iterable[str]) -> list[str]:
    """Variables in display order."""
    present = set(variables)
    known = [v for v in PANEL_ORDER if v in present]
    return known + sorted(present - set(known))


def _event_months(events: Iterable[Any] | None) -> list[tuple[int, str]]:
    """(month, label) of each event; accepts :class:`Event` objects or plain months."""
    marks = []
    for event in events or ():
        if isinstance(event, int | np.integer):
            marks.append((int(event), ""))
        else:
            level = getattr(event, "level", "all")
            label = event.kind.replace("_", " ") + ("" if level == "all" else f" ({level})")
            marks.append((int(event.month), label))
    return marks


def _draw_panel(ax, bands: pd.DataFrame, variable: str, marks: list[tuple[int, str]]) -> None:
    """One variable: a median line and a 10-90% band per level, events as vertical lines."""
    levels = [lv for lv in LEVEL_COLOURS if lv in bands.index.get_level_values(0)]
    levels += sorted(set(bands.index.get_level_values(0)) - set(levels))
    for level in levels:
        b = bands.loc[level]
        colour = LEVEL_COLOURS.get(level, "#555555")
        months = b.index.to_numpy()
        ax.fill_between(months, b["q10"], b["q90"], color=colour, alpha=0.18, linewidth=0)
        ax.plot(months, b["q50"], color=colour, linewidth=3, label=level)
    for month, _label in marks:
        mark_event(ax, month)
    ax.set_title(PANEL_TITLES.get(variable, variable.replace("_", " ").capitalize()), loc="left")
    ax.grid(True, alpha=0.3)
    ax.margins(x=0)
    values = bands[["q10", "q50", "q90"]].to_numpy()
    finite = values[np.isfinite(values)]
    if finite.size and finite.min() >= 0.0 and finite.max() <= 1.0:
        ax.set_ylim(-0.02, 1.05)  # shares and indices on their full scale


def plot_series(
    series: pd.DataFrame,
    path: str | Path,
    *,
    title: str,
    events: Iterable[Any] | None = None,
) -> Path:
    """Save a PNG of every variable of a tidy series, by level, across runs.

    Args:
        series: tidy table with columns run, month, level, variable, value.
        path: where to save the PNG.
        title: the figure's title (e.g. the scenario's name).
        events: scheduled events (objects with ``month`` and ``kind``) or months, drawn
            as dashed vertical lines.

    Returns:
        The path written.
    """
    series = _with_posts_filled(series)
    bands = band_table(series)
    panels = _panels(series["variable"].unique())
    marks = _event_months(events)
    ncols = 4 if len(panels) > 9 else 3 if len(panels) > 4 else max(len(panels), 1)
    nrows = max(1, -(-len(panels) // ncols))
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(7.2 * ncols, 4.4 * nrows + 1.5))
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False)
        for ax, variable in zip(axes.flat, panels, strict=False):
            _draw_panel(ax, bands.loc[variable], variable, marks)
        for ax in axes.flat[len(panels) :]:
            ax.set_visible(False)
        for column in range(ncols):
            shown = [ax for ax in axes[:, column] if ax.get_visible()]
            if shown:
                shown[-1].xaxis.set_tick_params(labelbottom=True)
                shown[-1].set_xlabel("month")
        _legend(fig, axes, marks)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
        top = 1 - 0.6 / fig.get_figheight()
        bottom = 0.7 / fig.get_figheight()
        fig.tight_layout(rect=(0, bottom, 1, top))
        out = Path(path)
        fig.savefig(out, dpi=100)
    return out


def _legend(fig, axes, marks: list[tuple[int, str]]) -> None:
    """One legend for the whole figure: levels, the band, and the events."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles, labels = [], []
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    handles.append(Patch(color="#888888", alpha=0.3))
    labels.append("10-90% of runs")
    if marks:
        handles.append(Line2D([], [], color=EVENT_COLOUR, linestyle="--", linewidth=1.8))
        names = sorted({label for _, label in marks if label})
        labels.append("events: " + ", ".join(names) if names else "events")
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
