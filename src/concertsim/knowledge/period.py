"""One period of the kernel: turnover, turbulence, acting, then socialisation and code learning.

:func:`step` fixes the order of the five steps and the draw each one uses (one stream
draw per step, :data:`DRAWS_PER_STEP` in all, whatever the state); turnover, turbulence
and acting live here, socialisation in :mod:`concertsim.knowledge.socialisation` and
code learning in :mod:`concertsim.knowledge.code_learning`.

Example:
    >>> import numpy as np
    >>> from concertsim.knowledge.state import code_knowledge, new_state
    >>> from concertsim.streams import Stream
    >>> stream = Stream.from_seeds(np.random.SeedSequence(2).spawn(3), "knowledge")
    >>> s = new_state(stream, people=10, groups=1, m=8)
    >>> for _ in range(50):
    ...     step(s, stream, group=np.zeros(10, dtype=int), p1=0.5, p2=0.5)
    >>> bool((code_knowledge(s) > 0).all())
    True
"""

from __future__ import annotations

import numpy as np

from concertsim.streams import Stream, hash_uniform

from .code_learning import learn_code, superior, vote_sums
from .draws import Prob, coin_signs, dim_index, trits
from .socialisation import socialise, targets
from .state import KnowledgeState, dot_scores

__all__ = [
    "DRAWS_PER_STEP",
    "step",
]

DRAWS_PER_STEP = 7
"""Number of stream draws (counter increments) made by one call of :func:`step`."""


# Draw numbers inside one step (offsets from the stream counter at the step's start).
_D_TURNOVER, _D_NEWBELIEFS, _D_TURBULENCE, _D_COINS, _D_LINKS, _D_SOCIAL, _D_CODE = range(7)


def step(
    state: KnowledgeState,
    stream: Stream,
    *,
    group: np.ndarray,
    p1: float | np.ndarray = 0.1,
    p2: float | np.ndarray = 0.5,
    p3: float = 0.0,
    p4: float | np.ndarray = 0.0,
    newcomers: np.ndarray | None = None,
    active: np.ndarray | None = None,
    link_group: np.ndarray | None = None,
    p_cross: float | np.ndarray = 0.0,
    link_learning: bool = False,
) -> None:
    """Advance every run of the batch by one period, in place.

    Makes exactly :data:`DRAWS_PER_STEP` draws from ``stream``.

    Args:
        state: the batch, modified in place.
        stream: the runs' streams (same batch order as ``state``).
        group: ``(P,)`` int, the organisation of each person, in ``[0, G)``.
        p1: socialisation probability, scalar or ``(B, P)``.
        p2: code-learning probability, scalar or ``(B, G)``.
        p3: built-in turnover probability (active people only).
        p4: turbulence probability, scalar or ``(B, 1)``.
        newcomers: ``(B, P)`` bool, people replaced this period by newcomers with
            fresh uniform beliefs (applied whether or not the post is active).
        active: ``(B, P)`` bool; inactive (vacant) posts neither act, socialise, nor
            count in the superior group, and their beliefs only change if they are
            listed in ``newcomers``. Default: everyone active.
        link_group: ``(B, P)`` int, another organisation each person is tied to this
            period, -1 for none.
        p_cross: probability, per dimension, that a linked person socialises toward
            her link organisation's code instead of her own organisation's.
        link_learning: if True, a linked person also counts in the superior group of
            her link organisation (its code observes her) when she beats its score.
    """
    B, P, m = state.beliefs.shape
    group = np.asarray(group, dtype=np.intp)
    if group.shape != (P,):
        raise ValueError(f"group: expected shape ({P},), got {group.shape}")
    bases = stream.next_bases_many(DRAWS_PER_STEP)  # one row per draw
    _turnover(state, bases[_D_TURNOVER], bases[_D_NEWBELIEFS], p3, newcomers, active)
    _turbulence(state, bases[_D_TURBULENCE], p4)
    actions = _act(state.beliefs, bases[_D_COINS])
    own_score = dot_scores(state.code, state.reality)  # (B, G) before any learning
    target = targets(state.code, group, link_group, p_cross, bases[_D_LINKS])
    socialise(state.beliefs, target, p1, active, bases[_D_SOCIAL])
    sup, extra = superior(
        actions, state.reality, own_score, group, active, link_group, link_learning
    )
    sums = vote_sums(actions, sup, group, extra, state.code.shape[1])
    learn_code(state.code, sums, p2, bases[_D_CODE])


def _turnover(
    state: KnowledgeState,
    sel_bases: np.ndarray,
    new_bases: np.ndarray,
    p3: float,
    newcomers: np.ndarray | None,
    active: np.ndarray | None,
) -> None:
    """Step 1: built-in turnover (prob. p3, active posts) and caller's newcomers."""
    B, P, m = state.beliefs.shape
    if p3 > 0.0:
        pos = np.arange(P, dtype=np.uint64)
        leave = hash_uniform(sel_bases[:, None], pos[None, :]) < p3
        if active is not None:
            leave &= active
        if newcomers is not None:
            leave |= newcomers
    elif newcomers is not None:  # only the caller's newcomers (read, not modified)
        leave = newcomers
    else:
        return
    run, person = np.nonzero(leave)
    if run.size == 0:
        return
    pos = person.astype(np.uint64)[:, None] * np.uint64(m) + np.arange(m, dtype=np.uint64)
    state.beliefs[run, person] = trits(hash_uniform(new_bases[run][:, None], pos))


def _turbulence(state: KnowledgeState, bases: np.ndarray, p4: Prob) -> None:
    """Step 2: each dimension of reality flips with probability p4."""
    if np.all(np.asarray(p4) == 0.0):
        return
    u = hash_uniform(bases[:, None], dim_index(state.dims))
    np.negative(state.reality, out=state.reality, where=u < p4)


def _act(beliefs: np.ndarray, bases: np.ndarray) -> np.ndarray:
    """Step 3: actions, the beliefs with a fair coin wherever the belief is 0."""
    B, P, m = beliefs.shape
    actions = coin_signs(bases, P, m)
    actions *= (beliefs == 0).view(np.int8)
    actions += beliefs
    return actions
