"""The model's inputs: structure, parameters, role mix, role modes and interventions.

Each section of a scenario file is one frozen dataclass below. Every numeric
field carries its meaning, unit and valid range in its metadata, which the
scenario loader uses to validate input and ``docs/odd.md`` lists.

Time unit: one month. Rates are monthly probabilities unless the name says
``annual``.

Example:
    >>> p = Parameters()
    >>> p.turnover.local_annual
    0.25
    >>> field_info(Turnover, "local_annual").range
    (0.0, 1.0)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .events import Event

__all__ = [
    "ROLES",
    "LEVELS",
    "EVENT_KINDS",
    "FIXED_AT_START",
    "MODE_VALUES",
    "FUNDING_RULES",
    "PARTICIPATION_RULES",
    "FieldInfo",
    "field_info",
    "Structure",
    "Turnover",
    "People",
    "Knowledge",
    "Time",
    "Credibility",
    "Legitimacy",
    "Engagement",
    "Networking",
    "Regional",
    "Funding",
    "Recognition",
    "RoleMix",
    "RoleModes",
    "Event",
    "Parameters",
    "SECTIONS",
    "replace_dotted",
]

ROLES: tuple[str, ...] = (
    "networking",
    "capacity_building",
    "issue_positioning",
    "structuring",
    "alignment",
)
"""The five roles of the regional body (mission brief); the rest of staff time is operations."""

LEVELS: tuple[str, ...] = ("local", "sectoral", "regional", "national")
"""The four levels of concertation."""

EVENT_KINDS: tuple[str, ...] = (
    "turnover_wave",
    "funding_cut",
    "election",
    "key_departure",
    "role_mix",
    "role_mode",
    "set",
)
"""Kinds of scheduled interventions (and of live interventions)."""

FIXED_AT_START: tuple[str, ...] = (
    "role_mix.",
    "role_mode.",
    "credibility.initial",
    "legitimacy.initial_assent",
    "engagement.initial",
)
"""Parameters read at month 0 only: a ``set`` event of them would do nothing, so it is refused
(``role_mix`` and ``role_mode`` events change the role mix and modes)."""


@dataclass(frozen=True)
class FieldInfo:
    """What a parameter means: unit, valid range (inclusive) and a one-line description."""

    doc: str
    unit: str = "-"
    range: tuple[float, float] | None = None
    integer: bool = False
    choices: tuple[str, ...] = ()
    """A categorical parameter's values (its default one of them); sweeps pass the index."""


def _f(
    default: Any, doc: str, unit: str = "-", lo: float | None = None, hi: float | None = None,
    choices: tuple[str, ...] = (),
):  # fmt: skip
    """A dataclass field with its :class:`FieldInfo` in the metadata."""
    rng = None if lo is None else (lo, hi)
    integer = isinstance(default, int) and not isinstance(default, bool)
    info = FieldInfo(doc, unit, rng, integer, choices)
    return field(default=default, metadata={"info": info})


def field_info(cls: type, name: str) -> FieldInfo:
    """The :class:`FieldInfo` of field ``name`` of section class ``cls``."""
    for f in dataclasses.fields(cls):
        if f.name == name:
            return f.metadata["info"]
    raise KeyError(name)


FUNDING_RULES: tuple[str, ...] = ("budget", "incremental", "block")
"""National funding decisions (``funding.rule``, :mod:`concertsim.submodels.funding`)."""

PARTICIPATION_RULES: tuple[str, ...] = ("threshold", "imitation", "proportional")
"""Members' participation decisions (``engagement.participation_rule``)."""


@dataclass(frozen=True)
class Structure:
    """Organisations and posts. Every region has the same composition."""

    regions: int = _f(1, "number of regions (each with one regional body)", "count", 1, 30)
    local_committees: int = _f(8, "local committees per region", "count", 1, 60)
    sectoral_tables: int = _f(5, "sectoral tables per region", "count", 0, 30)
    national_actors: int = _f(3, "national actors (ministries, funders), shared", "count", 1, 20)
    local_staff: int = _f(2, "staff posts per local committee", "posts", 1, 20)
    local_elected: int = _f(2, "elected-official seats per local committee", "posts", 0, 20)
    sectoral_staff: int = _f(2, "staff posts per sectoral table", "posts", 1, 20)
    regional_staff: int = _f(
        5, "staff posts of the regional body (when fully funded)", "posts", 1, 40
    )
    regional_elected: int = _f(3, "elected-official seats of the regional body", "posts", 0, 20)
    national_staff: int = _f(3, "staff posts per national actor", "posts", 1, 20)
    tie_slots: int = _f(6, "maximum personal ties a person holds", "ties", 1, 32)
    knowledge_dimensions: int = _f(30, "dimensions m of reality (March 1991)", "count", 1, 200)


