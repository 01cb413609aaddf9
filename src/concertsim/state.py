"""The state of a batch of runs, as arrays with a leading run axis.

Per-person state is one row per post, ``(B, P)``; per-organisation state is
``(B, G)``; per-region state is ``(B, R)``. Parameters that may differ between
the runs of a batch (a sweep) are ``(B, 1)`` columns, so they broadcast against
any of these.

Example:
    >>> from concertsim.params import Parameters
    >>> bp = BatchParams.stack([Parameters(), Parameters()])
    >>> bp.turnover.local_annual.shape
    (2, 1)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, make_dataclass
from typing import Any

import numpy as np

from .knowledge import KnowledgeState
from .params import ROLES, SECTIONS, Parameters, field_info

__all__ = ["BatchParams", "Columns", "COLUMNS", "State", "ROLE_INDEX", "code"]

ROLE_INDEX = {name: i for i, name in enumerate(ROLES)}
"""Role name -> column of the role arrays."""


class Columns:
    """One section of :class:`BatchParams`: each field a ``(B, 1)`` float column."""

    __slots__ = ()


def _columns_class(name: str, section: type) -> type[Columns]:
    """A slotted dataclass with the fields of the :mod:`concertsim.params` section ``section``."""
    return make_dataclass(
        f"{section.__name__}Columns",
        [(f.name, np.ndarray) for f in dataclasses.fields(section)],
        bases=(Columns,),
        slots=True,
        namespace={
            "__doc__": f"The ``{name}`` parameters of a batch, ``(B, 1)`` columns.",
            "__module__": __name__,
        },
    )


COLUMNS: dict[str, type[Columns]] = {
    name: _columns_class(name, section) for name, section in SECTIONS.items()
}
"""Section name -> its column class (the same fields as the section of :class:`Parameters`)."""


@dataclass(frozen=True, slots=True)
class BatchParams:
    """Parameters of a batch: ``bp.section.field`` is a ``(B, 1)`` float array.

    One field per section of :class:`~concertsim.params.Parameters` (the same names,
    checked at import), each a :data:`COLUMNS` dataclass: a misspelt section or
    field raises ``AttributeError`` instead of passing silently.
    """

    turnover: Columns
    people: Columns
    knowledge: Columns
    time: Columns
    credibility: Columns
    legitimacy: Columns
    engagement: Columns
    networking: Columns
    regional: Columns
    funding: Columns
    recognition: Columns
    role_mix: Columns
    role_mode: Columns
    derived: dict[Callable[..., Any], tuple[object, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Values computed from the parameters alone (:meth:`cached`), cleared by :meth:`set`."""

    @classmethod
    def stack(cls, params: Sequence[Parameters]) -> BatchParams:
        """Stack the parameters of each run of a batch.

        Args:
            params: one :class:`~concertsim.params.Parameters` per run.

        Returns:
            The batch's parameters, each a ``(len(params), 1)`` float64 column.
        """
        sections = {}
        for name, columns in COLUMNS.items():
            values = [getattr(p, name) for p in params]
            sections[name] = columns(
                **{
                    g.name: np.array([[code(name, g.name, getattr(v, g.name))] for v in values])
                    for g in dataclasses.fields(columns)
                }
            )
        return cls(**sections)

    def set(self, dotted: str, value: float | str) -> None:
        """Set ``section.field`` to ``value`` in every run (a live or scheduled ``set``)."""
        section, name = dotted.split(".", 1)
        col = getattr(getattr(self, section), name)
        col[...] = code(section, name, value)
        self.derived.clear()

    def cached(self, compute: Callable[..., Any], key: object = None) -> Any:
        """``compute(self)`` (or ``compute(key, self)`` with a ``key``), computed once.

        For values that depend only on the parameters (and on ``key``, e.g. the
        layout, compared by identity): the month reuses them until :meth:`set` changes
        a parameter, so a live ``set`` gives the same numbers as the same scheduled
        event. Callers must not modify the value returned.

        Example:
            >>> from concertsim.params import Parameters
            >>> bp = BatchParams.stack([Parameters()])
            >>> def double(bp):
            ...     return 2 * bp.turnover.local_annual
            >>> bp.cached(double) is bp.cached(double)
            True
            >>> old = bp.cached(double)
            >>> bp.set("turnover.local_annual", 0.5)
            >>> float(bp.cached(double)[0, 0]), bool(bp.cached(double) is old)
            (1.0, False)
        """
        hit = self.derived.get(compute)
        if hit is not None and hit[0] is key:
            return hit[1]
        value = compute(self) if key is None else compute(key, self)
        self.derived[compute] = (key, value)
        return value


