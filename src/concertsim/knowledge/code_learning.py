"""Step 5 of a period: each code learns from its superior group's vote sums.

The superior group of an organisation is its active people whose performance beats the
code's score; ``s_j`` sums their actions on dimension ``j``, and the code takes the sign
of ``s_j`` with probability ``1 - (1 - p2) ** |s_j|``. The sums are computed densely or
from the superior people's rows only, with the same (integer) result.

Example:
    >>> import numpy as np
    >>> actions = np.array([[[1, -1], [1, 1], [-1, 1]]], dtype=np.int8)
    >>> sup = np.array([[True, True, False]])
    >>> vote_sums(actions, sup, np.zeros(3, dtype=np.intp), None, 1).tolist()
    [[[2, 0]]]
"""

from __future__ import annotations

import numpy as np

from concertsim.streams import hash_uniform

from .draws import SPARSE_SHARE, Prob
from .state import dot_scores

__all__ = [
    "learn_code",
    "superior",
    "vote_sums",
    "vote_sums_grouped",
    "vote_sums_sparse",
]


def superior(
    actions: np.ndarray,
    reality: np.ndarray,
    score: np.ndarray,
    group: np.ndarray,
    active: np.ndarray | None,
    link_group: np.ndarray | None,
    link_learning: bool,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray] | None]:
    """The superior groups: who beats her organisation's code, and tied people.

    Returns:
        ``sup``, ``(B, P)`` bool: the person's performance beats her own code's score
        (active people only); and, with ``link_learning``, ``(run, person, org)``
        index arrays of tied people who beat the score of their link organisation's
        code (they count in its superior group too), else None.
    """
    perf = dot_scores(actions, reality)
    sup = perf > score[:, group]
    if active is not None:
        sup &= active
    if not link_learning or link_group is None:
        return sup, None
    linked = link_group >= 0 if active is None else (link_group >= 0) & active
    lrun, lperson = np.nonzero(linked)
    lorg = link_group[lrun, lperson]
    beat = perf[lrun, lperson] > score[lrun, lorg]
    return sup, (lrun[beat], lperson[beat], lorg[beat])


def vote_sums(
    actions: np.ndarray,
    sup: np.ndarray,
    group: np.ndarray,
    extra: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    G: int,
) -> np.ndarray:
    """``s_j`` per organisation: sums of the superior members' actions, ``(B, G, m)``."""
    k = int(np.count_nonzero(sup))
    if k < SPARSE_SHARE * sup.size:  # the tied people's rows summed in the same pass
        return vote_sums_sparse(actions, sup, group, G, extra)
    if G == 1:
        sums = np.einsum("bp,bpm->bm", sup.view(np.int8), actions, dtype=np.int32)[:, None]
    else:
        sums = vote_sums_grouped(actions, sup, group, G)
    if extra is not None and extra[0].size:
        run, person, org = extra
        np.add.at(sums, (run, org), actions[run, person])
    return sums


def vote_sums_sparse(
    actions: np.ndarray,
    sup: np.ndarray,
    group: np.ndarray,
    G: int,
    extra: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """:func:`vote_sums` from the superior people's rows only (few superiors).

    The rows of ``extra`` (run, person, org) count too, in the same sums (integer
    sums: the order of the terms does not matter).
    """
    B, P, m = actions.shape
    sums = np.zeros((B * G, m), dtype=np.int32)
    row = np.flatnonzero(sup)  # run * P + person
    key = (row // P) * G + np.take(group, row % P)
    if extra is not None and extra[0].size:
        run, person, org = extra
        row = np.concatenate([row, run * P + person])
        key = np.concatenate([key, run * G + org])
    if row.size == 0:
        return sums.reshape(B, G, m)
    if np.any(key[1:] < key[:-1]):
        order = np.argsort(key, kind="stable")
        row, key = row[order], key[order]
    starts = np.flatnonzero(key[1:] != key[:-1])
    starts += 1
    starts = np.concatenate([_ZERO, starts])
    rows = np.take(actions.reshape(B * P, m), row, axis=0)
    sums[key[starts]] = np.add.reduceat(rows, starts, axis=0, dtype=np.int32)
    return sums.reshape(B, G, m)


_ZERO = np.zeros(1, dtype=np.intp)


def vote_sums_grouped(
    actions: np.ndarray, sup: np.ndarray, group: np.ndarray, G: int
) -> np.ndarray:
    """:func:`vote_sums` by a dense pass over people sorted by organisation."""
    B, P, m = actions.shape
    masked = actions * sup.view(np.int8)[:, :, None]
    if np.any(np.diff(group) < 0):
        order = np.argsort(group, kind="stable")
        masked, group = masked[:, order], group[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sums = np.zeros((B, G, m), dtype=np.int32)
    sums[:, group[starts]] = np.add.reduceat(masked, starts, axis=1, dtype=np.int32)
    return sums


def learn_code(code: np.ndarray, sums: np.ndarray, p2: Prob, bases: np.ndarray) -> None:
    """Step 5: each code moves toward the majority action of its superior group."""
    B, G, m = code.shape
    sign = np.sign(sums).astype(np.int8)
    cand = sign != 0
    cand &= sign != code
    flat = np.flatnonzero(cand)
    if flat.size == 0:
        return
    run_org = flat // m  # flat = (run G + org) m + dim
    run = run_org // G
    pr = np.asarray(p2, dtype=np.float64)
    if pr.ndim:  # one probability per (run, organisation), gathered at the candidates
        pr = np.take(pr if pr.shape == (B, G) else np.broadcast_to(pr, (B, G)), run_org)
    prob = 1.0 - (1.0 - pr) ** np.abs(np.take(sums.reshape(-1), flat))
    learn = hash_uniform(np.take(bases, run), flat - run * (G * m)) < prob  # at org m + dim
    hit = flat[learn]
    np.put(code, hit, np.take(sign.reshape(-1), hit))
