"""M7, M9, M13: sectoral resistance, role recognition, the harvest of networking."""

import numpy as np

from concertsim.params import ROLES

from .sim import final, series, simulate


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


def test_participation_is_a_heterogeneous_decision():
    e = simulate(months=120, runs=12)
    members = e.layout.is_member
    assert np.ptp(e.state.threshold[:, members]) > 0.1  # thresholds differ between members
    part = series(e, "participation", "local")[:, 1:]
    drops = (np.diff(part, axis=1) < 0).any()
    rises = (np.diff(part, axis=1) > 0).any()
    assert drops and rises  # some members leave and rejoin over ten years


def test_imposing_and_neglecting_networking_lower_participation():
    modes = {f"role_mode.{r}": 1.0 for r in ROLES}
    base, imposed = simulate(months=120), simulate(modes, months=120)
    assert final(imposed, "participation", "local", 60) < final(base, "participation", "local", 60)


def test_the_harvest_is_judged_against_the_networking_effort():
    first = {"role_mix.networking": 0.35, "role_mix.capacity_building": 0.1}
    first |= {"role_mix.issue_positioning": 0.1, "role_mix.structuring": 0.05}
    first |= {"role_mix.alignment": 0.05, "role_mix.operations": 0.35}
    lenient = simulate(first | {"engagement.harvest_ratio": 0.0}, months=36)
    strict = simulate(first | {"engagement.harvest_ratio": 1.0}, months=36)
    assert final(strict, "engagement", "local") < final(lenient, "engagement", "local")
