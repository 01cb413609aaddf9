"""M7, M9, M13: sectoral resistance, role recognition, the harvest of networking."""

from concertsim.params import ROLES

from .sim import final, simulate


def test_sectoral_resistance_lowers_sectoral_engagement():
    open_ = simulate({"engagement.sectoral_resistance": 0.0})
    siloed = simulate({"engagement.sectoral_resistance": 0.9})
    assert final(siloed, "engagement", "sectoral") < final(open_, "engagement", "sectoral")
    assert final(siloed, "participation", "sectoral") < final(open_, "participation", "sectoral")


def test_resistant_sectoral_tables_legitimise_the_regional_body_less():
    open_ = simulate({"engagement.sectoral_resistance": 0.0})
    siloed = simulate({"engagement.sectoral_resistance": 0.9})
    assert final(siloed, "legitimacy", "sectoral") < final(open_, "legitimacy", "sectoral")
    assert final(siloed, "legitimacy", "sectoral") < final(siloed, "legitimacy", "local")


def test_alignment_overcomes_sectoral_resistance():
    def aligned(value):
        def setup(engine):
            engine.state.alignment[:] = value
            engine.params.regional.structuring_decay[...] = 0.0
            engine.params.regional.alignment_gain[...] = 0.0

        return setup

    none = simulate(months=24, setup=aligned(0.0))
    full = simulate(months=24, setup=aligned(1.0))
    assert final(full, "engagement", "sectoral") > final(none, "engagement", "sectoral")


def test_role_recognition_at_the_start_raises_engagement():
    without = simulate(months=36)
    with_ = simulate({"recognition.enabled": True}, months=36)
    assert final(with_, "engagement", "local") > final(without, "engagement", "local")
    assert final(with_, "legitimacy", "regional") > final(without, "legitimacy", "regional")


def test_networking_without_harvest_costs_engagement():
    only_networking = {f"role_mix.{r}": 0.0 for r in ROLES} | {"role_mix.networking": 0.6}
    patient = simulate(only_networking | {"engagement.harvest_patience": 120.0}, months=48)
    impatient = simulate(only_networking | {"engagement.harvest_patience": 6.0}, months=48)
    assert final(impatient, "engagement", "local") < final(patient, "engagement", "local")


def test_recognition_makes_later_harvest_losses_smaller():
    starved = {f"role_mix.{r}": 0.0 for r in ROLES} | {
        "role_mix.networking": 0.6,
        "engagement.harvest_patience": 3.0,
        "recognition.enabled": True,
        "recognition.months": 2,
        "recognition.engagement_gain": 0.0,
    }
    fragile = simulate(starved | {"recognition.durability": 0.0}, months=36)
    durable = simulate(starved | {"recognition.durability": 1.0}, months=36)
    assert final(durable, "engagement", "local") > final(fragile, "engagement", "local")
