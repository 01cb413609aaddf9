"""Stability outcomes of a run, all defined here (docs/odd.md, "Observation").

* ``survived``: share of the regional bodies still existing at the horizon
  (one region: 1 or 0).
* ``collapsed``: 1 if a regional body folded. A regional body folds with a
  monthly hazard that grows with its stress: funding gap, vacancies, lost
  leadership, members not taking part, missing legitimacy
  (:mod:`concertsim.submodels.folding`).
* ``collapse_month``: the month during which the first regional body folded (NaN
  if none); the series, which records the state after each month, show it from
  index ``collapse_month + 1``.
* ``participation_retained``: share of local committees and sectoral tables
  taking part at the horizon, over the share at month 0.
* ``credibility_end_<level>``, ``knowledge_end_<level>``, ``legitimacy_end_<level>``:
  the level's mean at the horizon; ``knowledge_end`` is the mean over all
  organisations; ``leadership_end``, ``ties_end`` likewise over all people.
* ``stability_end``: the stability index at the horizon, the mean of regional
  credibility, regional legitimacy, member participation, funding and effective
  capacity per post (both capped at 1), times the share of regional bodies alive
  (a regional body's ``participation`` series is 1 while it exists, 0 from the
  month it folds).
* ``members_dormant_end``: share of local committees and sectoral tables dormant
  at the horizon; ``local_fold_share``: share of them that went dormant at least
  once during the run (:mod:`concertsim.submodels.folding`).
* ``participation_mean``: share of local committees and sectoral tables taking
  part, averaged over the months simulated.
* ``recovery_months``: after the first shock (turnover wave, funding cut or
  election event), the months until the stability index is back to 95% of its
  mean over the 6 months before; NaN when there was no shock or it never
  recovered (then ``recovered`` is 0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import knowledge
from .interventions import SHOCKS
from .observe import VARIABLES
from .params import LEVELS
from .submodels import networking

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["stability_index", "recovery_months", "outcomes_table", "RECOVERY_LEVEL"]
__all__ += ["outcome_range", "LOWER_IS_BETTER"]

RECOVERY_LEVEL = 0.95
"""Share of the pre-shock stability index that counts as recovered."""


LOWER_IS_BETTER = frozenset(
    {"collapsed", "members_dormant_end", "local_fold_share", "recovery_months"}
)
"""Outcomes where less is better for the structure's stability (for the others, more is)."""

_UNIT = (0.0, 1.0)
_RANGES: dict[str, tuple[float, float]] = {
    "participation_retained": (0.0, np.inf),
    "knowledge_end": (-1.0, 1.0),
    "leadership_end": (0.0, np.inf),
    "ties_end": (0.0, np.inf),
    "funding_end": (0.0, np.inf),
}


def outcome_range(name: str, horizon: float) -> tuple[float, float]:
    """The values an outcome can take in a run of ``horizon`` months (intervals stay inside).

    Shares and indices lie in [0, 1], code knowledge in [-1, 1], months in [0, horizon];
    ratios and counts are only bounded below.

    Example:
        >>> outcome_range("survived", 120), outcome_range("collapse_month", 120)
        ((0.0, 1.0), (0.0, 120.0))
        >>> outcome_range("knowledge_end_regional", 120)
        (-1.0, 1.0)
    """
    if name in ("collapse_month", "recovery_months"):
        return (0.0, float(horizon))
    if name.startswith("knowledge_end_"):
        return (-1.0, 1.0)
    return _RANGES.get(name, _UNIT)


def _var(engine: Engine, name: str, level: str) -> np.ndarray:
    """(B, T+1) series of one variable at one level."""
    return engine.series[:, :, VARIABLES.index(name), LEVELS.index(level)]


def _members(engine: Engine, name: str) -> np.ndarray:
    """(B, T+1) mean of a variable over local committees and sectoral tables."""
    s = engine.layout.structure
    loc = _var(engine, name, "local")
    if not s.sectoral_tables:
        return loc
    sect = _var(engine, name, "sectoral")
    n_l, n_s = s.local_committees, s.sectoral_tables
    return (loc * n_l + sect * n_s) / (n_l + n_s)


def stability_index(engine: Engine) -> np.ndarray:
    """(B, T+1) the stability index, in [0, 1], month by month."""
    parts = [
        _var(engine, "credibility", "regional"),
        _var(engine, "legitimacy", "regional"),
        _members(engine, "participation"),
        np.minimum(_var(engine, "funding", "regional"), 1.0),
        np.minimum(_var(engine, "capacity", "regional"), 1.0),
    ]
    return np.mean(parts, axis=0) * _var(engine, "participation", "regional")


def recovery_months(index: np.ndarray, shock: int | None) -> np.ndarray:
    """(B,) months to recover from a shock applied before month ``shock`` (NaN if never)."""
    out = np.full(index.shape[0], np.nan)
    if shock is None or shock + 1 >= index.shape[1]:
        return out
    pre = index[:, max(0, shock - 5) : shock + 1].mean(-1)
    after = index[:, shock + 1 :] >= RECOVERY_LEVEL * pre[:, None]
    hit = after.any(-1)
    out[hit] = np.argmax(after[hit], axis=-1) + 1
    return out


def outcomes_table(engine: Engine) -> pd.DataFrame:
    """One row per run of ``engine``: the stability outcomes at its current month."""
    s, t = engine.state, engine.month
    shocks = [m for m, kind in engine.shocks if kind in SHOCKS]
    index = stability_index(engine)
    rec = recovery_months(index, shocks[0] if shocks else None)
    folded = np.where(np.isnan(s.folded_month), np.inf, s.folded_month).min(-1)
    part = _members(engine, "participation")
    members = engine.layout.is_member
    cols = {
        "survived": s.alive.mean(-1),
        "collapsed": (~s.alive).any(-1).astype(float),
        "collapse_month": np.where(np.isinf(folded), np.nan, folded),
        "participation_retained": part[:, t] / np.maximum(part[:, 0], 1e-12),
        "participation_mean": part[:, 1 : t + 1].mean(-1) if t else part[:, 0],
        "members_dormant_end": s.dormant[:, members].mean(-1),
        "local_fold_share": s.ever_dormant[:, members].mean(-1),
        "stability_end": index[:, t],
        "stability_mean": index[:, 1 : t + 1].mean(-1) if t else index[:, 0],
        "recovery_months": rec,
        "recovered": (~np.isnan(rec)).astype(float) if shocks else np.full(s.batch, np.nan),
    }
    for level in LEVELS:
        cols[f"credibility_end_{level}"] = _var(engine, "credibility", level)[:, t]
        cols[f"knowledge_end_{level}"] = _var(engine, "knowledge", level)[:, t]
    for level in ("local", "sectoral", "regional"):
        cols[f"legitimacy_end_{level}"] = _var(engine, "legitimacy", level)[:, t]
    occupied = np.maximum(s.occupied.sum(-1), 1)
    cols["knowledge_end"] = knowledge.code_knowledge(s.knowledge).mean(-1)
    cols["leadership_end"] = s.leadership.sum(-1) / occupied
    cols["ties_end"] = networking.ties_per_person(s).sum(-1) / occupied
    cols["funding_end"] = _var(engine, "funding", "regional")[:, t]
    return pd.DataFrame(cols)
