"""The shocked twin: identical until shocked, refused changes change nothing, replayable."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from concertsim.app.twin import Twin, changes_to_events
from concertsim.engine import Engine
from concertsim.errors import InputError
from concertsim.params import Event
from concertsim.streams import run_seeds


def _state_equal(a, b) -> bool:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray) and not np.array_equal(x, y, equal_nan=True):
            return False
    return True


def test_the_twins_stay_identical_until_one_is_shocked():
    twin = Twin(seed=11)
    twin.run(30)
    assert not twin.diverged()
    event = twin.shock("turnover_wave", level="regional")
    assert event.month == 30 and event.share == 0.5
    twin.run(6)
    ref, shk = twin.series()
    assert np.array_equal(ref[:31], shk[:31], equal_nan=True)  # the same up to the shock
    assert not np.array_equal(ref[31:], shk[31:], equal_nan=True)  # different from then on


@pytest.mark.parametrize(
    "values",
    [
        {"role_mix.networking": 0.9},  # roles over 1
        {"turnover.local_annual": 1.5},  # out of range
        {"turnover.local_anual": 0.3},  # unknown name
        {"credibility.initial": 0.3},  # read at month 0 only
        {"turnover.local_annual": 0.3, "role_mix.networking": 0.95},  # one good, one bad
    ],
)
def test_a_refused_change_leaves_both_twins_as_they_were(values):
    twin = Twin(seed=2)
    twin.run(5)
    before = [dataclasses.replace(m.engine.state) for m in twin.models]
    params = twin.shocked.engine.params.turnover.local_annual.copy()
    with pytest.raises(InputError):
        twin.change(values)
    assert twin.live == []
    assert twin.shocked.engine.params.turnover.local_annual == params
    for model, state in zip(twin.models, before, strict=True):
        assert _state_equal(model.engine.state, state)
    twin.run(10)
    assert not twin.diverged()


def test_changes_become_the_events_of_a_scenario_file():
    events = changes_to_events(
        {"role_mix.networking": 0.2, "role_mode.alignment": "impose", "recognition.enabled": 1},
        7,
    )
    assert [(e.kind, e.month) for e in events] == [("role_mix", 7), ("role_mode", 7), ("set", 7)]
    assert events[2].values == (("recognition.enabled", 1),)


def test_the_most_influential_person_leaves():
    twin = Twin(seed=4)
    twin.run(12)
    state, lay = twin.shocked.engine.state, twin.shocked.engine.layout
    regional = lay.posts_mask("regional")
    top = int(np.argmax(np.where(state.occupied[0] & regional, state.influence[0], -1)))
    twin.shock("key_departure", level="regional")
    assert not twin.shocked.engine.state.occupied[0, top]
    assert twin.reference.engine.state.occupied[0, top]


def test_live_events_replay_as_scheduled_events_bit_for_bit():
    twin = Twin(seed=9)
    twin.run(4)
    twin.shock("election")
    twin.run(3)
    twin.change({"turnover.local_annual": 0.6, "role_mix.structuring": 0.3})
    twin.shock("funding_cut")
    twin.run(5)
    scenario = twin.session_scenario()
    engine = Engine(scenario.structure, [scenario.params], run_seeds(9, 1)[1], scenario.events, 12)
    engine.run()
    assert np.array_equal(engine.series[0], twin.series()[1], equal_nan=True)


def test_live_events_come_before_the_scheduled_ones_of_their_month():
    twin = Twin(seed=1)
    twin.scenario = dataclasses.replace(twin.scenario, events=(Event(3, "funding_cut", share=0.1),))
    twin.live = [Event(3, "election"), Event(1, "funding_cut", share=0.2)]
    assert [e.month for e in twin.session_scenario().events] == [1, 3, 3]
    assert twin.session_scenario().events[1].kind == "election"


def test_nothing_past_the_horizon():
    twin = Twin(seed=1)
    twin.scenario = dataclasses.replace(twin.scenario, horizon=3)
    twin.models = tuple(Twin(twin.scenario, seed=1).models)
    twin.run(10)
    assert twin.month == 3 and twin.finished and not twin.step()
    with pytest.raises(InputError):
        twin.shock("election")
