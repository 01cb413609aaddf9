"""Writing candidate ties, round by round, compiled (numba).

:mod:`concertsim.submodels.networking` proposes candidate ties (the networking output's,
and newcomers' own in rounds, :func:`~concertsim.submodels.networking.recruit`);
:func:`write_rounds` writes them in order. Within a round a person makes at most one
new tie: a candidate is kept only where both its people appear in it first that round,
and where its first person is not tied to its second already. A kept tie is written
on both sides, each in its holder's first free slot, or, for a full holder, in the
slot ``min(floor(u K), K - 1)`` (overwriting it: the old partner keeps a one-sided tie
until it lapses). Each round sees the writes of the rounds before it.

Why compiled: a round is a handful of candidates, and its numpy form cost a dozen
calls of pure overhead each time (up to a few rounds a month, every month); a loop
over the candidates is the natural form, the same integers, and one float
expression (the slot of a full holder) computed as numpy does.

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
from numba import njit

__all__ = ["write_rounds"]


@njit(cache=True, nogil=True)
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
