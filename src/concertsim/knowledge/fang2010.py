"""Semi-isolated subgroups with cross-links (Fang, Lee & Schilling 2010) on the March kernel.

Example:
    >>> r = fang_detail(0.0, runs=3, seed=2)
    >>> r.knowledge.shape
    (3,)
"""

from __future__ import annotations

import warnings

import numpy as np

from concertsim.streams import Stream, run_seeds

from .checks import check_int, check_prob
from .equilibrium import at_equilibrium
from .march1991 import MAX_PERIODS, MarchResult
from .period import step
from .state import KnowledgeState, code_knowledge, dot_scores, new_state

__all__ = [
    "fang",
    "fang_detail",
]


def fang(
    p_link: float,
    *,
    p1: float = 0.9,
    p2: float = 0.5,
    subgroups: int = 5,
    size: int = 10,
    m: int = 30,
    p_cross: float = 1.0,
    link_learning: bool = False,
    runs: int = 80,
    periods: int | None = None,
    seed: int | np.random.SeedSequence | None = None,
    max_periods: int = MAX_PERIODS,
) -> np.ndarray:
    """Semi-isolated subgroups with cross-links (Fang, Lee & Schilling 2010).

    ``subgroups`` groups of ``size`` people; each group has its own code, which its
    members socialise toward (``p1``) and which learns from the group's superior
    members (``p2``), exactly as in :func:`march`. Each period, each person is tied
    with probability ``p_link`` to one other group, drawn uniformly; a tied person
    socialises toward that group's code instead of her own on each dimension with
    probability ``p_cross`` (and, with ``link_learning``, counts in its superior
    group). ``p_link = 0`` is full isolation; ``p_link = 1`` is full mixing.

    Args:
        p_link: probability per period that a person is tied to another group.
        p1: socialisation rate.
        p2: code-learning rate.
        subgroups: number of groups (at least 2).
        size: people per group.
        m: number of dimensions.
        p_cross: per-dimension probability that a tied person learns from the other
            group's code.
        link_learning: whether tied people also count in the other group's superior
            group.
        runs: number of runs.
        periods: number of periods; ``None`` runs to equilibrium (no belief and no
            code can change any more, whatever the ties), capped at ``max_periods``.
        seed: int, ``None`` or a :class:`numpy.random.SeedSequence`.
        max_periods: cap on periods when running to equilibrium (runs that hit it
            are reported by a :class:`RuntimeWarning`; :func:`fang_detail` says
            which).

    Returns:
        ``(runs,)`` mean knowledge of the groups' codes, ``mean_g c_g . r / m``.

    Example:
        >>> k = fang(0.1, runs=10, seed=3)
        >>> bool(k.mean() > 0.9)
        True
    """
    return fang_detail(
        p_link,
        p1=p1,
        p2=p2,
        subgroups=subgroups,
        size=size,
        m=m,
        p_cross=p_cross,
        link_learning=link_learning,
        runs=runs,
        periods=periods,
        seed=seed,
        max_periods=max_periods,
    ).knowledge


def fang_detail(
    p_link: float,
    *,
    p1: float = 0.9,
    p2: float = 0.5,
    subgroups: int = 5,
    size: int = 10,
    m: int = 30,
    p_cross: float = 1.0,
    link_learning: bool = False,
    runs: int = 80,
    periods: int | None = None,
    seed: int | np.random.SeedSequence | None = None,
    max_periods: int = MAX_PERIODS,
) -> MarchResult:
    """:func:`fang` with the periods run and the runs that hit the cap.

    Args: as :func:`fang`.

    Returns:
        A :class:`MarchResult` whose ``knowledge`` is the mean over the groups' codes.
    """
    for name, value in (("p_link", p_link), ("p1", p1), ("p2", p2), ("p_cross", p_cross)):
        check_prob(name, value)
    check_int("subgroups", subgroups, low=2)
    for name, value in (("size", size), ("m", m), ("runs", runs), ("max_periods", max_periods)):
        check_int(name, value)
    if periods is not None:
        check_int("periods", periods, low=0)
    seeds = run_seeds(seed, runs)[1]
    stream = Stream.from_seeds(seeds, "knowledge")
    ties = Stream.from_seeds(seeds, "ties")
    state = new_state(stream, people=subgroups * size, groups=subgroups, m=m)
    group = np.repeat(np.arange(subgroups), size)
    horizon = max_periods if periods is None else periods
    knowledge = np.empty(runs)
    ran = np.full(runs, horizon, dtype=np.int64)
    capped = np.zeros(runs, dtype=bool)
    ids = np.arange(runs)
    for t in range(horizon + 1):
        linked = p_link > 0.0 and (p_cross > 0.0 or link_learning)
        done = _fang_at_rest(state, group, linked, link_learning)
        if t == horizon:
            capped[ids[~done]] = periods is None
            done[:] = True
        if done.any():
            knowledge[ids[done]] = code_knowledge(state)[done].mean(axis=1)
            ran[ids[done]] = t
            ids, state = ids[~done], state.subset(~done)
            stream, ties = stream.subset(~done), ties.subset(~done)
            if ids.size == 0:
                break
        link_group = _draw_ties(ties, group, subgroups, p_link)
        step(
            state,
            stream,
            group=group,
            p1=p1,
            p2=p2,
            link_group=link_group,
            p_cross=p_cross,
            link_learning=link_learning,
        )
    if capped.any():
        warnings.warn(
            f"fang: {int(capped.sum())} of {runs} runs hit the cap of {horizon} periods "
            "(see fang_detail(...).capped)",
            RuntimeWarning,
            stacklevel=3,
        )
    return MarchResult(knowledge, ran, capped)


def _fang_at_rest(
    state: KnowledgeState, group: np.ndarray, linked: bool, link_learning: bool
) -> np.ndarray:
    """Runs that can no longer change.

    Each group is at rest with its own code and, if there are ties, nobody differs
    from any code on a dimension where that code is non-zero (and, with
    ``link_learning``, nobody could beat any code's score).
    """
    rest = at_equilibrium(state, group=group)
    if not linked or not rest.any():
        return rest
    b = state.beliefs
    nonzero = dot_scores(state.code, state.code)  # (B, G)
    for g in range(state.code.shape[1]):
        rest &= (dot_scores(b, state.code[:, g, :]) >= nonzero[:, g : g + 1]).all(axis=1)
    if link_learning:
        best = dot_scores(b, state.reality) + state.dims - dot_scores(b, b)  # (B, P)
        scores = dot_scores(state.code, state.reality)  # (B, G)
        for g in range(state.code.shape[1]):
            rest &= (best <= scores[:, g : g + 1]).all(axis=1)
    return rest


def _draw_ties(ties: Stream, group: np.ndarray, groups: int, p_link: float) -> np.ndarray:
    """Each person's tie this period: another group with prob. p_link, else -1."""
    u = ties.uniform((group.size,))
    if p_link == 0.0:
        return np.full(u.shape, -1, dtype=np.intp)
    other = np.minimum((u / p_link * (groups - 1)).astype(np.intp), groups - 2)
    other += other >= group[None, :]
    return np.where(u < p_link, other, -1)
