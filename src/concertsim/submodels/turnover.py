"""Turnover: people leave, posts stay vacant, newcomers arrive (M1, M2, M4, M14).

Each month a person leaves with a level-specific hazard, raised when their
energy is gone (burnout). Their post stays vacant for an exponentially
distributed number of months, then a newcomer fills it, if the post is funded
and its organisation still exists. A newcomer has no tenure, no leadership and
fresh beliefs; they bring ties of their own from the region's network
(:func:`~concertsim.submodels.networking.recruit`), none of the leaver's; their
influence is drawn from a Pareto law, so a few people are influential change
agents. When person i leaves, their organisation loses
``departure_cost x share_i x rho_i^(agent_convexity - 1)`` of its credibility
(``regional_departure_cost`` for a regional body, whose standing rests more on
its few people's relationships than a local committee's, which rests on its
action on the ground: M10), with ``share_i = w_i / W`` the share of its
influence that left and
``rho_i = share_i x n`` (n its people in post) their influence relative to its
mean: with equal influence this is the linear cost, but the departure of a
change agent costs more than its share (M14). Change agents also carry
engagement: with ``x = sum_i share_i max(rho_i - 1, 0)`` over the leavers (zero
when influence is equal), a member loses ``champion_cost x x`` of its
engagement, and every member of the region ``champion_cost x x_regional`` of the
assent it grants the regional body when the body's change agents leave.
Elections replace a share of elected officials at once (M4).
"""

from __future__ import annotations

import numpy as np

from ..layout import Layout
from ..params import Turnover
from ..state import BatchParams, State
from ..streams import Stream
from . import networking

__all__ = [
    "monthly_hazard",
    "leave",
    "departures",
    "hire",
    "funded_posts",
    "is_election",
    "election_due",
    "election_months",
    "elections",
]


def monthly_hazard(annual: np.ndarray) -> np.ndarray:
    """Monthly leaving probability equivalent to an annual share."""
    return 1.0 - (1.0 - np.clip(annual, 0.0, 1.0)) ** (1.0 / 12.0)


