"""The shocked twin: two copies of one region, same seed, stepped side by side.

Both copies are :class:`~concertsim.model.ConcertationModel` runs of the same scenario
with the same seed, so they stay identical month after month (common random numbers)
until the trainer shocks or changes the second one. Every shock and every parameter
change is an :class:`~concertsim.params.Event` applied with
:meth:`~concertsim.model.ConcertationModel.intervene`, checked first by the one rule set
of :mod:`concertsim.config`; a refused change raises
:class:`~concertsim.errors.InputError` and leaves both copies as they were. The session
is therefore a scenario: the base scenario plus the live events, which
:meth:`Twin.session_scenario` returns and ``concertsim run`` replays exactly.

Example:
    >>> twin = Twin(seed=3)
    >>> twin.run(2)
    >>> twin.diverged()
    False
    >>> _ = twin.shock("funding_cut", share=0.5)
    >>> twin.run(1)
    >>> twin.diverged(), twin.month
    (True, 3)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from concertsim.config import check_role_total
from concertsim.errors import InputError
from concertsim.interventions import check_event
from concertsim.model import ConcertationModel
from concertsim.outcomes import stability_index
from concertsim.params import ROLES, Event
from concertsim.scenario import Scenario, load_scenario

__all__ = ["Twin", "SIDES", "SHOCK_DEFAULTS", "changes_to_events"]

SIDES = ("reference", "shocked")
"""The two copies: the reference runs untouched, the trainer acts on the shocked one."""

SHOCK_DEFAULTS: dict[str, dict[str, Any]] = {
    "turnover_wave": {"share": 0.5},
    "key_departure": {},
    "election": {},
    "funding_cut": {"share": 0.3},
}
"""The shock buttons' events: a staff exodus takes half the staff of a level, a funding cut
30% of the regional body's funding, an election replaces the run's usual share."""


def changes_to_events(values: Mapping[str, Any], month: int) -> list[Event]:
    """Parameter changes (dotted names) as the events that make them at ``month``.

    Role shares become one ``role_mix`` event, role modes one ``role_mode`` event, every
    other parameter a ``set`` event.

    Example:
        >>> [e.kind for e in changes_to_events({"role_mix.networking": 0.2,
        ...     "turnover.local_annual": 0.4}, 5)]
        ['role_mix', 'set']
    """
    mix, mode, other = {}, {}, {}
    for dotted, value in values.items():
        section, _, name = dotted.partition(".")
        target = {"role_mix": mix, "role_mode": mode}.get(section, other)
        target[name if section in ("role_mix", "role_mode") else dotted] = value
    events = []
    if mix:
        events.append(Event(month, "role_mix", values=mix))
    if mode:
        events.append(Event(month, "role_mode", values=mode))
    if other:
        events.append(Event(month, "set", values=other))
    return events


class Twin:
    """A reference run and its shocked twin, same scenario, same seed.

    Args:
        scenario: a :class:`~concertsim.scenario.Scenario` (default: the bundled baseline).
        seed: the seed of both copies (replicate 0 of ``concertsim run --seed seed``).

    Attributes:
        models: the two :class:`ConcertationModel`, reference first.
        live: the events applied to the shocked copy, in the order applied.
    """

    def __init__(self, scenario: Scenario | None = None, *, seed: int = 1) -> None:
        self.scenario = scenario if scenario is not None else load_scenario("baseline")
        self.seed = int(seed)
        self.models = tuple(ConcertationModel(self.scenario, rng=self.seed) for _ in SIDES)
        self.live: list[Event] = []

    @property
    def reference(self) -> ConcertationModel:
        """The untouched copy."""
        return self.models[0]

    @property
    def shocked(self) -> ConcertationModel:
        """The copy the trainer acts on."""
        return self.models[1]

    @property
    def month(self) -> int:
        """Months simulated so far (the same in both copies)."""
        return self.shocked.month

    @property
    def horizon(self) -> int:
        """The scenario's horizon: the last month either copy can reach."""
        return self.scenario.horizon

    @property
    def finished(self) -> bool:
        """Both copies have reached the horizon."""
        return self.month >= self.horizon

    def step(self) -> bool:
        """One month in both copies; False (nothing done) at the horizon."""
        if self.finished:
            return False
        for model in self.models:
            model.step()
        return True

    def run(self, months: int) -> None:
        """Step ``months`` months, or up to the horizon."""
        for _ in range(months):
            if not self.step():
                break

    # ------------------------------------------------------------------ interventions

    def intervene(self, events: list[Event]) -> list[Event]:
        """Apply ``events`` (this month) to the shocked copy, all or none.

        Every event is checked (:func:`~concertsim.interventions.check_event`, and a role
        mix against the mix in force) before the first is applied.

        Returns:
            The events as applied (month set to the current month).

        Raises:
            InputError: the first event refused; nothing has changed.
        """
        if self.finished:
            raise InputError(
                "event", "month", f"a month before the horizon ({self.horizon})", self.month
            )
        events = [dataclasses.replace(e, month=self.month) for e in events]
        state = self.shocked.engine.state
        for event in events:
            check_event(event, self.horizon)
            if event.kind == "role_mix":
                mix = dict(zip(ROLES, state.role_mix[0, 0].tolist(), strict=True))
                mix.update((k, float(v)) for k, v in event.values if k != "operations")
                check_role_total(sum(mix.values()), file="event", key="values")
        for event in events:
            self.shocked.intervene(event)
            self.live.append(event)
        return events

    def shock(self, kind: str, *, level: str = "all", share: float | None = None) -> Event:
        """A shock button: ``kind`` with its defaults (:data:`SHOCK_DEFAULTS`), now."""
        values = {**SHOCK_DEFAULTS.get(kind, {})}
        if share is not None:
            values["share"] = share
        return self.intervene([Event(self.month, kind, level, values.get("share"))])[0]

    def change(self, values: Mapping[str, Any]) -> list[Event]:
        """Change parameters of the shocked copy now (dotted names, as ``--set``)."""
        return self.intervene(changes_to_events(values, self.month))

    # ------------------------------------------------------------------ reading

    def series(self) -> np.ndarray:
        """(2, months + 1, variables, levels): both copies' series so far."""
        t = self.month + 1
        return np.stack([m.engine.series[0, :t] for m in self.models])

    def stability(self) -> np.ndarray:
        """(2, months + 1): both copies' stability index so far."""
        t = self.month + 1
        return np.stack([stability_index(m.engine)[0, :t] for m in self.models])

    def diverged(self) -> bool:
        """The two copies' series differ somewhere."""
        a, b = self.series()
        return not np.array_equal(a, b, equal_nan=True)

    def session_scenario(self, name: str | None = None) -> Scenario:
        """The session as a scenario: the base one and the live events as scheduled events.

        A live event of month ``m`` was applied before the scheduled events of month ``m``
        (those are applied when month ``m`` is stepped), so it comes first among them:
        the events' order within a month is kept by the scenario loader and the engine.
        """
        events = sorted(
            [(e.month, 0, i, e) for i, e in enumerate(self.live)]
            + [(e.month, 1, i, e) for i, e in enumerate(self.scenario.events)],
            key=lambda x: x[:3],
        )
        return dataclasses.replace(
            self.scenario,
            name=name or self.scenario.name,
            events=tuple(e for *_, e in events),
            source=None,
        )
