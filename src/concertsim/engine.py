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

__all__ = ["Engine", "VARIABLES", "STREAM_NAMES"]

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
        self.params = BatchParams.stack(params)
        self.streams = {name: Stream.from_seeds(seeds, name) for name in STREAM_NAMES}
        self.events = tuple(sorted(events, key=lambda e: e.month))
        self.horizon = int(horizon)
        self.shocks: list[tuple[int, str]] = []
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
        """Simulate one month for every run of the batch."""
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
        know = knowledge.code_knowledge(s.knowledge)
        ties = networking.ties_per_person(s)
        cover = networking.coverage(s, lay, bp, ties)
        cover_local = _local_coverage(s, lay, bp, ties)
        legit = roles.legitimacy(s, lay)
        capacity = roles.effective_capacity(s, lay, bp, know)
        out = roles.role_outputs(s, lay, bp, capacity, legit, cover, cover_local)
        roles.apply_outputs(s, lay, bp, out)
        networking.make_ties(s, lay, bp, st["ties"], out[..., ROLES.index("networking")])
        engagement.update_harvest(s)
        credibility.update(s, lay, bp, know)
        engagement.update(s, lay, bp, credibility.strategic_time(s, lay, bp))
        funding.update(s, lay, bp, roles.legitimacy(s, lay))

    def _observe(self) -> None:
        """Record this month's series (means by level)."""
        self.series[:, self.state.month] = observe(self.state, self.layout, self.params)


def _local_coverage(state: State, lay: Layout, bp: BatchParams, ties: np.ndarray) -> np.ndarray:
    """(B,R) tie coverage of the local committees only (issue positioning, M12)."""
    org_ties = lay.per_org(ties.astype(float))
    covered = np.minimum(org_ties / bp.networking.ties_needed, 1.0)
    return lay.level(covered, "local").mean(-1)


def _level_mean(x: np.ndarray, lay: Layout) -> np.ndarray:
    """(B,4) mean of a (B,G) array over the organisations of each level (NaN if none)."""
    out = np.full((x.shape[0], len(LEVELS)), np.nan)
    for i, name in enumerate(LEVELS):
        part = x[:, lay.level_slice[name]]
        if part.shape[1]:
            out[:, i] = part.mean(-1)
    return out


def observe(state: State, lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B, variables, levels) the series of one month: see :data:`VARIABLES`.

    ``capacity`` is a local committee's built capacity (M11) and, for a regional
    body, its effective capacity per post (M6).
    """
    know = knowledge.code_knowledge(state.knowledge)
    occ = state.occupied.astype(float)
    staff = lay.per_org(occ)
    ties = lay.per_org(networking.ties_per_person(state).astype(float))
    per_person = np.divide(ties, staff, out=np.zeros_like(ties), where=staff > 0)
    lead = np.divide(
        lay.per_org(state.leadership), staff, out=np.zeros_like(staff), where=staff > 0
    )
    legit = state.assent.copy()
    legit[:, lay.level_slice["regional"]] = roles.legitimacy(state, lay)
    participation = state.participating.astype(float)
    funding_g = np.full_like(know, np.nan)
    funding_g[:, lay.level_slice["regional"]] = state.funding
    engagement_g = np.where(lay.org_level[None, :] <= 1, state.engagement, np.nan)
    capacity = np.where(lay.org_level[None, :] == 0, state.capacity, np.nan)
    posts = lay.org_posts[lay.level_slice["regional"]]
    capacity[:, lay.level_slice["regional"]] = (
        roles.effective_capacity(state, lay, bp, know) / posts
    )
    rows = {
        "capacity": _level_mean(capacity, lay),
        "credibility": _level_mean(state.credibility, lay),
        "legitimacy": _level_mean(legit, lay),
        "knowledge": _level_mean(know, lay),
        "leadership": _level_mean(lead, lay),
        "participation": _level_mean(participation, lay),
        "engagement": _level_mean(engagement_g, lay),
        "staff": _level_sum(staff, lay),
        "vacancies": _level_sum(lay.org_posts[None, :] - staff, lay),
        "ties": _level_mean(per_person, lay),
        "funding": _level_mean(funding_g, lay),
    }
    rows["legitimacy"][:, LEVELS.index("national")] = _level_mean(state.assent, lay)[
        :, LEVELS.index("regional")
    ]
    return np.stack([rows[v] for v in VARIABLES], axis=1)


def _level_sum(x: np.ndarray, lay: Layout) -> np.ndarray:
    """(B,4) sum of a (B,G) array over the organisations of each level."""
    return np.stack([x[:, lay.level_slice[n]].sum(-1) for n in LEVELS], axis=1)


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
        energy=np.broadcast_to(0.5 + 0.5 * bp.people.energy_start, (b, p)).copy(),
        influence=influence,
        hire_id=np.ones((b, p), dtype=np.int32),
        tie_partner=np.full((b, p, k), -1, dtype=np.int32),
        tie_hire=np.zeros((b, p, k), dtype=np.int32),
        knowledge=ks,
        credibility=np.broadcast_to(bp.credibility.initial, (b, g)).copy(),
        assent=np.broadcast_to(bp.legitimacy.initial_assent, (b, g)).copy(),
        engagement=np.broadcast_to(bp.engagement.initial, (b, g)).copy(),
        participating=np.ones((b, g), dtype=bool),
        capacity=np.broadcast_to(0.3, (b, g)).copy(),
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
