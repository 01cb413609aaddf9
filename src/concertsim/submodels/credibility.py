"""Credibility: results, and spill-over both ways between levels (M5, M10).

Each organisation's credibility ``c`` moves each month by

    c += spillover * (c_linked - c) + results_gain * result * (1 - c) - decay * c

where ``c_linked`` is, for a local committee or sectoral table taking part, its
regional body's credibility; for a regional body, the mean credibility of its
participating members and, with weight ``assent / national_need`` (capped at 1),
of the national actors; for a national actor, the mean credibility of the
regional bodies weighted by their assent (national needs regional assent, M8).
So credibility flows both ways along the attachment links (M5).

Results (M10): an organisation's own results are its strategic time times
``(1 + k) / 2`` (k its effective knowledge, codified and tacit,
:func:`concertsim.submodels.learning.effective_knowledge`), times its engagement
for a sectoral table. A local committee's own results grow with its resources
in absolute terms (M5): ``S / (S + local_half_staff)`` with ``S`` its strategic
staff time in person-equivalents, times ``(1 + capacity) / 2``. The regional
body's results are ``1 - prod(1 - output_r)`` over its roles (some concrete
result on the roles it plays, M6), of which only the visible share
(:func:`visibility`: what its members see, raised by issue positioning only in the
national actors' part of its :func:`audience`) is credited to it; the rest is
shared equally among its participating local committees (M10). A national
actor's results are its own times the mean over regions of
``min(1, assent / national_need)`` (0 for a folded regional body): national
programmes work only with the regional tables' assent (M8).

The regional body works in the shadow (M10): its pull toward its linked
credibility is ``regional_pull`` times the others', times
``FORMAL_LINK + (1 - FORMAL_LINK) min(1, T / ties_needed)`` with ``T`` the live
ties of its people (its members see it mostly through its few people's ties,
which leave with them: M10 fragility), and
the national actors weigh ``national_pull x min(1, assent / national_need)``
against its members' mean. Both links between a regional body and the national
actors are also scaled by :func:`national_link`, the share of its few government
respondents with whom its people hold a tie (M10).
"""

from __future__ import annotations

import numpy as np

from ..layout import Layout
from ..state import BatchParams, State
from ..ufuncs import clip
from .learning import effective_knowledge
from .networking import national_ties, ties_held
from .roles import national_assent

__all__ = [
    "FORMAL_LINK",
    "audience",
    "visibility",
    "strategic_time",
    "staff_time",
    "results",
    "tied",
    "linked_credibility",
    "update",
]

FORMAL_LINK = 0.25
"""Share of the regional body's pull toward its members that formal attachment gives
without personal ties (the rest runs through its people's ties, M10)."""


def strategic_time(state: State, lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,G) share of each organisation's posts' time left after daily operations (M4)."""
    return staff_time(state, lay, bp) / lay.org_posts


def staff_time(state: State, lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,G) strategic time of each organisation in person-equivalents (M4, M5)."""
    t = bp.time
    share = np.where(
        lay.post_elected[None, :], 1.0 - t.elected_operations, 1.0 - t.staff_operations
    )
    return lay.per_org(share * state.occupied)


