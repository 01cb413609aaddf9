"""The figures of ``concertsim discover``: PRIM's peeling trajectory and its chosen box.

Drawn without pyplot, on their own canvas (:func:`.figures.new_figure`), like every figure of
``concertsim analyze``.

Example:
    >>> import numpy as np, pandas as pd
    >>> from concertsim.experiment.analysis.prim import prim
    >>> x = pd.DataFrame({"a": np.linspace(0, 1, 200), "b": np.linspace(1, 0, 200) ** 2})
    >>> result = prim(x, x["a"].to_numpy() > 0.8)
    >>> type(trajectory(result, "survived <= 0.5")).__name__
    'Figure'
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from concertsim.experiment.analysis.figures import new_figure
from concertsim.experiment.analysis.prim import PrimBox, PrimResult
from concertsim.i18n import messages

__all__ = ["trajectory", "box_limits"]

I18N_DOMAIN = "discover"
"""The figures speak from ``discover``'s catalogue."""


def trajectory(result: PrimResult, cases: str, lang: str = "en") -> Figure:
    """Density against coverage at every step, coloured by restricted parameters.

    The chosen box is ringed and labelled; the least density asked for is a dashed line.
    """
    msg = messages(lang, I18N_DOMAIN)
    t = result.trajectory
    chosen = result.chosen_step()
    fig = new_figure((7, 4.8))
    ax = fig.subplots()
    dots = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=22, zorder=3)
    ax.plot(t["coverage"], t["density"], color="grey", lw=0.6, zorder=2)
    row = t.iloc[chosen]
    ax.scatter(
        [row["coverage"]], [row["density"]], s=160, facecolors="none", edgecolors="red",
        linewidths=1.6, zorder=4, label=msg._("chosen box (step {step})").format(step=chosen),
    )  # fmt: skip
    ax.annotate(
        msg._("coverage {coverage}\ndensity {density}\n{n} parameters").format(
            coverage=msg.number(row["coverage"]),
            density=msg.number(row["density"]),
            n=int(row["res_dim"]),
        ),  # fmt: skip
        (row["coverage"], row["density"]),
        xytext=(-95, -80),
        textcoords="offset points",
        fontsize=8,
        color="red",
    )
    ax.axhline(result.threshold, color="red", lw=0.8, ls="--", label=msg._("least density asked"))
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(msg._("coverage (share of the cases of interest inside the box)"))
    ax.set_ylabel(msg._("density (share of the box's runs that are cases)"))
    ax.set_title(msg._("PRIM peeling trajectory: {cases}").format(cases=cases))
    bar = fig.colorbar(dots, ax=ax, ticks=range(int(t["res_dim"].max()) + 1))
    if lang == "fr":  # decimal commas on the axes too
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.1f}".replace(".", ",")))
    bar.set_label(msg._("parameters restricted"))
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def box_limits(box: PrimBox, initial, cases: str, lang: str = "en") -> Figure:
    """Each restricted parameter: its full range (grey), the box's range (coloured), values.

    The quasi-p-value of each restricted limit is written beside it: a large one (above
    0.05, say) means the restriction is not needed.
    """
    msg = messages(lang, I18N_DOMAIN)
    names = box.restricted or list(box.limits.index[:1])
    fig = new_figure((8, 1.0 + 0.7 * len(names)))
    ax = fig.subplots()
    for i, name in enumerate(names):
        low, high = initial.loc[name, "lower"], initial.loc[name, "upper"]
        span = high - low if high > low else 1.0
        lo = (box.limits.loc[name, "lower"] - low) / span
        hi = (box.limits.loc[name, "upper"] - low) / span
        ax.barh(i, 1.0, left=0.0, color="#dddddd", height=0.5)
        ax.barh(i, hi - lo, left=lo, color="#c0392b", height=0.5)
        for where, side, align in ((lo, "lower", "right"), (hi, "upper", "left")):
            qp = box.quasi_p.loc[name, side]
            shown = box.limits.loc[name, side]
            text = f"{shown:.3g}" + ("" if np.isnan(qp) else f"\n(qp {qp:.2g})")
            text = text.replace(".", ",") if lang == "fr" else text
            offset = -0.01 if align == "right" else 0.01
            ax.text(where + offset, i, text, ha=align, va="center", fontsize=7)
        for where, value, align in ((-0.02, low, "left"), (1.02, high, "right")):
            text = f"{value:.3g}".replace(".", "," if lang == "fr" else ".")
            ax.text(where, i - 0.38, text, ha=align, fontsize=6, color="grey")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlim(-0.15, 1.15)
    ax.set_ylim(len(names) - 0.5, -0.7)
    ax.set_xticks([0, 1], [msg._("lowest run"), msg._("highest run")])
    title = msg._(
        "PRIM box, {cases}: coverage {coverage}, density {density}, mass {mass} (qp: quasi-p-value)"
    )
    numbers = {k: msg.number(getattr(box, k)) for k in ("coverage", "density", "mass")}
    ax.set_title(title.format(cases=cases, **numbers), fontsize=9)
    fig.tight_layout()
    return fig
