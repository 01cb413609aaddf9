"""The figure of a run: a headline (stability and survival), then the main series by level.

Made for a big screen (1920 pixels wide): the headline row shows the stability index
(median and 10-90% band across replicates) and the survival of the regional body (share of
runs in which it still exists, with its 95% Wilson band), with the events labelled; below,
one small panel per variable, one colour per level (the same in every panel and every
figure). Labels come from :mod:`concertsim.vocabulary` and this module's catalogue
(``run`` domain), in French or English.

Drawing is cheap on purpose: the layout is fixed in inches (no ``tight_layout``, which
measures every text twice), few ticks, one legend, the PNG written with light compression
(``benchmarks/bench_figure.py`` holds the figure to a share of the simulation's cost).

The figure is drawn on its own Agg canvas: importing or calling this module never selects a
matplotlib backend nor touches pyplot's state, so plots in a notebook keep working.

Example:
    >>> event_label(Event(month=36, kind="election"), "fr")
    'élections municipales'
    >>> event_label(Event(month=24, kind="turnover_wave", level="regional", share=0.5), "en")
    'staff exodus (regional)'
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator, MultipleLocator

from concertsim.i18n import messages
from concertsim.params import Event
from concertsim.vocabulary import label

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "plot_series",
    "run_figure",
    "LEVEL_COLOURS",
    "EVENT_COLOUR",
    "HEADLINE_COLOUR",
    "STYLE",
    "PANEL_ORDER",
    "band_table",
    "survival_band",
    "stability_band",
    "event_label",
    "mark_event",
]

I18N_DOMAIN = "run"

LEVEL_COLOURS: dict[str, str] = {
    "local": "#2a9d3a",
    "sectoral": "#e07b00",
    "regional": "#1f5fbf",
    "national": "#8e3ab5",
}
"""One colour per level, colour-blind-distinguishable, the same in every figure."""

HEADLINE_COLOUR = "#222222"
"""The headline series (stability index, survival): dark, apart from the levels' colours."""

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

_HEADLINE = ("stability",)
"""Series drawn in the headline row, not as small panels."""

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

_WIDTH = 19.2
"""Figure width in inches: 1920 pixels at :data:`_DPI`, a big screen's width."""
_DPI = 100
_COLUMNS = 5
"""Small panels per row."""


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


def event_label(event: Event, lang: str = "en") -> str:
    """What an event is called on a figure: its kind, and the level it hits if one."""
    text = label("event", event.kind, lang)
    level = getattr(event, "level", "all")
    if event.kind in ("turnover_wave", "key_departure") and level != "all":
        text += f" ({label('level', level, lang)})"
    return text


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


def stability_band(index: np.ndarray) -> np.ndarray:
    """(3, T+1): 10%, median and 90% across runs of a (runs, T+1) stability index.

    Example:
        >>> stability_band(np.array([[0.0, 1.0], [1.0, 1.0], [0.5, 1.0]]))[:, 0].tolist()
        [0.1, 0.5, 0.9]
    """
    return np.nanquantile(np.asarray(index, dtype=float), _BAND, axis=0)


def survival_band(alive: np.ndarray) -> np.ndarray:
    """(3, T+1): share of runs whose regional body exists each month, and its 95% band.

    Args:
        alive: (runs, T+1) share of regional bodies existing in each run (1 or 0 for
            one region; the regional ``participation`` series).

    Returns:
        Low, share, high per month: Wilson's interval when every run is 0 or 1, else a
        t-interval (:func:`concertsim.intervals.proportion_ci`).

    Example:
        >>> band = survival_band(np.array([[1.0, 1.0], [1.0, 0.0]]))
        >>> band[1].tolist(), bool(band[0, 1] < 0.5 < band[2, 1])
        ([1.0, 0.5], True)
    """
    from concertsim.intervals import proportion_ci

    alive = np.asarray(alive, dtype=float)
    out = np.empty((3, alive.shape[1]))
    for t in range(alive.shape[1]):
        share, low, high, _n = proportion_ci(alive[:, t])
        out[:, t] = (low, share, high)
    return out


def _panels(variables: Iterable[str]) -> list[str]:
    """Variables in display order (the headline's series left out)."""
    present = set(variables) - set(_HEADLINE)
    known = [v for v in PANEL_ORDER if v in present]
    return known + sorted(present - set(known))


def _event_months(events: Iterable[Any] | None, lang: str) -> list[tuple[int, str]]:
    """(month, label) of each event; accepts :class:`Event` objects or plain months."""
    marks = []
    for event in events or ():
        if isinstance(event, int | np.integer):
            marks.append((int(event), ""))
        else:
            marks.append((int(event.month), event_label(event, lang)))
    return marks


