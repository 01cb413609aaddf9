"""National funding of the regional bodies: a decision under a budget (M8, M10, M12).

Every ``review_months`` months (and at month 0) the national actors decide how
much each regional body gets. Each body's performance, as they see it, is

    drive = w_c * v + w_p * positioning * ok + w_l * L
    met   = clip(drive / expectation, 0, 1)

with ``v`` its credibility as the national level sees it, reduced when few
government respondents remain at the regional level (M10), and, with
``record_weight > 0`` (calibrated, ODD 11), raised by its written record
(:func:`national_view`: positions and formalised practice that do not leave with
its people, M12, M15), ``ok`` =
``min(1, assent / national_need)`` (national programmes need the regional
tables' assent, M8), ``L`` its legitimacy from below. The weights are
independent parameters: raising one never takes weight from another, so more
positioning, or a larger positioning weight, never lowers ``drive`` (M12).

Each region claims ``c_r = scale_r (base - floor) met_r`` above its floor. The
national budget above the floors is ``E = budget * sum_r scale_r (base - floor)``;
when the claims exceed it, regions share it in proportion to their claims (in a
province, 17 regions compete):

    a_r = c_r * min(1, E / sum_r c_r)

That is the default ``funding.rule = "budget"``. Two alternatives (structural
uncertainty, ODD 7.10) change only what a region claims, ``c_r = scale_r (base -
floor) k_r``, before the same budget sharing:

* ``"budget"``: ``k_r = met_r`` (performance-based claims, above);
* ``"incremental"`` (Lindblom 1959; Davis, Dempster & Wildavsky 1966): the claim
  moves from the last award toward performance by at most ``increment`` of
  funding, ``k_r = k_last + clip(met_r - k_last, -i, i)`` with ``i = increment /
  (base - floor)``: national budgets change by small steps from last year's;
* ``"block"``: a block grant, ``k_r = 1``: every living regional body claims its
  full amount whatever its performance (a programme funded by formula).

The award ``floor + a_r / scale_r`` holds until the next review; each month
funding moves toward ``scale_r * award_r`` by ``adjust`` (a funding cut lowers
``scale`` at once). Funding decides how many regional staff posts can be
filled. The regional body's assent to national programmes follows its
legitimacy from below. Survival is :mod:`concertsim.submodels.folding`'s.
"""

from __future__ import annotations

import numpy as np

from ..layout import Layout
from ..params import FUNDING_RULES
from ..state import BatchParams, State
from .roles import national_assent

__all__ = [
    "ASSENT_FOLLOW",
    "record",
    "national_view",
    "participation_share",
    "performance",
    "allocate",
    "claimed",
    "update",
]

INCREMENTAL = float(FUNDING_RULES.index("incremental"))
BLOCK = float(FUNDING_RULES.index("block"))

ASSENT_FOLLOW = 0.05
"""Monthly speed at which a regional body's assent to national programmes follows its
legitimacy from below."""


def record(state: State) -> np.ndarray:
    """(B,R) the regional body's written record: ``1 - (1 - positioning)(1 - structuring)``.

    What it has put in writing, its public positions (M12) and its formalised
    practice (M15); unlike credibility, it does not leave with its people.

    Example:
        >>> from types import SimpleNamespace
        >>> s = SimpleNamespace(positioning=np.array([[0.5]]), structuring=np.array([[0.2]]))
        >>> record(s).tolist()
        [[0.6]]
    """
    return 1.0 - (1.0 - state.positioning) * (1.0 - state.structuring)


def national_view(state: State, lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,R) the regional body's credibility as seen from the national level (M10, M12, M15).

    ``c + record_weight x record x (1 - c)``, i.e. ``1 - (1 - c)(1 - record_weight x
    record)`` (exactly ``c`` when the weight is 0): national actors find
    the body credible through its people (its credibility ``c``, which turnover
    erodes) or through its written record (:func:`record`, which stays); the whole
    is reduced when few government respondents remain at the regional level (M10).
    """
    gov = bp.regional.government_respondents
    c = state.credibility[:, lay.level_slice["regional"]]
    seen = c + bp.funding.record_weight * record(state) * (1.0 - c)  # exactly c when off
    return seen * (0.5 + 0.5 * gov / (gov + 1.0))


def participation_share(state: State, lay: Layout) -> np.ndarray:
    """(B,R) share of the region's local committees and sectoral tables taking part."""
    return lay.members_mean(state.participating.astype(float))


def performance(state: State, lay: Layout, bp: BatchParams, legit: np.ndarray) -> np.ndarray:
    """(B,R) ``met`` in [0, 1]: performance as national actors see it, over their expectation."""
    f = bp.funding
    ok = national_assent(state, lay, bp)
    drive = f.credibility_weight * national_view(state, lay, bp)
    drive = drive + f.positioning_weight * state.positioning * ok + f.legitimacy_weight * legit
    return np.clip(drive / f.expectation, 0.0, 1.0)


def allocate(claims: np.ndarray, envelope: np.ndarray) -> np.ndarray:
    """(B,R) each region's share of the budget ``envelope`` (B,1), pro rata to its ``claims``.

    Nobody gets more than it claims; when the claims exceed the envelope, the
    allocations sum to it exactly.

    Example:
        >>> allocate(np.array([[0.6, 0.2]]), np.array([[0.4]])).round(3).tolist()
        [[0.3, 0.1]]
    """
    total = claims.sum(-1, keepdims=True)
    ratio = np.divide(envelope, total, out=np.ones_like(total), where=total > envelope)
    return claims * np.minimum(ratio, 1.0)


def claimed(state: State, lay: Layout, bp: BatchParams, legit: np.ndarray) -> np.ndarray:
    """(B,R) ``k``: the share of its room above the floor each region claims, by ``funding.rule``.

    Example:
        >>> from concertsim.submodels.funding import BLOCK
        >>> BLOCK  # the index of "block" in FUNDING_RULES: what bp.funding.rule holds
        2.0
    """
    f = bp.funding
    met = performance(state, lay, bp, legit)
    rule = f.rule
    if not (rule != 0.0).any():
        return met
    room = np.maximum(f.base - f.floor, 1e-12)
    last = np.clip((state.award - f.floor) / room, 0.0, 1.0)
    step = f.increment / room
    incremental = last + np.clip(met - last, -step, step)
    return np.where(rule == BLOCK, 1.0, np.where(rule == INCREMENTAL, incremental, met))


def update(state: State, lay: Layout, bp: BatchParams, legit: np.ndarray) -> None:
    """One month of funding for every regional body (a national review every ``review_months``)."""
    f = bp.funding
    review = (state.month % np.maximum(f.review_months, 1.0)) == 0  # (B,1)
    if review.any():
        scale = state.funding_scale * state.alive
        room = np.maximum(f.base - f.floor, 0.0)
        claims = scale * room * claimed(state, lay, bp, legit)
        granted = allocate(claims, f.budget * (scale * room).sum(-1, keepdims=True))
        award = f.floor + np.divide(
            granted, state.funding_scale, out=np.zeros_like(granted), where=scale > 0
        )
        state.award = np.where(review, award, state.award)
    target = state.funding_scale * state.award
    state.funding = np.where(state.alive, state.funding + f.adjust * (target - state.funding), 0.0)
    reg = lay.level_slice["regional"]
    state.assent[:, reg] += ASSENT_FOLLOW * (legit - state.assent[:, reg])