def audience(
    state: State, lay: Layout, bp: BatchParams, assent: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who judges the regional body: (B,R) its members taking part, (B,R) the national
    actors' weight ``national_pull x ok``, and (B,R) ``ok`` (M8, M10).

    ``ok`` is ``assent`` (:func:`~concertsim.submodels.roles.national_assent`) scaled by
    :func:`national_link`; each member taking part counts 1.
    """
    nat_ok = assent * national_link(state, lay, bp)
    count = lay.members_sum(state.participating.astype(float))
    return count, bp.credibility.national_pull * nat_ok, nat_ok


def visibility(
    state: State,
    lay: Layout,
    bp: BatchParams,
    assent: np.ndarray,
    who: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """(B,R) share of the regional body's results credited to it (M10, M12).

    ``regional.visibility`` is what its members see of it: they see their own action
    (« l’action se passe davantage au local »), so it works in the shadow. Issue
    positioning carries its work up to the national actors, who see it: positioning
    lifts the rest of the share only in the national actors' part of its
    :func:`audience`, ``national_pull x ok / (members + national_pull x ok)``. ``who``: that
    :func:`audience`, if already computed.

    Example:
        >>> import numpy as np
        >>> from concertsim.engine import Engine
        >>> from concertsim.params import Parameters, Structure
        >>> eng = Engine(Structure(), [Parameters()], np.random.SeedSequence(1).spawn(1), horizon=1)
        >>> eng.state.positioning[:] = 1.0  # fully positioned: still mostly in the shadow
        >>> vis = visibility(eng.state, eng.layout, eng.params, np.ones((1, 1)))
        >>> bool(0.25 < vis[0, 0] < 0.3)
        True
    """
    v = bp.regional.visibility
    count, national, _ = audience(state, lay, bp, assent) if who is None else who
    total = count + national
    seen = np.divide(national, total, out=np.zeros_like(total), where=total > 0)
    return v + (1.0 - v) * state.positioning * seen


def results(
    state: State,
    lay: Layout,
    bp: BatchParams,
    knowledge: np.ndarray,
    time: np.ndarray,
    assent: np.ndarray | None = None,
    held: np.ndarray | None = None,
    who: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """(B,G) results of each organisation this month, in [0, 1].

    Args:
        state: batch state.
        lay: layout.
        bp: batch parameters.
        knowledge: (B,G) code knowledge.
        time: (B,G) strategic time (:func:`strategic_time`).
        assent: (B,R) :func:`~concertsim.submodels.roles.national_assent`, if already computed.
        held: (B,G) :func:`~concertsim.submodels.learning.tacit`, if already computed.
        who: the regional body's :func:`audience`, if already computed.
    """
    k01 = (1.0 + effective_knowledge(state, lay, bp, knowledge, held)) / 2.0
    own = time * k01
    regional_result = 1.0 - np.prod(1.0 - state.role_output, axis=-1)
    assent = national_assent(state, lay, bp) if assent is None else assent
    vis = visibility(state, lay, bp, assent, who)
    staff = staff_time(state, lay, bp)
    resources = staff / (staff + bp.credibility.local_half_staff)
    local = lay.is_local
    res = np.where(local, resources * k01 * (0.5 + 0.5 * state.capacity), own * state.engagement)
    taking_part = lay.level(state.participating, "local").sum(-1, dtype=np.float64)
    share = np.divide(1.0 - vis, taking_part, out=np.zeros_like(vis), where=taking_part > 0)
    credited = (share * regional_result)[:, lay.region_of_org]
    credited *= state.participating
    np.add(res, credited, out=res, where=local)
    res[:, lay.level_slice["regional"]] = vis * regional_result
    nat = lay.level_slice["national"]
    assent = (assent * state.alive).sum(-1, keepdims=True) / lay.structure.regions  # the mean
    res[:, nat] = own[:, nat] * assent
    return clip(res, 0.0, 1.0, out=res)


def tied(state: State, lay: Layout, bp: BatchParams, ties: np.ndarray | None = None) -> np.ndarray:
    """(B,R) ``min(1, T / ties_needed)``, T the live ties of the regional body's people (M10).

    The regional body, in the shadow, is seen by its members through its few
    people's ties; when they leave, their ties go with them. ``ties`` (B,P):
    :func:`~concertsim.submodels.networking.ties_held`, if already counted.
    """
    ties = ties_held(state) if ties is None else ties
    held = ties[:, lay.regional_posts].sum(-1)  # (B,R) whole numbers: exact in any order
    return np.minimum(held / bp.networking.ties_needed, 1.0)


def national_link(state: State, lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,R) ``FORMAL_LINK + (1 - FORMAL_LINK) min(1, n / government_respondents)`` (M10).

    ``n`` the live ties between the regional body's people and national actors'
    people (:func:`concertsim.submodels.networking.national_ties`): credibility
    and assent pass between the levels through these few ties.
    """
    gov = bp.regional.government_respondents
    n = national_ties(state, lay).astype(float)
    share = np.divide(n, gov, out=np.ones_like(n), where=gov > 0)
    return FORMAL_LINK + (1.0 - FORMAL_LINK) * np.minimum(share, 1.0)


def linked_credibility(
    state: State,
    lay: Layout,
    bp: BatchParams,
    assent: np.ndarray | None = None,
    ties: np.ndarray | None = None,
    who: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(B,G) credibility each organisation is pulled toward, and (B,G) link weight.

    ``assent`` (B,R) :func:`~concertsim.submodels.roles.national_assent` and ``ties``
    (B,P) :func:`~concertsim.submodels.networking.ties_held`, and ``who``, the regional
    body's :func:`audience`, if already computed.
    """
    c = state.credibility
    reg, nat = lay.level_slice["regional"], lay.level_slice["national"]
    c_reg = c[:, reg]
    target = c_reg[:, lay.region_of_org]  # a new array (fancy indexing)
    weight = state.participating.astype(float)
    members = lay.members_sum(c * state.participating)
    assent = national_assent(state, lay, bp) if assent is None else assent
    count, w_up, nat_ok = audience(state, lay, bp, assent) if who is None else who
    c_nat = c[:, nat].sum(-1, keepdims=True) / (nat.stop - nat.start)  # the mean
    total = members + w_up * c_nat
    n = count + w_up
    target[:, reg] = np.divide(total, n, out=c_reg.copy(), where=n > 0)
    link = FORMAL_LINK + (1.0 - FORMAL_LINK) * tied(state, lay, bp, ties)
    weight[:, reg] = bp.credibility.regional_pull * state.alive * link
    w_nat = nat_ok * state.alive
    denom = w_nat.sum(-1, keepdims=True)
    nat_target = np.divide(
        (c_reg * w_nat).sum(-1, keepdims=True), denom, out=c_nat, where=denom > 0
    )
    target[:, nat] = nat_target
    weight[:, nat] = np.minimum(denom / lay.structure.regions, 1.0)
    return target, weight


def update(
    state: State,
    lay: Layout,
    bp: BatchParams,
    knowledge: np.ndarray,
    time: np.ndarray,
    ties: np.ndarray | None = None,
    held: np.ndarray | None = None,
) -> None:
    """One month of credibility dynamics for every organisation (see :func:`results`).

    ``ties`` (B,P): :func:`~concertsim.submodels.networking.ties_held`, if already counted;
    ``held`` (B,G): :func:`~concertsim.submodels.learning.tacit`, if already computed.
    """
    cp = bp.credibility
    c = state.credibility
    assent = national_assent(state, lay, bp)
    who = audience(state, lay, bp, assent)  # once a month: both read the same state
    target, weight = linked_credibility(state, lay, bp, assent, ties, who)
    res = results(state, lay, bp, knowledge, time, assent, held, who)
    c = c + cp.spillover * weight * (target - c) + cp.results_gain * res * (1.0 - c) - cp.decay * c
    state.credibility = clip(c, 0.0, 1.0, out=c)
