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

import numpy as np

from ..layout import Layout
from ..state import BatchParams, State
from ..streams import Stream

__all__ = [
    "CANDIDATES",
    "NATIONAL_CANDIDATES",
    "valid_ties",
    "live_ties",
    "decay",
    "make_ties",
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
    partner = state.tie_partner
    batch, people = state.occupied.shape
    # who holds each post now: its hire number (>= 1), 0 while vacant; one gather
    holder = np.where(state.occupied, state.hire_id, 0)
    rows = (np.arange(batch) * people)[:, None, None]
    same = holder.ravel()[np.maximum(partner, 0) + rows] == state.tie_hire
    return (partner >= 0) & same & state.occupied[:, :, None]


def live_ties(state: State) -> np.ndarray:
    """(B,P,K) ``tie_partner >= 0``: the live ties, from :func:`decay` to the month's end.

    Equal to :func:`valid_ties` as long as nobody has left since the last
    :func:`decay` (which clears every dead tie).
    """
    return state.tie_partner >= 0


def ties_held(state: State) -> np.ndarray:
    """(B,P) number of live ties each person holds, from :func:`decay` to the month's end."""
    return live_ties(state).sum(axis=-1)


def decay(state: State, bp: BatchParams, stream: Stream) -> None:
    """Each tie lapses with probability ``tie_decay``; dead ties are cleared.

    Afterwards :func:`live_ties` holds until someone leaves.
    """
    u = stream.uniform(state.tie_partner.shape[1:])
    keep = valid_ties(state) & (u >= bp.networking.tie_decay[:, :, None])
    state.tie_partner = np.where(keep, state.tie_partner, -1)


def _free_slot(valid: np.ndarray, u: np.ndarray) -> np.ndarray:
    """First free slot of each row of ``valid`` (..., K), else a random one.

    Overwriting a full person's slot leaves the old partner holding a one-sided
    tie until it lapses (the only way a tie becomes one-sided): ties are held per
    person, and counted per holder.
    """
    k = valid.shape[-1]
    first = np.argmin(valid, axis=-1)
    full = valid.all(axis=-1)
    return np.where(full, np.minimum((u * k).astype(np.int64), k - 1), first)


def make_ties(
    state: State, lay: Layout, bp: BatchParams, stream: Stream, output: np.ndarray
) -> None:
    """Create ties in each region in proportion to its networking ``output`` (B,R).

    Called after :func:`decay`: a slot is free exactly when its partner is -1.
    """
    u = stream.uniform((lay.structure.regions, CANDIDATES, 4))
    rate = np.minimum(bp.networking.ties_per_output * output / CANDIDATES, 1.0)
    pool = lay.region_pool
    q = pool.shape[1]
    r_idx = np.arange(pool.shape[0])[None, :, None]
    a = pool[r_idx, np.minimum((u[..., 1] * q).astype(np.int64), q - 1)]
    c = pool[r_idx, np.minimum((u[..., 2] * q).astype(np.int64), q - 1)]
    # people in post in an organisation taking part, gathered by flat (run, post) index
    open_post = (state.participating[:, lay.post_org] & state.occupied).ravel()
    rows = (np.arange(state.batch) * lay.people)[:, None, None]
    ok = (u[..., 0] < rate[:, :, None]) & (lay.post_org[a] != lay.post_org[c])
    ok &= open_post[a + rows] & open_post[c + rows]
    # national actors' people, through the few government respondents (M10)
    v = stream.uniform((lay.structure.regions, NATIONAL_CANDIDATES, 4))
    reg, nat = lay.regional_posts, lay.national_posts
    an = reg[r_idx, np.minimum((v[..., 1] * reg.shape[1]).astype(np.int64), reg.shape[1] - 1)]
    cn = nat[np.minimum((v[..., 2] * nat.size).astype(np.int64), nat.size - 1)]
    room = national_ties(state, lay) < bp.regional.government_respondents
    occupied = state.occupied.ravel()
    okn = (v[..., 0] < rate[:, :, None]) & room[:, :, None] & state.alive[:, :, None]
    okn &= occupied[an + rows] & occupied[cn + rows]
    join = lambda x, y: np.concatenate([x, y], axis=2)  # noqa: E731
    _write(state, lay, join(ok, okn), join(a, an), join(c, cn), join(u[..., 3], v[..., 3]))


def recruit(state: State, lay: Layout, bp: BatchParams, new: np.ndarray, u: np.ndarray) -> None:
    """Newcomers recruited from the region's network bring ties (M3, M13).

    A newcomer of a region's organisation tries each of their ``K`` tie slots with
    probability ``newcomer_ties x d_r / K``, ``d_r`` the mean live ties of the
    region's people in post: a newcomer brings ``newcomer_ties`` times the ties
    of the average incumbent, so a region that networked recruits connected
    people, and one that neglected networking does not. Each try is with someone
    drawn from the region's posts who is in post in another organisation. Ties
    are still personal: the leaver's ties are gone, the newcomer's are new ones.
    National actors' newcomers bring none. Unlike the ties networking
    makes, these need no one to take part in the concertation: they are the
    newcomer's own acquaintances.

    Args:
        state: the batch state; ties are written in place.
        lay: the layout.
        bp: batch parameters.
        new: (B,P) the newcomers of this month (their slots are empty).
        u: (B,2,K,P) uniforms: the partner drawn, then whether the slot is tried.
    """
    k_slots = state.tie_partner.shape[-1]
    pool = lay.region_pool[lay.region_of_post]  # (P,Q): the posts of each post's region
    q = pool.shape[1]
    held = np.where(state.occupied, ties_per_person(state), 0)[:, lay.region_pool]  # (B,R,Q)
    in_post = state.occupied[:, lay.region_pool].sum(-1)
    mean_ties = held.sum(-1) / np.maximum(in_post, 1)  # (B,R)
    share = bp.networking.newcomer_ties * mean_ties[:, lay.region_of_post] / k_slots
    p_try = np.minimum(share, 1.0)  # (B,P)
    can = new & lay.post_in_region[None, :]
    a = np.broadcast_to(np.arange(lay.people), new.shape)
    for k in range(k_slots):
        pick = np.minimum((u[:, 0, k] * q).astype(np.int64), q - 1)
        c = pool[np.arange(lay.people)[None, :], pick]  # (B,P)
        try_k = u[:, 1, k] < p_try
        ok = can & try_k & np.take_along_axis(state.occupied, c, axis=1)
        ok &= lay.post_org[c] != lay.post_org[None, :]
        slot_u = np.where(try_k, u[:, 1, k] / np.maximum(p_try, 1e-12), 0.0)
        _write(state, lay, ok, a, c, slot_u)


def national_ties(state: State, lay: Layout) -> np.ndarray:
    """(B,R) live ties between each regional body's people and national actors' people (M10).

    Valid from :func:`decay` to the month's end (like :func:`live_ties`).
    """
    partner = state.tie_partner[:, lay.regional_posts]  # (B,R,Qr,K)
    return (partner >= lay.national_posts[0]).sum(axis=(-1, -2))


def _write(
    state: State, lay: Layout, ok: np.ndarray, a: np.ndarray, c: np.ndarray, u: np.ndarray
) -> None:
    """Write the candidate ties ``ok`` (B,R,C) between posts ``a`` and ``c`` on both sides."""
    if not ok.any():
        return
    b = np.nonzero(ok)[0]  # the run of each candidate (ok has a's shape)
    a, c, uu = a[ok], c[ok], u[ok]
    slots_a, slots_c = state.tie_partner[b, a], state.tie_partner[b, c]
    tied = (slots_a == c[:, None]).any(-1)  # a already holds a live tie to c
    keep = _once_per_person(b, a, c, lay.people) & ~tied
    b, a, c, uu = b[keep], a[keep], c[keep], uu[keep]
    # a person is in at most one kept candidate, so no write below touches another's rows
    for x, y, slots in ((a, c, slots_a[keep]), (c, a, slots_c[keep])):
        slot = _free_slot(slots >= 0, uu)
        state.tie_partner[b, x, slot] = y
        state.tie_hire[b, x, slot] = state.hire_id[b, y]


def _once_per_person(b: np.ndarray, a: np.ndarray, c: np.ndarray, people: int) -> np.ndarray:
    """Keep a candidate tie only where both its people appear first in it this month.

    So a person makes at most one new tie a month, and no two new ties compete for
    the same free slot. Candidates come in (run, region, candidate) order, so the
    choice depends on the run's own draws only.
    """
    ends = np.stack([b * people + a, b * people + c], axis=1).ravel()  # a0 c0 a1 c1 ...
    _, first, where = np.unique(ends, return_index=True, return_inverse=True)
    wins = (first[where] // 2 == np.arange(ends.size) // 2).reshape(-1, 2)
    return wins[:, 0] & wins[:, 1]


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
    org_ties = lay.per_org(ties.astype(float))
    covered = np.minimum(org_ties / bp.networking.ties_needed, 1.0)
    members = lay.members_mean(covered, state.participating)
    return members, lay.level(covered, "local").mean(-1)
