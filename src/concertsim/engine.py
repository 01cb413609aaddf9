"""The engine: a batch of runs of one structure, stepped one month at a time.

:meth:`Engine.step` is the schedule of a month, in order (docs/odd.md, "Process
overview and scheduling"):

1. scheduled interventions for this month (:mod:`concertsim.interventions`);
2. elections, departures and hiring (:mod:`~concertsim.submodels.turnover`);
3. tenure, leadership and energy (:mod:`~concertsim.submodels.people`);
4. ties lapse (:mod:`~concertsim.submodels.networking`);
5. March's learning in every organisation (:mod:`~concertsim.submodels.learning`);
6. the regional body's roles and their effects (:mod:`~concertsim.submodels.roles`),
   networking makes new ties;
7. harvest, credibility, engagement and participation;
8. funding, risk and folding (:mod:`~concertsim.submodels.funding`);
9. observation of the month's series.

The same engine runs one interactive run (B = 1, under the Mesa model) or a
whole sweep's batch (B in the hundreds) as one array program.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import knowledge
from .interventions import apply_event
from .layout import Layout
from .params import LEVELS, ROLES, Event, Parameters, Structure
from .state import BatchParams, State
from .streams import Stream
from .submodels import credibility, engagement, funding, learning, networking, people, roles
from .submodels import turnover as turnover_

__all__ = ["Engine", "VARIABLES", "STREAM_NAMES", "INCUMBENT_ENERGY", "INITIAL_LOCAL_CAPACITY"]

STREAM_NAMES = (
    "init",
    "elections",
    "departures",
    "hiring",
    "ties",
    "links",
    "knowledge",
    "events",
)
"""One random stream per submodel, each derived from the run's seed and its name."""

INCUMBENT_ENERGY = 0.8
"""Energy of the people in post at month 0 (newcomers start at ``people.energy_start``)."""

INITIAL_LOCAL_CAPACITY = 0.3
"""Capacity of every local committee at month 0, before any capacity building (M11)."""

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
        self._divisor = _aggregation(self.layout)
        self.params = BatchParams.stack(params)
        self.streams = {name: Stream.from_seeds(seeds, name) for name in STREAM_NAMES}
        self.events = tuple(sorted(events, key=lambda e: e.month))
        self.horizon = int(horizon)
        self.shocks: list[tuple[int, str]] = []
        self._knowledge: np.ndarray | None = None  # this month's code knowledge, for observe
        self.state = _initial_state(self.layout, self.params, params, self.streams)
        self.series = np.full(
            (len(seeds), self.horizon + 1, len(VARIABLES), len(LEVELS)), np.nan, dtype=np.float64
        )
        self._observe()

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.state.month

    def intervene(self, event: Event) -> None:
        """Apply an intervention now, between months (a live shock or a scheduled event)."""
        apply_event(self, event)

    def step(self) -> None:
        """Simulate one month for every run of the batch.

        Raises:
            ValueError: past the horizon (the series buffer holds ``horizon`` months).
        """
        if self.state.month >= self.horizon:
            raise ValueError(f"the run has reached its horizon of {self.horizon} months")
        for event in self.events:
            if event.month == self.state.month:
                self.intervene(event)
        self._month()
        self.state.month += 1
        self._observe()

    def run(self, months: int | None = None) -> None:
        """Step ``months`` months (default: up to the horizon)."""
        for _ in range((self.horizon - self.month) if months is None else months):
            self.step()

    def _month(self) -> None:
        s, lay, bp, st = self.state, self.layout, self.params, self.streams
        due = turnover_.election_due(s.month, bp)
        turnover_.elections(s, lay, bp, st["elections"], due)
        turnover_.departures(s, lay, bp, st["departures"])
        newcomers = turnover_.hire(s, lay, bp, st["hiring"])
        people.age(s, lay, bp, people.overload(s, lay, bp))
        networking.decay(s, bp, st["ties"])
        learning.learn(s, lay, bp, st["knowledge"], st["links"], newcomers)
        know = self._knowledge = knowledge.code_knowledge(s.knowledge)
        ties = networking.ties_per_person(s)
        cover, cover_local = networking.coverage(s, lay, bp, ties)
        legit = roles.legitimacy(s, lay)
        capacity = roles.effective_capacity(s, lay, bp, know)
        out = roles.role_outputs(s, lay, bp, capacity, legit, cover, cover_local)
        roles.apply_outputs(s, lay, bp, out)
        networking.make_ties(s, lay, bp, st["ties"], out[..., ROLES.index("networking")])
        engagement.update_harvest(s)
        time = credibility.strategic_time(s, lay, bp)
        credibility.update(s, lay, bp, know, time)
        engagement.update(s, lay, bp, time)
        funding.update(s, lay, bp, roles.legitimacy(s, lay))

    def _observe(self) -> None:
        """Record this month's series (means by level)."""
        self.series[:, self.state.month] = observe(
            self.state, self.layout, self.params, self._divisor, self._knowledge
        )
        self._knowledge = None


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


