"""March's (1991) exploration/exploitation model: one organisation, run to equilibrium.

Runs that reach equilibrium are dropped from the batch as they do; each run's streams
are its own, so dropping runs changes nobody else's result.

Example:
    >>> r = march_detail(0.1, 0.9, runs=5, seed=1)
    >>> r.knowledge.shape, bool(r.capped.any())
    ((5,), False)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from concertsim.streams import Stream, run_seeds

from .checks import check_int, check_prob
from .equilibrium import at_equilibrium
from .period import step
from .state import KnowledgeState, code_knowledge, new_state

__all__ = [
    "MAX_PERIODS",
    "MarchResult",
    "march",
    "march_detail",
]

MAX_PERIODS = 5000
"""Default cap on periods when :func:`march` runs to equilibrium."""


@dataclass
class MarchResult:
    """Outcome of :func:`march_detail` (and :func:`fang_detail`).

    Attributes:
        knowledge: ``(runs,)`` knowledge of the code ``c . r / m`` at the end.
        periods: ``(runs,)`` periods run (to equilibrium, or the requested number).
        capped: ``(runs,)`` bool, runs stopped by the cap before reaching equilibrium.
    """

    knowledge: np.ndarray
    periods: np.ndarray
    capped: np.ndarray


def march_detail(
    p1: float,
    p2: float,
    p3: float = 0.0,
    p4: float = 0.0,
    *,
    m: int = 30,
    n: int = 50,
    runs: int = 80,
    periods: int | None = None,
    fast_share: float = 0.0,
    fast_p1: float | None = None,
    seed: int | np.random.SeedSequence | None = None,
    max_periods: int = MAX_PERIODS,
) -> MarchResult:
    """:func:`march` with the periods run and the runs that hit the cap.

    Args: as :func:`march`.

    Returns:
        A :class:`MarchResult`.
    """
    _check_march_args(p1, p2, p3, p4, m, n, runs, periods, fast_share, fast_p1, max_periods)
    seeds = run_seeds(seed, runs)[1]
    stream = Stream.from_seeds(seeds, "knowledge")
    state = new_state(stream, people=n, groups=1, m=m)
    p1_people = _p1_people(p1, n, fast_share, fast_p1)
    horizon = max_periods if periods is None else periods
    stop_at_rest = p3 == 0.0 and p4 == 0.0
    return _run_march(state, stream, p1_people, p2, p3, p4, horizon, stop_at_rest, periods)


def march(
    p1: float,
    p2: float,
    p3: float = 0.0,
    p4: float = 0.0,
    *,
    m: int = 30,
    n: int = 50,
    runs: int = 80,
    periods: int | None = None,
    fast_share: float = 0.0,
    fast_p1: float | None = None,
    seed: int | np.random.SeedSequence | None = None,
    max_periods: int = MAX_PERIODS,
) -> np.ndarray:
    """Knowledge of the organisational code in March's (1991) model, one value per run.

    One organisation of ``n`` people, ``m`` dimensions; see the module docstring for
    the rules. Each run has its own random stream, ``SeedSequence(seed).spawn(runs)``.

    Args:
        p1: socialisation rate (learning of individuals from the code).
        p2: code-learning rate (learning of the code from the superior group).
        p3: turnover: probability per period that a person is replaced.
        p4: turbulence: probability per period that a dimension of reality flips.
        m: number of dimensions of reality.
        n: number of people.
        runs: number of independent runs.
        periods: number of periods; ``None`` runs to equilibrium, which needs
            ``p3 == p4 == 0``, capped at ``max_periods`` periods.
        fast_share: share of people (the first ``round(fast_share * n)``) who
            socialise at ``fast_p1`` instead of ``p1`` (March's Figure 2).
        fast_p1: socialisation rate of the fast people; required if
            ``fast_share > 0``.
        seed: int, ``None`` (fresh entropy) or a :class:`numpy.random.SeedSequence`.
        max_periods: cap on periods when running to equilibrium. Runs that hit it are
            reported by a :class:`RuntimeWarning`; :func:`march_detail` says which.

    Returns:
        ``(runs,)`` float array, ``c . r / m`` at equilibrium or after ``periods``.

    Raises:
        ValueError: an argument is out of range (the message names it).

    Example:
        >>> k = march(0.1, 0.5, runs=40, seed=7)
        >>> bool(0.9 < k.mean() < 1.0)
        True
        >>> march(1.5, 0.5)
        Traceback (most recent call last):
        ...
        ValueError: p1: must be a probability in [0, 1], got 1.5
    """
    return march_detail(
        p1,
        p2,
        p3,
        p4,
        m=m,
        n=n,
        runs=runs,
        periods=periods,
        fast_share=fast_share,
        fast_p1=fast_p1,
        seed=seed,
        max_periods=max_periods,
    ).knowledge


def _run_march(
    state: KnowledgeState,
    stream: Stream,
    p1_people: np.ndarray | float,
    p2: float,
    p3: float,
    p4: float,
    horizon: int,
    stop_at_rest: bool,
    periods: int | None,
) -> MarchResult:
    """Step all runs, dropping those at equilibrium, and collect the results."""
    runs, P, m = state.beliefs.shape
    knowledge = np.empty(runs)
    ran = np.full(runs, horizon, dtype=np.int64)
    ids = np.arange(runs)
    group = np.zeros(P, dtype=np.intp)
    p1_b = p1_people if np.ndim(p1_people) == 0 else p1_people[None, :]
    for t in range(horizon):
        if stop_at_rest:
            done = at_equilibrium(state)
            if done.any():
                knowledge[ids[done]] = code_knowledge(state)[done, 0]
                ran[ids[done]] = t
                keep = ~done
                ids, state, stream = ids[keep], state.subset(keep), stream.subset(keep)
                if ids.size == 0:
                    break
        step(state, stream, group=group, p1=p1_b, p2=p2, p3=p3, p4=p4)
    capped = np.zeros(runs, dtype=bool)
    if ids.size:
        if stop_at_rest:
            done = at_equilibrium(state)
            ran[ids[done]] = horizon
            capped[ids[~done]] = periods is None
        knowledge[ids] = code_knowledge(state)[:, 0]
    if capped.any():
        warnings.warn(
            f"march: {int(capped.sum())} of {runs} runs hit the cap of {horizon} periods "
            "before equilibrium (see march_detail(...).capped)",
            RuntimeWarning,
            stacklevel=3,
        )
    return MarchResult(knowledge, ran, capped)


def _p1_people(p1: float, n: int, fast_share: float, fast_p1: float | None) -> np.ndarray | float:
    """Per-person socialisation rates: the first round(fast_share * n) are fast."""
    fast = int(round(fast_share * n))
    if fast == 0 or fast_p1 is None:
        return float(p1)
    rates = np.full(n, float(p1))
    rates[:fast] = fast_p1
    return rates


def _check_march_args(
    p1: float,
    p2: float,
    p3: float,
    p4: float,
    m: int,
    n: int,
    runs: int,
    periods: int | None,
    fast_share: float,
    fast_p1: float | None,
    max_periods: int,
) -> None:
    """Validate the arguments of :func:`march`."""
    for name, value in (("p1", p1), ("p2", p2), ("p3", p3), ("p4", p4)):
        check_prob(name, value)
        if np.ndim(value) != 0:
            raise ValueError(f"{name}: must be a scalar, got shape {np.shape(value)}")
    check_int("m", m)
    check_int("n", n)
    check_int("runs", runs)
    check_int("max_periods", max_periods)
    if periods is not None:
        check_int("periods", periods, low=0)
    elif p3 > 0.0 or p4 > 0.0:
        raise ValueError("periods: must be given when p3 or p4 > 0 (no equilibrium)")
    check_prob("fast_share", fast_share)
    if fast_share > 0.0 and fast_p1 is None:
        raise ValueError("fast_p1: required when fast_share > 0")
    if fast_p1 is not None:
        check_prob("fast_p1", fast_p1)
