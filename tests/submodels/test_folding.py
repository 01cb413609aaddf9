"""M1, M2, M10: the fold hazard of the regional body, members going dormant and reviving."""

import numpy as np

from concertsim.layout import Layout
from concertsim.params import Event, Structure
from concertsim.submodels import folding

from .sim import simulate

LONG = 120


def _collapsed(engine) -> float:
    return float((~engine.state.alive).any(-1).mean())


def test_the_fold_hazard_rises_with_the_funding_gap():
    cut = Event(month=12, kind="funding_cut", share=0.5)
    base, after = simulate(months=LONG), simulate(months=LONG, events=(cut,))
    assert _collapsed(after) > _collapsed(base)
    assert np.all(after.state.stress[after.state.alive] >= 0.0)


def test_the_fold_hazard_rises_with_vacancies_and_lost_leadership():
    calm = simulate({"turnover.regional_annual": 0.05}, months=24, runs=8)
    churn = simulate({"turnover.regional_annual": 0.8}, months=24, runs=8)
    assert churn.state.stress.mean() > calm.state.stress.mean()
    # the same state with the regional posts emptied: a higher stress, so a higher hazard
    e = simulate(months=12, runs=8)
    legit = np.full(e.state.alive.shape, 0.5)
    before = folding.regional_stress(e.state, e.layout, e.params, legit)
    e.state.occupied[:, e.layout.post_is_regional] = False
    assert np.all(folding.regional_stress(e.state, e.layout, e.params, legit) > before)


def test_folding_is_a_hazard_fold_months_vary_between_runs():
    cut = Event(month=12, kind="funding_cut", share=0.7)
    e = simulate(months=LONG, events=(cut,))
    months = e.state.folded_month[:, 0]
    folded = months[~np.isnan(months)]
    assert folded.size >= 6 and np.ptp(folded) >= 6  # a spread of months, not one month


def test_a_folded_regional_body_has_no_staff_and_no_members():
    def doomed(engine):
        engine.params.funding.fold_months[...] = 1
        engine.params.funding.hazard_shape[...] = 0.5  # folds in its first months

    e = simulate(months=36, setup=doomed)
    assert np.all(~e.state.alive)
    assert e.state.occupied[:, e.layout.post_is_regional].sum() == 0
    assert not e.state.participating[:, e.layout.in_region].any()


def test_members_go_dormant_under_stress():
    calm = simulate({"turnover.local_annual": 0.05, "turnover.sectoral_annual": 0.05}, months=LONG)
    harsh = simulate({"turnover.local_annual": 0.6, "turnover.sectoral_annual": 0.6}, months=LONG)
    members = calm.layout.is_member
    assert harsh.state.ever_dormant[:, members].mean() > calm.state.ever_dormant[:, members].mean()


def test_dormant_members_revive():
    def asleep(engine):
        engine.state.dormant[:, engine.layout.is_member] = True
        engine.params.engagement.dormancy_months[...] = 1e3  # none falls asleep again

    e = simulate(months=36, setup=asleep)
    assert e.state.dormant[:, e.layout.is_member].mean() < 0.5


def test_the_regional_level_is_more_fragile_than_its_members_under_the_same_stress():
    lay = Layout.from_structure(Structure())
    e = simulate(months=1, runs=4)
    f, g = e.params.funding, e.params.engagement
    for s in (0.3, 0.6, 0.9):
        regional = s**f.hazard_shape / f.fold_months
        member = s**g.dormancy_shape / g.dormancy_months
        assert np.all(regional > member)
    assert lay.is_member.sum() > 0
    cut = Event(month=12, kind="funding_cut", share=0.6)
    a = simulate(months=LONG, events=(cut,))
    assert _collapsed(a) > a.state.ever_dormant[:, a.layout.is_member].mean()
