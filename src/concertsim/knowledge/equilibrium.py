"""When a run can no longer change: March's (1991) stopping rule (anchors.md §1, step 6).

Example:
    >>> import numpy as np
    >>> from concertsim.knowledge.state import KnowledgeState
    >>> r = np.array([[1, -1]], dtype=np.int8)
    >>> s = KnowledgeState(r, r[:, None, :].copy(), r[:, None, :].copy())
    >>> at_equilibrium(s).tolist()  # everyone agrees with a code that is reality
    [True]
"""

from __future__ import annotations

import numpy as np

from .state import KnowledgeState, dot_scores

__all__ = [
    "at_equilibrium",
]


def at_equilibrium(
    state: KnowledgeState, *, group: np.ndarray | None = None, active: np.ndarray | None = None
) -> np.ndarray:
    """Which runs can no longer change (without turnover, turbulence or ties).

    A run is at equilibrium when no active person could still beat her code's score
    (``b . r + #zeros <= c . r``) and no active person differs from her code on a
    dimension where the code is non-zero (anchors.md §1, step 6).

    Args:
        state: the batch.
        group: ``(P,)`` organisation of each person; default all in organisation 0.
        active: ``(B, P)`` bool; default everyone active.

    Returns:
        ``(B,)`` bool.
    """
    b = state.beliefs
    scores = dot_scores(state.code, state.reality)  # (B, G)
    if group is None:
        own_code, score = state.code[:, 0, :], scores[:, :1]
        nonzero = dot_scores(state.code, state.code)[:, :1]
    else:
        own_code, score = np.take(state.code, group, axis=1), scores[:, group]
        nonzero = dot_scores(state.code, state.code)[:, group]
    open_ = dot_scores(b, own_code) < nonzero  # b_j != c_j on some j with c_j != 0
    if active is not None:
        open_ &= active
    rest = ~open_.any(axis=1)
    if rest.any():  # only these runs need the dearer test: could anyone beat the code?
        idx = np.flatnonzero(rest)
        sub = b[idx]
        best = dot_scores(sub, state.reality[idx]) + state.dims - dot_scores(sub, sub)
        beat = best > score[idx]  # best = b.r + number of zeros
        if active is not None:
            beat &= active[idx]
        rest[idx] = ~beat.any(axis=1)
    return rest
