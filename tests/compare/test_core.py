"""Running a comparison (concertsim.compare.core): common random numbers, rounds, checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from concertsim.compare.core import (
    bands_table,
    difference_table,
    load_scenarios,
    run_comparison,
)
from concertsim.errors import InputError
from concertsim.scenario import load_scenario
from concertsim.simulate import run_scenario


def test_replicate_r_of_every_scenario_is_what_run_gives_with_the_same_seed():
    comp = run_comparison(["baseline", "austerity"], replicates=3, seed=5, months=40)
    for name in ("baseline", "austerity"):
        alone = run_scenario(load_scenario(name), replicates=3, seed=5, months=40).outcomes
        mine = comp.runs[comp.runs["scenario"] == name].reset_index(drop=True)
        cols = [c for c in alone.columns if c not in ("run", "seed")]
        pd.testing.assert_frame_equal(mine[cols], alone[cols])
    # common random numbers: before austerity's cut (month 36) the two are the same runs
    s = comp.series[comp.series["month"] <= 36]
    a = s[s["scenario"] == "baseline"]["value"].to_numpy()
    b = s[s["scenario"] == "austerity"]["value"].to_numpy()
    assert np.array_equal(a, b)


@pytest.mark.slow  # a few hundred runs
def test_precision_rounds_give_the_numbers_of_one_round():
    kw = {"seed": 2, "months": 24}
    stepped = run_comparison(["baseline", "imposed"], replicates=4, precision=0.05, **kw)
    assert len(stepped.rounds) > 1 and stepped.rounds[0] == 4
    assert stepped.reached <= 0.05 or stepped.replicates == 1000
    once = run_comparison(["baseline", "imposed"], replicates=stepped.replicates, **kw)
    pd.testing.assert_frame_equal(stepped.runs, once.runs)
    pd.testing.assert_frame_equal(stepped.paired, once.paired)
    pd.testing.assert_frame_equal(stepped.series, once.series)


def test_precision_stops_at_the_cap():
    comp = run_comparison(
        ["baseline", "imposed"], replicates=3, precision=1e-6, max_replicates=7, months=12, seed=1
    )
    assert comp.replicates == 7 and comp.reached > 1e-6


def test_a_bad_scenario_is_refused_before_anything_runs(tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "baseline"\n[turnover]\nlocal_annual = 1.5\n')
    ran = []
    monkeypatch.setattr("concertsim.simulate.run_batch", lambda *a, **k: ran.append(1))
    with pytest.raises(InputError, match=r"bad.toml: \[turnover\] local_annual: expected"):
        run_comparison(["baseline", "imposed", str(bad)], replicates=2)
    assert not ran


def test_scenario_checks():
    with pytest.raises(InputError, match="at least two scenarios"):
        load_scenarios(["baseline"])
    with pytest.raises(InputError, match="scenarios of different names"):
        load_scenarios(["baseline", "baseline"])
    with pytest.raises(InputError, match="--baseline: expected one of the scenarios"):
        load_scenarios(["baseline", "imposed"], baseline="austerity")
    loaded, base = load_scenarios(["baseline", "imposed"], baseline="imposed")
    assert base == "imposed" and list(loaded) == ["imposed", "baseline"]


def test_bands_and_differences(comparison):
    bands = bands_table(comparison.series)
    one = bands[(bands["variable"] == "stability") & (bands["month"] == 60)]
    assert (one["q10"] <= one["q50"]).all() and (one["q50"] <= one["q90"]).all()
    diff = difference_table(comparison.series, comparison.baseline)
    assert set(diff["scenario"]) == set(comparison.alternatives)
    # at the horizon, the stability difference is the paired difference of stability_end
    last = diff[(diff["variable"] == "stability") & (diff["month"] == comparison.horizon)]
    paired = comparison.paired[comparison.paired["outcome"] == "stability_end"]
    assert last.set_index("scenario")["difference"].to_dict() == pytest.approx(
        paired.set_index("scenario")["difference"].to_dict()
    )
