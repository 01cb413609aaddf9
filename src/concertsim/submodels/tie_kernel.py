"""The ties' loops, compiled (numba): lapses, newcomers' tries, and writes round by round.

:mod:`concertsim.submodels.networking` proposes candidate ties (the networking output's,
and newcomers' own in rounds: :func:`~concertsim.submodels.networking.recruit` draws
them, :func:`recruit_tries` turns the draws into tries); :func:`write_rounds` writes
them in order; :func:`lapse` clears dead and lapsed ties. Within a round a person makes at most one
new tie: a candidate is kept only where both its people appear in it first that round,
and where its first person is not tied to its second already. A kept tie is written
on both sides, each in its holder's first free slot, or, for a full holder, in the
slot ``min(floor(u K), K - 1)`` (overwriting it: the old partner keeps a one-sided tie
until it lapses). Each round sees the writes of the rounds before it.

Why compiled: a round is a handful of candidates, and its numpy form cost a dozen
calls of pure overhead each time (up to a few rounds a month, every month); a loop
over the candidates is the natural form, the same integers, and the same float
expressions (IEEE operations in the same order, no fast-math) as numpy computed.

Example:
    >>> import numpy as np
    >>> partner = np.full((1, 3, 2), -1, dtype=np.int32)
    >>> hire, stamp = np.zeros((1, 3, 2), dtype=np.int32), np.ones((1, 3), dtype=np.int32)
    >>> one = np.zeros(2, dtype=np.int64)
    >>> write_rounds(partner, hire, stamp, one, np.array([0, 1]), np.array([1, 2]),
    ...              np.zeros(2), one)  # person 1 is in both: only the first is made
    >>> partner[0].tolist()
    [[1, -1], [0, -1], [-1, -1]]
"""

from __future__ import annotations

import numpy as np

from concertsim.jit import jit, uniform

__all__ = ["lapse", "network_ties", "write_rounds", "recruit_tries"]


@jit
def lapse(tie_partner: np.ndarray, valid: np.ndarray, bases: np.ndarray, decay: np.ndarray) -> None:
    """Clear every slot but the live ties that survive their month (M13).

    Args:
        tie_partner: ``(B, P, K)`` int32, changed in place: -1 where a tie is dead or lapses.
        valid: ``(B, P, K)`` bool, the live ties
            (:func:`~concertsim.submodels.networking.valid_ties`).
        bases: ``(B,)`` uint64, the month's draw: slot ``k`` of person ``p`` lapses when
            its uniform at ``p K + k`` is below ``decay``.
        decay: ``(B,)`` the monthly lapse probability.
    """
    B, P, K = tie_partner.shape
    for b in range(B):
        for p in range(P):
            for k in range(K):
                if not (valid[b, p, k] and uniform(bases[b], p * K + k) >= decay[b]):
                    tie_partner[b, p, k] = -1


@jit
def write_rounds(
    tie_partner: np.ndarray,
    tie_hire: np.ndarray,
    hire_id: np.ndarray,
    run: np.ndarray,
    a: np.ndarray,
    c: np.ndarray,
    u: np.ndarray,
    rounds: np.ndarray,
) -> None:
    """Write candidate ties between posts ``a`` and ``c`` of runs ``run``, in order.

    Args:
        tie_partner: ``(B, P, K)`` int32, changed in place.
        tie_hire: ``(B, P, K)`` int32, changed in place (the partner's ``hire_id``).
        hire_id: ``(B, P)`` int32.
        run, a, c: ``(n,)`` int64, the candidates (run, first post, second post).
        u: ``(n,)`` uniforms choosing the slot of a full holder.
        rounds: ``(n,)`` int64, non-decreasing: candidates with the same round number
            form a round.
    """
    B, P, K = tie_partner.shape
    seen = np.full(B * P, -1, dtype=np.int64)  # the last round each person appeared in
    for i in range(run.size):
        b, x, y, r = run[i], a[i], c[i], rounds[i]
        first = seen[b * P + x] != r and seen[b * P + y] != r
        seen[b * P + x] = r
        seen[b * P + y] = r
        if not first:
            continue
        tied = False
        for k in range(K):
            tied |= tie_partner[b, x, k] == y
        if tied:
            continue
        for holder, partner in ((x, y), (y, x)):
            slot = -1
            for k in range(K):
                if tie_partner[b, holder, k] < 0:
                    slot = k
                    break
            if slot < 0:  # full: a random slot
                slot = min(np.int64(u[i] * K), K - 1)
            tie_partner[b, holder, slot] = partner
            tie_hire[b, holder, slot] = hire_id[b, partner]


