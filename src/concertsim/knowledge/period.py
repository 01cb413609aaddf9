"""One period of the kernel: turnover, turbulence, acting, then socialisation and code learning.

:func:`step` fixes the order of the five steps and the draw each one uses (one stream
draw per step, :data:`DRAWS_PER_STEP` in all, whatever the state); steps 1 to 4 and the
vote sums of step 5 are compiled, in :mod:`concertsim.knowledge.kernel`, and the codes
learn in :mod:`concertsim.knowledge.code_learning`.

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

from types import ModuleType

import numpy as np

from concertsim.streams import Stream

from .code_learning import learn_code
from .draws import Prob, thresholds31
from .state import KnowledgeState

__all__ = [
    "DRAWS_PER_STEP",
    "step",
]

DRAWS_PER_STEP = 7
"""Number of stream draws (counter increments) made by one call of :func:`step`."""


# Draw numbers inside one step (offsets from the stream counter at the step's start);
# the first six are also those of concertsim.knowledge.kernel.
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
    group = _fresh(group, (P,), np.int64) if np.shape(group) == (P,) else np.asarray(group)
    if group.shape != (P,):
        raise ValueError(f"group: expected shape ({P},), got {group.shape}")
    bases = stream.next_bases_many(DRAWS_PER_STEP)  # one row per draw
    sums = np.empty(state.code.shape, dtype=np.int32)
    _kernel().period(  # bases' rows 0-5: the draws of steps 1-4, in the kernel's order
        state.beliefs,
        state.code,
        state.reality,
        group,
        bases,
        float(p3),
        _fresh(p4, (B,), np.float64),
        _fresh(False if newcomers is None else newcomers, (B, P), np.bool_),
        _fresh(True if active is None else active, (B, P), np.bool_),
        _fresh(-1 if link_group is None else link_group, (B, P), np.int64),
        _fresh(p_cross, (B, P), np.float64),
        _fresh(thresholds31(p1), (B, P), np.uint32),
        bool(link_learning and link_group is not None),
        sums,
    )
    learn_code(state.code, sums, p2, bases[_D_CODE])


def _fresh(x: Prob | np.ndarray, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """``x`` (a scalar, or an array broadcasting against ``shape``; a ``(B, 1)`` column
    for a ``(B,)`` shape) as a C-ordered, writable array of ``shape`` and ``dtype``:
    ``x`` itself if it is one, else a copy.

    What the compiled kernel takes: always the same array types (one compiled version).
    """
    if (
        isinstance(x, np.ndarray)
        and x.shape == shape
        and x.dtype == dtype
        and x.flags.c_contiguous
        and x.flags.writeable
    ):
        return x
    x = np.asarray(x)
    if x.ndim == 2 and len(shape) == 1:  # a (B, 1) column
        x = x[:, 0]
    out = np.empty(shape, dtype=dtype)
    out[...] = x
    return out


def _kernel() -> ModuleType:
    """:mod:`concertsim.knowledge.kernel`, imported at the first period (numba with it, not
    with concertsim)."""
    from . import kernel

    return kernel
