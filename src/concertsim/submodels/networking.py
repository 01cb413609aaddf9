"""Networking: personal ties across organisations (M13; Fang, Lee & Schilling 2010).

Ties are personal: each person holds up to ``tie_slots`` ties, each naming the
partner's post and the partner's hire number, so a tie dies when either person
leaves. A newcomer recruited from the region's network brings new ties of their
own (:func:`recruit`), none of the leaver's. Each month every held tie lapses with
probability ``tie_decay`` (each person forgets on their own, so a tie may
survive on one side only), and the regional body's networking output proposes
up to ``CANDIDATES`` new ties per region between people of the region's
participating organisations (the regional body included), and up to
``NATIONAL_CANDIDATES`` between the regional body's people and national actors'
people, while the region holds fewer such ties than
``regional.government_respondents`` (M10). A proposal becomes a
tie, written on both sides, when both people are in post in different
organisations, are not tied already, and neither makes another new tie that
month. Ties carry knowledge
between organisations (cross-links, :mod:`concertsim.submodels.learning`) and
are what structuring and alignment need (:func:`coverage`).

Which slots hold a live tie is worked out once a month, by :func:`decay`
(:func:`valid_ties`), which clears every dead tie: from then until the next
month's turnover, a slot holds a live tie exactly when ``tie_partner >= 0``
(:func:`live_ties`), since new ties are made between people in post.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from ..layout import Layout
from ..state import BatchParams, State
from ..streams import Stream, dense_uniforms

__all__ = [
    "CANDIDATES",
    "NATIONAL_CANDIDATES",
    "valid_ties",
    "live_ties",
    "decay",
    "make_ties",
    "tie_draws",
    "recruit",
    "national_ties",
    "ties_per_person",
    "ties_held",
    "coverage",
]

CANDIDATES = 16
"""Candidate new ties drawn per region and month (caps ties made per month)."""

NATIONAL_CANDIDATES = 1
"""Candidate new ties per region and month between its regional body's people and national
actors' people, made while the region holds fewer than ``government_respondents`` such ties."""


def valid_ties(state: State) -> np.ndarray:
    """(B,P,K) True where a tie slot holds a tie to someone still in post.

    The full check, valid at any time (e.g. right after a turnover wave); within
    a month, after :func:`decay`, :func:`live_ties` gives the same answer cheaply.
    """
    batch, people = state.occupied.shape
    # who holds each post now: its hire number (>= 1), 0 while vacant; a column of -1
    # in front for the empty slots (-1 + 1), which no tie_hire (>= 0) equals; one gather
    holder = np.full((batch, people + 1), -1, dtype=state.hire_id.dtype)
    np.multiply(state.hire_id, state.occupied, out=holder[:, 1:])
    index = state.tie_partner + _row_starts(batch, people + 1, 1)
    same = np.take(holder, index) == state.tie_hire
    same &= state.occupied[:, :, None]
    return same


_ROWS: dict[tuple[int, int, int], np.ndarray] = {}
"""Cached :func:`_row_starts`, by (runs, row length, offset)."""


def _row_starts(batch: int, length: int, offset: int = 0) -> np.ndarray:
    """(B,1,1) ``run * length + offset``: flat index of each run's row (read-only, cached)."""
    rows = _ROWS.get((batch, length, offset))
    if rows is None:
        rows = (np.arange(batch) * length + offset)[:, None, None]
        rows.setflags(write=False)
        if len(_ROWS) < 64:
            _ROWS[batch, length, offset] = rows
    return rows


def live_ties(state: State) -> np.ndarray:
    """(B,P,K) ``tie_partner >= 0``: the live ties, from :func:`decay` to the month's end.

    Equal to :func:`valid_ties` as long as nobody has left since the last
    :func:`decay` (which clears every dead tie).
    """
    return state.tie_partner >= 0


_ONES: dict[int, np.ndarray] = {}


def ties_held(state: State) -> np.ndarray:
    """(B,P) number of live ties each person holds, from :func:`decay` to the month's end.

    Counted as a product with a vector of ones (int8: at most ``tie_slots`` <= 32),
    a third of the cost of a sum over the short last axis.
    """
    k = state.tie_partner.shape[-1]
    ones = _ONES.get(k)
    if ones is None:
        ones = _ONES.setdefault(k, np.ones(k, dtype=np.int8))
    return np.matmul(live_ties(state).view(np.int8), ones)