def code(section: str, name: str, value: float | str) -> float:
    """A parameter's value as a number: a categorical one is its index in its ``choices``.

    Submodels compare the column with the index (``bp.funding.rule == FUNDING_RULES.index(..)``).

    Example:
        >>> code("funding", "rule", "incremental"), code("turnover", "local_annual", 0.3)
        (1.0, 0.3)
    """
    if isinstance(value, str):
        return float(field_info(SECTIONS[section], name).choices.index(value))
    return float(value)


_SECTION_FIELDS = tuple(f.name for f in dataclasses.fields(BatchParams) if f.init)
if _SECTION_FIELDS != tuple(SECTIONS):  # pragma: no cover
    raise ImportError("BatchParams must have one field per section of Parameters, in order")


@dataclass
class State:
    """Everything that changes during a run, for a batch of B runs.

    Attributes:
        month: months simulated so far.
        occupied: (B,P) a person holds the post.
        vacant_for: (B,P) months before a vacant post can be filled.
        tenure: (B,P) months in post.
        leadership: (B,P) in [0, 1], grows with tenure (M2).
        energy: (B,P) in [0, 1], drained by overload (M4).
        influence: (B,P) >= 1, Pareto-distributed (M14); 0 when vacant.
        hire_id: (B,P) how many people have held the post; ties store it.
        tie_partner: (B,P,K) post of the tied person, -1 for none (M13).
        tie_hire: (B,P,K) the partner's ``hire_id`` when the tie was made.
        knowledge: March's beliefs, codes and reality (M3).
        credibility: (B,G) in [0, 1] (M5).
        assent: (B,G) in [0, 1]: local and sectoral: legitimacy they grant their
            regional body; regional bodies: assent to national programmes (M8).
        engagement: (B,G) in [0, 1] (M7, M9, M13).
        participating: (B,G) takes part in the regional concertation.
        threshold: (B,G) engagement each organisation needs to take part (drawn at month 0).
        dormant: (B,G) a local committee or sectoral table has gone dormant (stopped acting).
        ever_dormant: (B,G) it has been dormant at least once.
        capacity: (B,G) in [0, 1], capacity of local committees (M11).
        structuring: (B,R) in [0, 1], formalised practice (M15).
        alignment: (B,R) in [0, 1], sectoral priorities brought together (M15).
        positioning: (B,R) in [0, 1], issues carried up (M12).
        funding: (B,R) share of the regional staff posts funded (M1).
        funding_scale: (B,R) multiplier of the funding target (funding cuts).
        award: (B,R) funding granted at the last national review, before ``funding_scale``.
        stress: (B,R) in [0, 1], the regional body's stress driving its fold hazard.
        at_risk: (B,R) consecutive months with stress at or above one half.
        alive: (B,R) the regional body exists.
        folded_month: (B,R) month it folded, NaN while alive.
        harvest_wait: (B,R) months of networking without tangible results (M13).
        recognised: (B,R) the role-recognition phase was held (M9).
        role_mix: (B,R,5) current shares of staff time per role (M6).
        operations: (B,R) current share of staff time to operations.
        role_mode: (B,R,5) 0 negotiate .. 1 impose (M8).
        role_output: (B,R,5) last month's effective output per role.
    """

    month: int
    occupied: np.ndarray
    vacant_for: np.ndarray
    tenure: np.ndarray
    leadership: np.ndarray
    energy: np.ndarray
    influence: np.ndarray
    hire_id: np.ndarray
    tie_partner: np.ndarray
    tie_hire: np.ndarray
    knowledge: KnowledgeState
    credibility: np.ndarray
    assent: np.ndarray
    engagement: np.ndarray
    participating: np.ndarray
    threshold: np.ndarray
    dormant: np.ndarray
    ever_dormant: np.ndarray
    capacity: np.ndarray
    structuring: np.ndarray
    alignment: np.ndarray
    positioning: np.ndarray
    funding: np.ndarray
    funding_scale: np.ndarray
    award: np.ndarray
    stress: np.ndarray
    at_risk: np.ndarray
    alive: np.ndarray
    folded_month: np.ndarray
    harvest_wait: np.ndarray
    recognised: np.ndarray
    role_mix: np.ndarray
    operations: np.ndarray
    role_mode: np.ndarray
    role_output: np.ndarray

    @property
    def batch(self) -> int:
        """Number of runs B."""
        return int(self.occupied.shape[0])
