"""``concertsim analyze`` on hostile input: one line ``concertsim: error: ...``, exit 2.

Every case: exit code 2, exactly one line on stderr starting ``concertsim: error:``, no
traceback, under 10 s, and nothing written anywhere (the store, the output directory).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from concertsim.cli import main as concertsim
from concertsim.experiment.runner import run_sweep
from concertsim.experiment.store import ResultsStore

from .helpers import cli, ishigami_lhs

MIXTURE = """
[experiment]
model = "ishigami"
seed = 2
replicates = 2
outcomes = ["y"]
[design]
kind = "mixture"
components = ["x1", "x2"]
degree = 2
[parameters]
x3 = { values = [0.0, 3.0] }
[analysis]
stable_outcome = "y"
stable_min = 0.0
"""


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Stores and look-alikes, built once: an LHS store, a mixture store, a run directory..."""
    base = tmp_path_factory.mktemp("hostile")
    lhs = ishigami_lhs(base / "lhs.toml")
    run_sweep(lhs, base / "lhs", executor="serial")
    (base / "mix.toml").write_text(MIXTURE)
    run_sweep(base / "mix.toml", base / "mix", executor="serial")
    for name in ("lhs", "mix"):  # a part written twice: every run of a batch twice
        shutil.copytree(base / name, base / f"{name}_dup")
        store = ResultsStore.open(base / f"{name}_dup")
        store.write_part(store.read_runs().head(5))
    other = base / "other.toml"
    other.write_text(lhs.read_text().replace("n = 20", "n = 21"))
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"
    argv = ["run", str(scenario), "-n", "1", "--months", "2", "--seed", "1", "--no-progress"]
    assert concertsim([*argv, "--out", str(base / "rundir")]) == 0
    (base / "empty").mkdir()
    (base / "afile.txt").write_text("not a store\n")
    (base / "stuff").mkdir()
    (base / "stuff" / "notes.txt").write_text("hello\n")
    (base / "csvrun").mkdir()
    (base / "csvrun" / "outcomes.csv").write_text("run,survived\n0,1\n")
    for name, text in {
        "badjson": "{not json",
        "jsonlist": "[1, 2]",
        "jsonempty": "{}",
        "newer": json.dumps({"store_format": 99}),
    }.items():
        (base / name).mkdir()
        (base / name / "manifest.json").write_text(text)
    (base / "paper").mkdir()  # a folder of the user's, some named like an analysis's files
    for name in ("morris_final.png", "mixture.csv", "sobol_y_old.png", "notes.txt"):
        (base / "paper" / name).write_text("mine\n")
    (base / "folder").mkdir()
    (base / "lnk").symlink_to(base / "folder")
    shutil.copytree(base / "lhs", base / "lhs_fifo")
    index = base / "lhs_fifo" / "analysis" / ".concertsim-analysis.json"
    index.parent.mkdir(exist_ok=True)
    index.unlink(missing_ok=True)
    os.mkfifo(index)
    return {
        "base": base,
        "lhs": base / "lhs",
        "mix": base / "mix",
        "lhs_dup": base / "lhs_dup",
        "mix_dup": base / "mix_dup",
        "other": other,
        "file": base / "afile.txt",
    }


def _p(name: str) -> Callable[[dict[str, Path]], str]:
    return lambda place: str(place["base"] / name)


