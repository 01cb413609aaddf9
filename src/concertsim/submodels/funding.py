"""Funding and the survival of the regional body (M1, M8, M10, M12).

National actors fund each regional body toward a target

    target = scale * (floor + (base - floor) * clip(drive / expectation, 0, 1))
    drive = w_c * v + w_p * positioning * ok + w_l * L

where ``v`` is the body's credibility as the national level sees it, reduced when
few government respondents remain at the regional level (M10), ``ok`` is
``min(1, assent / national_need)`` (national programmes need the regional
tables' assent, M8), ``L`` its legitimacy from below, and ``w_l = 1 - w_c - w_p``.
Funding moves toward the target by ``adjust`` a month; a funding cut lowers
``scale``. Funding decides how many regional staff posts can be filled.

The regional body is **at risk** in a month when its funding is below
``fold_threshold`` or fewer than ``QUORUM`` of its local committees and sectoral
tables take part. After ``fold_months`` consecutive months at risk it folds:
the structure has collapsed. Its assent to national programmes follows its
legitimacy from below (it can speak for its region only when legitimised).
"""

from __future__ import annotations

import numpy as np

from ..layout import Layout
from ..state import BatchParams, State
from .roles import national_assent

__all__ = ["QUORUM", "ASSENT_FOLLOW", "national_view", "participation_share", "update"]

QUORUM = 0.25
"""Share of member organisations taking part below which the regional body is at risk."""

ASSENT_FOLLOW = 0.05
"""Monthly speed at which a regional body's assent to national programmes follows its
legitimacy from below."""


def national_view(state: State, lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,R) the regional body's credibility as seen from the national level (M10)."""
    gov = bp.regional.government_respondents
    return state.credibility[:, lay.level_slice["regional"]] * (0.5 + 0.5 * gov / (gov + 1.0))


def participation_share(state: State, lay: Layout) -> np.ndarray:
    """(B,R) share of the region's local committees and sectoral tables taking part."""
    return lay.members_mean(state.participating.astype(float))


def update(state: State, lay: Layout, bp: BatchParams, legit: np.ndarray) -> None:
    """One month of funding, risk and folding for every regional body."""
    f = bp.funding
    ok = national_assent(state, lay, bp)
    w_l = np.maximum(1.0 - f.credibility_weight - f.positioning_weight, 0.0)
    drive = f.credibility_weight * national_view(state, lay, bp)
    drive = drive + f.positioning_weight * state.positioning * ok + w_l * legit
    met = np.clip(drive / f.expectation, 0.0, 1.0)
    target = state.funding_scale * (f.floor + (f.base - f.floor) * met)
    state.funding = np.where(state.alive, state.funding + f.adjust * (target - state.funding), 0.0)
    risk = (state.funding < f.fold_threshold) | (participation_share(state, lay) < QUORUM)
    state.at_risk = np.where(risk & state.alive, state.at_risk + 1, 0)
    folds = state.alive & (state.at_risk >= f.fold_months)
    state.folded_month = np.where(folds, float(state.month), state.folded_month)
    state.alive &= ~folds
    in_folded = lay.in_region & ~state.alive[:, lay.region_of_org]
    state.participating &= ~in_folded
    reg = lay.level_slice["regional"]
    state.assent[:, reg] += ASSENT_FOLLOW * (legit - state.assent[:, reg])
