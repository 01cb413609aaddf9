"""Policies x scenarios: [scenarios] in experiment files, the sweep and `analyze` on them."""
# ruff: noqa: E501 -- the expected one-line messages are quoted whole

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from concertsim.errors import InputError
from concertsim.experiment.analysis import analyze_store
from concertsim.experiment.cli import main
from concertsim.experiment.runner import run_sweep
from concertsim.experiment.spec import load_experiment, parse_experiment
from concertsim.experiment.store import ResultsStore

from .helpers import run_table

EXPERIMENT = """
[experiment]
model = "concertation"
months = {months}
replicates = {replicates}
seed = 7
batch_size = {batch}
series = {series}
outcomes = ["survived", "stability_mean", "credibility_end_regional"]

[scenarios]
baseline = "baseline"
imposed = "imposed"
{extra}
[scenarios.same]
extends = "baseline"
description = "the baseline again, written here: its runs must equal the baseline's"

[scenarios.late_cut]
extends = "baseline"

[[scenarios.late_cut.events]]
month = {cut}
kind = "funding_cut"
share = 0.9

[design]
kind = "grid"

[parameters]
"turnover.local_annual" = {{ values = [0.1, 0.4] }}
"""


def _write(path: Path, *, months=6, replicates=3, batch=5, series=False, cut=3, extra=""):
    path.write_text(
        EXPERIMENT.format(
            months=months,
            replicates=replicates,
            batch=batch,
            series=str(series).lower(),
            cut=cut,
            extra=extra,
        )  # fmt: skip
    )
    return path


# --------------------------------------------------------------------------- the file


def test_scenarios_are_a_factor_of_the_experiment(tmp_path: Path):
    exp = load_experiment(_write(tmp_path / "e.toml"))
    assert exp.scenario_names == ("baseline", "imposed", "same", "late_cut")
    assert exp.factor == 4
    assert exp.scenarios[0].document() == "baseline"
    assert exp.scenarios[3].document()["events"][0]["kind"] == "funding_cut"
    assert exp.to_dict()["scenarios"]["same"] == {
        "extends": "baseline",
        "description": exp.scenarios[2].document()["description"],
        "name": "same",
    }


def test_experiments_without_scenarios_keep_their_resolved_form_and_hash():
    text = '[experiment]\nmodel = "ishigami"\n[design]\nkind = "lhs"\nn = 4\n[parameters]\nx1 = { bounds = [0, 1] }\n'
    exp = parse_experiment(text, "e.toml")
    assert "scenarios" not in exp.to_dict() and "scenarios" not in exp.identity()
    assert "baseline" not in exp.to_dict()["analysis"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('imposed = "imposed"', "imposed = 3"),
         "e.toml: [scenarios] imposed: expected a scenario file, a bundled scenario's name, or a table"),
        (lambda t: t.replace('imposed = "imposed"', '"im posed" = "imposed"'),
         "e.toml: [scenarios] im posed: expected a name of letters"),
        (lambda t: t.replace('seed = 7', 'seed = 7\nscenario = "baseline"'),
         "e.toml: [experiment] scenario: expected no base scenario when [scenarios] lists them"),
        (lambda t: t + '[analysis]\nbaseline = "nope"\n',
         "e.toml: [analysis] baseline: expected one of the [scenarios] (baseline, imposed, same, late_cut), got \"nope\""),
        (lambda t: t.replace("replicates = 3", "replicates = 400000"),
         "e.toml: [experiment] replicates: expected at most"),
    ],
)  # fmt: skip
def test_the_shape_of_scenarios_is_checked_first(tmp_path: Path, edit, message: str):
    text = edit(_write(tmp_path / "x.toml").read_text())
    with pytest.raises(InputError) as err:
        parse_experiment(text, "e.toml")
    assert str(err.value).startswith(message), str(err.value)


