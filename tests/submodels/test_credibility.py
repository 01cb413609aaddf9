"""M5, M10: credibility flows both ways between levels; the regional works in the shadow."""

from .sim import final, simulate


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
