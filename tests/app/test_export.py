"""Export: the session as a scenario file that `concertsim run` replays exactly."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from concertsim.app.export import scenario_toml, series_csv, series_frame
from concertsim.app.twin import Twin
from concertsim.scenario import load_scenario
from concertsim.simulate import run_scenario


def _session() -> Twin:
    twin = Twin(load_scenario("election_year"), seed=17)
    twin.run(8)
    twin.shock("key_departure", level="local")
    twin.change({"role_mix.networking": 0.25, "role_mode.structuring": "impose"})
    twin.run(5)
    twin.shock("turnover_wave", level="sectoral")
    twin.change({"turnover.regional_annual": 0.5, "recognition.enabled": True})
    twin.run(7)
    return twin


def test_the_exported_scenario_replays_the_shocked_twin(tmp_path):
    twin = _session()
    path = tmp_path / "coupe_démo.toml"
    path.write_text(scenario_toml(twin, name="coupe_démo"), encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.name == "coupe_démo"
    assert len(scenario.events) == len(twin.live) + len(twin.scenario.events)
    result = run_scenario(scenario, replicates=1, seed=17, months=twin.month)
    replay = result.series.pivot_table(index="month", columns=["variable", "level"], values="value")
    frame = series_frame(twin)
    shocked = frame[frame.twin == "shocked"].pivot_table(
        index="month", columns=["variable", "level"], values="value"
    )
    pd.testing.assert_frame_equal(replay, shocked, check_exact=True)


def test_the_series_csv_holds_both_twins_at_full_precision():
    twin = _session()
    frame = pd.read_csv(io.StringIO(series_csv(twin)))
    assert set(frame.twin) == {"reference", "shocked"}
    assert list(frame.columns) == ["twin", "run", "month", "level", "variable", "value"]
    mine = frame[frame.twin == "shocked"]["value"].to_numpy()
    assert np.array_equal(mine, series_frame(twin).query("twin == 'shocked'")["value"].to_numpy())