@jit
def recruit_tries(
    tie_partner: np.ndarray,
    tie_hire: np.ndarray,
    hire_id: np.ndarray,
    occupied: np.ndarray,
    new: np.ndarray,
    run: np.ndarray,
    post: np.ndarray,
    uu: np.ndarray,
    newcomer_ties: np.ndarray,
    pool: np.ndarray,
    region_of_post: np.ndarray,
    post_org: np.ndarray,
) -> None:
    """Newcomers' tries of :func:`concertsim.submodels.networking.recruit`, written.

    Args:
        tie_partner, tie_hire, hire_id: as in :func:`write_rounds` (ties changed in place).
        occupied: ``(B, P)`` bool, people in post (the newcomers included).
        new: ``(B, P)`` bool, this month's newcomers.
        run, post: ``(n,)`` int64, the newcomers of a region's organisation, in (run, post)
            order.
        uu: ``(n, 2, K)`` uniforms: the partner drawn, then whether the slot is tried.
        newcomer_ties: ``(B,)`` the parameter.
        pool: ``(R, Q)`` int64, each region's posts.
        region_of_post, post_org: ``(P,)`` int64, the layout's.
    """
    B, P, K = tie_partner.shape
    R, Q = pool.shape
    # d_r: the mean live ties of each region's incumbents (people in post, not new)
    mean_ties = np.empty((B, R))
    for b in range(B):
        for r in range(R):
            held, count = 0, 0
            for q in range(Q):
                x = pool[r, q]
                if occupied[b, x] and not new[b, x]:
                    count += 1
                    for k in range(K):
                        held += tie_partner[b, x, k] >= 0
            mean_ties[b, r] = held / max(count, 1)
    # every try, by newcomer then slot: a newcomer's j-th try is in round j
    n = run.size
    cb = np.empty(n * K, dtype=np.int64)
    ca, cc, cr = np.empty_like(cb), np.empty_like(cb), np.empty_like(cb)
    cu = np.empty(n * K)
    m = 0
    for i in range(n):
        b, a = run[i], post[i]
        region = region_of_post[a]
        p_try = min(newcomer_ties[b] * mean_ties[b, region] / K, 1.0)
        tries = 0
        for k in range(K):
            if not uu[i, 1, k] < p_try:
                continue
            tries += 1
            pick = min(np.int64(uu[i, 0, k] * Q), Q - 1)
            c = pool[region, pick]
            # tie writes change neither who is in post nor organisations: checked now
            if occupied[b, c] and post_org[c] != post_org[a]:
                cb[m], ca[m], cc[m], cr[m] = b, a, c, tries - 1
                cu[m] = uu[i, 1, k] / max(p_try, 1e-12)
                m += 1
    # round by round, each in (run, post) order (a stable sort by round)
    order = np.argsort(cr[:m], kind="mergesort")
    write_rounds(
        tie_partner, tie_hire, hire_id, cb[order], ca[order], cc[order], cu[order], cr[order]
    )


@jit
def network_ties(
    tie_partner: np.ndarray,
    tie_hire: np.ndarray,
    hire_id: np.ndarray,
    occupied: np.ndarray,
    participating: np.ndarray,
    alive: np.ndarray,
    post_org: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    rate: np.ndarray,
    respondents: np.ndarray,
    a_posts: np.ndarray,
    c_posts: np.ndarray,
    a_size: np.ndarray,
    c_size: np.ndarray,
    regional_posts: np.ndarray,
    first_national: int,
) -> None:
    """The candidate ties of :func:`concertsim.submodels.networking.make_ties`, written.

    Args:
        tie_partner, tie_hire, hire_id: as in :func:`write_rounds` (ties changed in place).
        occupied: ``(B, P)`` bool, people in post.
        participating: ``(B, G)`` bool, organisations taking part.
        alive: ``(B, R)`` bool, regional bodies.
        post_org: ``(P,)`` int64.
        u: ``(B, R, C, 4)`` the region's candidates' uniforms: whether proposed (below
            ``rate``), the first person, the second, the slot of a full holder.
        v: ``(B, R, N, 4)`` the national candidates' (a regional body's person and a
            national actor's), the same four.
        rate: ``(B, R)`` the chance each candidate is proposed.
        respondents: ``(B,)`` ``regional.government_respondents``: national candidates
            are proposed while the region holds fewer ties with national actors' people.
        a_posts, c_posts: ``(R, C + N, Q)`` int64, where each candidate picks its people.
        a_size, c_size: ``(C + N,)`` float64, how many posts each picks among.
        regional_posts: ``(R, Qr)`` int64, the regional bodies' posts.
        first_national: the first national actor's post (theirs come last).
    """
    B, R, C, _ = u.shape
    N = v.shape[2]
    K = tie_partner.shape[2]
    n = 0
    run = np.empty(B * R * (C + N), dtype=np.int64)
    a, c, slot_u = np.empty_like(run), np.empty_like(run), np.empty(run.size)
    for b in range(B):
        for r in range(R):
            # the region's ties with national actors' people (before this month's new ones)
            held = 0
            for q in range(regional_posts.shape[1]):
                for k in range(K):
                    held += tie_partner[b, regional_posts[r, q], k] >= first_national
            room = held < respondents[b] and alive[b, r]
            for j in range(C + N):
                w = u[b, r, j] if j < C else v[b, r, j - C]
                if not w[0] < rate[b, r] or (j >= C and not room):
                    continue
                x = a_posts[r, j, min(np.int64(w[1] * a_size[j]), np.int64(a_size[j]) - 1)]
                y = c_posts[r, j, min(np.int64(w[2] * c_size[j]), np.int64(c_size[j]) - 1)]
                if post_org[x] == post_org[y] or not (occupied[b, x] and occupied[b, y]):
                    continue
                # the region's people must be in an organisation taking part
                if j < C and not (participating[b, post_org[x]] and participating[b, post_org[y]]):
                    continue
                run[n], a[n], c[n], slot_u[n] = b, x, y, w[3]
                n += 1
    write_rounds(
        tie_partner, tie_hire, hire_id, run[:n], a[:n], c[:n], slot_u[:n], np.zeros(n, np.int64)
    )
