"""The regional body's roles: capacity, role mix, impose or negotiate (M6, M8, M9, M11, M12, M15).

Effective capacity (M6) is the staff time present (elected officials count for
the little time daily affairs leave them, M4) times a knowledge factor
``(1 + k) / 2`` (``k`` the body's effective knowledge: codified plus tacit,
:func:`concertsim.submodels.learning.effective_knowledge`), a leadership
factor ``(1 + L) / 2`` and the mean energy (both influence-weighted, M14). Each
role receives ``share x capacity`` of effort, less the time operations take
beyond their share and the time a role-recognition phase takes (M9). Output is
a Hill function of effort, ``e^2 / (e^2 + h^2)``, so a thin spread yields little.

Imposing acts sooner (M8): an imposed role acts at full effort from the start,
a negotiated one ramps up linearly over its first ``negotiate_ramp`` months;
imposing costs assent from below. Legitimacy from below gates every role's
effect (M8); structuring
and alignment need ties (M13), issue positioning needs ties to local
committees (M12). The outputs then move the region's stocks: the capacity of
the local committees taking part (M11), formalised practice (M15), sectoral
alignment (M15), positioning (M12) and the assent each organisation grants the
body (M8).
"""

from __future__ import annotations

import numpy as np

from ..layout import Layout
from ..state import ROLE_INDEX, BatchParams, State
from ..ufuncs import clip
from .learning import effective_knowledge

__all__ = [
    "effective_capacity",
    "legitimacy",
    "role_outputs",
    "apply_outputs",
    "in_recognition",
    "sectoral_openness",
    "national_assent",
    "ramp",
]

FEAR_REF = 0.5
"""Fear of advantage at which silos resist exactly ``sectoral_resistance`` (M7)."""

NETWORKING, CAPACITY, POSITIONING, STRUCTURING, ALIGNMENT = (
    ROLE_INDEX[r]
    for r in ("networking", "capacity_building", "issue_positioning", "structuring", "alignment")
)


def effective_capacity(
    state: State,
    lay: Layout,
    bp: BatchParams,
    knowledge: np.ndarray,
    held: np.ndarray | None = None,
) -> np.ndarray:
    """(B,R) effective staff of each regional body (M4, M6, M14).

    Args:
        state: batch state.
        lay: layout.
        bp: batch parameters.
        knowledge: (B,G) code knowledge of every organisation, in [-1, 1].
        held: (B,G) :func:`~concertsim.submodels.learning.tacit`, if already computed.
    """
    elected = lay.regional(lay.post_elected[None, :])
    time = np.where(elected, 1.0 - bp.time.elected_operations[:, :, None], 1.0)
    time *= lay.regional(state.occupied)
    w = lay.regional(state.influence)
    w_sum = np.maximum(w.sum(-1), 1e-12)
    lead = (w * lay.regional(state.leadership)).sum(-1) / w_sum
    energy = (w * lay.regional(state.energy)).sum(-1) / w_sum
    k = lay.level(effective_knowledge(state, lay, bp, knowledge, held), "regional")
    return time.sum(-1) * (1.0 + k) / 2.0 * (1.0 + lead) / 2.0 * energy * state.alive


def legitimacy(state: State, lay: Layout) -> np.ndarray:
    """(B,R) legitimacy of each regional body: mean assent of its participating members."""
    return lay.members_mean(state.assent, state.participating)


def sectoral_openness(state: State, lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,G) how open a sectoral table is to one regional process (M7, M15).

    ``1 - sectoral_resistance * (1 - alignment) * (1 + fear) / (1 + FEAR_REF)``:
    alignment of sectoral priorities overcomes the resistance of silos, which the
    fear that one actor takes advantage of another deepens, whatever the mode
    (``FEAR_REF`` = 0.5, the default fear, keeps the calibrated default).
    Meaningful for sectoral tables only.
    """
    e = bp.engagement
    alignment = state.alignment[:, lay.region_of_org]
    silo = (1.0 + e.fear_of_advantage) / (1.0 + FEAR_REF)
    open_ = 1.0 - e.sectoral_resistance * (1.0 - alignment) * silo
    return clip(open_, 0.0, 1.0, out=open_)


def national_assent(state: State, lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,R) ``min(1, assent / national_need)``: how far each regional body's assent
    meets what national programmes need (M8)."""
    reg = lay.level_slice["regional"]
    return np.minimum(state.assent[:, reg] / bp.legitimacy.national_need, 1.0)


def in_recognition(state: State, bp: BatchParams) -> np.ndarray:
    """(B,1) True while the role-recognition phase runs (M9)."""
    rec = bp.recognition
    return (rec.enabled > 0) & (state.month < rec.months)


