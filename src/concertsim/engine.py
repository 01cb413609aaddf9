"""The engine: a batch of runs of one structure, stepped one month at a time.

:meth:`Engine.step` is a month (docs/odd.md, section 3, "Process overview and
scheduling"): the interventions scheduled for this month
(:mod:`concertsim.interventions`), then the submodels in the order of
:data:`SCHEDULE`, then the observation of the month's series
(:mod:`concertsim.observe`). The initial state is :mod:`concertsim.init`'s.

The same engine runs one interactive run (B = 1, under the Mesa model) or a
whole sweep's batch (B in the hundreds) as one array program.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .init import initial_state
from .interventions import apply_event
from .knowledge import state as knowledge_state
from .layout import Layout
from .observe import VARIABLES, aggregation, observe
from .params import LEVELS, Event, Parameters, Structure
from .state import BatchParams
from .streams import Stream, dense_uniforms
from .submodels import (
    credibility,
    engagement,
    folding,
    funding,
    learning,
    networking,
    people,
    roles,
)
from .submodels import turnover as turnover_

__all__ = ["Engine", "SCHEDULE", "STREAM_NAMES"]

STREAM_NAMES = (
    "init",
    "elections",
    "departures",
    "hiring",
    "ties",
    "links",
    "knowledge",
    "events",
    "participation",
    "dormancy",
    "folding",
)
"""One random stream per submodel, each derived from the run's seed and its name."""

SCHEDULE: tuple[Callable[..., object], ...] = (
    turnover_.election_due,
    turnover_.elections,
    turnover_.departures,
    turnover_.hire,
    people.overload,
    people.age,
    networking.decay,
    learning.learn,
    knowledge_state.code_knowledge,
    learning.tacit,
    networking.ties_held,
    networking.coverage,
    roles.legitimacy,
    roles.effective_capacity,
    roles.role_outputs,
    roles.apply_outputs,
    networking.make_ties,
    networking.ties_held,
    engagement.update_harvest,
    credibility.strategic_time,
    credibility.update,
    engagement.update,
    folding.dormancy,
    roles.legitimacy,
    funding.update,
    folding.fold,
)
"""The submodel functions of a month, in the order :meth:`Engine.step` calls them.

docs/odd.md, section 3, names every one of them; each call sees the updates of
the calls before it (no double-buffering).
"""


