"""Interventions: scheduled events and live shocks go through the same code.

A scenario's ``[[events]]`` are applied by the engine before the month they name;
a trainer's shock button calls :func:`apply_event` with an :class:`Event` between
two steps. Either way the event draws its random numbers from the run's own
``events`` stream, so a live demo and a batch run with the same event at the
same month behave alike, bit for bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .config import validate_event
from .params import MODE_VALUES, Event
from .state import ROLE_INDEX
from .submodels import turnover

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["apply_event", "check_event", "SHOCKS", "FIXED_AT_START"]

SHOCKS = ("turnover_wave", "funding_cut", "election")
"""Event kinds that count as shocks for the recovery-time outcome."""


def _turnover_wave(engine: Engine, event: Event) -> None:
    s, lay = engine.state, engine.layout
    u = engine.streams["events"].uniform((2, lay.people))
    gone = s.occupied & lay.posts_mask(event.level)[None, :] & (u[:, 0] < event.share)
    turnover.leave(s, lay, engine.params, gone, u[:, 1])


def _funding_cut(engine: Engine, event: Event) -> None:
    s = engine.state
    s.funding_scale *= 1.0 - event.share
    s.funding *= 1.0 - event.share


def _election(engine: Engine, event: Event) -> None:
    due = np.ones((engine.state.batch, 1), dtype=bool)
    share = event.share  # None: the run's turnover.election_replacement
    turnover.elections(
        engine.state, engine.layout, engine.params, engine.streams["events"], due, share
    )


def _role_mix(engine: Engine, event: Event) -> None:
    s = engine.state
    mix = s.role_mix.copy()
    for name, value in event.values:
        if name != "operations":
            mix[..., ROLE_INDEX[name]] = value
    total = mix.sum(-1)
    if np.any(total > 1.0 + 1e-6):
        raise ValueError(f"role_mix event at month {event.month}: role shares sum to more than 1")
    s.role_mix, s.operations = mix, 1.0 - total


def _role_mode(engine: Engine, event: Event) -> None:
    for name, value in event.values:
        mode = MODE_VALUES.get(value, value) if isinstance(value, str) else value
        engine.state.role_mode[..., ROLE_INDEX[name]] = float(mode)


def _set(engine: Engine, event: Event) -> None:
    for dotted, value in event.values:
        engine.params.set(dotted, float(value))


_HANDLERS = {
    "turnover_wave": _turnover_wave,
    "funding_cut": _funding_cut,
    "election": _election,
    "role_mix": _role_mix,
    "role_mode": _role_mode,
    "set": _set,
}


FIXED_AT_START = (
    "role_mix.",
    "role_mode.",
    "credibility.initial",
    "legitimacy.initial_assent",
    "engagement.initial",
)
"""Parameters read at month 0 only: a live ``set`` of them would do nothing."""


def check_event(event: Event) -> None:
    """Raise :class:`~concertsim.errors.InputError` (a ``ValueError``), before anything
    changes, if ``event`` cannot be applied.

    The rules are those of scheduled events in scenario files
    (:func:`concertsim.config.validate_event`): known kind, level, roles and parameters,
    shares and values in their ranges, no ``set`` of a parameter read at month 0 only.
    """
    validate_event(event, file="event")


def apply_event(engine: Engine, event: Event) -> None:
    """Apply ``event`` to every run of ``engine`` now, between two months.

    Raises:
        ValueError: for an event :func:`check_event` rejects (nothing is changed).
    """
    check_event(event)
    _HANDLERS[event.kind](engine, event)
    engine.shocks.append((engine.state.month, event.kind))
