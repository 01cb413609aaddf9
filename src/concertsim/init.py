"""Initialisation: the state of a batch at month 0 (docs/odd.md, section 5).

Every post is filled, tenure is spread over past years, nobody has ties yet,
every organisation starts at the scenario's initial credibility, assent and
engagement, and the regional body's role mix and modes are the scenario's.
Randomness comes from the ``init`` stream (tenure, influence, then participation
thresholds) and the
``knowledge`` stream (reality and beliefs, :func:`concertsim.knowledge.new_state`).

Example:
    >>> import numpy as np
    >>> from concertsim.layout import Layout
    >>> from concertsim.params import Parameters, Structure
    >>> from concertsim.state import BatchParams
    >>> from concertsim.streams import Stream
    >>> seeds = np.random.SeedSequence(1).spawn(2)
    >>> streams = {n: Stream.from_seeds(seeds, n) for n in ("init", "knowledge")}
    >>> lay = Layout.from_structure(Structure())
    >>> params = [Parameters()] * 2
    >>> state = initial_state(lay, BatchParams.stack(params), params, streams)
    >>> bool(state.occupied.all()), int((state.tie_partner >= 0).sum())
    (True, 0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from . import knowledge
from .layout import Layout
from .params import ROLES, Parameters
from .state import BatchParams, State
from .streams import Stream

__all__ = ["initial_state", "INCUMBENT_ENERGY", "INITIAL_LOCAL_CAPACITY"]

INCUMBENT_ENERGY = 0.8
"""Energy of the people in post at month 0 (newcomers start at ``people.energy_start``)."""

INITIAL_LOCAL_CAPACITY = 0.3
"""Capacity of every local committee at month 0, before any capacity building (M11)."""


def initial_state(
    lay: Layout, bp: BatchParams, params: Sequence[Parameters], streams: Mapping[str, Stream]
) -> State:
    """Month 0: every post filled, tenure spread over past years, no ties yet.

    Args:
        lay: the layout of the batch's structure.
        bp: the batch's parameters, stacked.
        params: the same parameters, one per run (for the role mix and modes).
        streams: the batch's streams by name; draws from ``init`` and ``knowledge``.

    Returns:
        The state of every run of the batch before month 0 is simulated.
    """
    b, p, g = len(params), lay.people, lay.groups
    r = lay.structure.regions
    u = streams["init"].uniform((3, p))
    tenure = np.floor(u[:, 0] * 2.0 * bp.people.leadership_months)
    influence = (1.0 - u[:, 1]) ** (-1.0 / bp.people.influence_alpha)
    k = lay.structure.tie_slots
    e = bp.engagement  # each organisation's participation threshold (M7)
    threshold = e.threshold + e.threshold_spread * (2.0 * streams["init"].uniform((g,)) - 1.0)
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
        threshold=threshold,
        dormant=np.zeros((b, g), dtype=bool),
        ever_dormant=np.zeros((b, g), dtype=bool),
        capacity=np.broadcast_to(INITIAL_LOCAL_CAPACITY, (b, g)).copy(),
        structuring=np.zeros((b, r)),
        alignment=np.zeros((b, r)),
        positioning=np.zeros((b, r)),
        funding=np.broadcast_to(bp.funding.base, (b, r)).copy(),
        funding_scale=np.ones((b, r)),
        award=np.broadcast_to(bp.funding.base, (b, r)).copy(),
        stress=np.zeros((b, r)),
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
    state.engagement[:, ~lay.is_member] = 1.0
    return state
