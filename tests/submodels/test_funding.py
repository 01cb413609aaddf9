"""M1, M8, M10, M12: national funding as a decision under a budget."""

import numpy as np

from concertsim.engine import Engine
from concertsim.params import Event, Parameters, Structure
from concertsim.submodels import funding

from .sim import final, simulate


def test_funding_covers_fewer_regional_posts_after_a_cut():
    cut = Event(month=6, kind="funding_cut", share=0.5)
    base, after = simulate(months=18), simulate(months=18, events=(cut,))
    assert final(after, "staff", "regional", 3) < final(base, "staff", "regional", 3)


def test_more_government_respondents_bring_more_funding():
    few = simulate({"regional.government_respondents": 0.0, "funding.expectation": 0.9})
    many = simulate({"regional.government_respondents": 10.0, "funding.expectation": 0.9})
    assert final(many, "funding", "regional") > final(few, "funding", "regional")


def test_funding_is_decided_at_review_dates_only():
    seeds = np.random.SeedSequence(3).spawn(4)
    e = Engine(Structure(), [Parameters()] * 4, seeds, horizon=13)
    e.run(11)
    award = e.state.award.copy()
    e.step()  # month 11: no review
    assert np.array_equal(award, e.state.award)
    e.step()  # month 12: a review
    assert not np.array_equal(award, e.state.award)


def test_regions_share_the_budget_when_their_claims_exceed_it():
    claims = np.array([[0.8, 0.4, 0.0], [0.1, 0.1, 0.1]])
    envelope = np.array([[0.6], [1.0]])
    got = funding.allocate(claims, envelope)
    assert got[0].sum() == np.float64(0.6) or np.isclose(got[0].sum(), 0.6)
    assert np.allclose(got[1], claims[1])  # enough for all: each gets its claim
    assert np.all(got <= claims + 1e-12)


def test_in_a_province_the_awards_sum_to_the_national_budget():
    s = Structure(regions=17, national_actors=6)
    e = simulate({"funding.budget": 0.1}, months=1, runs=3, structure=s)
    f = e.params.funding
    above_floor = (e.state.award - f.floor) * e.state.funding_scale
    budget = f.budget * (f.base - f.floor) * e.state.funding_scale.sum(-1, keepdims=True)
    assert np.allclose(above_floor.sum(-1), budget[:, 0])


def test_positioning_never_lowers_funding_or_survival():
    # M12 under funding pressure: a larger positioning weight takes nothing from the others
    pressure = {"funding.base": 0.8, "funding.expectation": 0.9}
    low = simulate(pressure | {"funding.positioning_weight": 0.0}, months=120)
    high = simulate(pressure | {"funding.positioning_weight": 0.6}, months=120)
    assert final(high, "funding", "regional") > final(low, "funding", "regional")
    assert high.state.alive.mean() >= low.state.alive.mean()
    e = simulate(months=24, runs=4)
    legit = funding.participation_share(e.state, e.layout)
    before = funding.performance(e.state, e.layout, e.params, legit)
    e.state.positioning += 0.3
    assert np.all(funding.performance(e.state, e.layout, e.params, legit) >= before)


def test_a_written_record_lifts_funding_under_heavy_turnover_only_where_there_is_one():
    # M12, M15: national actors who credit the written record fund a body that has one
    # better at 40% turnover; a body with no positions and no formalised practice gets
    # exactly what it got without the record (paired, common random numbers).
    heavy = {f"turnover.{k}_annual": 0.4 for k in ("local", "sectoral", "regional")}
    writes = {"role_mix.capacity_building": 0.0, "role_mix.alignment": 0.0}
    writes |= {"role_mix.issue_positioning": 0.3, "role_mix.structuring": 0.2}
    off = simulate(heavy | writes, months=48)
    on = simulate(heavy | writes | {"funding.record_weight": 0.5}, months=48)
    assert funding.record(on.state).mean() > 0.2
    assert final(on, "funding", "regional") > final(off, "funding", "regional") + 0.01
    silent = {"role_mix.capacity_building": 0.4, "role_mix.alignment": 0.1}
    silent |= {"role_mix.issue_positioning": 0.0, "role_mix.structuring": 0.0}
    bare_off = simulate(heavy | silent, months=48)
    bare_on = simulate(heavy | silent | {"funding.record_weight": 0.5}, months=48)
    assert np.array_equal(bare_on.series, bare_off.series, equal_nan=True)
