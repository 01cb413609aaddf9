"""Step 4 of a period: people's beliefs move toward a code (their own, or a tied one's).

Example:
    >>> import numpy as np
    >>> beliefs = np.zeros((1, 2, 3), dtype=np.int8)
    >>> code = np.array([[[1, -1, 0]]], dtype=np.int8)
    >>> socialise(beliefs, code, 1.0, None, np.array([5], dtype=np.uint64))
    >>> beliefs.tolist()  # p1 = 1: every belief takes the code's non-zero signs
    [[[1, -1, 0], [1, -1, 0]]]
"""

from __future__ import annotations

import numpy as np

from concertsim.streams import hash_uniform

from .draws import Prob, bernoulli_mask, dim_index

__all__ = [
    "socialise",
    "targets",
]


def targets(
    code: np.ndarray,
    group: np.ndarray,
    link_group: np.ndarray | None,
    p_cross: Prob,
    bases: np.ndarray,
) -> np.ndarray:
    """The code each person socialises toward, per dimension: ``(B, P|1, m)``."""
    B, G, m = code.shape
    if G == 1 and link_group is None:
        return code  # broadcasts over people
    target = np.take(code, group, axis=1)
    if link_group is None or np.all(np.asarray(p_cross) == 0.0):
        return target
    # flat (run * P + person) indices of the linked people: one gather, one scatter
    flat = np.flatnonzero(link_group >= 0)
    if flat.size == 0:
        return target
    P = link_group.shape[1]
    run = flat // P
    pos = (flat - run * P)[:, None] * m + dim_index(m)  # the person's row of a (P, m) draw
    u = hash_uniform(np.take(bases, run)[:, None], pos)
    pc = np.asarray(p_cross, dtype=np.float64)
    if pc.shape == (B, 1):  # one probability per run
        pc = np.take(pc, run, axis=0)
    elif pc.ndim:
        pc = np.broadcast_to(pc, link_group.shape).reshape(-1)[flat][:, None]
    cross = u < pc
    linked = np.take(code.reshape(B * G, m), run * G + np.take(link_group, flat), axis=0)
    rows = target.reshape(B * target.shape[1], m)
    rows[flat] = np.where(cross, linked, np.take(rows, flat, axis=0))
    return target


def socialise(
    beliefs: np.ndarray,
    target: np.ndarray,
    p1: Prob,
    active: np.ndarray | None,
    bases: np.ndarray,
) -> None:
    """Step 4: gradual socialisation toward the (non-zero) target code."""
    cand = target != 0
    cand = cand & (beliefs != target)
    if active is not None:
        cand &= active[:, :, None]
    p = p1
    if isinstance(p, np.ndarray) and p.ndim and p.shape != beliefs.shape[:2]:
        p = np.broadcast_to(p, beliefs.shape[:2])
    move = bernoulli_mask(bases, cand, p).view(np.int8)
    move *= target  # one step toward the target where it moves, 0 elsewhere (no masked add)
    beliefs += move
