"""M3, M13, M15: knowledge as March's code; structuring makes it survive turnover."""

import numpy as np

from concertsim import knowledge
from concertsim.params import Event
from concertsim.submodels import learning

from .sim import final, simulate


def test_knowledge_of_the_codes_grows_from_chance():
    e = simulate(months=60)
    assert final(e, "knowledge", "local", 6) > 0.2


def test_structuring_makes_knowledge_survive_a_turnover_wave():
    wave = Event(month=36, kind="turnover_wave", level="all", share=0.8)

    def formalised(value):
        def setup(engine):
            engine.state.structuring[:] = value
            engine.params.regional.structuring_decay[...] = 0.0
            engine.params.regional.structuring_gain[...] = 0.0

        return setup

    bare = simulate(months=42, events=(wave,), setup=formalised(0.0))
    formal = simulate(months=42, events=(wave,), setup=formalised(1.0))
    people = lambda e: knowledge.belief_knowledge(e.state.knowledge)[e.state.occupied].mean()  # noqa: E731
    assert people(formal) > people(bare)


def test_newcomers_bring_fresh_beliefs():
    wave = Event(month=30, kind="turnover_wave", level="all", share=1.0)
    e = simulate({"turnover.vacancy_months": 0.0}, months=31, events=(wave,))
    before = simulate({"turnover.vacancy_months": 0.0}, months=30)
    fresh = knowledge.belief_knowledge(e.state.knowledge).mean()
    assert fresh < knowledge.belief_knowledge(before.state.knowledge).mean()


def test_ties_link_people_to_their_partners_organisations():
    e = simulate({"role_mix.networking": 0.3}, months=24, runs=2)
    groups = learning.link_groups(e.state, e.layout, np.full(e.state.occupied.shape, 0.0))
    linked = groups >= 0
    assert linked.any()
    assert np.all(groups[linked] != e.layout.post_org[np.nonzero(linked)[1]])


def _code_agreement(engine):
    """Mean share of dimensions on which two local committees' codes agree."""
    codes = engine.state.knowledge.code[:, engine.layout.level_slice["local"]].astype(int)
    pairs = (codes[:, :, None, :] == codes[:, None, :, :]).mean(-1)
    n = codes.shape[1]
    return (pairs.sum((1, 2)) - n).mean() / (n * (n - 1))


def test_learning_across_ties_brings_organisations_codes_together():
    tied = {"role_mix.networking": 0.4, "knowledge.turbulence": 0.0}
    apart = simulate(tied | {"knowledge.cross_learning": 0.0}, months=48)
    linked = simulate(tied | {"knowledge.cross_learning": 1.0}, months=48)
    assert _code_agreement(linked) > _code_agreement(apart)


def test_codes_learn_from_tied_people_who_beat_them():
    """Fang et al. (2010) links: without any cross-socialisation, ties still bring codes
    together, since a tied person who beats a partner organisation's code counts in its
    superior group."""
    still = {"knowledge.cross_learning": 0.0, "knowledge.turbulence": 0.0}
    apart = simulate(still | {"role_mix.networking": 0.0}, months=48)
    linked = simulate(still | {"role_mix.networking": 0.4}, months=48)
    assert _code_agreement(linked) > _code_agreement(apart)


def test_built_capacity_speeds_up_socialisation_in_local_committees():
    e = simulate(months=1, runs=2)
    low = learning.socialisation(e.state, e.layout, e.params)
    e.state.capacity[:] = 1.0
    high = learning.socialisation(e.state, e.layout, e.params)
    local = e.layout.posts_mask("local")
    assert np.all(high[:, local] > low[:, local])
    assert np.array_equal(high[:, ~local], low[:, ~local])


def test_tacit_knowledge_leaves_with_the_people_codified_knowledge_stays():
    """M2, M15 (Miller, Zhao & Calantone 2006): k_eff = s code + (1 - s) tacit."""
    e = simulate(months=36, runs=4)
    s, lay, bp = e.state, e.layout, e.params
    code = knowledge.code_knowledge(s.knowledge)
    before = learning.effective_knowledge(s, lay, bp, code)
    s.occupied[:] = False  # everyone leaves
    after = learning.effective_knowledge(s, lay, bp, code)
    assert after.mean() < before.mean() - 0.05
    s.structuring[:] = 1.0  # fully codified: nothing is lost
    region = lay.in_region
    assert np.allclose(learning.effective_knowledge(s, lay, bp, code)[:, region], code[:, region])


def test_structuring_codifies_what_people_know():
    """M15: code learning is faster where practice is formalised."""
    e = simulate(months=1, runs=2)
    bare = learning.code_learning(e.state, e.layout, e.params)
    e.state.structuring[:] = 0.5
    assert np.all(
        learning.code_learning(e.state, e.layout, e.params)[:, e.layout.in_region]
        > bare[:, e.layout.in_region]
    )


def test_stale_habits_lower_the_codes_knowledge():
    """M3: codes go stale with habit_drift, so fresh beliefs have something to correct."""
    fresh = simulate({"knowledge.habit_drift": 0.0}, months=60)
    stale = simulate({"knowledge.habit_drift": 0.02}, months=60)
    assert final(stale, "knowledge", "local") < final(fresh, "knowledge", "local")


def test_moderate_turnover_corrects_stale_codes_where_people_socialise_fast():
    """M3: where people socialise fast, 20%/year rather than 5%/year turnover
    gains code knowledge at the defaults (codes learn from tied people who beat them,
    newcomers bring ties from the region's network), and without them it loses some."""
    rates = ("local", "sectoral", "regional", "national")
    know = lambda e: knowledge.code_knowledge(e.state.knowledge).mean()  # noqa: E731

    def gain(changes):
        fast = {"knowledge.socialisation": 0.3} | changes
        low = simulate(fast | {f"turnover.{lv}_annual": 0.05 for lv in rates}, months=120)
        mid = simulate(fast | {f"turnover.{lv}_annual": 0.2 for lv in rates}, months=120)
        return know(mid) - know(low)

    assert gain({}) > 0.0
    assert gain({"networking.newcomer_ties": 0.0}) < gain({})