@dataclass(frozen=True)
class Turnover:
    """Staff turnover and vacancies (M1, M2), elections (M4)."""

    local_annual: float = _f(0.25, "share of local staff leaving per year", "1/year", 0.0, 1.0)
    sectoral_annual: float = _f(
        0.20, "share of sectoral staff leaving per year", "1/year", 0.0, 1.0
    )
    regional_annual: float = _f(
        0.25, "share of regional staff leaving per year", "1/year", 0.0, 1.0
    )
    national_annual: float = _f(
        0.15, "share of national staff leaving per year", "1/year", 0.0, 1.0
    )
    elected_annual: float = _f(
        0.05, "elected officials leaving between elections", "1/year", 0.0, 1.0
    )
    vacancy_months: float = _f(4.0, "mean months a vacated post stays empty", "months", 0.0, 36.0)
    election_interval: int = _f(48, "months between municipal elections", "months", 0, 120)
    election_first: int = _f(36, "month of the first election (0 = none)", "month", 0, 1200)
    election_replacement: float = _f(
        0.45, "share of elected officials replaced at an election", "-", 0.0, 1.0
    )
    burnout: float = _f(
        1.0, "extra leaving hazard of a person with no energy left (x base rate)", "-", 0.0, 10.0
    )


@dataclass(frozen=True)
class People:
    """Tenure-dependent leadership and energy; influence (M2, M14)."""

    leadership_months: float = _f(
        24.0, "tenure at which leadership reaches 63% of its maximum", "months", 1.0, 240.0
    )
    energy_start: float = _f(0.6, "energy of a newcomer", "-", 0.0, 1.0)
    energy_recovery: float = _f(0.05, "monthly recovery of energy toward 1", "1/month", 0.0, 1.0)
    overload_drain: float = _f(
        0.08, "monthly energy drain at full operations overload", "1/month", 0.0, 1.0
    )
    influence_alpha: float = _f(
        1.6, "Pareto shape of personal influence (smaller = more unequal)", "-", 1.05, 10.0
    )
    departure_cost: float = _f(
        0.15, "credibility an organisation loses when all its influence leaves", "-", 0.0, 1.0
    )
    regional_departure_cost: float = _f(0.3, "departure_cost of a regional body (M10)", "-", 0, 1)
    agent_convexity: float = _f(
        1.54, "departure cost x (relative influence)^(convexity-1): change agents", "-", 1.0, 4.0
    )
    champion_cost: float = _f(0.247, "engagement, assent lost as change agents leave", "-", 0, 1)


@dataclass(frozen=True)
class Knowledge:
    """March's organisational code in every organisation (M2, M3, M13, M15)."""

    socialisation: float = _f(0.1, "p1: monthly prob. a belief moves to the code", "-", 0.0, 1.0)
    code_learning: float = _f(0.5, "p2: code learning from superior group", "-", 0.0, 1.0)
    turbulence: float = _f(0.002, "p4: monthly prob. a dimension of reality flips", "-", 0.0, 1.0)
    cross_learning: float = _f(
        0.2, "prob. a tied person learns from the partner's organisation", "-", 0.0, 1.0
    )
    structuring_boost: float = _f(
        2.0, "socialisation and code learning x (1 + boost) at full structuring", "-", 0.0, 10.0
    )
    newcomer_insight: float = _f(0.0, "share of reality a newcomer knows (M3)", "-", 0.0, 1.0)
    habit_drift: float = _f(0.005, "monthly prob. a code dimension turns outdated", "-", 0.0, 0.2)
    codified_floor: float = _f(
        0.3, "codified share of knowledge without structuring (rest tacit)", "-", 0.0, 1.0
    )


