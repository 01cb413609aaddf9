"""The Mesa model: agents by type, replicate 0 of `concertsim run`, live interventions."""

import numpy as np
import pytest

from concertsim.agents import LocalCommittee, NationalActor, RegionalBody, SectoralTable
from concertsim.model import ConcertationModel
from concertsim.params import Event
from concertsim.scenario import load_scenario
from concertsim.simulate import run_scenario, tidy


def test_agents_by_type_follow_the_structure():
    model = ConcertationModel(load_scenario("province"), rng=1)
    s = model.scenario.structure
    assert len(model.agents_by_type[LocalCommittee]) == s.regions * s.local_committees
    assert len(model.agents_by_type[SectoralTable]) == s.regions * s.sectoral_tables
    assert len(model.agents_by_type[RegionalBody]) == s.regions
    assert len(model.agents_by_type[NationalActor]) == s.national_actors


def test_the_interactive_run_is_replicate_zero_of_the_batch():
    scenario = load_scenario("baseline")
    model = ConcertationModel(scenario, rng=42)
    for _ in range(24):
        model.step()
    batch = run_scenario(scenario, replicates=3, seed=42, months=24)
    ours = tidy(model.engine.series[:, :25], [0])
    observed = batch.series[batch.series.variable != "stability"]  # the index is derived
    theirs = observed[observed.run == 0].reset_index(drop=True)
    assert ours.equals(theirs)


def test_a_live_shock_equals_the_same_scheduled_event():
    scenario = load_scenario("baseline")
    wave = Event(month=12, kind="turnover_wave", level="regional", share=0.8)
    live = ConcertationModel(scenario, rng=3)
    for _ in range(12):
        live.step()
    live.intervene(wave)
    for _ in range(12):
        live.step()
    scheduled = ConcertationModel(
        scenario.__class__(**{**scenario.__dict__, "events": (*scenario.events, wave)}), rng=3
    )
    for _ in range(24):
        scheduled.step()
    assert np.array_equal(live.engine.series, scheduled.engine.series, equal_nan=True)


def test_agents_read_their_rows():
    model = ConcertationModel(rng=2)
    for _ in range(6):
        model.step()
    body = model.agents_by_type[RegionalBody][0]
    assert body.staff + body.vacancies == model.scenario.structure.regional_staff + (
        model.scenario.structure.regional_elected
    )
    assert abs(sum(body.role_mix.values()) - 1.0) < 1e-9
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 7
    assert frame["credibility_regional"].iloc[-1] == pytest.approx(body.credibility, rel=1e-12)


def test_the_same_seed_sequence_twice_gives_the_same_run():
    root = np.random.SeedSequence(77)
    a, b = ConcertationModel(rng=root), ConcertationModel(rng=root)
    for _ in range(6):
        a.step()
        b.step()
    assert np.array_equal(a.engine.series, b.engine.series, equal_nan=True)
    c = ConcertationModel(rng=77)
    for _ in range(6):
        c.step()
    assert np.array_equal(a.engine.series, c.engine.series, equal_nan=True)
