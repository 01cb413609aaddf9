"""People: tenure, leadership and energy (M2, M4).

Leadership grows with tenure, ``1 - exp(-tenure / leadership_months)``, and
leaves with the person. Energy recovers toward 1 and is drained by overload:
vacant posts whose work falls on the others, and, in the regional body,
operations that need more time than the role mix leaves them (M4).
"""

from __future__ import annotations

import numpy as np

from ..layout import Layout
from ..state import BatchParams, State
from ..ufuncs import clip

__all__ = ["overload", "age"]


def overload(state: State, lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,G) overload in [0, 1] of each organisation."""
    load = 1.0 - lay.per_org(state.occupied, np.float64) / lay.org_posts  # vacant share
    reg = lay.level_slice["regional"]
    need = bp.time.regional_operations_need
    shortfall = np.maximum(need - state.operations, 0.0) / np.maximum(need, 1e-9)
    load[:, reg] += shortfall
    return clip(load, 0.0, 1.0, out=load)


def age(state: State, lay: Layout, bp: BatchParams, load: np.ndarray) -> None:
    """One month older: tenure, leadership and energy of everyone in post."""
    occ = state.occupied
    state.tenure = np.where(occ, state.tenure + 1.0, 0.0)
    grown = 1.0 - np.exp(-state.tenure / bp.people.leadership_months)
    state.leadership = np.where(occ, grown, 0.0)
    p = bp.people
    energy = state.energy + p.energy_recovery * (1.0 - state.energy)
    energy -= p.overload_drain * load[:, lay.post_org]
    state.energy = np.where(occ, clip(energy, 0.0, 1.0, out=energy), 0.0)
