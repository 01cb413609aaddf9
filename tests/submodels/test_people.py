"""M2, M4: leadership grows with tenure; operations absorb strategic time."""

import numpy as np

from concertsim import knowledge
from concertsim.submodels import people, roles

from .sim import final, simulate


def test_leadership_grows_with_tenure():
    e = simulate(months=24, runs=4)
    occ = e.state.occupied
    tenure, lead = e.state.tenure[occ], e.state.leadership[occ]
    assert np.allclose(lead, 1.0 - np.exp(-tenure / 24.0))
    assert lead[tenure >= 36].min() > lead[tenure <= 3].max() + 0.5


def test_faster_leadership_build_up_gives_more_leadership():
    slow = simulate({"people.leadership_months": 60.0})
    fast = simulate({"people.leadership_months": 6.0})
    assert final(fast, "leadership", "regional") > final(slow, "leadership", "regional")


def test_elected_officials_absorbed_by_daily_affairs_give_less_capacity():
    def capacity(engine):
        know = knowledge.code_knowledge(engine.state.knowledge)
        return roles.effective_capacity(engine.state, engine.layout, engine.params, know).mean()

    busy = simulate({"time.elected_operations": 1.0}, months=1)
    free = simulate({"time.elected_operations": 0.0}, months=1)
    assert capacity(busy) < capacity(free)


def test_overload_drains_energy():
    rested = simulate({"people.overload_drain": 0.0, "turnover.vacancy_months": 12.0})
    drained = simulate({"people.overload_drain": 0.5, "turnover.vacancy_months": 12.0})
    occ = drained.state.occupied
    assert drained.state.energy[occ].mean() < rested.state.energy[rested.state.occupied].mean()


def test_operations_short_of_their_need_overload_the_regional_body():
    e = simulate({"time.regional_operations_need": 0.9}, months=1, runs=2)
    load = people.overload(e.state, e.layout, e.params)
    assert np.all(load[:, e.layout.level_slice["regional"]] > 0.5)
