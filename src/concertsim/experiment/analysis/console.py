"""What ``concertsim analyze`` prints: the main tables, each estimate with its interval.

Example:
    >>> import pandas as pd
    >>> t = pd.DataFrame({"parameter": ["a", "b"], "S1": [0.3, -0.01], "S1_conf": [0.05, 0.02]})
    >>> print(compact(t).to_string(index=False))
    parameter                     S1
            a   0.300 [0.250, 0.350]
            b -0.010 [-0.030, 0.010]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from concertsim.experiment.analysis.common import AnalysisReport

__all__ = ["compact", "render", "number", "paired"]


def number(x: float) -> str:
    """A table number for the terminal: three decimals, ``n/a`` for NaN."""
    return "n/a" if x != x else f"{x:.3f}"


def _with_interval(table: pd.DataFrame, column: str) -> pd.Series | None:
    """``column`` as text with its interval (``0.314 [0.281, 0.347]``), or ``None``."""
    value = table[column].to_numpy(dtype=float)
    if f"{column}_conf" in table:
        half = table[f"{column}_conf"].to_numpy(dtype=float)
        low, high = value - half, value + half
    else:
        stem = column.removesuffix("_mean")
        if column == stem or f"{stem}_ci_low" not in table:
            return None
        low = table[f"{stem}_ci_low"].to_numpy(dtype=float)
        high = table[f"{stem}_ci_high"].to_numpy(dtype=float)
    text = [
        "n/a"
        if not np.isfinite(v)
        else f"{v:.3f}"
        if not (np.isfinite(lo) and np.isfinite(hi))
        else f"{v:.3f} [{lo:.3f}, {hi:.3f}]"
        for v, lo, hi in zip(value, low, high, strict=True)
    ]
    return pd.Series(text, index=table.index, name=column)


def compact(table: pd.DataFrame, rows: int = 15, columns: int = 9) -> pd.DataFrame:
    """The head of a table for the terminal: short names, each estimate with its interval.

    A column ``X`` with ``X_conf`` (a half-width) or ``X_mean`` with ``X_ci_low`` and
    ``X_ci_high`` is shown as ``value [low, high]``; the interval columns themselves are not
    shown. Constant parameter columns and copies (linked parameters) are dropped.
    """
    keep = [c for c in table.columns if not c.endswith(("_ci_low", "_ci_high", "_conf"))]
    keep = [c for c in keep if c not in ("point", "stable", "runs")]
    if len(table) > 1:  # drop constant columns and copies (linked parameters)
        keep = [c for c in keep if table[c].nunique() > 1 or not str(c).count(".")]
        keep = list(table[keep].T.drop_duplicates().index)
    keep = keep[:columns]
    head = table.head(rows)
    shown = {}
    for c in keep:
        folded = _with_interval(head, c) if pd.api.types.is_numeric_dtype(head[c]) else None
        shown[c] = head[c] if folded is None else folded
    frame = pd.DataFrame(shown, index=head.index)
    return frame.rename(columns=lambda c: c.split(".", 1)[-1])


def _estimate(value: float, low: float, high: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    if not (np.isfinite(low) and np.isfinite(high)):
        return f"{value:.3f}"
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


def paired(table: pd.DataFrame) -> pd.DataFrame:
    """The paired comparisons for the terminal: levels and difference with their intervals.

    Example:
        >>> t = pd.DataFrame({"scenario": ["b"], "outcome": ["y"], "baseline_mean": [0.5],
        ...     "baseline_low": [0.4], "baseline_high": [0.6], "scenario_mean": [0.7],
        ...     "scenario_low": [0.6], "scenario_high": [0.8], "difference": [0.2],
        ...     "difference_low": [0.1], "difference_high": [0.3], "p_value": [0.01],
        ...     "test": ["exact McNemar"]})
        >>> paired(t).iloc[0]["difference"]
        '0.200 [0.100, 0.300]'
    """
    out = table[["scenario", "outcome"]].copy()
    for name in ("baseline", "scenario", "difference"):
        stem = name if name == "difference" else f"{name}_mean"
        out[name if name == "difference" else f"{name} (mean)"] = [
            _estimate(v, lo, hi)
            for v, lo, hi in zip(
                table[stem], table[f"{name}_low"], table[f"{name}_high"], strict=True
            )
        ]
    out["p"] = [number(p) if p >= 0.001 else f"{p:.1e}" for p in table["p_value"].astype(float)]
    out["test"] = table["test"]
    return out


def render(report: AnalysisReport) -> str:
    """The main tables of a report (Sobol, Morris, stable mixes, variance) as text."""
    conf = f"{report.conf_level:.0%}"
    titles = {
        "sobol": f"Sobol indices, [{conf} bootstrap interval]",
        "morris": f"Morris screening, mu* [{conf} bootstrap interval]",
        "stable_mixes": f"stable mixes, means [{conf} interval]",
        "variance": "shares of variance (n/a: not estimable)",
        "robust_mixes": "mixes by their smallest share of plausible worlds where stable",
        "rank_correlation": "rank correlation of the mixes between conditions (Spearman)",
        "paired": f"each scenario against the baseline, run by run [{conf} interval]",
    }
    parts = []
    for name, title in titles.items():
        table = report.tables.get(name)
        if table is None or not len(table):
            continue
        if name == "paired":
            parts.append(f"{name}.csv: {title}\n{paired(table).to_string(index=False)}")
            continue
        if name == "variance":  # the shares first: what a reader wants from it
            first = ["outcome", "mean_replicates", "share_parameters", "share_replicates"]
            first = (["scenario"] if "scenario" in table else []) + first
            rest = [c for c in table.columns if c not in (*first, "method")]
            table = table[[*first, "method", *rest]]
        text = compact(table).to_string(index=False, float_format=number, na_rep="n/a")
        parts.append(f"{name}.csv: {title}\n{text}")
    return "\n\n".join(parts)
