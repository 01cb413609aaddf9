"""The structure, drawn: the four levels of one region as a room recognises them.

National actors at the top, the regional body below them, the sectoral tables, then the
local committees at the bottom. Each organisation is a disc sized by its posts and
coloured by its credibility (red low, green high); its seats ring it, filled while someone
holds them, empty while vacant; personal ties between two
organisations' people are lines, thicker for more ties; a dormant member or a folded
regional body is grey, a member not taking part has a dashed rim. The reference and the
shocked twin are drawn side by side and redrawn every month (the frame, labels and legend
are drawn once and kept as pixels).

Example:
    >>> from concertsim.app.twin import Twin
    >>> twin = Twin(seed=2)
    >>> twin.run(6)
    >>> StructurePicture(twin, "fr").png(twin)[:4]
    b'\\x89PNG'
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from concertsim.app.charts import encode_png
from concertsim.app.twin import Twin
from concertsim.i18n import messages
from concertsim.layout import Layout
from concertsim.model import ConcertationModel
from concertsim.params import LEVELS
from concertsim.plots import LEVEL_COLOURS, STYLE
from concertsim.submodels.networking import live_ties
from concertsim.vocabulary import label

I18N_DOMAIN = "app"

__all__ = ["StructurePicture", "positions", "tie_counts"]

_ROW = {"national": 3.0, "regional": 2.0, "sectoral": 1.0, "local": 0.0}
_CMAP = matplotlib.colormaps["RdYlGn"]
_GREY = (0.78, 0.78, 0.78, 1.0)
_LOW, _HIGH = 0.2, 0.8
"""Credibility shown fully red at or below _LOW, fully green at or above _HIGH (the range
organisations live in: the colours then tell them apart)."""
_DPI = 80


def positions(lay: Layout, region: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the organisations shown (``region``'s and the national actors), and
    the indices of those organisations in the layout.

    Example:
        >>> from concertsim.params import Structure
        >>> xy, shown = positions(Layout.from_structure(Structure()))
        >>> xy.shape, len(shown)
        ((17, 2), 17)
    """
    shown, xy = [], []
    for level in LEVELS:
        orgs = np.arange(lay.groups)[lay.level_slice[level]]
        orgs = orgs[(lay.org_region[orgs] == region) | (lay.org_region[orgs] < 0)]
        n = len(orgs)
        xs = (np.arange(n) + 0.5) / max(n, 1) if n else np.array([])
        shown += orgs.tolist()
        xy += [(x, _ROW[level]) for x in xs]
    return np.array(xy, dtype=float), np.array(shown, dtype=int)


def tie_counts(model: ConcertationModel) -> np.ndarray:
    """(G, G) live personal ties between the people of each pair of organisations."""
    s, lay = model.engine.state, model.engine.layout
    live = live_ties(s)[0]
    holder = np.broadcast_to(np.arange(lay.people)[:, None], live.shape)[live]
    partner = s.tie_partner[0][live]
    a, b = lay.post_org[holder], lay.post_org[partner]
    counts = np.zeros((lay.groups, lay.groups))
    np.add.at(counts, (np.minimum(a, b), np.maximum(a, b)), 1.0)
    return counts


