"""Result directories: complete or absent, never half-written; manifest and figure content."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import concertsim
from concertsim import output
from concertsim.output import write_results
from concertsim.params import LEVELS
from concertsim.plots import plot_series
from concertsim.scenario import load_scenario

VARIABLES = (
    "credibility",
    "legitimacy",
    "knowledge",
    "participation",
    "staff",
    "vacancies",
    "ties",
    "funding",
)


def synthetic(runs: int = 3, months: int = 13) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """A small tidy series, outcomes and seeds, shaped like the simulator's."""
    rng = np.random.default_rng(0)
    rows = [
        (r, m, level, var, float(rng.random()))
        for r in range(runs)
        for m in range(months)
        for level in LEVELS
        for var in VARIABLES
        if var != "funding" or level == "regional"
    ]
    series = pd.DataFrame(rows, columns=["run", "month", "level", "variable", "value"])
    outcomes = pd.DataFrame(
        {
            "run": range(runs),
            "seed": [f"7:{r}" for r in range(runs)],
            "survived": [1.0, 0.0, 1.0][:runs],
            "collapse_month": [np.nan, 9.0, np.nan][:runs],
        }
    )
    seeds = {"entropy": 7, "spawn_keys": [[r] for r in range(runs)]}
    return series, outcomes, seeds


@pytest.fixture
def results():
    series, outcomes, seeds = synthetic()
    return {
        "scenario": load_scenario("austerity"),
        "series": series,
        "outcomes": outcomes,
        "seeds": seeds,
    }


def test_writes_every_file(tmp_path, results):
    out = write_results(tmp_path / "out", **results, command=["concertsim", "run", "x"])
    assert sorted(p.name for p in out.iterdir()) == [
        "figure.png",
        "manifest.json",
        "outcomes.parquet",
        "series.parquet",
    ]
    series = pd.read_parquet(out / "series.parquet")
    assert list(series.columns) == ["run", "month", "level", "variable", "value"]
    assert series["value"].dtype == np.float64
    assert len(series) == len(results["series"])
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert outcomes["seed"].tolist() == ["7:0", "7:1", "7:2"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no temporary directory left"


def test_manifest_content(tmp_path, results):
    out = write_results(tmp_path / "out", **results, command=["concertsim", "run", "austerity"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["concertsim_version"] == concertsim.__version__
    assert {"python", "numpy", "mesa"} <= set(manifest["versions"])
    assert manifest["command"] == ["concertsim", "run", "austerity"]
    assert manifest["seeds"] == results["seeds"]
    assert manifest["scenario"] == results["scenario"].to_dict()
    assert manifest["replicates"] == 3 and manifest["months"] == 12
    assert manifest["created"].endswith("+00:00")
    assert set(manifest["files"]) == {"series", "outcomes", "figure"}


def test_csv(tmp_path, results):
    out = write_results(tmp_path / "out", **results, fmt="csv")
    table = pd.read_csv(out / "series.csv")
    assert np.array_equal(table["value"].to_numpy(), results["series"]["value"].to_numpy())


def test_same_input_same_bytes(tmp_path, results):
    a = write_results(tmp_path / "a", **results)
    b = write_results(tmp_path / "b", **results)
    for name in ("series.parquet", "outcomes.parquet"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def _existing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    return out


def test_refuses_to_overwrite(tmp_path, results):
    out = _existing(tmp_path)
    with pytest.raises(FileExistsError):
        write_results(out, **results)
    assert (out / "keep.txt").read_text() == "precious"


def test_force_replaces(tmp_path, results):
    out = _existing(tmp_path)
    write_results(out, **results, force=True)
    assert not (out / "keep.txt").exists() and (out / "manifest.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_failure_mid_write_loses_nothing(tmp_path, results, monkeypatch):
    out = _existing(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full while drawing")

    monkeypatch.setattr("concertsim.plots.plot_series", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_results(out, **results, force=True)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert (out / "keep.txt").read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "temporary directory removed"


def test_failure_on_fresh_directory_leaves_nothing(tmp_path, results, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("no space left on device")

    monkeypatch.setattr(output, "_write_table", broken)
    with pytest.raises(OSError):
        write_results(tmp_path / "new", **results)
    assert list(tmp_path.iterdir()) == []


def test_failed_rename_restores_the_old_directory(tmp_path, results, monkeypatch):
    out = _existing(tmp_path)
    real_rename = output.os.rename
    calls = []

    def flaky(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # the new directory moving into place
            raise OSError("rename failed")
        return real_rename(src, dst)

    monkeypatch.setattr(output.os, "rename", flaky)
    with pytest.raises(OSError):
        write_results(out, **results, force=True)
    assert (out / "keep.txt").read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_plot_series_png(tmp_path, results):
    path = plot_series(
        results["series"], tmp_path / "f.png", title="t", events=results["scenario"].events
    )
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_the_figure_marks_scheduled_elections_with_the_events():
    from concertsim.output import _marked_events
    from concertsim.scenario import load_scenario

    scenario = load_scenario("austerity")
    marks = [(e.month, e.kind) for e in _marked_events(scenario, 120)]
    assert (36, "election") in marks and (84, "election") in marks
    assert all((e.month, e.kind) in marks for e in scenario.events)
    assert all(e.month < 40 for e in _marked_events(scenario, 40))