@pytest.mark.parametrize(
    ("extra", "scenario_file", "message"),
    [
        ('[scenarios.bad]\nextends = "baseline"\n[scenarios.bad.turnover]\nlocal_annual = 2\n', None,
         "[scenarios.bad] [turnover] local_annual: expected a number in [0, 1], got 2"),
        ('[scenarios.bad]\nextends = "baseline"\n[[scenarios.bad.events]]\nmonth = 2\nkind = "coup"\n', None,
         "[scenarios.bad] [[events]] #1 kind: expected one of"),
        ('bad = "bad.toml"\n', 'name = "bad"\nextends = "baseline"\n[turnover]\nlocal_anual = 0.2\n',
         "/bad.toml: [turnover] local_anual): expected a key of [turnover]"),
        ('bad = "no_such_scenario"\n', None,
         "[scenarios] bad (no_such_scenario): expected a scenario file or a bundled scenario"),
        ('[scenarios.bad]\nextends = "baseline"\n[[scenarios.bad.events]]\nmonth = 999\nkind = "funding_cut"\nshare = 0.5\n',
         None, "[scenarios.bad] [[events]] #1 month: expected a month in [0, 119]"),
    ],
)  # fmt: skip
def test_a_bad_scenario_is_refused_before_anything_runs(
    tmp_path: Path, capsys, extra: str, scenario_file: str | None, message: str
):
    """One line on stderr naming the experiment file, the key and what was expected; exit 2."""
    if scenario_file:
        (tmp_path / "bad.toml").write_text(scenario_file)
    text = (
        _write(tmp_path / "e.toml")
        .read_text()
        .replace("[scenarios.same]", extra + "\n[scenarios.same]")
    )
    (tmp_path / "e.toml").write_text(text)
    code = main(
        ["sweep", str(tmp_path / "e.toml"), "--out", str(tmp_path / "out"), "--workers", "0"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"concertsim: error: {tmp_path / 'e.toml'}: ")
    assert message in err, err
    assert not (tmp_path / "out").exists()


def test_the_test_function_has_no_scenarios(tmp_path: Path):
    text = (
        _write(tmp_path / "e.toml")
        .read_text()
        .replace('model = "concertation"', 'model = "ishigami"')
    )
    (tmp_path / "e.toml").write_text(text.replace('"turnover.local_annual"', "x1"))
    with pytest.raises(
        InputError, match=r"\[scenarios\]: expected no \[scenarios\] for a test function"
    ):
        run_sweep(tmp_path / "e.toml", tmp_path / "out", executor="serial")


# --------------------------------------------------------------------------- the sweep


def test_common_random_numbers_across_scenarios(tmp_path: Path):
    """Replicate r of every scenario has the same seed: the same scenario twice gives the same
    runs, bit for bit, and so does a scenario whose only event comes after the horizon."""
    run_sweep(_write(tmp_path / "e.toml", cut=4, months=4), tmp_path / "out", executor="serial")
    runs = run_table(tmp_path / "out")
    assert len(runs) == 4 * 2 * 3 and (runs["status"] == "ok").all(), runs["error"].tolist()
    assert runs["run_id"].tolist() == list(range(24))
    assert runs.groupby("scenario", sort=False).size().to_dict() == {
        "baseline": 6, "imposed": 6, "same": 6, "late_cut": 6}  # fmt: skip
    by = {name: t.drop(columns=["run_id", "scenario"]).reset_index(drop=True)
          for name, t in runs.groupby("scenario")}  # fmt: skip
    pd.testing.assert_frame_equal(by["same"], by["baseline"], check_exact=True)
    pd.testing.assert_frame_equal(by["late_cut"], by["baseline"], check_exact=True)
    assert not by["imposed"]["stability_mean"].equals(by["baseline"]["stability_mean"])
    assert (by["imposed"]["seed_spawn_key"] == by["baseline"]["seed_spawn_key"]).all()
    manifest = ResultsStore.open(tmp_path / "out").manifest
    assert [s["name"] for s in manifest["scenarios"]] == ["baseline", "imposed", "same", "late_cut"]
    assert manifest["scenarios"][3]["scenario"]["events"][0]["month"] == 4
    assert manifest["n_runs"] == 24 and "scenarios" in manifest["identity"]


def test_a_changed_scenario_is_another_experiment(tmp_path: Path, capsys):
    run_sweep(_write(tmp_path / "e.toml", months=2, replicates=1), tmp_path / "out",
              executor="serial")  # fmt: skip
    _write(tmp_path / "e.toml", months=2, replicates=1, cut=1)
    code = main(
        ["sweep", str(tmp_path / "e.toml"), "--out", str(tmp_path / "out"), "--workers", "0"]
    )
    assert code == 2 and "it holds the results of another experiment" in capsys.readouterr().err


@pytest.mark.slow
def test_bit_identical_whatever_batch_size_and_executor_and_resumed(tmp_path: Path):
    """Tasks that straddle scenarios, one run per task, two workers, a resumed sweep: the same
    run table and series, bit for bit."""
    one = _write(tmp_path / "one.toml", batch=1, series=True, months=5)
    odd = _write(tmp_path / "odd.toml", batch=7, series=True, months=5)
    run_sweep(one, tmp_path / "one", executor="serial")
    run_sweep(odd, tmp_path / "odd", executor="local", workers=2)
    a, b = run_table(tmp_path / "one"), run_table(tmp_path / "odd")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    sa = ResultsStore.open(tmp_path / "one").read_series()
    sb = ResultsStore.open(tmp_path / "odd").read_series()
    pd.testing.assert_frame_equal(sa, sb, check_exact=True)
    # a sweep that lost some of its tasks (set aside, as after a crash) runs just those again
    store = ResultsStore.open(tmp_path / "odd")
    for part in store.part_files("runs")[1::2]:
        store.set_aside(part)
    assert len(run_table(tmp_path / "odd")) < len(a)
    report = run_sweep(odd, tmp_path / "odd", executor="serial")
    assert 0 < report.ran < len(a)
    pd.testing.assert_frame_equal(run_table(tmp_path / "odd"), a, check_exact=True)
    resumed = ResultsStore.open(tmp_path / "odd").read_series()
    pd.testing.assert_frame_equal(resumed, sa, check_exact=True)


# --------------------------------------------------------------------------- analyze


@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("scenarios")
    exp = _write(root / "e.toml", months=30, replicates=8, series=True, cut=12)
    run_sweep(exp, root / "out", executor="serial")
    return root, analyze_store(root / "out")


def test_analyze_compares_each_scenario_with_the_baseline_run_by_run(analysed):
    root, report = analysed
    out = root / "out" / "analysis"
    paired = pd.read_csv(out / "paired.csv")
    assert set(paired["scenario"]) == {"imposed", "same", "late_cut"}
    assert (paired["baseline"] == "baseline").all()
    same = paired[paired["scenario"] == "same"].set_index("outcome")
    assert (same["difference"] == 0).all() and (same["share_higher"] == 0).all()
    runs = run_table(root / "out")
    base = runs[runs["scenario"] == "baseline"].set_index(["point", "replicate"])
    alt = runs[runs["scenario"] == "imposed"].set_index(["point", "replicate"])
    d = (alt["stability_mean"] - base["stability_mean"]).groupby("replicate").mean()
    row = paired[(paired["scenario"] == "imposed") & (paired["outcome"] == "stability_mean")].iloc[
        0
    ]
    assert row["difference"] == pytest.approx(d.mean())
    assert row["test"] == "paired t over replicates" and row["pairs"] == 16
    assert row["difference_low"] < row["difference"] < row["difference_high"]
    for name in ("scenarios.csv", "paired_points.csv", "envelopes.csv", "envelopes.png",
                 "paired_differences.png", "variance_imposed.png", "points.csv"):  # fmt: skip
        assert (out / name).is_file(), name
    points = pd.read_csv(out / "points.csv")
    assert list(points["scenario"].unique()) == ["baseline", "imposed", "same", "late_cut"]


def test_yes_no_outcomes_get_wilson_newcombe_and_mcnemar_at_each_point(analysed):
    from concertsim.intervals import mcnemar_exact_p, newcombe_paired_interval, wilson

    root, _ = analysed
    by_point = pd.read_csv(root / "out" / "analysis" / "paired_points.csv")
    runs = run_table(root / "out")
    row = by_point[(by_point["scenario"] == "late_cut") & (by_point["outcome"] == "survived")
                   & (by_point["point"] == 1)].iloc[0]  # fmt: skip
    base = runs[(runs["scenario"] == "baseline") & (runs["point"] == 1)]["survived"].to_numpy()
    alt = runs[(runs["scenario"] == "late_cut") & (runs["point"] == 1)]["survived"].to_numpy()
    assert row["kind"] == "yes/no" and row["test"] == "exact McNemar"
    assert row["turnover.local_annual"] == 0.4
    assert (row["baseline_mean"], row["baseline_low"], row["baseline_high"]) == pytest.approx(
        wilson(base.sum(), len(base))
    )
    assert (row["difference"], row["difference_low"], row["difference_high"]) == pytest.approx(
        newcombe_paired_interval(base, alt)
    )
    assert row["p_value"] == pytest.approx(mcnemar_exact_p(base, alt))
    for column in ("baseline_low", "baseline_high", "scenario_low", "scenario_high"):
        assert by_point.loc[by_point["kind"] == "yes/no", column].between(0, 1).all()
    pooled = pd.read_csv(root / "out" / "analysis" / "paired.csv")
    yes_no = pooled[pooled["kind"] == "yes/no"]
    assert (
        yes_no["difference_low"].between(-1, 1).all()
        and yes_no["difference_high"].between(-1, 1).all()
    )


def test_envelopes_are_bands_of_the_main_series_by_scenario(analysed):
    root, _ = analysed
    env = pd.read_csv(root / "out" / "analysis" / "envelopes.csv")
    assert list(dict.fromkeys(env["scenario"])) == ["baseline", "imposed", "same", "late_cut"]
    assert set(env["point"]) == {0, 1} and env["month"].max() == 30
    assert (env["low"] <= env["median"]).all() and (env["median"] <= env["high"]).all()
    leg = env[(env["variable"] == "legitimacy") & (env["level"] == "regional")]
    assert (leg["runs"] == 8).all()
    same = leg[leg["scenario"] == "same"].reset_index(drop=True)
    base = leg[leg["scenario"] == "baseline"].reset_index(drop=True)
    pd.testing.assert_frame_equal(same.drop(columns="scenario"), base.drop(columns="scenario"))


def test_a_named_baseline_and_a_wrong_one(analysed, tmp_path: Path, capsys):
    root, _ = analysed
    other = analyze_store(root / "out", tmp_path / "a", settings={"baseline": "imposed"},
                          figures=False)  # fmt: skip
    assert set(other.tables["paired"]["baseline"]) == {"imposed"}
    assert "imposed" not in set(other.tables["paired"]["scenario"])
    code = main(["analyze", str(root / "out"), "--out", str(tmp_path / "b"), "--baseline", "nope"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert (
        '--baseline: expected a scenario of these results (baseline, imposed, same, late_cut), got "nope"'
        in err
    )
    assert not (tmp_path / "b").exists()


def test_analyze_prints_the_paired_table(analysed, tmp_path: Path, capsys):
    root, _ = analysed
    assert main(["analyze", str(root / "out"), "--out", str(tmp_path / "c"), "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert "paired.csv: each scenario against the baseline, run by run [95% interval]" in out
    assert "exact McNemar" in out or "paired t over replicates" in out
    index = json.loads((tmp_path / "c" / ".concertsim-analysis.json").read_text())
    assert "paired.csv" in index and not any(n.endswith(".png") for n in index)
    assert np.isfinite(pd.read_csv(tmp_path / "c" / "paired.csv")["difference"]).all()


@pytest.mark.parametrize("bad", [5, [{"name": "a"}, {"name": "a"}], [{"source": "x"}], "abc"])
def test_a_store_whose_scenarios_are_not_ours_is_refused(tmp_path: Path, capsys, bad):
    run_sweep(_write(tmp_path / "e.toml", months=1, replicates=1), tmp_path / "out",
              executor="serial")  # fmt: skip
    path = tmp_path / "out" / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "scenarios": bad}))
    assert main(["analyze", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "scenarios: expected a value concertsim writes" in err, err


def test_analysis_settings_of_the_file_apply_after_the_sweep(tmp_path: Path):
    """[analysis] may change after the sweep (the baseline too): the file describes the store."""
    exp = _write(tmp_path / "e.toml", months=2, replicates=2)
    run_sweep(exp, tmp_path / "out", executor="serial")
    exp.write_text(exp.read_text() + '[analysis]\nbaseline = "imposed"\n')
    report = analyze_store(tmp_path / "out", figures=False)
    assert set(report.tables["paired"]["baseline"]) == {"imposed"}
    exp.write_text(exp.read_text().replace("share = 0.9", "share = 0.8"))  # other results now
    report = analyze_store(tmp_path / "out", figures=False)
    assert set(report.tables["paired"]["baseline"]) == {"baseline"}  # the manifest's settings


def test_discover_searches_one_scenario_of_a_store(analysed):
    from concertsim.discover import discover_store

    root, _ = analysed
    found = discover_store(root / "out", "stability_mean", threshold=0.6, scenario="imposed",
                           out=root / "disc", figures=False, lang="en")  # fmt: skip
    assert any(
        n.startswith("scenario imposed (of baseline, imposed, same, late_cut")
        for n in found.report.notes
    )
    assert found.summary.startswith(
        f"{int(found.result.y.sum())} of 16 runs have stability_mean <= 0.6"
    )
    with pytest.raises(InputError, match="--scenario: expected a scenario of these results"):
        discover_store(root / "out", "stability_mean", scenario="nope", out=root / "d2")
