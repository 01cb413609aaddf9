"""M13: networking makes personal ties; ties leave with the person."""

import numpy as np

from concertsim.params import ROLES, Structure
from concertsim.submodels import networking

from .sim import final, simulate


def _networking(share):
    """Networking at ``share``, the other roles at their defaults (operations: the rest)."""
    return {"role_mix.networking": share, "role_mix.structuring": 0.0, "role_mix.alignment": 0.0}


def test_more_networking_gives_more_ties():
    little = simulate(_networking(0.05))
    much = simulate(_networking(0.3))
    for level in ("local", "sectoral", "regional"):
        assert final(much, "ties", level) > final(little, "ties", level)


def test_ties_join_people_of_different_organisations_only():
    e = simulate(_networking(0.3), months=24, runs=4)
    valid = networking.valid_ties(e.state)
    b, p, k = np.nonzero(valid)
    partner = e.state.tie_partner[b, p, k]
    assert valid.any()
    assert np.all(e.layout.post_org[p] != e.layout.post_org[partner])


def test_a_tie_dies_when_the_partner_leaves():
    e = simulate(_networking(0.3), months=24, runs=2)
    valid = networking.valid_ties(e.state)
    b, p, k = map(int, np.argwhere(valid)[0])
    partner = e.state.tie_partner[b, p, k]
    gone = np.zeros_like(e.state.occupied)
    gone[b, partner] = True
    from concertsim.submodels import turnover

    turnover.leave(e.state, e.layout, e.params, gone, np.full(gone.shape, 0.5))
    assert not networking.valid_ties(e.state)[b, p, k]


def test_no_networking_no_ties():
    e = simulate({f"role_mix.{r}": 0.0 for r in ROLES})
    assert final(e, "ties", "local") == 0.0


def test_new_ties_are_written_on_both_sides_once():
    e = simulate(_networking(0.6), months=1, runs=50)
    s = e.state
    s.tie_partner[:] = -1
    out = np.ones((s.batch, e.layout.structure.regions))
    networking.make_ties(s, e.layout, e.params, e.streams["ties"], out)
    valid = networking.valid_ties(s)
    b, p, k = np.nonzero(valid)
    q = s.tie_partner[b, p, k]
    back = (s.tie_partner[b, q] == p[:, None]) & valid[b, q]
    assert b.size > 100
    assert np.all(back.any(-1))  # every tie end has its other end
    assert np.all(valid.sum(-1) <= 1)  # at most one new tie per person and month


def test_national_ties_are_few_and_join_regional_and_national_people():
    """M10: national people tie with the regional body's, up to the government respondents."""
    for gov in (1.0, 3.0):
        e = simulate({"regional.government_respondents": gov}, months=60)
        s, lay = e.state, e.layout
        n = networking.national_ties(s, lay)
        assert n.max() <= gov and n.mean() > 0
        nat = lay.posts_mask("national")
        partner = s.tie_partner[:, nat]
        partners = partner[partner >= 0]
        assert np.isin(
            partners, lay.regional_posts.ravel()
        ).all()  # national people: regional ties only


def test_national_ties_carry_the_national_link():
    """M10: without national ties the regional-national link falls to its formal share."""
    from concertsim.submodels import credibility

    e = simulate(months=36, runs=8)
    s, lay, bp = e.state, e.layout, e.params
    with_ties = credibility.national_link(s, lay, bp)
    s.tie_partner[:, lay.regional_posts.ravel()] = -1
    without = credibility.national_link(s, lay, bp)
    assert np.all(without == credibility.FORMAL_LINK) and with_ties.mean() > without.mean()


def test_tie_counts_and_regional_posts_as_the_plain_formulas_give_them():
    """ties_held (a product with ones), Layout.regional (a view), national_ties and the
    tie check, against their plain numpy definitions, mid-run in several regions."""
    e = simulate({"role_mix.networking": 0.3}, months=30, runs=3, structure=Structure(regions=2))
    s, lay = e.state, e.layout
    s.occupied[:, ::7] = False  # people leave and others arrive: some ties are now dead
    s.hire_id[:, 3::11] += 1
    assert np.array_equal(networking.ties_held(s), (s.tie_partner >= 0).sum(-1))
    assert np.array_equal(lay.regional(s.tie_partner), s.tie_partner[:, lay.regional_posts])
    nat = (s.tie_partner[:, lay.regional_posts] >= lay.national_posts[0]).sum(axis=(-1, -2))
    assert np.array_equal(networking.national_ties(s, lay), nat)
    holder = np.where(s.occupied, s.hire_id, 0)
    rows = (np.arange(s.batch) * lay.people)[:, None, None]
    same = holder.ravel()[np.maximum(s.tie_partner, 0) + rows] == s.tie_hire
    plain = (s.tie_partner >= 0) & same & s.occupied[:, :, None]
    assert plain.any() and (plain != (s.tie_partner >= 0)).any()
    assert np.array_equal(networking.valid_ties(s), plain)


def _recruits_ties(changes):
    """Mean live ties of the regional body's staff right after all of them were replaced."""
    from concertsim.params import Event

    wave = Event(month=36, kind="turnover_wave", level="regional", share=1.0)
    e = simulate(changes | {"turnover.vacancy_months": 0.0}, months=37, events=(wave,))
    reg = e.layout.posts_mask("regional") & ~e.layout.post_elected
    return networking.ties_per_person(e.state)[:, reg].mean()


def test_newcomers_recruited_from_the_regions_network_bring_ties_in_proportion_to_it():
    """M3, M13: newcomers bring ties, more where the region networked, none without it."""
    none = _recruits_ties({"networking.newcomer_ties": 0.0} | _networking(0.3))
    some = _recruits_ties({"networking.newcomer_ties": 1.0} | _networking(0.3))
    neglected = _recruits_ties({"networking.newcomer_ties": 1.0} | _networking(0.0))
    # without newcomer ties they hold only what the month's own networking made (0.125 of a
    # tie each at the calibrated defaults), a small share of what recruits bring (2.0)
    assert none < 0.1 * some and some > 1.0
    assert neglected < some


def test_newcomers_ties_join_people_in_post_of_other_organisations():
    e = simulate({"networking.newcomer_ties": 4.0} | _networking(0.3), months=36, runs=4)
    valid = networking.valid_ties(e.state)
    b, p, k = np.nonzero(valid)
    partner = e.state.tie_partner[b, p, k]
    assert np.all(e.layout.post_org[p] != e.layout.post_org[partner])
    assert np.all(e.state.occupied[b, partner])