@dataclass(frozen=True)
class Time:
    """Daily operations absorb strategic time (M4)."""

    staff_operations: float = _f(
        0.35, "share of a staff member's time absorbed by day-to-day operations", "-", 0.0, 1.0
    )
    elected_operations: float = _f(
        0.85, "share of an elected official's time absorbed by day-to-day affairs", "-", 0.0, 1.0
    )
    regional_operations_need: float = _f(
        0.25, "share of the regional body's staff time its own operations need", "-", 0.0, 1.0
    )


@dataclass(frozen=True)
class Credibility:
    """Credibility spill-over between levels (M5) and from results."""

    spillover: float = _f(0.0755, "monthly pull toward attached levels' credibility", "-", 0.0, 1.0)
    results_gain: float = _f(0.06, "monthly credibility gain at full results", "-", 0.0, 1.0)
    decay: float = _f(0.01, "monthly decay of credibility toward 0", "-", 0.0, 1.0)
    initial: float = _f(0.5, "credibility of every organisation at month 0", "-", 0.0, 1.0)
    local_half_staff: float = _f(
        1.3, "local strategic staff time giving half the local results (M5)", "persons", 0.05, 20.0
    )
    regional_pull: float = _f(0.766, "regional body's pull x spillover (M10)", "-", 0.0, 1.0)
    national_pull: float = _f(0.225, "weight of national actors in its pull (M10)", "-", 0.0, 5.0)


@dataclass(frozen=True)
class Legitimacy:
    """Impose or negotiate (M8)."""

    negotiate_ramp: float = _f(
        11.9, "months a negotiated role takes to reach full effort (M8)", "months", 1.0, 60.0
    )
    impose_cost: float = _f(0.035, "monthly assent lost per unit imposed output", "-", 0.0, 1.0)
    negotiate_gain: float = _f(
        0.04, "monthly assent gained per unit negotiated output", "-", 0.0, 1.0
    )
    gate_floor: float = _f(0.2, "share of a role's effect with no legitimacy", "-", 0.0, 1.0)
    initial_assent: float = _f(
        0.5, "initial assent (members to regional, regional to national)", "-", 0.0, 1.0
    )
    national_need: float = _f(
        0.5, "regional assent national programmes need to work fully", "-", 0.01, 1.0
    )
    drift: float = _f(
        0.01, "monthly drift of assent back toward its initial level", "1/month", 0.0, 1.0
    )


@dataclass(frozen=True)
class Engagement:
    """Participation, resistance of sectoral tables, harvest of networking (M7, M13)."""

    initial: float = _f(
        0.6, "engagement of local committees and sectoral tables at month 0", "-", 0.0, 1.0
    )
    sectoral_resistance: float = _f(
        0.35, "sectoral tables' resistance to one regional process (silos)", "-", 0.0, 1.0
    )
    fear_of_advantage: float = _f(
        0.5, "how much imposing erodes sectoral trust (fear of advantage)", "-", 0.0, 1.0
    )
    harvest_patience: float = _f(
        12.0, "months without visible harvest before engagement falls", "months", 1.0, 120.0
    )
    harvest_penalty: float = _f(0.03, "monthly engagement loss past patience", "1/month", 0.0, 1.0)
    harvest_ratio: float = _f(
        0.793, "tangible output needed per unit of networking", "-", 0.0, 20.0
    )
    adjust: float = _f(0.08, "monthly speed of engagement toward its drivers", "1/month", 0.0, 1.0)
    threshold: float = _f(0.213, "mean engagement needed to take part", "-", 0.0, 1.0)
    threshold_spread: float = _f(0.15, "half-width of the thresholds' spread", "-", 0.0, 0.5)
    decision_noise: float = _f(0.08, "logistic noise of the decision to take part", "-", 0.0, 1.0)
    reconsider: float = _f(0.15, "monthly prob. a member reconsiders", "1/month", 0.0, 1.0)
    dormancy_months: float = _f(60.0, "mean months to dormancy at full stress", "months", 1, 1200)
    dormancy_shape: float = _f(4.0, "convexity of the dormancy hazard in stress", "-", 0.5, 10.0)
    revival: float = _f(0.04, "monthly prob. a dormant member revives", "1/month", 0.0, 1.0)
    participation_rule: str = _f(
        "threshold", "members' decision to take part (ODD 7.10)", choices=PARTICIPATION_RULES
    )
    conformity: float = _f(0.3, "imitation rule: weight of the others taking part", "-", 0.0, 1.0)