def _aggregation(lay: Layout) -> np.ndarray:
    """(V, 4) divisor of each variable's level sum: organisations per level, 1, or NaN."""
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
) -> np.ndarray:
    """(B, variables, levels) the series of one month: see :data:`VARIABLES`.

    Each variable is a mean over the level's organisations (``staff`` and
    ``vacancies`` are sums). ``capacity`` is a local committee's built capacity
    (M11) and, for a regional body, its effective capacity per post (M6);
    ``legitimacy`` is the assent a member grants its regional body, for a regional
    body its legitimacy from below, and for national actors the regional bodies'
    assent to national programmes. Pairs that do not apply are NaN.
    """
    know = knowledge.code_knowledge(state.knowledge) if know is None else know
    staff = lay.per_org(state.occupied.astype(float))
    present = np.maximum(staff, 1.0)
    reg, nat = lay.level_slice["regional"], lay.level_slice["national"]
    rows = np.zeros((state.batch, len(VARIABLES), lay.groups))
    get = {name: rows[:, i] for i, name in enumerate(VARIABLES)}
    get["capacity"][:] = state.capacity
    get["capacity"][:, reg] = roles.effective_capacity(state, lay, bp, know) / lay.org_posts[reg]
    get["credibility"][:] = state.credibility
    get["legitimacy"][:] = state.assent
    get["legitimacy"][:, reg] = roles.legitimacy(state, lay)
    get["legitimacy"][:, nat] = state.assent[:, reg].mean(-1, keepdims=True)
    get["knowledge"][:] = know
    get["leadership"][:] = lay.per_org(state.leadership) / present
    get["participation"][:] = state.participating
    get["engagement"][:] = state.engagement
    get["staff"][:] = staff
    get["vacancies"][:] = lay.org_posts - staff
    get["ties"][:] = lay.per_org(networking.ties_per_person(state).astype(float)) / present
    get["funding"][:, reg] = state.funding
    return _by_level(rows, lay) / (_aggregation(lay) if divisor is None else divisor)


def _initial_state(
    lay: Layout, bp: BatchParams, params: Sequence[Parameters], streams: dict[str, Stream]
) -> State:
    """Month 0: every post filled, tenure spread over past years, no ties yet."""
    b, p, g = len(params), lay.people, lay.groups
    r = lay.structure.regions
    init = streams["init"]
    u = init.uniform((3, p))
    tenure = np.floor(u[:, 0] * 2.0 * bp.people.leadership_months)
    influence = (1.0 - u[:, 1]) ** (-1.0 / bp.people.influence_alpha)
    k = lay.structure.tie_slots
    mix = np.array([[params[i].role_mix.shares()] * r for i in range(b)], dtype=np.float64)
    mode = np.array([[params[i].role_mode.modes()] * r for i in range(b)], dtype=np.float64)
    ks = knowledge.new_state(
        streams["knowledge"], people=p, groups=g, m=lay.structure.knowledge_dimensions
    )
    state = State(
        month=0,
        occupied=np.ones((b, p), dtype=bool),
        vacant_for=np.zeros((b, p), dtype=np.int32),
        tenure=tenure,
        leadership=1.0 - np.exp(-tenure / bp.people.leadership_months),
        energy=np.broadcast_to(INCUMBENT_ENERGY, (b, p)).copy(),
        influence=influence,
        hire_id=np.ones((b, p), dtype=np.int32),
        tie_partner=np.full((b, p, k), -1, dtype=np.int32),
        tie_hire=np.zeros((b, p, k), dtype=np.int32),
        knowledge=ks,
        credibility=np.broadcast_to(bp.credibility.initial, (b, g)).copy(),
        assent=np.broadcast_to(bp.legitimacy.initial_assent, (b, g)).copy(),
        engagement=np.broadcast_to(bp.engagement.initial, (b, g)).copy(),
        participating=np.ones((b, g), dtype=bool),
        capacity=np.broadcast_to(INITIAL_LOCAL_CAPACITY, (b, g)).copy(),
        structuring=np.zeros((b, r)),
        alignment=np.zeros((b, r)),
        positioning=np.zeros((b, r)),
        funding=np.broadcast_to(bp.funding.base, (b, r)).copy(),
        funding_scale=np.ones((b, r)),
        at_risk=np.zeros((b, r), dtype=np.int32),
        alive=np.ones((b, r), dtype=bool),
        folded_month=np.full((b, r), np.nan),
        harvest_wait=np.zeros((b, r), dtype=np.int32),
        recognised=np.zeros((b, r), dtype=bool),
        role_mix=mix,
        operations=1.0 - mix.sum(-1),
        role_mode=mode,
        role_output=np.zeros((b, r, len(ROLES))),
    )
    state.engagement[:, lay.org_level >= 2] = 1.0
    return state
