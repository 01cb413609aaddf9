"""M1, M10: funding, folding of the regional body, government respondents."""

import numpy as np

from concertsim.params import Event

from .sim import final, simulate


def test_a_deep_funding_cut_makes_the_structure_fold():
    cut = Event(month=6, kind="funding_cut", share=0.9)
    e = simulate({"funding.fold_months": 6}, months=48, events=(cut,))
    assert np.all(~e.state.alive)
    assert np.all(e.state.folded_month == 6 + 6 - 1)  # the sixth month at risk: 6..11


def test_a_folded_regional_body_has_no_staff_and_no_members():
    cut = Event(month=2, kind="funding_cut", share=1.0)
    e = simulate({"funding.fold_months": 3}, months=24, events=(cut,))
    assert final(e, "staff", "regional", 3) == 0.0
    assert final(e, "participation", "local", 3) == 0.0


def test_funding_covers_fewer_regional_posts_after_a_cut():
    cut = Event(month=6, kind="funding_cut", share=0.5)
    base, after = simulate(months=18), simulate(months=18, events=(cut,))
    assert final(after, "staff", "regional", 3) < final(base, "staff", "regional", 3)


def test_more_government_respondents_bring_more_funding():
    few = simulate({"regional.government_respondents": 0.0, "funding.expectation": 0.9})
    many = simulate({"regional.government_respondents": 10.0, "funding.expectation": 0.9})
    assert final(many, "funding", "regional") > final(few, "funding", "regional")


def test_a_regional_body_deserted_by_its_members_folds():
    def desert(engine):
        engine.state.engagement[:, engine.layout.org_level <= 1] = 0.0
        engine.params.engagement.adjust[...] = 0.0  # nobody comes back

    e = simulate({"funding.fold_months": 6}, months=12, setup=desert)
    assert np.all(~e.state.alive)
    assert np.all(e.state.folded_month == 5)  # at risk from month 0: the sixth month
