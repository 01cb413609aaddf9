"""Learning: every organisation's knowledge is March's organisational code (M3, M13, M15).

Each organisation has its own code; its people hold beliefs about a reality
shared by the whole run (:mod:`concertsim.knowledge`). Newcomers bring fresh
beliefs, so turnover both erodes knowledge and can clear bad habits (M3).
Socialisation is faster where practice is formalised (structuring, M15) and,
in local committees, where capacity has been built (M11):

    p1 = socialisation * (1 + structuring_boost * structuring) * (1 + capacity)   (capped at 1)

(national actors have no regional structuring); structuring also codifies what
people know, ``p2 = code_learning x (1 + structuring_boost x structuring)``
(capped at 1). Habits go stale (M3): before March's step, each dimension of
each code turns wrong (``-reality``) with probability ``habit_drift``; fresh
beliefs of newcomers can then correct it: after March's step, a newcomer knows
each dimension of the current reality with probability ``newcomer_insight`` (they
come from the field, not from the organisation's habits), so a newcomer can beat
a stale code and join its superior group (M3). Each month every person looks
at one of their ``tie_slots`` slots at random; if it holds a live tie, they
learn, on each dimension with probability ``cross_learning``, from the code of
the partner's organisation instead of their own (Fang, Lee & Schilling 2010
cross-links, M13). The chance of a cross-link thus grows with live ties / slots.

Knowledge has a codified and a tacit part (M2, M15; Miller, Zhao & Calantone
2006). The code is what is written down; what an organisation can use is

    k_eff = s x code_knowledge + (1 - s) x tacit
    s = codified_floor + (1 - codified_floor) x structuring

with ``tacit`` the belief knowledge of its people summed over its occupied posts
divided by its posts (a vacant post holds none, a newcomer little): turnover
erodes the tacit part at once, structuring makes knowledge survive it.
March's kernel is untouched: at ``s = 1`` effective knowledge is his code knowledge.
"""

from __future__ import annotations

import numpy as np

from .. import knowledge
from ..layout import Layout
from ..state import BatchParams, State
from ..streams import Stream, dense_uniforms

__all__ = [
    "socialisation",
    "link_groups",
    "learn",
    "link_draws",
    "code_learning",
    "stale",
    "codified_share",
    "tacit",
    "effective_knowledge",
]


def socialisation(state: State, lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,P) socialisation probability p1 of each person."""
    k = bp.knowledge
    formal = np.where(lay.post_in_region, state.structuring[:, lay.region_of_post], 0.0)
    boost = 1.0 + k.structuring_boost * formal
    local_cap = np.where(lay.post_is_local[None, :], state.capacity[:, lay.post_org], 0.0)
    return np.minimum(k.socialisation * boost * (1.0 + local_cap), 1.0)


def code_learning(state: State, lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,G) code-learning probability p2: structuring formalises what people know (M15)."""
    k = bp.knowledge
    formal = np.where(lay.in_region[None, :], state.structuring[:, lay.region_of_org], 0.0)
    return np.minimum(k.code_learning * (1.0 + k.structuring_boost * formal), 1.0)


def stale(state: State, bp: BatchParams, u: np.ndarray) -> None:
    """Habits go stale (M3): each code dimension turns wrong with prob. ``habit_drift``.

    ``u`` is (B,G,m) uniforms; a stale dimension becomes ``-reality`` (a practice
    that no longer fits), which only people whose beliefs beat the code correct.
    """
    ks = state.knowledge
    wrong = (u < bp.knowledge.habit_drift[:, :, None]) & (ks.code != 0)
    np.copyto(ks.code, -ks.reality[:, None, :], where=wrong)


def codified_share(state: State, lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,G) codified share ``s`` of each organisation's knowledge (M15)."""
    floor = bp.knowledge.codified_floor
    formal = np.where(lay.in_region[None, :], state.structuring[:, lay.region_of_org], 0.0)
    return floor + (1.0 - floor) * formal