@dataclass(frozen=True)
class Networking:
    """Personal ties across organisations (M13, Fang et al. 2010)."""

    ties_per_output: float = _f(
        12.0, "new ties per month per region at full networking output", "ties/month", 0.0, 16.0
    )
    tie_decay: float = _f(0.02, "monthly prob. a tie lapses", "1/month", 0.0, 1.0)
    ties_needed: float = _f(
        2.0, "ties per organisation for structuring and alignment to work fully", "ties", 0.1, 50.0
    )
    newcomer_ties: float = _f(0.6, "newcomers' ties, x the region's mean ties (M3)", "-", 0.0, 4.0)


@dataclass(frozen=True)
class Regional:
    """The regional body's capacity and fragility (M6, M10, M11, M12)."""

    half_effort: float = _f(
        0.326,
        "effort (effective staff) at which a role yields half its output",
        "staff",
        0.01,
        20.0,
    )
    visibility: float = _f(0.25, "share of regional results credited to it (M10)", "-", 0.0, 1.0)
    government_respondents: float = _f(
        1.0, "official government respondents at the regional level", "count", 0.0, 20.0
    )
    capacity_gain: float = _f(
        0.05, "monthly local capacity gain at full capacity building", "-", 0.0, 1.0
    )
    capacity_decay: float = _f(0.01, "monthly decay of local capacity", "-", 0.0, 1.0)
    structuring_gain: float = _f(
        0.04, "monthly gain of formalised practice, positioning at full output", "-", 0.0, 1.0
    )
    structuring_decay: float = _f(
        0.01, "monthly decay of formalised practice, alignment, positioning", "-", 0.0, 1.0
    )
    alignment_gain: float = _f(
        0.05, "monthly gain of sectoral alignment at full output", "-", 0.0, 1.0
    )


@dataclass(frozen=True)
class Funding:
    """National funding of the regional body and its survival (M1, M2, M8, M10, M12)."""

    base: float = _f(
        1.0, "funding when performance meets expectation (1 = all posts)", "-", 0.0, 2.0
    )
    budget: float = _f(0.881, "national budget above the floors, share of full cost", "-", 0.0, 2.0)
    review_months: int = _f(12, "months between national funding decisions", "months", 1, 60)
    credibility_weight: float = _f(0.5, "weight of national credibility", "-", 0.0, 1.0)
    positioning_weight: float = _f(0.3, "weight of issue positioning", "-", 0.0, 1.0)
    legitimacy_weight: float = _f(0.2, "weight of legitimacy from below", "-", 0.0, 1.0)
    record_weight: float = _f(
        0.147, "national credit for the regional body's written record (M12, M15)", "-", 0.0, 1.0
    )
    floor: float = _f(0.15, "funding whatever the performance (scaled by cuts)", "-", 0.0, 1.0)
    expectation: float = _f(
        0.451, "performance at which national actors fund fully", "-", 0.05, 1.0
    )
    adjust: float = _f(0.05, "monthly speed of funding toward its target", "1/month", 0.0, 1.0)
    fold_threshold: float = _f(0.4, "funding at which the funding gap is total", "-", 0.0, 0.95)
    fold_months: int = _f(13, "mean months to folding at full stress", "months", 1, 120)
    hazard_shape: float = _f(4.02, "convexity of the fold hazard in stress", "-", 0.5, 10.0)
    hazard_gap: float = _f(0.35, "stress weight of the funding gap", "-", 0.0, 1.0)
    hazard_vacancy: float = _f(0.15, "stress weight of vacant regional posts", "-", 0.0, 1.0)
    hazard_leadership: float = _f(0.15, "stress weight of lost leadership", "-", 0.0, 1.0)
    hazard_participation: float = _f(0.2, "stress weight of members absent", "-", 0.0, 1.0)
    hazard_legitimacy: float = _f(0.15, "stress weight of missing legitimacy", "-", 0.0, 1.0)
    rule: str = _f("budget", "national funding decision (ODD 7.10)", choices=FUNDING_RULES)
    increment: float = _f(0.1, "incremental rule: largest change of an award", "-", 0.0, 2.0)


