"""Engagement and participation: resistance, harvest, recognition (M7, M9, M13).

Each local committee's and sectoral table's engagement ``e`` moves toward a
target made of the assent it grants the regional body (M8), the body's
credibility (M5), its own capacity (M11) and strategic time (M4):

    local:    target = 0.35 assent + 0.25 c_regional + 0.2 capacity + 0.2 time
    sectoral: target = (1 - resistance (1 - alignment)) (0.5 assent + 0.3 c_regional + 0.2 time)

so sectoral tables resist one regional process (silos, M7) unless alignment
(M15) overcomes it. Members judge the harvest of networking against the effort
they see go into it: a month of networking whose tangible output (capacity,
positioning, structuring and alignment) is below ``harvest_ratio`` times the
networking output shows no harvest; past ``harvest_patience`` such months,
engagement falls by ``harvest_penalty`` a month (M13). A role-recognition phase
at the start raises engagement and assent while it runs and makes later losses
smaller (M9).

Taking part is a decision. Each organisation has its own threshold
``theta_g`` (drawn at month 0, uniform in ``threshold +- threshold_spread``);
each month it reconsiders with probability ``reconsider`` and then takes part iff

    e_g + decision_noise * logit(u) >= theta_g      (u uniform: logistic noise)

otherwise it keeps last month's choice. A dormant member, or one whose regional
body folded, does not take part. That is the default ``participation_rule =
"threshold"``; two alternatives (structural uncertainty, ODD 7.10) change only the
test a reconsidering member applies, with the same draws:

* ``"imitation"`` (Granovetter 1978): what a member weighs is its engagement mixed
  with the share ``p_r`` of its region's members taking part last month,
  ``(1 - conformity) e_g + conformity p_r + decision_noise logit(u) >= theta_g``;
  a member joins when others do, and leaves when they leave;
* ``"proportional"``: no threshold; a member takes part with probability equal
  to its engagement, ``u < e_g`` (the decision noise and thresholds play no part).
"""

from __future__ import annotations

import numpy as np

from ..layout import Layout
from ..params import PARTICIPATION_RULES
from ..state import BatchParams, State
from ..streams import Stream
from .roles import NETWORKING, in_recognition, sectoral_openness

__all__ = ["HARVEST_MIN", "HARVEST_RECOVERY", "update_harvest", "wants", "update"]

IMITATION = float(PARTICIPATION_RULES.index("imitation"))
PROPORTIONAL = float(PARTICIPATION_RULES.index("proportional"))

HARVEST_MIN = 0.05
"""Monthly networking output below which there is no networking effort to judge."""

HARVEST_RECOVERY = 3
"""Months of waiting forgiven by each month that shows a tangible harvest."""


def update_harvest(state: State, bp: BatchParams) -> None:
    """Count months of networking without a visible harvest, per region (M13)."""
    out = state.role_output
    net = out[..., NETWORKING]
    networking = net > HARVEST_MIN
    tangible = out.sum(-1) - net >= bp.engagement.harvest_ratio * net
    state.harvest_wait = np.where(
        networking & ~tangible,
        state.harvest_wait + 1,
        np.maximum(state.harvest_wait - HARVEST_RECOVERY, 0),
    )


def _target(state: State, lay: Layout, bp: BatchParams, time: np.ndarray) -> np.ndarray:
    """(B,G) engagement each organisation tends to."""
    c_reg = state.credibility[:, lay.level_slice["regional"]][:, lay.region_of_org]
    local = 0.35 * state.assent + 0.25 * c_reg + 0.2 * state.capacity + 0.2 * time
    sectoral = sectoral_openness(state, lay, bp) * (0.5 * state.assent + 0.3 * c_reg + 0.2 * time)
    return np.where(lay.is_local[None, :], local, sectoral)


def wants(state: State, lay: Layout, bp: BatchParams, u: np.ndarray) -> np.ndarray:
    """(B,G) whether each organisation, reconsidering, would take part, by ``participation_rule``.

    Args:
        u: (B,G) uniform draws (the decision noise).

    Example:
        >>> from concertsim.submodels.engagement import IMITATION
        >>> IMITATION  # the index of "imitation" in PARTICIPATION_RULES
        1.0
    """
    e, rule = bp.engagement, bp.engagement.participation_rule
    noise = e.decision_noise * np.log(
        np.maximum(u, 1e-12) / np.maximum(1 - u, 1e-12)  # = np.clip(., 1e-12, None)
    )
    if not (rule != 0.0).any():
        return state.engagement + noise >= state.threshold
    others = lay.members_mean(state.participating.astype(float))[:, lay.region_of_org]
    mixed = (1.0 - e.conformity) * state.engagement + e.conformity * others
    weighed = np.where(rule == IMITATION, mixed, state.engagement)
    want = weighed + noise >= state.threshold
    return np.where(rule == PROPORTIONAL, u < state.engagement, want)


def update(
    state: State,
    lay: Layout,
    bp: BatchParams,
    time: np.ndarray,
    stream: Stream,
    u: np.ndarray | None = None,
) -> None:
    """One month of engagement and participation (one draw of ``(2, G)`` from ``stream``).

    ``u``: (B,2,G) uniforms, the month's draw if already made
    (:func:`~concertsim.streams.dense_uniforms`).
    """
    e = bp.engagement
    region = lay.region_of_org
    members = lay.is_member[None, :]
    eng = state.engagement + e.adjust * (_target(state, lay, bp, time) - state.engagement)
    rec = bp.recognition
    shield = 1.0 - rec.durability * state.recognised[:, region]
    starved = (state.harvest_wait > e.harvest_patience)[:, region]
    eng -= e.harvest_penalty * starved * shield
    recognising = in_recognition(state, bp)
    eng += np.where(recognising, rec.engagement_gain, 0.0)
    state.assent = np.where(
        members & recognising, np.minimum(state.assent + rec.engagement_gain, 1.0), state.assent
    )
    state.recognised |= recognising & (state.month + 1 >= rec.months)
    state.engagement = np.where(members, np.clip(eng, 0.0, 1.0), 1.0)
    alive = np.where(lay.in_region, state.alive[:, region], True)
    u = stream.uniform((2, lay.groups)) if u is None else u
    want = wants(state, lay, bp, u[:, 1])
    choice = np.where(u[:, 0] < e.reconsider, want, state.participating)
    state.participating = np.where(members, choice & alive & ~state.dormant, alive)