def _base_hazard(lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,P) monthly hazard of each post, from its level and kind (parameters only: cached)."""
    return bp.cached(_hazard_table, lay)


def _hazard_table(lay: Layout, bp: BatchParams) -> np.ndarray:
    """:func:`_base_hazard`, computed."""
    t = bp.turnover
    annual = np.concatenate(
        [t.local_annual, t.sectoral_annual, t.regional_annual, t.national_annual, t.elected_annual],
        axis=1,
    )
    # the five hazards of a run (levels, then elected posts), then each post's
    kind = np.where(lay.post_elected, annual.shape[1] - 1, lay.post_level)
    return np.take(monthly_hazard(annual), kind, axis=1)


def leave(
    state: State, lay: Layout, bp: BatchParams, gone: np.ndarray, u_vacancy: np.ndarray
) -> None:
    """Remove the people of ``gone`` (B,P): vacancy lengths, lost credibility (M14).

    Args:
        state: the batch state, changed in place.
        lay: the layout.
        bp: batch parameters.
        gone: (B,P) bool, people leaving now (must be occupied).
        u_vacancy: (B,P) uniforms for the vacancy lengths.
    """
    if not gone.any():
        return
    # share_i and rho_i = share_i x n of the leavers only (zero where the organisation's
    # influence is zero)
    run, post = np.nonzero(gone)
    org = lay.post_org[post]
    org_influence = lay.per_org(state.influence)[run, org]
    people = lay.per_org(state.occupied, np.float64)[run, org]  # (whole numbers)
    influence = state.influence[run, post]
    share = np.divide(
        influence, org_influence, out=np.zeros_like(org_influence), where=org_influence > 0
    )
    rho = share * people
    weight = np.zeros_like(state.influence)
    weight[run, post] = share * rho ** (bp.people.agent_convexity[run, 0] - 1.0)
    lost = np.minimum(lay.per_org(weight), 1.0)
    cost = bp.cached(_departure_cost, lay)  # (B,G)
    state.credibility -= cost * lost * state.credibility
    excess = np.zeros_like(weight)
    excess[run, post] = share * np.maximum(rho - 1.0, 0.0)
    _champions_lost(state, lay, bp, np.minimum(lay.per_org(excess), 1.0))
    months = np.ceil(-np.log1p(-u_vacancy[run, post]) * bp.turnover.vacancy_months[run, 0])
    vacant_for = state.vacant_for.copy()  # the leavers' vacancy lengths only
    vacant_for[run, post] = months.astype(np.int32)
    state.vacant_for = vacant_for
    state.occupied &= ~gone
    state.influence = np.where(gone, 0.0, state.influence)
    state.leadership = np.where(gone, 0.0, state.leadership)
    state.energy = np.where(gone, 0.0, state.energy)
    state.tenure = np.where(gone, 0.0, state.tenure)


def _departure_cost(lay: Layout, bp: BatchParams) -> np.ndarray:
    """(B,G) share of its credibility an organisation loses per unit of influence lost."""
    cost = np.repeat(bp.people.departure_cost, lay.groups, axis=1)
    cost[:, lay.level_slice["regional"]] = bp.people.regional_departure_cost
    return cost


def _champions_lost(state: State, lay: Layout, bp: BatchParams, lost: np.ndarray) -> None:
    """Change agents carry engagement (M14).

    ``lost`` (B,G) is ``sum_i share_i x max(rho_i - 1, 0)`` over an organisation's
    leavers: only people more influential than its mean count. A member's
    engagement falls by ``champion_cost x lost`` of itself, and the assent every
    member of the region grants its regional body by ``champion_cost x lost`` of
    the regional body (its change agents carried the relationship).
    """
    cost = bp.people.champion_cost
    members = lay.is_member[None, :]
    eng = state.engagement * (1.0 - cost * lost)
    state.engagement = np.where(members, eng, state.engagement)
    reg_lost = lost[:, lay.level_slice["regional"]][:, lay.region_of_org]
    assent = state.assent * (1.0 - cost * reg_lost)
    state.assent = np.where(members, assent, state.assent)


def departures(
    state: State, lay: Layout, bp: BatchParams, stream: Stream, u: np.ndarray | None = None
) -> np.ndarray:
    """Draw this month's departures, apply them and return the (B,P) mask of leavers.

    ``u``: (B,2,P) uniforms, the month's draw if already made
    (:func:`~concertsim.streams.dense_uniforms`).
    """
    u = stream.uniform((2, lay.people)) if u is None else u
    hazard = _base_hazard(lay, bp) * (1.0 + bp.turnover.burnout * (1.0 - state.energy))
    gone = state.occupied & (u[:, 0] < np.minimum(hazard, 1.0))
    leave(state, lay, bp, gone, u[:, 1])
    return gone


def funded_posts(state: State, lay: Layout) -> np.ndarray:
    """(B,P) True where a post can be filled: its organisation exists and it is funded.

    Regional staff post number k is funded while k < funding x regional_staff;
    every other post is always funded while its organisation exists.
    """
    reg = lay.post_is_regional
    region = lay.region_of_post
    funded_n = np.round(state.funding * lay.structure.regional_staff)[:, region]
    staff_funded = (lay.post_rank[None, :] < funded_n) | lay.post_elected[None, :]
    alive = state.alive[:, region]
    return np.where(reg[None, :], staff_funded & alive, True)


def hire(
    state: State, lay: Layout, bp: BatchParams, stream: Stream, u: np.ndarray | None = None
) -> np.ndarray:
    """Fill vacant, funded posts whose wait is over; return the (B,P) newcomer mask.

    Newcomers bring ties from the region's network
    (:func:`~concertsim.submodels.networking.recruit`): a second draw of ``stream``
    each month, made or skipped. ``u``: (B,1,P) uniforms of the first draw,
    the month's draw if already made (:func:`~concertsim.streams.dense_uniforms`).
    """
    u = stream.uniform((1, lay.people)) if u is None else u
    funded = funded_posts(state, lay)
    # Laid off: occupied posts that funding no longer covers. An unfunded post waits
    # for funding, not for a vacancy draw: it is filled as soon as funding returns.
    laid_off = state.occupied & ~funded
    leave(state, lay, bp, laid_off, np.zeros(laid_off.shape))
    vacant = ~state.occupied
    new = vacant & funded & (state.vacant_for <= 0)
    state.vacant_for = np.where(vacant & funded & ~new, np.maximum(state.vacant_for - 1, 0), 0)
    if new.any():
        run, post = np.nonzero(new)
        alpha = bp.people.influence_alpha[run, 0]
        influence = state.influence.copy()
        influence[run, post] = (1.0 - u[run, 0, post]) ** (-1.0 / alpha)  # Pareto, >= 1
        state.occupied |= new
        state.influence = influence
        state.energy = np.where(new, bp.people.energy_start, state.energy)
        state.hire_id = state.hire_id + new
        state.tie_partner[new] = -1
    if new.any() and np.any(bp.networking.newcomer_ties > 0):
        networking.recruit(state, lay, bp, new, stream)
    else:  # skipped, not moved (the same counter)
        stream.skip()
    return new


def is_election(
    month: int | np.ndarray, first: int | np.ndarray, interval: int | np.ndarray
) -> bool | np.ndarray:
    """Whether ``month`` is an election month: ``first`` (0 = never), then every ``interval``.

    Works on numbers and on arrays of parameters alike.
    """
    since = month - first
    periodic = (interval > 0) & (since >= 0) & (np.mod(since, np.maximum(interval, 1)) == 0)
    return (first > 0) & ((since == 0) | periodic)


def election_due(month: int, bp: BatchParams) -> np.ndarray:
    """(B,1) True where ``month`` is a municipal election month (M4); do not modify it.

    When every run of the batch has the same calendar (as in a run's replicates), the
    month is tested once, in Python, and one of two cached constant columns returned.
    """
    calendar = bp.cached(_calendar)
    if calendar is None:
        return is_election(month, bp.turnover.election_first, bp.turnover.election_interval)
    first, interval, no, yes = calendar
    return yes if is_election(month, first, interval) else no


def _calendar(bp: BatchParams) -> tuple[float, float, np.ndarray, np.ndarray] | None:
    """The batch's one election calendar, with (B,1) all-False and all-True columns;
    None when the runs' calendars differ."""
    first, interval = bp.turnover.election_first, bp.turnover.election_interval
    if np.any(first != first[0, 0]) or np.any(interval != interval[0, 0]):
        return None
    no, yes = np.zeros(first.shape, dtype=bool), np.ones(first.shape, dtype=bool)
    no.setflags(write=False)
    yes.setflags(write=False)
    return float(first[0, 0]), float(interval[0, 0]), no, yes


def election_months(turnover: Turnover, horizon: int) -> list[int]:
    """The scheduled municipal election months before ``horizon`` (for figures)."""
    first, interval = turnover.election_first, turnover.election_interval
    return [m for m in range(horizon) if is_election(m, first, interval)]


def elections(
    state: State,
    lay: Layout,
    bp: BatchParams,
    stream: Stream,
    due: np.ndarray,
    share: np.ndarray | float | None = None,
) -> np.ndarray:
    """Replace elected officials where an election is ``due`` (B,1); return the leavers.

    New officials take their seats the same month (no vacancy).
    """
    if not np.any(due):  # no election: the draw is skipped, not moved (the same counter)
        stream.skip()
        return np.zeros_like(state.occupied)
    u = stream.uniform((1, lay.people))[:, 0]
    share = bp.turnover.election_replacement if share is None else share
    gone = state.occupied & lay.post_elected[None, :] & due & (u < share)
    leave(state, lay, bp, gone, np.zeros_like(u))
    state.vacant_for = np.where(gone, 0, state.vacant_for)
    return gone