def decay(state: State, bp: BatchParams, stream: Stream, bases: np.ndarray | None = None) -> None:
    """Each tie lapses with probability ``tie_decay``; dead ties are cleared.

    Afterwards :func:`live_ties` holds until someone leaves. ``bases``: (B,) the
    starting points of the month's draw of ``stream``, if already taken
    (``stream.next_bases()``).
    """
    valid = valid_ties(state)
    # a dense draw of (P,K) uniforms, made only where a tie is held (a sparse draw: the
    # same numbers at those positions), in one compiled pass with the clearing
    bases = stream.next_bases() if bases is None else bases
    _tie_kernel().lapse(state.tie_partner, valid, bases, bp.networking.tie_decay[:, 0])


def make_ties(
    state: State,
    lay: Layout,
    bp: BatchParams,
    stream: Stream,
    output: np.ndarray,
    u: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """Create ties in each region in proportion to its networking ``output`` (B,R).

    Called after :func:`decay`: a slot is free exactly when its partner is -1.
    ``u``: the month's two draws of ``stream`` (:func:`tie_draws`), if already made
    (:func:`~concertsim.streams.dense_uniforms`).
    """
    # the region's candidates, then national actors' people, through the few government
    # respondents (M10): two draws, hashed in one pass
    u, v = dense_uniforms(*tie_draws(stream, lay)) if u is None else u
    rate = np.minimum(bp.networking.ties_per_output * output / CANDIDATES, 1.0)
    cand = _candidates(lay)
    _tie_kernel().network_ties(
        state.tie_partner,
        state.tie_hire,
        state.hire_id,
        state.occupied,
        state.participating,
        state.alive,
        lay.post_org,
        np.ascontiguousarray(u),  # views of the month's draws: C order for B > 1 too (one
        np.ascontiguousarray(v),  # compiled version whatever the batch)
        rate,
        bp.regional.government_respondents[:, 0],
        cand.a_posts,
        cand.c_posts,
        cand.a_size,
        cand.c_size,
        lay.regional_posts,
        int(lay.national_posts[0]),
    )


def tie_draws(stream: Stream, lay: Layout) -> tuple[tuple[Stream, tuple[int, ...]], ...]:
    """The two dense draws of :func:`make_ties`, as :func:`~concertsim.streams.dense_uniforms`
    takes them: the region's candidates, then the national ones, (R,C,4) uniforms each."""
    regions = lay.structure.regions
    return (stream, (regions, CANDIDATES, 4)), (stream, (regions, NATIONAL_CANDIDATES, 4))


class _Candidates:
    """Where the candidate ties of :func:`make_ties` pick their people, by layout.

    Candidate ``j`` of region ``r`` picks its first person at
    ``a_posts[r, j, min(floor(u a_size[j]), a_size[j] - 1)]`` (the region's pool, or
    its regional body's posts for a national candidate), its second likewise in
    ``c_posts`` (the region's pool, or the national actors' posts); national candidates
    are the last :data:`NATIONAL_CANDIDATES`.
    """

    def __init__(self, lay: Layout) -> None:
        pool, reg, nat = lay.region_pool, lay.regional_posts, lay.national_posts
        regions, n = pool.shape[0], CANDIDATES + NATIONAL_CANDIDATES
        national = np.arange(n) >= CANDIDATES
        width = max(pool.shape[1], reg.shape[1], nat.size)
        self.a_posts = np.zeros((regions, n, width), dtype=np.int64)
        self.c_posts = np.zeros((regions, n, width), dtype=np.int64)
        self.a_posts[:, ~national, : pool.shape[1]] = pool[:, None, :]
        self.a_posts[:, national, : reg.shape[1]] = reg[:, None, :]
        self.c_posts[:, ~national, : pool.shape[1]] = pool[:, None, :]
        self.c_posts[:, national, : nat.size] = nat
        self.a_size = np.where(national, reg.shape[1], pool.shape[1]).astype(np.float64)
        self.c_size = np.where(national, nat.size, pool.shape[1]).astype(np.float64)


_CANDIDATES: dict[int, tuple[Layout, _Candidates]] = {}


def _candidates(lay: Layout) -> _Candidates:
    """The :class:`_Candidates` of ``lay`` (cached while the layout lives)."""
    hit = _CANDIDATES.get(id(lay))
    if hit is None or hit[0] is not lay:
        if len(_CANDIDATES) >= 32:
            _CANDIDATES.clear()
        hit = _CANDIDATES[id(lay)] = (lay, _Candidates(lay))
    return hit[1]


def recruit(state: State, lay: Layout, bp: BatchParams, new: np.ndarray, stream: Stream) -> None:
    """Newcomers recruited from the region's network bring ties (M3, M13).

    A newcomer of a region's organisation tries each of their ``K`` tie slots with
    probability ``newcomer_ties x d_r / K``, ``d_r`` the mean ties held by the
    region's other people in post at the start of the month: a newcomer brings
    ``newcomer_ties`` times the ties of the average incumbent, so a region that
    networked recruits connected people, and one that neglected networking does
    not. Each try is with someone drawn from the region's posts who is in post in
    another organisation. Ties are still personal: the leaver's ties are gone,
    the newcomer's are new ones. National actors' newcomers bring none. Unlike
    the ties networking makes, these need no one to take part in the
    concertation: they are the newcomer's own acquaintances. A newcomer's tries
    are written in rounds (their first try in the first round, ...), each round
    with the once-per-person rule of :func:`make_ties`.

    Args:
        state: the batch state; ties are written in place.
        lay: the layout.
        bp: batch parameters.
        new: (B,P) the newcomers of this month (their slots are empty).
        stream: makes one draw, (B,2,K,P) uniforms: the partner drawn, then whether
            the slot is tried (made at the newcomers' columns only: the same numbers).
    """
    run, post = np.nonzero(new & lay.post_in_region[None, :])
    if run.size == 0:
        stream.skip()  # the draw is not needed (the same counter)
        return
    k_slots = state.tie_partner.shape[-1]
    offsets = _recruit_offsets(k_slots, lay.people)  # (n,2,K): (draw, slot, post)
    uu = stream.uniform_at(run[:, None, None], post[:, None, None] + offsets)
    # the mean ties of the region's incumbents, each newcomer's tries, and their writes
    _tie_kernel().recruit_tries(
        state.tie_partner,
        state.tie_hire,
        state.hire_id,
        state.occupied,
        new,
        np.ascontiguousarray(run),  # nonzero's are strided views: one compiled version
        np.ascontiguousarray(post),
        uu,
        bp.networking.newcomer_ties[:, 0],
        lay.region_pool,
        lay.region_of_post,
        lay.post_org,
    )


def _recruit_offsets(k: int, people: int) -> np.ndarray:
    """(2,K) flat offsets of (draw, slot) in a (2,K,P) draw: ``j K P + k P``."""
    return (np.arange(2)[:, None] * k + np.arange(k)[None, :]) * people


def national_ties(state: State, lay: Layout) -> np.ndarray:
    """(B,R) live ties between each regional body's people and national actors' people (M10).

    Valid from :func:`decay` to the month's end (like :func:`live_ties`).
    """
    partner = lay.regional(state.tie_partner)  # (B,R,Qr,K)
    return (partner >= lay.national_posts[0]).sum(axis=(-1, -2))


def _tie_kernel() -> ModuleType:
    """:mod:`concertsim.submodels.tie_kernel`, imported at the first tie written (numba
    with it, not with concertsim)."""
    from . import tie_kernel

    return tie_kernel


def ties_per_person(state: State) -> np.ndarray:
    """(B,P) number of live ties each person holds (at any time, see :func:`valid_ties`)."""
    return valid_ties(state).sum(axis=-1)


def coverage(
    state: State, lay: Layout, bp: BatchParams, ties: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How well each region's organisations are tied, in [0, 1].

    An organisation is covered by ``min(1, its people's ties / ties_needed)``.

    Returns:
        (B,R) the mean over the region's participating local committees and
        sectoral tables (what structuring and alignment need), and (B,R) the mean
        over its local committees (what issue positioning needs, M12).
    """
    org_ties = lay.per_org(ties, np.float64)
    covered = np.minimum(org_ties / bp.networking.ties_needed, 1.0)
    members = lay.members_mean(covered, state.participating)
    local = lay.level(covered, "local")
    return members, np.add.reduce(local, axis=-1) / local.shape[-1]  # the mean
