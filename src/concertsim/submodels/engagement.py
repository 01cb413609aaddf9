"""Engagement and participation: resistance, harvest, recognition (M7, M9, M13).

Each local committee's and sectoral table's engagement ``e`` moves toward a
target made of the assent it grants the regional body (M8), the body's
credibility (M5), its own capacity (M11) and strategic time (M4):

    local:    target = 0.35 assent + 0.25 c_regional + 0.2 capacity + 0.2 time
    sectoral: target = (1 - resistance (1 - alignment)) (0.5 assent + 0.3 c_regional + 0.2 time)

so sectoral tables resist one regional process (silos, M7) unless alignment
(M15) overcomes it. Networking that shows no tangible result (no capacity,
positioning, structuring or alignment output worth the name) for more than
``harvest_patience`` months costs engagement every month (M13). A role-
recognition phase at the start raises engagement and assent while it runs and
makes later losses smaller (M9). An organisation takes part while its
engagement stays above ``threshold`` (it rejoins above ``threshold + 0.05``).
"""

from __future__ import annotations

import numpy as np

from ..layout import Layout
from ..state import BatchParams, State
from .roles import NETWORKING, in_recognition, sectoral_openness

__all__ = ["HARVEST_MIN", "HARVEST_RECOVERY", "update_harvest", "update"]

HARVEST_MIN = 0.05
"""Monthly non-networking output below which networking shows no tangible harvest."""

HARVEST_RECOVERY = 3
"""Months of waiting forgiven by each month that shows a tangible harvest."""


def update_harvest(state: State) -> None:
    """Count months of networking without tangible results, per region (M13)."""
    out = state.role_output
    networking = out[..., NETWORKING] > HARVEST_MIN
    tangible = np.delete(out, NETWORKING, axis=-1).sum(-1) > HARVEST_MIN
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


def update(state: State, lay: Layout, bp: BatchParams, time: np.ndarray) -> None:
    """One month of engagement and participation of local committees and sectoral tables."""
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
    stay = state.participating & (state.engagement >= e.threshold)
    join = ~state.participating & (state.engagement >= e.threshold + 0.05)
    state.participating = np.where(members, (stay | join) & alive, alive)
