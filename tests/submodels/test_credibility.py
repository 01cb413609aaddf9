"""M5, M10: credibility flows both ways between levels; the regional works in the shadow."""

import numpy as np

from concertsim import knowledge
from concertsim.params import ROLES, Event, Parameters, Structure, replace_dotted
from concertsim.state import BatchParams
from concertsim.submodels import credibility

from .sim import RUNS, final, series, simulate


def _set_credibility(level, value):
    def setup(engine):
        engine.state.credibility[:, engine.layout.level_slice[level]] = value

    return setup


def test_credible_local_committees_raise_the_regional_body():
    low = simulate(months=12, setup=_set_credibility("local", 0.1))
    high = simulate(months=12, setup=_set_credibility("local", 0.9))
    assert (
        final(high, "credibility", "regional", 3) > final(low, "credibility", "regional", 3) + 0.05
    )


def test_a_credible_regional_body_raises_the_local_committees():
    low = simulate(months=12, setup=_set_credibility("regional", 0.1))
    high = simulate(months=12, setup=_set_credibility("regional", 0.9))
    assert final(high, "credibility", "local", 3) > final(low, "credibility", "local", 3) + 0.02


def test_visible_regional_results_raise_its_credibility():
    shadow = simulate({"regional.visibility": 0.0})
    visible = simulate({"regional.visibility": 0.8})
    assert final(visible, "credibility", "regional") > final(shadow, "credibility", "regional")


def test_regional_assent_lends_national_actors_credibility():
    def assent(value):
        def setup(engine):
            engine.state.assent[:, engine.layout.level_slice["regional"]] = value
            engine.state.credibility[:, engine.layout.level_slice["regional"]] = 0.9

        return setup

    low = simulate(months=6, setup=assent(0.0))
    high = simulate(months=6, setup=assent(1.0))
    assert final(high, "credibility", "national", 3) > final(low, "credibility", "national", 3)


def test_the_invisible_regional_result_is_shared_among_local_committees():
    """M10: fewer committees taking part, a larger share each (not all of it to every one)."""
    e = simulate(months=24, runs=4)
    s, lay, bp = e.state, e.layout, e.params
    know = knowledge.code_knowledge(s.knowledge)
    time = credibility.strategic_time(s, lay, bp)
    s.role_output[...] = 0.5
    both = credibility.results(s, lay, bp, know, time)
    local = np.flatnonzero(lay.is_local)
    s.participating[:, local[1:]] = False
    alone = credibility.results(s, lay, bp, know, time)
    assert np.all(alone[:, local[0]] > both[:, local[0]])


def test_more_local_staff_gives_local_committees_more_credibility():
    """M5: local results grow with local resources in absolute terms."""
    few = simulate(months=36, structure=Structure(local_staff=1))
    many = simulate(months=36, structure=Structure(local_staff=4))
    assert final(many, "credibility", "local") > final(few, "credibility", "local")


def test_the_regional_body_loses_more_credibility_than_local_committees_to_a_wave():
    """M10: same staff shock, the regional body falls more (relative to no shock)."""
    wave = tuple(
        Event(month=24, kind="turnover_wave", level=level, share=0.5)
        for level in ("local", "regional")
    )
    calm = simulate(months=48)
    shaken = simulate(months=48, events=wave)
    drop = {
        lv: final(calm, "credibility", lv, 24) - final(shaken, "credibility", lv, 24)
        for lv in ("regional", "local")
    }
    assert drop["regional"] > drop["local"] > 0


def test_national_results_need_regional_assent():
    """M8: national programmes work only as far as the regional bodies assent to them."""
    e = simulate(months=12, runs=4)
    s, lay, bp = e.state, e.layout, e.params
    know = knowledge.code_knowledge(s.knowledge)
    time = credibility.strategic_time(s, lay, bp)
    nat, reg = lay.level_slice["national"], lay.level_slice["regional"]
    s.assent[:, reg] = 1.0
    full = credibility.results(s, lay, bp, know, time)[:, nat]
    s.assent[:, reg] = 0.1 * bp.legitimacy.national_need
    low = credibility.results(s, lay, bp, know, time)[:, nat]
    assert np.all(full > 0) and np.allclose(low, 0.1 * full)


def test_imposing_regional_body_lowers_national_credibility():
    """M8: imposing every role loses assent, and with it national credibility."""
    negotiate = {f"role_mode.{r}": 0.0 for r in ROLES}
    impose = {f"role_mode.{r}": 1.0 for r in ROLES}
    low = simulate(impose, months=96)
    high = simulate(negotiate, months=96)
    assert final(low, "credibility", "national") < final(high, "credibility", "national")


def test_the_regional_body_without_ties_loses_its_members_support():
    """M10: the regional body's pull toward its members runs through its people's ties."""
    e = simulate(months=24, runs=4)
    s, lay, bp = e.state, e.layout, e.params
    assert np.all(credibility.tied(s, lay, bp) > 0)
    reg = lay.level_slice["regional"]
    _, w = credibility.linked_credibility(s, lay, bp)
    s.tie_partner[:, lay.posts_mask("regional")] = -1
    _, w0 = credibility.linked_credibility(s, lay, bp)
    assert np.all(credibility.tied(s, lay, bp) == 0)
    assert np.allclose(w0[:, reg], bp.credibility.regional_pull * credibility.FORMAL_LINK)
    assert np.all(w[:, reg] > w0[:, reg])


def test_a_living_regional_body_works_in_the_shadow():
    """M10: even where it survives, the regional body's credibility ends below its members'.

    Its members see their own action, not the regional body's (« l’action se passe
    davantage au local »): a survivor must not ride level with them by spill-over alone.
    """
    e = simulate(months=120)
    alive = e.state.alive.all(-1)
    assert alive.sum() >= RUNS // 2
    gap = (
        series(e, "credibility", "regional")[alive, -12:]
        - series(e, "credibility", "local")[alive, -12:]
    )
    assert gap.mean() < -0.03


def test_positioning_is_seen_by_the_national_actors_not_the_members():
    """M10, M12: positioning lifts the credited share only in the national actors' part of
    the regional body's audience; with no national pull, its members' shadow stays whole."""
    e = simulate(months=24, runs=4)
    s, lay, bp = e.state, e.layout, e.params
    assent = np.ones((4, lay.structure.regions))
    s.positioning[...] = 0.0
    base = credibility.visibility(s, lay, bp, assent)
    s.positioning[...] = 0.5
    seen = credibility.visibility(s, lay, bp, assent)
    assert np.allclose(base, bp.regional.visibility) and np.all(seen > base)
    blind = replace_dotted(Parameters(), {"credibility.national_pull": 0.0})
    unseen = credibility.visibility(s, lay, BatchParams.stack([blind] * 4), assent)
    assert np.allclose(unseen, base)
    count, national, _ = credibility.audience(s, lay, bp, assent)
    assert np.all(seen - base < (1 - base) * 0.5 * national / count)