def ramp(state: State, bp: BatchParams) -> np.ndarray:
    """(B,R,5) share of full effort each role acts with this month (M8).

    ``mode + (1 - mode) x min(1, max(month + 1 - delay, 1) / negotiate_ramp)``:
    imposed roles act at once, negotiated ones take ``negotiate_ramp`` months to
    reach full effort, counted after the role-recognition phase if one is held
    (``delay`` its months, M9).
    """
    delay, months = bp.cached(_ramp_timing)
    up = np.minimum(np.maximum(state.month + 1.0 - delay, 1.0) / months, 1.0)
    return state.role_mode + (1.0 - state.role_mode) * up


def _ramp_timing(bp: BatchParams) -> tuple[np.ndarray, np.ndarray]:
    """(B,1,1) delay and length in months of :func:`ramp` (parameters only: cached)."""
    rec = bp.recognition
    delay = np.where(rec.enabled > 0, rec.months, 0.0)[:, :, None]
    return delay, np.maximum(bp.legitimacy.negotiate_ramp, 1.0)[:, :, None]


def role_outputs(
    state: State,
    lay: Layout,
    bp: BatchParams,
    capacity: np.ndarray,
    legit: np.ndarray,
    cover: np.ndarray,
    cover_local: np.ndarray,
) -> np.ndarray:
    """(B,R,5) effective output of each role this month, in [0, 1].

    Args:
        state: batch state.
        lay: layout.
        bp: batch parameters.
        capacity: (B,R) effective staff (:func:`effective_capacity`).
        legit: (B,R) legitimacy from below (:func:`legitimacy`).
        cover: (B,R) tie coverage of the region's organisations.
        cover_local: (B,R) tie coverage of its local committees only.
    """
    shares = state.role_mix
    role_total = shares.sum(-1)
    shortfall = np.maximum(bp.time.regional_operations_need - state.operations, 0.0)
    squeeze = np.divide(
        np.maximum(role_total - shortfall, 0.0),
        role_total,
        out=np.zeros_like(role_total),
        where=role_total > 0,
    )
    squeeze = squeeze * np.where(in_recognition(state, bp), 1.0 - bp.recognition.share, 1.0)
    effort = shares * (capacity * squeeze)[:, :, None]
    effort *= ramp(state, bp)
    half = bp.regional.half_effort[:, :, None]
    effort2 = effort**2
    out = effort2 / (effort2 + half**2)
    gate = bp.legitimacy.gate_floor + (1.0 - bp.legitimacy.gate_floor) * legit
    out *= gate[:, :, None]
    out[..., STRUCTURING] *= cover
    out[..., ALIGNMENT] *= cover
    out[..., POSITIONING] *= 0.5 + 0.5 * cover_local
    out *= state.alive[:, :, None]
    return out


def _assent_change(state: State, lay: Layout, bp: BatchParams, out: np.ndarray) -> np.ndarray:
    """(B,G) monthly change of the assent each organisation grants its regional body (M8).

    ``d assent = gain * open (1 - a) - cost * fear * a - drift (a - a0)``, with ``gain``
    the negotiated and ``cost`` the imposed output. Sectoral tables feel imposition
    ``fear = 1 + fear_of_advantage`` times more, and are only ``open = 1 - resistance
    (1 - alignment)`` to legitimising one regional process (M7); for local committees
    ``fear = open = 1``.
    """
    lp, a = bp.legitimacy, state.assent
    mode = state.role_mode
    gain = (out * (1.0 - mode)).sum(-1) * lp.negotiate_gain
    cost = (out * mode).sum(-1) * lp.impose_cost
    region = lay.region_of_org
    sectoral = lay.is_sectoral[None, :]
    fear = np.where(sectoral, 1.0 + bp.engagement.fear_of_advantage, 1.0)
    open_ = np.where(sectoral, sectoral_openness(state, lay, bp), 1.0)
    delta = gain[:, region] * open_ * (1.0 - a) - cost[:, region] * fear * a
    delta -= lp.drift * (a - lp.initial_assent)
    return np.where(lay.is_member[None, :], delta, 0.0)


def apply_outputs(state: State, lay: Layout, bp: BatchParams, out: np.ndarray) -> None:
    """Move the region's stocks and the assent of its members by this month's outputs."""
    r = bp.regional
    cb = out[..., CAPACITY][:, lay.region_of_org] * state.participating
    local = lay.is_local
    grown = state.capacity + r.capacity_gain * cb * (1.0 - state.capacity)
    grown -= r.capacity_decay * state.capacity
    state.capacity = np.where(local, clip(grown, 0.0, 1.0, out=grown), state.capacity)
    state.structuring += r.structuring_gain * out[..., STRUCTURING] * (1.0 - state.structuring)
    state.structuring -= r.structuring_decay * state.structuring
    state.alignment += r.alignment_gain * out[..., ALIGNMENT] * (1.0 - state.alignment)
    state.alignment -= r.structuring_decay * state.alignment
    state.positioning += r.structuring_gain * out[..., POSITIONING] * (1.0 - state.positioning)
    state.positioning -= r.structuring_decay * state.positioning
    assent = state.assent + _assent_change(state, lay, bp, out)
    state.assent = clip(assent, 0.0, 1.0, out=assent)
    state.role_output = out