class Engine:
    """A batch of B runs sharing a structure, events and horizon.

    Args:
        structure: organisations and posts (the same for every run).
        params: one :class:`Parameters` per run.
        seeds: one ``SeedSequence`` per run.
        events: scheduled interventions.
        horizon: number of months to be simulated (sizes the series buffer).

    Example:
        >>> import numpy as np
        >>> from concertsim.params import Parameters, Structure
        >>> seeds = np.random.SeedSequence(1).spawn(2)
        >>> eng = Engine(Structure(), [Parameters()] * 2, seeds, horizon=3)
        >>> eng.run()
        >>> eng.series.shape  # runs, months + 1, variables, levels
        (2, 4, 11, 4)
    """

    def __init__(
        self,
        structure: Structure,
        params: Sequence[Parameters],
        seeds: Sequence[np.random.SeedSequence],
        events: Sequence[Event] = (),
        horizon: int = 120,
    ) -> None:
        if len(params) != len(seeds):
            raise ValueError("one Parameters per seed is needed")
        self.layout = Layout.from_structure(structure)
        self.params = BatchParams.stack(params)
        self.streams = {name: Stream.from_seeds(seeds, name) for name in STREAM_NAMES}
        self.events = tuple(sorted(events, key=lambda e: e.month))
        self.horizon = int(horizon)
        self.shocks: list[tuple[int, str]] = []
        self.state = initial_state(self.layout, self.params, params, self.streams)
        self.series = np.full(
            (len(seeds), self.horizon + 1, len(VARIABLES), len(LEVELS)), np.nan, dtype=np.float64
        )
        self._divisor = aggregation(self.layout)
        ties = networking.ties_held(self.state)  # nobody has ties yet
        self.series[:, 0] = observe(self.state, self.layout, self.params, self._divisor, ties=ties)

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.state.month

    def intervene(self, event: Event) -> None:
        """Apply an intervention now, between months (a live shock or a scheduled event).

        Raises:
            ValueError: for an event that cannot be applied (nothing is changed).
        """
        apply_event(self, event, self.horizon)
        self.shocks.append((self.state.month, event.kind))

    def step(self) -> None:
        """Simulate one month for every run of the batch.

        Raises:
            ValueError: past the horizon (the series buffer holds ``horizon`` months).
        """
        if self.state.month >= self.horizon:
            raise ValueError(f"the run has reached its horizon of {self.horizon} months")
        for event in self.events:  # scheduled interventions, through the live code
            if event.month == self.state.month:
                self.intervene(event)
        know, capacity, legit, ties = self._month()  # the submodels of SCHEDULE, in order
        self.state.month += 1
        self.series[:, self.state.month] = observe(
            self.state, self.layout, self.params, self._divisor, know, capacity, ties, legit
        )

    def run(self, months: int | None = None) -> None:
        """Step ``months`` months (default: up to the horizon)."""
        for _ in range((self.horizon - self.month) if months is None else months):
            self.step()

    def _month(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """Call the submodels of :data:`SCHEDULE`, in order, on every run of the batch.

        Returns:
            What the month computed that :func:`~concertsim.observe.observe` reuses:
            (B,G) code knowledge, (B,R) the regional bodies' effective capacity,
            (B,R) their legitimacy (None if one folded: folding changes it), and
            (B,P) the live ties per person after the month's new ties (no one
            leaves between then and the month's end).
        """
        s, lay, bp, st = self.state, self.layout, self.params, self.streams
        # the month's unconditional dense draws of seven streams, hashed in one pass (the
        # same numbers as each submodel's own draw: they do not depend on the state); the
        # ties stream's first draw is decay's sparse one, so its bases are taken first
        tie_bases = st["ties"].next_bases()
        u = dense_uniforms(
            (st["departures"], (2, lay.people)),
            (st["hiring"], (1, lay.people)),
            (st["participation"], (2, lay.groups)),
            (st["dormancy"], (2, lay.groups)),
            (st["folding"], (lay.structure.regions,)),
            *learning.link_draws(st["links"], lay, s),
            *networking.tie_draws(st["ties"], lay),
        )
        u_leave, u_hire, u_part, u_dorm, u_fold = u[:5]
        # people: elections, departures, hiring, ageing (M1, M2, M4, M14)
        due = turnover_.election_due(s.month, bp)
        turnover_.elections(s, lay, bp, st["elections"], due)
        turnover_.departures(s, lay, bp, st["departures"], u_leave)
        newcomers = turnover_.hire(s, lay, bp, st["hiring"], u_hire)
        people.age(s, lay, bp, people.overload(s, lay, bp))
        # ties lapse, then March's learning in every organisation (M3, M13, M15)
        networking.decay(s, bp, st["ties"], tie_bases)
        learning.learn(s, lay, bp, st["knowledge"], st["links"], newcomers, (u[5], u[6]))
        # the regional body's roles and their effects (M6, M8, M9, M11, M12, M15)
        know = knowledge_state.code_knowledge(s.knowledge)
        held = learning.tacit(s, lay)  # no belief nor post changes until credibility's
        cover, cover_local = networking.coverage(s, lay, bp, networking.ties_held(s))
        legit = roles.legitimacy(s, lay)
        capacity = roles.effective_capacity(s, lay, bp, know, held)
        out = roles.role_outputs(s, lay, bp, capacity, legit, cover, cover_local)
        roles.apply_outputs(s, lay, bp, out)
        networking.make_ties(s, lay, bp, st["ties"], out[..., roles.NETWORKING], (u[7], u[8]))
        ties = networking.ties_held(s)  # for credibility and the month's series
        # harvest, credibility, engagement, funding (M1, M5, M7-M10, M12, M13)
        engagement.update_harvest(s, bp)
        time = credibility.strategic_time(s, lay, bp)
        credibility.update(s, lay, bp, know, time, ties, held)
        engagement.update(s, lay, bp, time, st["participation"], u_part)
        # members going dormant, national funding, the regional body's fold hazard (M1, M2, M10)
        folding.dormancy(s, lay, bp, st["dormancy"], u_dorm)
        alive, legit = s.alive.copy(), roles.legitimacy(s, lay)  # after participation
        funding.update(s, lay, bp, legit)
        folding.fold(s, lay, bp, st["folding"], legit, u_fold)
        none_folded = not np.logical_xor(alive, s.alive).any()
        return know, capacity, (legit if none_folded else None), ties
