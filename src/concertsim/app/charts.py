"""The twin's charts: both copies overlaid, the gap between them shaded, events marked.

One figure, kept between months: the axes, ticks and titles are drawn once and kept as
pixels; each month only the lines, the shaded gap and the event lines are drawn on top of
them (matplotlib's blitting) and the picture is encoded as PNG bytes on the server. The style,
level colours and event lines are :mod:`concertsim.plots`' (the ``run`` figure's).

Example:
    >>> from concertsim.app.twin import Twin
    >>> twin = Twin(seed=2)
    >>> twin.run(3)
    >>> charts = TwinCharts(twin.horizon, "en")
    >>> charts.png(twin)[:4]
    b'\\x89PNG'
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from concertsim.app.account import event_label
from concertsim.app.twin import Twin
from concertsim.i18n import messages
from concertsim.observe import VARIABLES
from concertsim.params import LEVELS
from concertsim.plots import EVENT_COLOUR, LEVEL_COLOURS, STYLE, mark_event
from concertsim.vocabulary import label

I18N_DOMAIN = "app"

__all__ = ["TwinCharts", "PANELS", "Panel", "encode_png"]


@dataclass(frozen=True)
class Panel:
    """One chart: a series (``stability`` is the index) at a level."""

    variable: str
    level: str


PANELS: tuple[Panel, ...] = (
    Panel("stability", "regional"),
    Panel("credibility", "regional"),
    Panel("leadership", "local"),
    Panel("participation", "local"),
    Panel("funding", "regional"),
    Panel("engagement", "local"),
)
"""The charts shown, in order: what a room follows."""

_REFERENCE = "#6b6b6b"
_DPI = 80
_LABEL_GAP = 8
"""Months between two event lines below which their names share one label."""
_LABEL_CHARS = 18
"""Longest label that fits along a panel's height."""


def _short(name: str) -> str:
    """A label that fits along a panel's height."""
    return name if len(name) <= _LABEL_CHARS else name[: _LABEL_CHARS - 1] + "…"


def _titles(msg) -> dict[str, str]:
    """Each panel's title, short enough for its chart."""
    return {
        "stability": msg._("Stability index"),
        "credibility": msg._("Credibility of the regional body"),
        "leadership": msg._("Leadership in local committees"),
        "participation": msg._("Local committees taking part"),
        "funding": msg._("Funding of the regional body"),
        "engagement": msg._("Engagement of local committees"),
    }


def _values(twin: Twin, panel: Panel) -> np.ndarray:
    """(2, months + 1) the panel's series in both copies."""
    if panel.variable == "stability":
        return twin.stability()
    v, lv = VARIABLES.index(panel.variable), LEVELS.index(panel.level)
    return twin.series()[:, :, v, lv]


class TwinCharts:
    """The charts of one session in one language, redrawn month by month.

    Args:
        horizon: the x-axis' end (months).
        lang: ``"en"`` or ``"fr"``.
    """

    def __init__(self, horizon: int, lang: str) -> None:
        self.lang = lang
        self.horizon = horizon
        msg = messages(lang, I18N_DOMAIN)
        with matplotlib.rc_context(STYLE):
            self.figure = Figure(figsize=(12.5, 7.0))
            FigureCanvasAgg(self.figure)
            axes = self.figure.subplots(2, 3, sharex=True)
        self.axes = list(axes.flat)
        self._lines, self._gap, self._marked = [], [None] * len(PANELS), 0
        with matplotlib.rc_context(STYLE):
            for ax, panel in zip(self.axes, PANELS, strict=True):
                colour = LEVEL_COLOURS[panel.level]
                ref = ax.plot([], [], color=_REFERENCE, lw=2.2, ls="--", animated=True)[0]
                shk = ax.plot([], [], color=colour, lw=3, animated=True)[0]
                self._lines.append((ref, shk))
                ax.set_title(_titles(msg)[panel.variable], loc="left", fontsize=12.5)
                ax.set_xlim(0, horizon)
                ax.set_ylim(-0.02, 1.05)
                ax.grid(True, alpha=0.3)
                ax.tick_params(labelsize=12)
            for ax in self.axes[3:]:
                ax.set_xlabel(label("word", "month", lang), fontsize=13)
            handles = [
                self._lines[0][0],
                matplotlib.lines.Line2D([], [], color="#333333", lw=3),
                matplotlib.patches.Patch(color=EVENT_COLOUR, alpha=0.18),
            ]
            names = [
                msg._("Reference (untouched)"),
                msg._("Shocked twin"),
                msg._("Difference"),
            ]
            self.figure.legend(handles, names, loc="lower center", ncol=3, frameon=False)
            self.figure.tight_layout(rect=(0, 0.06, 1, 1))
        self.figure.set_dpi(_DPI)
        self._background = None
        self._marks: list = []
        self._labels: list = []  # [month, names, text] of each label on the first panel

    def update(self, twin: Twin) -> None:
        """Bring the lines, the shaded gap and the event lines up to ``twin``'s month."""
        months = np.arange(twin.month + 1)
        first = min((e.month for e in twin.live), default=None)
        for i, (ax, panel) in enumerate(zip(self.axes, PANELS, strict=True)):
            values = _values(twin, panel)
            for line, row in zip(self._lines[i], values, strict=True):
                line.set_data(months, row)
            if self._gap[i] is not None:
                self._gap[i].remove()
                self._gap[i] = None
            if first is not None and first < len(months):
                seg = slice(first, None)
                self._gap[i] = ax.fill_between(
                    months[seg],
                    values[0, seg],
                    values[1, seg],
                    color=EVENT_COLOUR,
                    alpha=0.18,
                    linewidth=0,
                    animated=True,
                )
        for event in twin.live[self._marked :]:
            self._mark(event)
        self._marked = len(twin.live)

    def _mark(self, event) -> None:
        """An event's line on every panel; its name on the first panel, or, when the line
        is too close to the previous label for a label of its own, a "+1" on that label."""
        name = event_label(event, self.lang)
        close = bool(self._labels) and event.month - self._labels[-1][0] < _LABEL_GAP
        for j, ax in enumerate(self.axes):
            before = [*ax.lines, *ax.texts]
            with matplotlib.rc_context(STYLE):
                mark_event(ax, event.month, _short(name) if j == 0 and not close else "")
            for artist in [*ax.lines, *ax.texts]:
                if artist not in before:
                    artist.set_animated(True)
                    self._marks.append((ax, artist))
                    if j == 0 and not close and artist in ax.texts:
                        self._labels.append([event.month, [name], artist])
        if close:
            month, names, text = self._labels[-1]
            names.append(name)
            text.set_text(_short(names[0]) + f" +{len(names) - 1}")

    def png(self, twin: Twin | None = None) -> bytes:
        """The figure as PNG bytes (updated to ``twin`` first, when given)."""
        if twin is not None:
            self.update(twin)
        canvas = self.figure.canvas
        if self._background is None:  # the static part, drawn once
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        canvas.restore_region(self._background)
        for ax, gap, lines in zip(self.axes, self._gap, self._lines, strict=True):
            for artist in (gap, *lines):
                if artist is not None:
                    ax.draw_artist(artist)
        for ax, artist in self._marks:
            ax.draw_artist(artist)
        return encode_png(canvas)

    def save(self, path: str, twin: Twin) -> None:
        """A PNG of the charts for the trainer to keep (what the page shows)."""
        with open(path, "wb") as f:
            f.write(self.png(twin))


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas' pixels as PNG bytes, compressed lightly (speed over size)."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="PNG", compress_level=1)
    return buf.getvalue()
