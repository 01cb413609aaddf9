"""What ``concertsim patterns`` shows of a book's table (:func:`concertsim.patterns.run_book`):
a plain-text table, and the CSV with a forest plot.

Example:
    >>> import pandas as pd
    >>> t = pd.DataFrame({"id": ["a"], "mechanism": ["M1"], "effect": [0.2], "low": [0.1],
    ...                   "high": [0.3], "holds": [True]})
    >>> print(format_table(t).splitlines()[-1])
    1 of 1 patterns hold
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["format_table", "write_book"]


def format_table(table: pd.DataFrame) -> str:
    """A plain-text table: id, mechanism, effect [95% CI], holds."""
    lines = [f"{'pattern':<50} {'mech':<10} {'effect [95% CI]':>34}  holds"]
    for r in table.itertuples():
        ci = f"{r.effect:+.4f} [{r.low:+.4f}, {r.high:+.4f}]"
        lines.append(f"{r.id:<50} {r.mechanism:<10} {ci:>34}  {'yes' if r.holds else 'NO'}")
    return "\n".join([*lines, f"{int(table['holds'].sum())} of {len(table)} patterns hold"])


def write_book(table: pd.DataFrame, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``patterns.csv`` and ``patterns.png`` into ``out_dir``: a forest plot of each effect
    in the predicted direction over the sd of the paired differences (d_z, 95% CI; right of 0
    agrees with the claim; green rows hold, red do not; raw effects written at the right)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    (out := Path(out_dir)).mkdir(parents=True, exist_ok=True)
    csv, png = out / "patterns.csv", out / "patterns.png"
    table.to_csv(csv, index=False)
    n, height = len(table), 1.3 + 0.3 * len(table)
    FigureCanvasAgg(fig := Figure(figsize=(13, height)))
    ax = fig.add_axes((0.33, 0.8 / height, 0.42, 1 - 1.2 / height))
    sign = np.where(table["direction"] == "increase", 1.0, -1.0)
    scale = table["sd"].where(table["sd"] > 0, np.nan).to_numpy(float)
    eff, lo, hi = (sign * table[k].to_numpy(float) / scale for k in ("effect", "low", "high"))
    lo, hi, y = np.fmin(lo, hi), np.fmax(lo, hi), np.arange(n)[::-1]
    lim = max(3.0, 1.5 * np.nanmax(np.abs(np.r_[lo, hi, eff, 0.0])))
    for yi, e, a, b, ok in zip(y, eff, lo, hi, table["holds"], strict=True):
        col = "#1a9850" if ok else "#d73027"
        ax.plot([a, b], [yi, yi], color=col, lw=2)
        ax.plot([0 if np.isnan(e) else e], [yi], "o" if np.isfinite(e) else "x", color=col)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set(xlim=(-lim, lim), ylim=(-0.7, n - 0.3))
    ax.set_yticks(y, [f"{i} ({m})" for i, m in zip(table["id"], table["mechanism"], strict=True)])
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("effect in the predicted direction / sd of paired differences (d_z), 95% CI")
    for yi, r in zip(y, table.itertuples(), strict=True):
        text = f"{r.effect:+.3g} [{r.low:+.3g}, {r.high:+.3g}]  n={r.n}"
        text += "" if r.sd > 0 else "  (x: the same in every run)"
        ax.text(lim * 1.6, yi, text, va="center", fontsize=7, clip_on=False)
    sub = "".join(f"; {k} {v}" for k, v in table.attrs.items())
    ax.set_title(f"Pattern book: {int(table['holds'].sum())} of {n} hold (green){sub}", fontsize=10)
    ax.grid(axis="x", color="0.9")
    fig.savefig(png, dpi=110)
    return csv, png
