"""Mixture designs across plausible worlds (the ``"worlds"`` model): the robust answer.

Each mix is run in every world (and, when crossed, every structural ``variant`` and level of
the other crossed parameters, e.g. turnover). In one world and condition a mix is *stable*
as :mod:`.mixture` says (mean of ``stable_outcome`` over the replicates at least
``stable_min``). Across worlds:

* ``robust.csv``: per mix and condition, the worlds in which it is stable, their share and
  its Wilson interval (:func:`concertsim.intervals.wilson`);
* ``robust_mixes.csv``: per mix, the smallest share over conditions; the mixes stable in most
  worlds (share above one half) under every condition are the robust answer;
* ``answers.csv``: per world and condition, how many mixes are stable (and how many surely
  or possibly, by their intervals) and their share, and whether the world *has an answer*
  (:data:`ANSWER_BAND`): some mixes keep the structure stable, not all, under every
  condition (:func:`answers`);
* ``rank_correlation.csv``: Spearman's correlation of the mixes' shares between the levels
  of each condition, the others held at their first level (between turnover levels, and
  between each variant and the first);
* ``robust_simplex_<variant>.png``: the share over the simplex, a panel per turnover level,
  mixes stable in most worlds ringed.

Example:
    >>> import pandas as pd
    >>> per_world = pd.DataFrame({"a": [0.1, 0.1, 0.9, 0.9], "world": [0, 1, 0, 1],
    ...                           "stable": [True, True, False, True]})
    >>> t = share_of_worlds(per_world, ["a"], [])
    >>> t[["worlds", "stable_worlds", "share"]].values.tolist()
    [[2.0, 2.0, 1.0], [2.0, 1.0, 0.5]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from concertsim.experiment.analysis import figures
from concertsim.experiment.analysis.common import AnalysisReport
from concertsim.experiment.analysis.mixture import mixture_table
from concertsim.intervals import wilson

__all__ = ["share_of_worlds", "answers", "rank_correlations", "analyze_worlds", "MOST"]
__all__ += ["ANSWER_BAND"]

MOST = 0.5
"""A mix is stable in *most* worlds when the share of worlds in which it is stable exceeds this."""

ANSWER_BAND = (0.1, 0.9)
"""A world has an answer to "which role mixes keep the structure stable?" when, under every
condition (e.g. each turnover level), the share of stable mixes lies in this band (bounds
included): structures do fold (« la pérennisation des organisations est un enjeu important et
difficile à assurer ») and roles must be prioritised (« il faut prioriser certains rôles »), so
neither no mix nor nearly every mix keeps the structure stable (issue 8)."""


def share_of_worlds(
    per_world: pd.DataFrame, components: Sequence[str], conditions: Sequence[str], conf=0.95
) -> pd.DataFrame:
    """Per mix and condition: worlds, stable worlds, share and its Wilson interval."""
    keys = [*components, *conditions]
    rows = []
    for key, group in per_world.groupby(keys, sort=True):
        k, n = int(group["stable"].sum()), len(group)
        share, low, high = wilson(k, n, conf)
        rows.append((*key, n, k, share, low, high))
    cols = [*keys, "worlds", "stable_worlds", "share", "share_low", "share_high"]
    return pd.DataFrame(rows, columns=cols)


def answers(
    per_world: pd.DataFrame, conditions: Sequence[str], band: tuple[float, float] = ANSWER_BAND
) -> pd.DataFrame:
    """Per world and condition: mixes, stable mixes, their share, whether it lies in ``band``,
    and whether the world has an answer (``in_band_everywhere``: in the band under every
    condition). When ``per_world`` says which mixes are stable surely or possibly (the
    interval's low or high end, :func:`.mixture.mixture_table`), their counts too
    (``stable_surely_mixes``, ``stable_possibly_mixes``): how much the count could move with
    more replicates.

    Example:
        >>> per_world = pd.DataFrame({"world": [0, 0, 1, 1], "t": [0.1] * 4,
        ...                           "stable": [True, False, True, True]})
        >>> answers(per_world, ["t"])[["world", "stable_mixes", "in_band"]].values.tolist()
        [[0, 1, True], [1, 2, False]]
    """
    keys = ["world", *conditions]
    cols = ["stable", *(c for c in ("stable_surely", "stable_possibly") if c in per_world)]
    grouped = per_world.groupby(keys, sort=True)[cols]
    table = grouped.sum().astype(int).rename(columns=lambda c: f"{c}_mixes").reset_index()
    table.insert(len(keys), "mixes", grouped.size().to_numpy())
    table["share"] = table["stable_mixes"] / table["mixes"]
    table["in_band"] = table["share"].between(*band)
    table["in_band_everywhere"] = table.groupby("world")["in_band"].transform("all")
    return table


def rank_correlations(
    robust: pd.DataFrame, components: Sequence[str], conditions: Sequence[str]
) -> pd.DataFrame:
    """Spearman's rho (and p) of the mixes' shares between levels of each condition, the
    other conditions at their first level."""
    from scipy import stats

    rows = []
    for cond in conditions:
        others = [c for c in conditions if c != cond]
        sub = robust
        for o in others:
            sub = sub[sub[o] == sub[o].min()]
        levels = sorted(sub[cond].unique())
        wide = sub.pivot_table(index=list(components), columns=cond, values="share")
        for level in levels[1:]:
            a, b = wide[levels[0]].to_numpy(float), wide[level].to_numpy(float)
            same = np.ptp(a) == 0 or np.ptp(b) == 0
            rho, p = (np.nan, np.nan) if same else stats.spearmanr(a, b)
            at = ", ".join(f"{o} = {sub[o].min():g}" for o in others)
            rows.append((cond, levels[0], level, at, len(a), float(rho), float(p)))
    return pd.DataFrame(rows, columns=["between", "a", "b", "at", "mixes", "spearman_rho", "p"])


def _variant_names(manifest: dict[str, Any]) -> list[str]:
    variants = manifest["experiment"].get("model", {}).get("variants", [{}])
    return [", ".join(f"{k}={v}" for k, v in sorted(d.items())) or "defaults" for d in variants]


def analyze_worlds(
    report: AnalysisReport,
    manifest: dict[str, Any],
    design: pd.DataFrame,
    runs: pd.DataFrame,
    draw: bool,
) -> None:
    """The robust answer of a mixture design run in plausible worlds (module docstring)."""
    analysis = manifest["experiment"]["analysis"]
    components = list(manifest["design"]["sampled"])
    crossed = list(manifest["design"]["crossed"])
    if "world" not in crossed:
        report.note("worlds: no 'world' parameter crossed; the robust answer needs several")
        return
    conditions = [c for c in crossed if c != "world" and design[c].nunique() > 1]
    conf, stable_min = float(analysis["conf_level"]), float(analysis["stable_min"])
    outcome = analysis["stable_outcome"]
    if outcome not in runs:
        outcome = report.outcomes[0]
    per_point = mixture_table(runs, design, outcome, conf=conf, stable_min=stable_min)
    per_point = per_point[per_point["runs"] > 0]
    robust = share_of_worlds(per_point, components, conditions, conf)
    report.table("robust", robust)
    mixes = robust.groupby(components, sort=True)["share"].agg(["min", "mean"]).reset_index()
    mixes = mixes.rename(columns={"min": "share_min", "mean": "share_mean"})
    mixes["stable_in_most_worlds"] = mixes["share_min"] > MOST
    mixes = mixes.sort_values(["share_min", "share_mean"], ascending=False)
    report.table("robust_mixes", mixes)
    answered = answers(per_point, conditions)
    report.table("answers", answered)
    corr = rank_correlations(robust, components, conditions)
    report.table("rank_correlation", corr)
    names = _variant_names(manifest)
    worlds = int(robust["worlds"].max()) if len(robust) else 0
    report.note(
        f"worlds: {int(mixes['stable_in_most_worlds'].sum())} of {len(mixes)} mixes are stable "
        f"({outcome} mean >= {stable_min:g}) in most of {worlds} worlds under every condition"
        f" ({', '.join(conditions) or 'one condition'})"
    )
    has = answered.groupby("world")["in_band_everywhere"].first()
    low, high = ANSWER_BAND
    report.note(
        f"worlds: {int(has.sum())} of {len(has)} worlds have an answer: between {low:.0%} and "
        f"{high:.0%} of the mixes stable under every condition (answers.csv)"
    )
    for key, group in robust.groupby(conditions, sort=True) if conditions else ():
        key = key if isinstance(key, tuple) else (key,)
        where = ", ".join(
            names[int(v)] if c == "variant" else f"{c} = {v:g}"
            for c, v in zip(conditions, key, strict=True)
        )
        most = group[group["share"] > MOST]
        report.note(f"worlds: {len(most)} of {len(group)} mixes stable in most worlds at {where}")
    for r in corr.itertuples():
        a, b = (names[int(x)] if r.between == "variant" else f"{x:g}" for x in (r.a, r.b))
        report.note(f"worlds: rank correlation of the mixes between {r.between} {a} and {b}"
                    f"{' at ' + r.at if r.at else ''}: rho = {r.spearman_rho:.2f} "
                    f"(p = {r.p:.2g}, {r.mixes} mixes)")  # fmt: skip
    if not draw:
        return
    table = robust.rename(columns={"share": "mean"})
    table["stable"] = table["mean"] > MOST
    by_variant = list(table.groupby("variant")) if "variant" in conditions else [(0, table)]
    rest = [c for c in conditions if c != "variant"]
    links = {n: p.get("link", []) for n, p in manifest["experiment"]["parameters"].items()}
    for v, group in by_variant:
        title = f"{names[int(v)]}: share of {worlds} plausible worlds in which each mix is stable"
        report.figure(
            f"robust_simplex_{int(v)}.png",
            lambda g=group, t=title: _simplex(g, components, rest, t, outcome, stable_min, links),
        )


def _simplex(table, components, rest, title: str, outcome: str, stable_min: float, links):
    """:func:`figures.simplex` of the share of worlds, titled and labelled for it."""
    fig = figures.simplex(table, components, rest, "share of worlds", MOST, "share", links)
    fig.suptitle(f"{title} ({outcome} mean >= {stable_min:g})", fontsize=10)
    legend = fig.axes[0].get_legend()
    if legend is not None:
        legend.texts[0].set_text("stable in most worlds (share > 0.5)")
    return fig