def tacit(state: State, lay: Layout) -> np.ndarray:
    """(B,G) knowledge held by each organisation's current people (vacant posts hold none)."""
    held = np.where(state.occupied, knowledge.belief_knowledge(state.knowledge), 0.0)
    return lay.per_org(held) / lay.org_posts


def effective_knowledge(
    state: State, lay: Layout, bp: BatchParams, code: np.ndarray, held: np.ndarray | None = None
) -> np.ndarray:
    """(B,G) codified plus tacit knowledge, given ``code`` (B,G) code knowledge.

    ``held`` is :func:`tacit` if already computed (the month computes it once, after
    learning: nobody's beliefs change, nobody leaves or arrives before credibility).
    """
    s = codified_share(state, lay, bp)
    return s * code + (1.0 - s) * (tacit(state, lay) if held is None else held)


def link_groups(state: State, lay: Layout, u: np.ndarray) -> np.ndarray:
    """(B,P) organisation of one randomly chosen live tie of each person, -1 if none.

    Called after :func:`concertsim.submodels.networking.decay`, so a slot holds a
    live tie exactly when its partner is ``>= 0``
    (:func:`concertsim.submodels.networking.live_ties`).
    """
    k = state.tie_partner.shape[-1]
    slot = np.minimum((u * k).astype(np.int64), k - 1)
    partner = state.tie_partner[np.arange(state.batch)[:, None], np.arange(lay.people), slot]
    return np.where(partner >= 0, lay.post_org[np.maximum(partner, 0)], -1)


def link_draws(
    links: Stream, lay: Layout, state: State
) -> tuple[tuple[Stream, tuple[int, ...]], ...]:
    """The two dense draws of :func:`learn` from the ``links`` stream, as
    :func:`~concertsim.streams.dense_uniforms` takes them: (P,) uniforms picking each
    person's tie (:func:`link_groups`), then (G,m) for stale habits (:func:`stale`)."""
    return (links, (lay.people,)), (links, (lay.groups, state.knowledge.dims))


def learn(
    state: State,
    lay: Layout,
    bp: BatchParams,
    stream: Stream,
    links: Stream,
    newcomers: np.ndarray,
    u: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """One period of March's model in every organisation of every run.

    Args:
        state: batch state; beliefs and codes change in place.
        lay: layout.
        bp: batch parameters.
        stream: the ``knowledge`` stream (March's kernel).
        links: the ``links`` stream (which tie each person learns through).
        newcomers: (B,P) people hired this month (fresh beliefs).
        u: the month's two dense draws of ``links`` (:func:`link_draws`), if already
            made (:func:`~concertsim.streams.dense_uniforms`).
    """
    u_link, u_stale = dense_uniforms(*link_draws(links, lay, state)) if u is None else u
    group = link_groups(state, lay, u_link)
    stale(state, bp, u_stale)
    knowledge.step(
        state.knowledge,
        stream,
        group=lay.post_org,
        p1=socialisation(state, lay, bp),
        p2=code_learning(state, lay, bp),
        p4=bp.knowledge.turbulence,
        newcomers=newcomers,
        active=state.occupied,
        link_group=group,
        p_cross=bp.knowledge.cross_learning,
        link_learning=True,
    )
    insight = bp.knowledge.newcomer_insight
    if not (newcomers.any() and np.any(insight > 0)):  # skipped, not moved (same counter)
        links.skip()
        return
    # a (P,m) draw, made only at the newcomers' rows (a sparse draw: the same numbers)
    ks = state.knowledge
    m = ks.dims
    run, person = np.nonzero(newcomers)
    u = links.uniform_at(run[:, None], person[:, None] * m + np.arange(m))
    fresh = u < insight[run]
    ks.beliefs[run, person] = np.where(fresh, ks.reality[run], ks.beliefs[run, person])
