"""The tidy series of a run (concertsim.simulate): the stability index is among them."""

from __future__ import annotations

import numpy as np

from concertsim.scenario import load_scenario
from concertsim.simulate import run_scenario


def test_the_stability_index_is_a_regional_series_ending_at_stability_end():
    res = run_scenario(load_scenario("austerity"), replicates=3, seed=4, months=48)
    s = res.series
    stability = s[s["variable"] == "stability"]
    assert set(stability["level"]) == {"regional"}
    assert len(stability) == 3 * 49
    assert stability["value"].between(0.0, 1.0).all()
    last = stability[stability["month"] == 48].sort_values("run")["value"].to_numpy()
    assert np.array_equal(last, res.outcomes["stability_end"].to_numpy())
    # one row per run, month, variable and level, in run and month order
    assert not s.duplicated(["run", "month", "variable", "level"]).any()
    assert s["run"].is_monotonic_increasing
    assert s.groupby("run")["month"].apply(lambda m: m.is_monotonic_increasing).all()
