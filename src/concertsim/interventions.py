"""Interventions: scheduled events and live shocks go through the same code.

A scenario's ``[[events]]`` are applied by the engine before the month they name;
a trainer's shock button calls :func:`apply_event` with an :class:`Event` between
two steps. Either way the event draws its random numbers from the run's own
``events`` stream, so a live demo and a batch run with the same event at the
same month behave alike, bit for bit.

An intervention acts on a :class:`Target`: the state, layout, parameters and
streams of a batch (an :class:`~concertsim.engine.Engine` is one), so this
module needs nothing from the engine module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np

from .config import check_role_total, validate_event
from .layout import Layout
from .params import MODE_VALUES, Event
from .state import ROLE_INDEX, BatchParams, State
from .streams import Stream
from .submodels import turnover

__all__ = ["Target", "apply_event", "check_event", "SHOCKS"]


class Target(Protocol):
    """What an intervention acts on: a batch's arrays (an engine is one)."""

    @property
    def state(self) -> State:
        """The batch state, changed in place."""
        ...

    @property
    def layout(self) -> Layout:
        """The layout of the batch's structure."""
        ...

    @property
    def params(self) -> BatchParams:
        """The batch's parameters (a ``set`` event changes them)."""
        ...

    @property
    def streams(self) -> Mapping[str, Stream]:
        """The batch's random streams by name; events draw from ``events``."""
        ...


SHOCKS = ("turnover_wave", "funding_cut", "election", "key_departure")
"""Event kinds that count as shocks for the recovery-time outcome."""


def _turnover_wave(target: Target, event: Event) -> None:
    s, lay = target.state, target.layout
    u = target.streams["events"].uniform((2, lay.people))
    gone = s.occupied & lay.posts_mask(event.level)[None, :] & (u[:, 0] < event.share)
    turnover.leave(s, lay, target.params, gone, u[:, 1])


def _key_departure(target: Target, event: Event) -> None:
    """The most influential person in post at the event's level leaves (M14)."""
    s, lay = target.state, target.layout
    u = target.streams["events"].uniform((lay.people,))
    influence = np.where(s.occupied & lay.posts_mask(event.level)[None, :], s.influence, -1.0)
    top = np.argmax(influence, axis=-1)  # the first of equals: the same post in a replay
    gone = np.zeros_like(s.occupied)
    gone[np.arange(s.batch), top] = influence[np.arange(s.batch), top] > 0
    turnover.leave(s, lay, target.params, gone, u)


def _funding_cut(target: Target, event: Event) -> None:
    s = target.state
    s.funding_scale *= 1.0 - event.share
    s.funding *= 1.0 - event.share


def _election(target: Target, event: Event) -> None:
    due = np.ones((target.state.batch, 1), dtype=bool)
    share = event.share  # None: the run's turnover.election_replacement
    turnover.elections(
        target.state, target.layout, target.params, target.streams["events"], due, share
    )


def _role_mix(target: Target, event: Event) -> None:
    s = target.state
    mix = s.role_mix.copy()
    for name, value in event.values:
        if name != "operations":
            mix[..., ROLE_INDEX[name]] = value
    total = mix.sum(-1)
    check_role_total(float(total.max()), file="event", key="values")  # the mix in force now
    s.role_mix, s.operations = mix, 1.0 - total


def _role_mode(target: Target, event: Event) -> None:
    for name, value in event.values:
        mode = MODE_VALUES.get(value, value) if isinstance(value, str) else value
        target.state.role_mode[..., ROLE_INDEX[name]] = float(mode)


def _set(target: Target, event: Event) -> None:
    for dotted, value in event.values:
        target.params.set(dotted, float(value))


_HANDLERS = {
    "turnover_wave": _turnover_wave,
    "funding_cut": _funding_cut,
    "election": _election,
    "key_departure": _key_departure,
    "role_mix": _role_mix,
    "role_mode": _role_mode,
    "set": _set,
}


def check_event(event: Event, horizon: int | None = None) -> None:
    """Raise :class:`~concertsim.errors.InputError` (a ``ValueError``), before anything
    changes, if ``event`` cannot be applied.

    The rules are those of scheduled events in scenario files
    (:func:`concertsim.config.validate_event`): known kind, level, roles and parameters,
    shares and values in their ranges, no ``set`` of a parameter read at month 0 only, and,
    given the run's ``horizon``, a month inside it. A ``role_mix`` event's sum is checked
    against the mix in force when it is applied (by the same rule,
    :func:`concertsim.config.check_role_total`).
    """
    validate_event(event, file="event", horizon=horizon)


def apply_event(target: Target, event: Event, horizon: int | None = None) -> None:
    """Apply ``event`` to every run of ``target`` now, between two months.

    Args:
        target: the batch (e.g. an :class:`~concertsim.engine.Engine`), changed in place.
        event: the intervention.
        horizon: the run's horizon (the event's month must lie inside it).

    Raises:
        ValueError: for an event :func:`check_event` rejects (nothing is changed).
    """
    check_event(event, horizon)
    _HANDLERS[event.kind](target, event)