@dataclass(frozen=True)
class Recognition:
    """Optional role-recognition phase at the start (M9)."""

    enabled: bool = field(default=False, metadata={"info": FieldInfo("run the phase at the start")})
    months: int = _f(6, "length of the phase", "months", 0, 60)
    share: float = _f(0.3, "share of the regional body's staff time it takes", "-", 0.0, 1.0)
    engagement_gain: float = _f(0.05, "monthly engagement, assent gain in the phase", "-", 0.0, 1.0)
    durability: float = _f(
        0.5, "lasting reduction of the harvest penalty after the phase", "-", 0.0, 1.0
    )


@dataclass(frozen=True)
class RoleMix:
    """Shares of the regional body's staff time; they sum to 1 with operations (M6)."""

    networking: float = _f(0.15, "share of staff time on networking", "-", 0.0, 1.0)
    capacity_building: float = _f(0.15, "share on capacity building of local levels", "-", 0.0, 1.0)
    issue_positioning: float = _f(0.15, "share on issue positioning", "-", 0.0, 1.0)
    structuring: float = _f(0.1, "share on structuring", "-", 0.0, 1.0)
    alignment: float = _f(0.1, "share on alignment", "-", 0.0, 1.0)
    operations: float = _f(0.35, "share left to operations", "-", 0.0, 1.0)

    def shares(self) -> tuple[float, ...]:
        """The five role shares in :data:`ROLES` order."""
        return tuple(getattr(self, r) for r in ROLES)


MODE_VALUES = {"negotiate": 0.0, "impose": 1.0}
"""Named modes; a number in [0, 1] mixes them (0 = negotiate, 1 = impose)."""


@dataclass(frozen=True)
class RoleModes:
    """How each role is played: 0 = negotiate, 1 = impose (M8)."""

    networking: float = _f(0.0, "mode of networking (0 negotiate, 1 impose)", "-", 0.0, 1.0)
    capacity_building: float = _f(0.0, "mode of capacity building", "-", 0.0, 1.0)
    issue_positioning: float = _f(0.0, "mode of issue positioning", "-", 0.0, 1.0)
    structuring: float = _f(0.0, "mode of structuring", "-", 0.0, 1.0)
    alignment: float = _f(0.0, "mode of alignment", "-", 0.0, 1.0)

    def modes(self) -> tuple[float, ...]:
        """The five modes in :data:`ROLES` order."""
        return tuple(getattr(self, r) for r in ROLES)


@dataclass(frozen=True)
class Parameters:
    """All behavioural parameters, one frozen section each."""

    turnover: Turnover = field(default_factory=Turnover)
    people: People = field(default_factory=People)
    knowledge: Knowledge = field(default_factory=Knowledge)
    time: Time = field(default_factory=Time)
    credibility: Credibility = field(default_factory=Credibility)
    legitimacy: Legitimacy = field(default_factory=Legitimacy)
    engagement: Engagement = field(default_factory=Engagement)
    networking: Networking = field(default_factory=Networking)
    regional: Regional = field(default_factory=Regional)
    funding: Funding = field(default_factory=Funding)
    recognition: Recognition = field(default_factory=Recognition)
    role_mix: RoleMix = field(default_factory=RoleMix)
    role_mode: RoleModes = field(default_factory=RoleModes)


SECTIONS: dict[str, type] = {f.name: f.type for f in dataclasses.fields(Parameters)}
"""Section name -> section class, for the scenario loader and the docs."""
SECTIONS = {name: globals()[cls] if isinstance(cls, str) else cls for name, cls in SECTIONS.items()}


def replace_dotted(params: Parameters, changes: dict[str, Any]) -> Parameters:
    """A copy of ``params`` with ``{"section.field": value}`` changes (not validated).

    Example:
        >>> replace_dotted(Parameters(), {"turnover.local_annual": 0.5}).turnover.local_annual
        0.5
    """
    by_section: dict[str, dict[str, Any]] = {}
    for dotted, value in changes.items():
        section, name = dotted.split(".", 1)
        by_section.setdefault(section, {})[name] = value
    return dataclasses.replace(
        params,
        **{
            sec: dataclasses.replace(getattr(params, sec), **vals)
            for sec, vals in by_section.items()
        },
    )