CASES: dict[str, tuple[Callable[[dict[str, Path]], list[str]], str]] = {
    "nonexistent directory": (lambda p: [str(p["base"] / "nope")], "no such directory"),
    "a file": (lambda p: [str(p["file"])], "got a file"),
    "an empty directory": (lambda p: [_p("empty")(p)], "an empty directory"),
    "a concertsim run directory": (lambda p: [_p("rundir")(p)], "`concertsim run` output"),
    "a run directory with csv tables": (lambda p: [_p("csvrun")(p)], "`concertsim run` output"),
    "a directory of other files": (lambda p: [_p("stuff")(p)], "without a sweep's results"),
    "a manifest that is not json": (lambda p: [_p("badjson")(p)], "manifest.json: expected JSON"),
    "a manifest that is a list": (lambda p: [_p("jsonlist")(p)], "expected a JSON object"),
    "an empty manifest": (lambda p: [_p("jsonempty")(p)], "store_format: expected a key"),
    "a store of a newer format": (lambda p: [_p("newer")(p)], "got 99"),
    "an outcome the store lacks": (
        lambda p: [str(p["lhs"]), "--outcome", "nope"],
        '--outcome: expected an outcome of these results (y), got "nope"',
    ),
    "an outcome the mixture store lacks": (
        lambda p: [str(p["mix"]), "--outcome", "nope"],
        "--outcome: expected an outcome of these results (y)",
    ),
    "a good and a missing outcome": (
        lambda p: [str(p["lhs"]), "--outcome", "y", "--outcome", "survived"],
        'got "survived"',
    ),
    "a parameter as outcome": (
        lambda p: [str(p["lhs"]), "--outcome", "x1"],
        "a parameter, not an outcome",
    ),
    "a run column as outcome": (
        lambda p: [str(p["lhs"]), "--outcome", "replicate"],
        "a column of the run table, not an outcome",
    ),
    "duplicate run ids": (
        lambda p: [str(p["lhs_dup"])],
        "two parts hold the same run",
    ),
    "duplicate run ids in a mixture store": (
        lambda p: [str(p["mix_dup"]), "--no-figures"],
        "two parts hold the same run",
    ),
    "a missing experiment file": (
        lambda p: [str(p["lhs"]), "--experiment", str(p["base"] / "gone.toml")],
        "gone.toml",
    ),
    "another experiment's file": (
        lambda p: [str(p["lhs"]), "--experiment", str(p["other"])],
        "expected the experiment file of these results",
    ),
    "--out is a file": (lambda p: [str(p["lhs"]), "--out", str(p["file"])], "got a file"),
    "--out under a file": (
        lambda p: [str(p["lhs"]), "--out", str(p["file"] / "sub")],
        "a path under the file",
    ),
    "--out a folder of the user's files": (
        lambda p: [str(p["lhs"]), "--out", _p("paper")(p)],
        "expected a new or empty directory, or an earlier analysis output",
    ),
    "--out the store's runs": (
        lambda p: [str(p["lhs"]), "--out", str(p["lhs"] / "runs")],
        "a path inside the store",
    ),
    "--out inside the store's runs": (
        lambda p: [str(p["lhs"]), "--out", str(p["lhs"] / "runs" / "tables")],
        "a path inside the store",
    ),
    "--out the store itself": (
        lambda p: [str(p["lhs"]), "--out", str(p["lhs"])],
        "a path inside the store",
    ),
    "--out a symbolic link to a folder": (
        lambda p: [str(p["lhs"]), "--out", _p("lnk")(p)],
        "not a symbolic link",
    ),
    "an analysis index that is a FIFO": (
        lambda p: [str(p["base"] / "lhs_fifo"), "--no-figures"],
        "expected an analysis index (a regular file)",
    ),
    "a stable outcome the mixture store lacks": (
        lambda p: [str(p["mix"]), "--stable-outcome", "survived"],
        "--stable-outcome: expected one of the outcomes analysed (y)",
    ),
}


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")
    }


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_hostile_analyze_input_is_one_line_exit_2(case: str, place, capsys):
    make_argv, expected = CASES[case]
    argv = make_argv(place)
    before = _snapshot(place["base"])
    capsys.readouterr()
    start = time.monotonic()
    code = concertsim(["analyze", *argv])
    elapsed = time.monotonic() - start
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert code == 2, captured
    assert len(lines) == 1 and lines[0].startswith("concertsim: error: "), lines
    assert expected in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert elapsed < 10.0
    assert _snapshot(place["base"]) == before  # nothing written, nothing removed


@pytest.mark.slow
@pytest.mark.parametrize(
    "case",
    ["a concertsim run directory", "an outcome the mixture store lacks", "duplicate run ids"],
)
def test_hostile_analyze_input_in_a_fresh_process(case: str, place):
    argv = CASES[case][0](place)
    proc = cli("analyze", *argv)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("concertsim: error: ")
    assert "Traceback" not in proc.stderr + proc.stdout


def test_the_analysis_directory_itself_is_not_a_store(place, tmp_path: Path, capsys):
    from concertsim.experiment.analysis import analyze_store

    out = tmp_path / "analysis"
    analyze_store(place["lhs"], out, figures=False)
    before = _snapshot(tmp_path)
    assert concertsim(["analyze", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "without a sweep's results" in err
    assert _snapshot(tmp_path) == before


def test_an_earlier_analysis_output_keeps_the_users_files(place, tmp_path: Path, capsys):
    """Hostile review B1: only files an earlier analysis listed in its index are removed."""
    out = tmp_path / "paper"
    assert concertsim(["analyze", str(place["lhs"]), "--out", str(out), "--no-figures"]) == 0
    mine = ("morris_final.png", "mixture.csv", "sobol_y_old.png", "notes.txt")
    for name in mine:
        (out / name).write_text("mine\n")
    assert concertsim(["analyze", str(place["lhs"]), "--out", str(out), "--no-figures"]) == 0
    assert "concertsim: error" not in capsys.readouterr().err
    assert all((out / name).read_text() == "mine\n" for name in mine)