def _unit_axis(ax) -> None:
    """A share or index: its full scale, three ticks."""
    ax.set_ylim(-0.03, 1.05)
    ax.yaxis.set_major_locator(FixedLocator([0.0, 0.5, 1.0]))


def _draw_panel(ax, bands: pd.DataFrame, variable: str, lang: str) -> None:
    """One variable: a median line and a 10-90% band per level."""
    present = set(bands.index.get_level_values(0))
    levels = [lv for lv in LEVEL_COLOURS if lv in present] + sorted(present - set(LEVEL_COLOURS))
    for level in levels:
        b = bands.loc[level]
        colour = LEVEL_COLOURS.get(level, "#555555")
        months = b.index.to_numpy()
        ax.fill_between(months, b["q10"], b["q90"], color=colour, alpha=0.18, linewidth=0)
        ax.plot(months, b["q50"], color=colour, linewidth=2.5, label=label("level", level, lang))
    title = textwrap.fill(label("variable", variable, lang), 30)
    ax.set_title(title, loc="left", fontsize=14, y=1.0, pad=6)  # y given: no re-layout
    values = bands[["q10", "q50", "q90"]].to_numpy()
    finite = values[np.isfinite(values)]
    if finite.size and finite.min() >= 0.0 and finite.max() <= 1.0:
        _unit_axis(ax)
    else:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3))


def _draw_headline(ax, months: np.ndarray, band: np.ndarray, title: str, note: str) -> None:
    """A headline series: its central line and band, dark."""
    ax.fill_between(months, band[0], band[2], color=HEADLINE_COLOUR, alpha=0.15, linewidth=0)
    ax.plot(months, band[1], color=HEADLINE_COLOUR, linewidth=3.5)
    ax.set_title(title, loc="left", y=1.0, pad=8)
    ax.annotate(
        note,
        (1.0, 1.0),
        xycoords="axes fraction",
        xytext=(0, 8),
        textcoords="offset points",
        ha="right",
        va="baseline",
        fontsize=14,
        color="#444444",
    )
    _unit_axis(ax)


