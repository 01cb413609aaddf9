"""Folding: members going dormant and reviving, the regional body folding (M1, M2, M10).

**Members.** A local committee or sectoral table that is not dormant goes
dormant in a month with probability

    h_g = s_g ** dormancy_shape / dormancy_months
    s_g = mean(vacant share of its staff posts, 1 - engagement[, 1 - capacity])

(capacity for local committees only). A dormant member stops taking part and
acting (it keeps its people); it revives with probability ``revival (1 - s_g)``
a month while its regional body exists.

**Regional body.** Its stress is the weighted mean

    S_r = (w_gap gap + w_vac vac + w_lead (1 - lead) + w_part (1 - part) + w_leg (1 - L)) / sum w
    gap = clip((1 - funding) / (1 - fold_threshold), 0, 1)

with ``vac`` the share of its funded posts left vacant and ``lead`` the mean
leadership of its people in post, so turnover reaches survival (M1, M2): a post
that funding no longer covers counts in ``gap`` only, and a vacant post in
``vac`` only (each loss is counted once), ``part``
the share of its members taking part and ``L`` its legitimacy from below. It
folds in a month with probability ``S_r ** hazard_shape / fold_months``: at
full stress it lasts ``fold_months`` months on average, and members under the
same stress last ``dormancy_months`` (the regional level is the more fragile,
M10). A folded body has no staff; its members stop taking part.
"""

from __future__ import annotations

import numpy as np

from ..layout import Layout
from ..state import BatchParams, State
from ..streams import Stream
from ..ufuncs import clip
from .funding import participation_share
from .turnover import funded_posts

__all__ = ["member_stress", "regional_stress", "dormancy", "fold", "AT_RISK_STRESS"]

AT_RISK_STRESS = 0.5
"""Stress at or above which a month counts in ``at_risk`` (reported, not a rule)."""


def member_stress(state: State, lay: Layout) -> np.ndarray:
    """(B,G) stress of each local committee and sectoral table, in [0, 1] (0 elsewhere)."""
    staff_post = ~lay.post_elected
    posts = np.maximum(lay.per_org(staff_post[None, :]), 1)  # (1,G): the same in every run
    vacant = lay.per_org(~state.occupied & staff_post, np.float64) / posts
    local = lay.is_local
    s = vacant + (1.0 - state.engagement)
    np.add(s, 1.0 - state.capacity, out=s, where=local)  # + low capacity, locals only
    s /= np.where(local, 3.0, 2.0)
    s = clip(s, 0.0, 1.0, out=s)
    s[:, ~lay.is_member] = 0.0
    return s


def dormancy(
    state: State, lay: Layout, bp: BatchParams, stream: Stream, u: np.ndarray | None = None
) -> None:
    """Members go dormant under stress and revive (one draw of ``(2, G)`` a month).

    ``u``: (B,2,G) uniforms, the month's draw if already made
    (:func:`~concertsim.streams.dense_uniforms`).
    """
    e = bp.engagement
    u = stream.uniform((2, lay.groups)) if u is None else u
    s = member_stress(state, lay)
    alive = np.where(lay.in_region, state.alive[:, lay.region_of_org], False)
    sleep = ~state.dormant & (u[:, 0] < s**e.dormancy_shape / e.dormancy_months)
    wake = state.dormant & alive & (u[:, 1] < e.revival * (1.0 - s))
    state.dormant = lay.is_member[None, :] & ((state.dormant & ~wake) | sleep)
    state.ever_dormant |= state.dormant
    state.participating &= ~state.dormant


def regional_stress(state: State, lay: Layout, bp: BatchParams, legit: np.ndarray) -> np.ndarray:
    """(B,R) the regional body's stress ``S_r`` in [0, 1]."""
    f = bp.funding
    gap = clip((1.0 - state.funding) / np.maximum(1.0 - f.fold_threshold, 1e-9), 0.0, 1.0)
    occ = lay.regional(state.occupied)
    funded = lay.regional(funded_posts(state, lay))
    vac = (funded & ~occ).sum(-1) / np.maximum(funded.sum(-1), 1)
    lead = (lay.regional(state.leadership) * occ).sum(-1) / np.maximum(occ.sum(-1), 1)
    part = participation_share(state, lay)
    w = (f.hazard_gap, f.hazard_vacancy, f.hazard_leadership)
    w = (*w, f.hazard_participation, f.hazard_legitimacy)
    total = w[0] * gap + w[1] * vac + w[2] * (1.0 - lead) + w[3] * (1.0 - part)
    total = total + w[4] * (1.0 - legit)
    total /= np.maximum(sum(w), 1e-12)
    return clip(total, 0.0, 1.0, out=total)


def fold(
    state: State,
    lay: Layout,
    bp: BatchParams,
    stream: Stream,
    legit: np.ndarray,
    u: np.ndarray | None = None,
) -> None:
    """Each living regional body folds with its monthly hazard (one draw of ``(R,)`` a month).

    ``u``: (B,R) uniforms, the month's draw if already made
    (:func:`~concertsim.streams.dense_uniforms`).
    """
    f = bp.funding
    u = stream.uniform((lay.structure.regions,)) if u is None else u
    state.stress = regional_stress(state, lay, bp, legit)
    state.at_risk = np.where(state.alive & (state.stress >= AT_RISK_STRESS), state.at_risk + 1, 0)
    folds = state.alive & (u < state.stress**f.hazard_shape / f.fold_months)
    state.folded_month = np.where(folds, float(state.month), state.folded_month)
    state.alive &= ~folds
    state.funding = np.where(state.alive, state.funding, 0.0)
    in_folded = lay.in_region & ~state.alive[:, lay.region_of_org]
    state.participating &= ~in_folded
