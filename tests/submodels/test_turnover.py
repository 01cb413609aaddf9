"""M1, M2, M4, M14: turnover, vacancies, newcomers, elections, change agents."""

import numpy as np

from concertsim.engine import Engine
from concertsim.params import Event, Parameters, Structure, replace_dotted
from concertsim.submodels import networking, turnover

from .sim import SEED, final, series, simulate

HIGH = {f"turnover.{lv}_annual": 0.6 for lv in ("local", "sectoral", "regional", "national")}


def test_higher_turnover_gives_fewer_ties_and_less_leadership():
    base, high = simulate(), simulate(HIGH)
    for level in ("local", "regional"):
        assert final(high, "ties", level) < final(base, "ties", level)
        assert final(high, "leadership", level) < final(base, "leadership", level) - 0.05


def test_longer_vacancies_leave_more_posts_empty():
    short = simulate({"turnover.vacancy_months": 1.0})
    long = simulate({"turnover.vacancy_months": 12.0})
    assert final(long, "vacancies", "local") > 2 * final(short, "vacancies", "local")


def test_posts_are_staff_plus_vacancies_every_month():
    """Every post is held (influence >= 1) or vacant (influence, energy, tenure 0), and the
    staff and vacancies series count exactly those, month by month, through departures,
    lay-offs (low funding), elections and refills."""
    changes = HIGH | {"funding.base": 0.5, "turnover.election_first": 6}
    params = replace_dotted(Parameters(), changes)
    e = Engine(Structure(), [params] * 4, np.random.SeedSequence(SEED).spawn(4), (), 36)
    for month in range(e.horizon + 1):
        if month:
            e.step()
        s = e.state
        held = s.influence >= 1.0
        assert np.array_equal(held, s.occupied), month
        assert not (s.influence[~held].any() or s.energy[~held].any() or s.tenure[~held].any())
        for level in ("local", "sectoral", "regional", "national"):
            posts = e.layout.posts_mask(level)
            staff = series(e, "staff", level)[:, month]
            vacancies = series(e, "vacancies", level)[:, month]
            assert np.array_equal(staff, held[:, posts].sum(-1)), (month, level)
            assert np.array_equal(vacancies, (~held[:, posts]).sum(-1)), (month, level)
    assert series(e, "vacancies", "regional")[:, 1:].max() > 0  # lay-offs and departures happened


def test_newcomers_arrive_without_the_leavers_ties_or_leadership():
    wave = Event(month=30, kind="turnover_wave", level="regional", share=1.0)
    alone = {"turnover.vacancy_months": 0.0, "networking.newcomer_ties": 0.0}
    e = simulate(alone, months=31, events=(wave,))
    reg = e.layout.posts_mask("regional") & ~e.layout.post_elected
    assert np.all(e.state.tenure[:, reg] <= 1)
    assert np.all(e.state.leadership[:, reg] < 0.05)
    assert networking.ties_per_person(e.state)[:, reg].sum() < 0.1 * reg.sum() * e.state.batch


def test_an_election_replaces_elected_officials_only():
    e = simulate({"turnover.election_first": 12, "turnover.election_replacement": 1.0}, months=13)
    elected = e.layout.post_elected
    assert np.all(e.state.tenure[:, elected] <= 1)
    assert np.mean(e.state.tenure[:, ~elected] > 1) > 0.6


def test_losing_a_change_agent_costs_more_than_losing_another_person():
    def drop(which):
        def setup(engine):
            s, lay = engine.state, engine.layout
            engine.run(24)
            reg = np.flatnonzero(lay.posts_mask("regional") & ~lay.post_elected)
            s.influence[:, reg] = np.linspace(1.0, 8.0, reg.size)  # last = change agent
            gone = np.zeros_like(s.occupied)
            gone[:, reg[which]] = True
            turnover.leave(s, lay, engine.params, gone, np.full(s.occupied.shape, 0.5))

        return setup

    agent = simulate(months=30, setup=drop(-1))
    other = simulate(months=30, setup=drop(0))
    assert final(agent, "credibility", "regional", 6) < final(other, "credibility", "regional", 6)


def test_burnout_makes_exhausted_people_leave_more():
    overloaded = {"people.overload_drain": 0.5, "people.energy_recovery": 0.0}
    calm = simulate(overloaded | {"turnover.burnout": 0.0}, months=36)
    burnt = simulate(overloaded | {"turnover.burnout": 5.0}, months=36)
    assert final(burnt, "vacancies", "local") > final(calm, "vacancies", "local")


def test_a_tie_dies_when_the_partners_post_changes_hands_the_same_month():
    e = simulate({"role_mix.networking": 0.4}, months=24, runs=2)
    valid = networking.valid_ties(e.state)
    b, p, k = map(int, np.argwhere(valid)[0])
    partner = int(e.state.tie_partner[b, p, k])
    gone = np.zeros_like(e.state.occupied)
    gone[b, partner] = True
    turnover.leave(e.state, e.layout, e.params, gone, np.zeros(gone.shape))  # vacancy 0
    e.params.turnover.vacancy_months[...] = 0.0
    turnover.hire(e.state, e.layout, e.params, e.streams["hiring"])
    assert e.state.occupied[b, partner]  # someone new holds the post at once
    assert not networking.valid_ties(e.state)[b, p, k]


