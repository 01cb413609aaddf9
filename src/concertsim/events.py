"""Scheduled interventions: the :class:`Event` of a scenario (and of live interventions).

Example:
    >>> Event(month=12, kind="funding_cut", share=0.5).share
    0.5
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Event"]


@dataclass(frozen=True)
class Event:
    """A scheduled intervention, applied between months (same code as live interventions).

    Attributes:
        month: applied before month ``month`` is simulated (0 <= month < horizon).
        kind: one of :data:`EVENT_KINDS`.
        level: for ``turnover_wave`` and ``key_departure``: the level hit (or ``"all"``).
        share: for ``turnover_wave``: share of people leaving; for ``funding_cut``:
            share of funding removed; for ``election``: share of elected replaced
            (None: the run's ``turnover.election_replacement``, read when it happens).
        values: for ``role_mix``/``role_mode``: the new shares/modes by role; for
            ``set``: dotted parameter names (``"turnover.local_annual"``) to values. A dict
            (nested tables give dotted names) or pairs; stored as a tuple of pairs, so the
            event stays hashable.

    The values are normalised here; :func:`concertsim.config.validate_event` checks the
    event against the parameters' metadata (scenario files and live interventions alike).

    Example:
        >>> Event(month=24, kind="set", values={"turnover": {"local_annual": 0.3}}).values
        (('turnover.local_annual', 0.3),)
    """

    month: int
    kind: str
    level: str = "all"
    share: float | None = None
    values: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        values = self.values
        if isinstance(values, Mapping):
            values = tuple(_flatten(values))
        elif isinstance(values, list | tuple) and all(
            isinstance(p, list | tuple) and len(p) == 2 for p in values
        ):
            values = tuple((p[0], p[1]) for p in values)
        object.__setattr__(self, "values", values)


def _flatten(values: Mapping):
    """``{"turnover": {"local_annual": 0.3}}`` -> ``("turnover.local_annual", 0.3)``, ...

    Iterative, so that tables nested however deep cannot exhaust the stack.
    """
    stack = [("", iter(values.items()))]
    while stack:
        prefix, items = stack[-1]
        item = next(items, None)
        if item is None:
            stack.pop()
            continue
        dotted = f"{prefix}{item[0]}"
        if isinstance(item[1], Mapping):
            stack.append((f"{dotted}.", iter(item[1].items())))
        else:
            yield dotted, item[1]
