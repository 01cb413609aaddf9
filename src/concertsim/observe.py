"""Observation: the series recorded every month, by level (docs/odd.md, section 4.11).

Each variable of :data:`VARIABLES` is a mean over a level's organisations
(``staff`` and ``vacancies`` are sums); pairs that do not apply (the funding of
a local committee) are NaN. :func:`observe` reuses what the month already
computed (code knowledge, effective capacity, ties) when the engine hands it over.

Example:
    >>> import numpy as np
    >>> from concertsim.engine import Engine
    >>> from concertsim.params import Parameters, Structure
    >>> eng = Engine(Structure(), [Parameters()], np.random.SeedSequence(1).spawn(1), horizon=1)
    >>> month0 = observe(eng.state, eng.layout, eng.params)
    >>> month0.shape, float(month0[0, VARIABLES.index("ties"), 0])
    ((1, 11, 4), 0.0)
"""

from __future__ import annotations

import numpy as np

from . import knowledge
from .layout import Layout
from .params import LEVELS
from .state import BatchParams, State
from .submodels import networking, roles

__all__ = ["VARIABLES", "observe", "aggregation"]

VARIABLES = (
    "capacity",
    "credibility",
    "legitimacy",
    "knowledge",
    "leadership",
    "participation",
    "engagement",
    "staff",
    "vacancies",
    "ties",
    "funding",
)
"""The series observed every month, for each level."""

_APPLIES = {
    "capacity": ("local", "regional"),
    "engagement": ("local", "sectoral"),
    "funding": ("regional",),
}
"""Variables observed at some levels only (the others at every level)."""

_SUMMED = ("staff", "vacancies")
"""Variables summed over a level's organisations (the others are means)."""


def _by_level(x: np.ndarray, lay: Layout) -> np.ndarray:
    """(B, V, 4) sums of a (B, V, G) array over each level's (contiguous) organisations."""
    csum = np.zeros((*x.shape[:-1], x.shape[-1] + 1))
    np.cumsum(x, axis=-1, out=csum[..., 1:])
    starts = [lay.level_slice[n].start for n in LEVELS]
    stops = [lay.level_slice[n].stop for n in LEVELS]
    return csum[..., stops] - csum[..., starts]


def aggregation(lay: Layout) -> np.ndarray:
    """(V, 4) divisor of each variable's level sum: organisations per level, 1, or NaN.

    Args:
        lay: the layout observed.

    Returns:
        The number of organisations of the level for a mean, 1 for a sum, NaN
        where the variable does not apply to the level.
    """
    counts = np.array([lay.level_slice[n].stop - lay.level_slice[n].start for n in LEVELS])
    div = np.empty((len(VARIABLES), len(LEVELS)))
    for v, name in enumerate(VARIABLES):
        div[v] = 1.0 if name in _SUMMED else np.where(counts > 0, counts, np.nan)
        for lv, level in enumerate(LEVELS):
            if level not in _APPLIES.get(name, LEVELS):
                div[v, lv] = np.nan
    return div


def observe(
    state: State,
    lay: Layout,
    bp: BatchParams,
    divisor: np.ndarray | None = None,
    know: np.ndarray | None = None,
    capacity: np.ndarray | None = None,
    ties: np.ndarray | None = None,
    legit: np.ndarray | None = None,
) -> np.ndarray:
    """(B, variables, levels) the series of one month: see :data:`VARIABLES`.

    ``capacity`` is a local committee's built capacity (M11) and, for a regional
    body, its effective capacity per post (M6); ``legitimacy`` is the assent a
    member grants its regional body, for a regional body its legitimacy from
    below, and for national actors the regional bodies' assent to national
    programmes.

    Args:
        state: the batch state.
        lay: its layout.
        bp: the batch's parameters.
        divisor: :func:`aggregation` of ``lay``, if already computed.
        know: (B,G) code knowledge, if already computed this month.
        capacity: (B,R) the regional bodies' effective capacity computed this
            month (before any of them folded): it is zeroed for the folded ones.
        ties: (B,P) live ties per person, if already counted.
        legit: (B,R) the regional bodies' legitimacy from below, if already computed.

    Returns:
        The month's row of the series, ``(B, len(VARIABLES), len(LEVELS))``.
    """
    know = knowledge.code_knowledge(state.knowledge) if know is None else know
    if capacity is None:
        capacity = roles.effective_capacity(state, lay, bp, know)
    else:
        capacity = capacity * state.alive
    ties = networking.ties_per_person(state) if ties is None else ties
    # whole numbers (people in post, ties): summed as float64 in place of a cast copy
    staff = lay.per_org(state.occupied, np.float64)
    present = np.maximum(staff, 1.0)
    reg, nat = lay.level_slice["regional"], lay.level_slice["national"]
    rows = np.zeros((state.batch, len(VARIABLES), lay.groups))
    get = {name: rows[:, i] for i, name in enumerate(VARIABLES)}
    get["capacity"][:] = state.capacity
    get["capacity"][:, reg] = capacity / lay.org_posts[reg]
    get["credibility"][:] = state.credibility
    get["legitimacy"][:] = state.assent
    get["legitimacy"][:, reg] = roles.legitimacy(state, lay) if legit is None else legit
    get["legitimacy"][:, nat] = state.assent[:, reg].sum(-1, keepdims=True) / (reg.stop - reg.start)
    get["knowledge"][:] = know
    get["leadership"][:] = lay.per_org(state.leadership) / present
    get["participation"][:] = state.participating
    get["engagement"][:] = state.engagement
    get["staff"][:] = staff
    get["vacancies"][:] = lay.org_posts - staff
    get["ties"][:] = lay.per_org(ties, np.float64) / present
    get["funding"][:, reg] = state.funding
    return _by_level(rows, lay) / (aggregation(lay) if divisor is None else divisor)