def test_convexity_makes_a_change_agent_departure_cost_more_than_its_share():
    """M14: with a convex departure cost, who leaves matters more than with a linear one."""

    def gap(convexity):
        def run(which):
            def setup(engine):
                s, lay = engine.state, engine.layout
                engine.params.people.agent_convexity[...] = convexity
                engine.run(24)
                reg = np.flatnonzero(lay.posts_mask("regional") & ~lay.post_elected)
                s.influence[:, reg] = np.linspace(1.0, 8.0, reg.size)
                gone = np.zeros_like(s.occupied)
                gone[:, reg[which]] = True
                turnover.leave(s, lay, engine.params, gone, np.full(s.occupied.shape, 0.5))

            return final(simulate(months=25, setup=setup), "credibility", "regional", 1)

        return run(0) - run(-1)  # least minus most influential departure

    assert gap(2.0) > gap(1.0) > 0


def test_losing_the_regional_change_agent_costs_members_assent_and_losing_the_least_none():
    """M14: change agents carry the relationship; a below-mean person carries none of it."""

    def assent_after(which, cost=0.2):
        out = {}

        def setup(engine):
            s, lay = engine.state, engine.layout
            engine.params.people.champion_cost[...] = cost
            engine.run(24)
            reg = np.flatnonzero(lay.posts_mask("regional") & ~lay.post_elected)
            s.occupied[:, reg] = True
            s.influence[:, reg] = np.linspace(1.0, 8.0, reg.size)
            gone = np.zeros_like(s.occupied)
            gone[:, reg[which]] = True
            before = s.assent[:, lay.is_member].copy()
            turnover.leave(s, lay, engine.params, gone, np.full(s.occupied.shape, 0.5))
            out["d"] = s.assent[:, lay.is_member] - before

        simulate(months=24, setup=setup, runs=4)
        return out["d"]

    assert np.all(assent_after(0) == 0.0)  # the least influential: no change agent lost
    assert np.all(assent_after(-1) < 0.0)
    assert np.all(assent_after(-1, cost=0.0) == 0.0)


def test_a_member_disengages_when_its_change_agent_leaves():
    """M14: a member's engagement falls with the excess influence of its leavers."""
    e = simulate({"people.champion_cost": 0.5}, months=12, runs=2)
    s, lay = e.state, e.layout
    g = int(np.flatnonzero(lay.is_local)[0])
    posts = np.flatnonzero(lay.post_org == g)
    s.occupied[:, posts] = True
    s.influence[:, posts] = 1.0
    s.influence[:, posts[0]] = 9.0  # a change agent
    gone = np.zeros_like(s.occupied)
    gone[:, posts[0]] = True
    before = s.engagement[:, g].copy()
    turnover.leave(s, lay, e.params, gone, np.zeros(gone.shape))
    assert np.all(s.engagement[:, g] < before)


def test_a_staff_shock_costs_the_regional_body_more_credibility_when_its_standing_is_personal():
    """M10: the regional body's departure cost is its own (its standing rests on its people)."""
    wave = Event(month=24, kind="turnover_wave", level="regional", share=0.5)

    def drop(cost):
        changes = {"people.regional_departure_cost": cost}
        calm = simulate(changes, months=25)
        shocked = simulate(changes, months=25, events=(wave,))
        return final(calm, "credibility", "regional") - final(shocked, "credibility", "regional")

    assert drop(0.6) > drop(0.0) > 0.0


def test_election_due_follows_a_set_made_after_it_was_first_asked():
    """The batch's election calendar is computed once (bp.cached) and dropped by bp.set."""
    from concertsim.state import BatchParams

    bp = BatchParams.stack([Parameters()] * 2)
    assert not turnover.election_due(40, bp).any()  # first election at month 36
    assert turnover.election_due(36, bp).all()
    bp.set("turnover.election_first", 40)
    assert turnover.election_due(40, bp).all() and not turnover.election_due(36, bp).any()
    mixed = BatchParams.stack(
        [Parameters(), replace_dotted(Parameters(), {"turnover.election_first": 12})]
    )
    assert turnover.election_due(12, mixed).ravel().tolist() == [False, True]
    assert turnover.election_due(36, mixed).ravel().tolist() == [True, False]


def test_a_turnover_rate_set_mid_run_takes_effect_at_once():
    """The posts' hazards are cached per batch: a live ``set`` must still change them."""
    e = Engine(Structure(), [Parameters()] * 4, np.random.SeedSequence(5).spawn(4), horizon=4)
    e.step()
    staff = e.layout.post_is_local & ~e.layout.post_elected  # elected posts: elected_annual
    assert e.state.occupied[:, staff].mean() > 0.9
    e.params.set("turnover.local_annual", 1.0)  # every staff member leaves this month
    e.step()
    assert e.state.occupied[:, staff].mean() < 0.1