class StructurePicture:
    """The twin's structures side by side, in one language, redrawn month by month."""

    def __init__(self, twin: Twin, lang: str) -> None:
        self.lang = lang
        msg = messages(lang, I18N_DOMAIN)
        lay = twin.reference.engine.layout
        self.layout = lay
        self.xy, self.shown = positions(lay)
        posts = lay.org_posts[self.shown]
        self.sizes = 260.0 + 140.0 * posts
        self.seat_xy, self.seat_post = self._seats(posts)
        with matplotlib.rc_context(STYLE):
            self.figure = Figure(figsize=(13.5, 5.4), dpi=_DPI)
            FigureCanvasAgg(self.figure)
            self.axes = self.figure.subplots(1, 2)
            titles = (msg._("Reference (untouched)"), msg._("Shocked twin"))
            self._artists = []
            for ax, title in zip(self.axes, titles, strict=True):
                ax.set_xlim(-0.2, 1.02)
                ax.set_ylim(-0.6, 3.55)
                ax.set_axis_off()
                ax.set_title(title, loc="left", fontsize=16)
                for level, y in _ROW.items():
                    ax.text(
                        -0.19,
                        y,
                        label("level", level, lang),
                        fontsize=13,
                        color=LEVEL_COLOURS[level],
                        va="center",
                        fontweight="bold",
                    )
                ties = LineCollection([], colors="#3b5b92", alpha=0.35, animated=True)
                ax.add_collection(ties)
                orgs = ax.scatter(
                    self.xy[:, 0],
                    self.xy[:, 1],
                    s=self.sizes,
                    zorder=3,
                    edgecolors="#333333",
                    linewidths=1.5,
                    animated=True,
                )
                seats = ax.scatter(
                    self.seat_xy[:, 0],
                    self.seat_xy[:, 1],
                    s=34,
                    zorder=4,
                    marker="o",
                    linewidths=1.0,
                    edgecolors="#222222",
                    animated=True,
                )
                self._artists.append((ties, orgs, seats))
            self.figure.text(
                0.01,
                0.015,
                msg._(
                    "Colour: credibility (red low, green high); grey: dormant or folded. "
                    "Dots: seats, empty when vacant. Lines: personal ties."
                ),
                fontsize=12,
                color="#444444",
            )
            self.figure.subplots_adjust(left=0.02, right=0.99, top=0.92, bottom=0.08, wspace=0.05)
        self._background = None

    def _seats(self, posts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Seat dots on a ring around each shown organisation, and their posts."""
        lay, xy, post = self.layout, [], []
        for (x, y), g, n in zip(self.xy, self.shown, posts, strict=True):
            angles = np.pi / 2 + 2 * np.pi * np.arange(n) / n
            radius = 0.028 + 0.0028 * n
            xy += list(
                zip(x + radius * np.cos(angles), y + 6.5 * radius * np.sin(angles), strict=True)
            )
            post += list(range(lay.org_start[g], lay.org_start[g] + n))
        return np.array(xy), np.array(post, dtype=int)

    def update(self, twin: Twin) -> None:
        """Colours, seats and ties of both copies at ``twin``'s month."""
        lay = self.layout
        for model, (ties, orgs, seats) in zip(twin.models, self._artists, strict=True):
            s = model.engine.state
            colours = _CMAP(np.clip((s.credibility[0, self.shown] - _LOW) / (_HIGH - _LOW), 0, 1))
            asleep = s.dormant[0, self.shown].copy()
            regional = lay.org_level[self.shown] == LEVELS.index("regional")
            asleep[regional] = ~s.alive[0, lay.org_region[self.shown][regional]]
            colours[asleep] = _GREY
            orgs.set_facecolors(colours)
            away = lay.is_member[self.shown] & ~s.participating[0, self.shown] & ~asleep
            orgs.set_linestyles([(0, (3, 2)) if a else "solid" for a in away])
            filled = s.occupied[0, self.seat_post]
            seats.set_facecolors(np.where(filled[:, None], [[0.15, 0.15, 0.15, 1]], [[1, 1, 1, 1]]))
            counts = tie_counts(model)[np.ix_(self.shown, self.shown)]
            i, j = np.nonzero(counts)
            ties.set_segments(np.stack([self.xy[i], self.xy[j]], axis=1))
            ties.set_linewidths(0.8 + 1.4 * np.sqrt(counts[i, j]))

    def png(self, twin: Twin | None = None) -> bytes:
        """The picture as PNG bytes (updated to ``twin`` first, when given)."""
        if twin is not None:
            self.update(twin)
        canvas = self.figure.canvas
        if self._background is None:
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        canvas.restore_region(self._background)
        for ax, artists in zip(self.axes, self._artists, strict=True):
            for artist in artists:
                ax.draw_artist(artist)
        return encode_png(canvas)