def _headline_data(
    series: pd.DataFrame, stability: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Months, the stability index (runs, T+1) and the regional body's existence (runs, T+1).

    The stability index is the one given (computed by
    :func:`concertsim.outcomes.stability_index` as the runs ran), else a ``stability``
    series of the table if it has one; existence is the regional ``participation`` series
    (1 while the regional body exists, 0 from the month it folds).
    """
    runs = np.sort(series["run"].unique())
    months = np.sort(series["month"].unique())

    def matrix(variable: str) -> np.ndarray | None:
        rows = series[(series["variable"] == variable) & (series["level"] == "regional")]
        if rows.empty:
            return None
        out = np.full((len(runs), len(months)), np.nan)
        out[np.searchsorted(runs, rows["run"]), np.searchsorted(months, rows["month"])] = rows[
            "value"
        ].to_numpy()
        return out

    index = np.asarray(stability, dtype=float)[:, : len(months)] if stability is not None else None
    if index is None:
        index = matrix("stability")
    return months, index, matrix("participation")


def plot_series(
    series: pd.DataFrame,
    path: str | Path,
    *,
    title: str,
    events: Iterable[Any] | None = None,
    stability: np.ndarray | None = None,
    lang: str = "en",
) -> Path:
    """Save a PNG of a run: the headline row, then every variable of a tidy series by level.

    Args:
        series: tidy table with columns run, month, level, variable, value.
        path: where to save the PNG.
        title: the figure's title (e.g. the scenario's name).
        events: scheduled events (:class:`~concertsim.params.Event`) or months, drawn as
            dashed vertical lines, labelled in the headline.
        stability: (runs, T+1) stability index of the runs, in the order of their run
            numbers (:func:`concertsim.outcomes.stability_index`); without it, a
            ``stability`` series of ``series`` if there is one, else no stability panel.
        lang: ``"en"`` or ``"fr"``: titles, legend and event labels.

    Returns:
        The path written.
    """
    with matplotlib.rc_context(STYLE):
        fig = run_figure(series, title=title, events=events, stability=stability, lang=lang)
        out = Path(path)
        fig.savefig(out, dpi=_DPI, pil_kwargs={"compress_level": 3})  # light: fast, ~10% larger
    return out


def run_figure(
    series: pd.DataFrame,
    *,
    title: str,
    events: Iterable[Any] | None = None,
    stability: np.ndarray | None = None,
    lang: str = "en",
) -> Figure:
    """The figure :func:`plot_series` saves, on its own Agg canvas (arguments as there)."""
    msg = messages(lang, I18N_DOMAIN)
    months, index, alive = _headline_data(series, stability)
    series = _with_posts_filled(series[~series["variable"].isin(_HEADLINE)])
    bands = band_table(series)
    panels = _panels(series["variable"].unique())
    marks = _event_months(events, lang)
    runs = int(series["run"].nunique())
    heads = [h for h in (index, alive) if h is not None]
    small_rows = -(-len(panels) // _COLUMNS)
    # Heights in inches: title, headline row, small rows, legend; gaps between rows.
    top, head, small, gap, bottom = 1.55, 3.4 if heads else 0.0, 2.3, 0.95, 1.05
    height = top + head + (gap if heads else 0.0) + small_rows * small
    height += max(small_rows - 1, 0) * gap + bottom
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(_WIDTH, height), dpi=_DPI)
        FigureCanvasAgg(fig)
        ratios = ([head] if heads else []) + [small] * small_rows
        grid = fig.add_gridspec(
            len(ratios),
            2 * _COLUMNS,
            height_ratios=ratios,
            left=0.75 / _WIDTH,
            right=1 - 0.25 / _WIDTH,
            top=1 - top / height,
            bottom=bottom / height,
            hspace=gap / (sum(ratios) / len(ratios)),
            wspace=0.55,
        )
        axes = []
        if heads:
            split = _COLUMNS if index is not None and alive is not None else 2 * _COLUMNS
            if index is not None:
                ax = fig.add_subplot(grid[0, :split])
                _draw_headline(
                    ax,
                    months,
                    stability_band(index),
                    label("variable", "stability", lang),
                    msg._("median and 10–90% of runs"),
                )
                axes.append(ax)
            if alive is not None:
                ax = fig.add_subplot(grid[0, split if index is not None else 0 :])
                _draw_headline(
                    ax,
                    months,
                    survival_band(alive),
                    label("outcome", "survived", lang),
                    msg._("share of runs, 95% interval"),
                )
                axes.append(ax)
        for i, variable in enumerate(panels):
            row, col = divmod(i, _COLUMNS)
            ax = fig.add_subplot(grid[row + bool(heads), 2 * col : 2 * col + 2])
            _draw_panel(ax, bands.loc[variable], variable, lang)
            axes.append(ax)
        first, last = (int(months.min()), int(months.max())) if months.size else (0, 1)
        step = max(12, 12 * round(last / 60))
        few = FixedLocator([first, (first + last) // 2, last])  # the small panels' months
        last_row = [False] * len(axes)
        for i, ax in enumerate(axes):
            small_index = i - len(heads)
            # Few ticks: each tick is five artists, and ticks are most of the drawing's cost.
            ax.xaxis.set_major_locator(MultipleLocator(step) if small_index < 0 else few)
            ax.set_xlim(first, last)
            ax.grid(True, alpha=0.3)
            last_row[i] = small_index < 0 or small_index + _COLUMNS >= len(panels)
            if not last_row[i]:
                ax.tick_params(labelbottom=False)
            for month, text in marks:
                mark_event(ax, month, text if small_index < 0 else "")
        for i, ax in enumerate(axes):
            if i >= len(heads) and last_row[i]:
                ax.set_xlabel(label("word", "month", lang), labelpad=2)
        _legend(fig, axes, marks, msg)
        fig.suptitle(title, x=0.75 / _WIDTH, y=1 - 0.15 / height, ha="left", va="top")
        fig.text(
            0.75 / _WIDTH,
            1 - 0.62 / height,
            msg.ngettext(
                "{n} run: median and 10–90% band across runs; events dashed",
                "{n} runs: median and 10–90% band across runs; events dashed",
                runs,
            ).format(n=runs),
            fontsize=15,
            va="top",
        )
    return fig


def _legend(fig, axes, marks: list[tuple[int, str]], msg) -> None:
    """One legend for the whole figure: levels, the band, and the events."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles, labels = [], []
    for ax in axes:
        for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
            if text not in labels:
                handles.append(handle)
                labels.append(text)
    handles.append(Patch(color="#888888", alpha=0.3))
    labels.append(msg._("10–90% of runs"))
    if marks:
        handles.append(Line2D([], [], color=EVENT_COLOUR, linestyle="--", linewidth=1.8))
        labels.append(msg._("events"))
    fig.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=len(labels),
        frameon=False,
    )
