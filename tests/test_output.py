"""Result directories: complete or absent, never half-written; manifest and figure content."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import concertsim
from concertsim import outdir, output
from concertsim.errors import InputError
from concertsim.output import check_out_dir, write_results
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


@pytest.fixture
def quick_figure(monkeypatch):
    """A stand-in for the (slow) figure, where a test is about the directory, not the figure."""

    def plot_series(series, path, **kwargs):
        path.write_bytes(b"\x89PNG\r\n\x1a\n a figure")
        return path

    monkeypatch.setattr("concertsim.plots.plot_series", plot_series)


def _existing(tmp_path, results, name="out"):
    """A previous result at ``tmp_path/name`` (entropy 99, so it can be told from a new one)."""
    out = write_results(
        tmp_path / name, **{**results, "seeds": {**results["seeds"], "entropy": 99}}
    )
    return out


def _entropy(out) -> int:
    return json.loads((out / "manifest.json").read_text())["seeds"]["entropy"]


def _snapshot(path):
    return {p.relative_to(path): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_the_manifest_says_it_is_a_run(tmp_path, results, quick_figure):
    out = write_results(tmp_path / "out", **results)
    assert json.loads((out / "manifest.json").read_text())["kind"] == output.KIND
    assert output.KIND == "concertsim.run"


def test_refuses_to_overwrite(tmp_path, results, quick_figure):
    out = _existing(tmp_path, results)
    before = _snapshot(out)
    with pytest.raises(FileExistsError, match="--force"):
        write_results(out, **results)
    assert _snapshot(out) == before


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_force_replaces_a_previous_result(tmp_path, results, monkeypatch, exchange, quick_figure):
    if not exchange:
        monkeypatch.setattr(outdir, "_exchange", lambda a, b: False)
    out = _existing(tmp_path, results)
    write_results(out, **results, force=True)
    assert _entropy(out) == 7
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_an_empty_directory_is_used_without_force(tmp_path, results, quick_figure):
    (tmp_path / "out").mkdir()
    out = write_results(tmp_path / "out", **results)
    assert _entropy(out) == 7 and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_failure_mid_write_loses_nothing(tmp_path, results, monkeypatch, quick_figure):
    out = _existing(tmp_path, results)
    before = _snapshot(out)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full while drawing")

    monkeypatch.setattr("concertsim.plots.plot_series", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_results(out, **results, force=True)
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "temporary directory removed"


def test_failure_on_fresh_directory_leaves_nothing(tmp_path, results, monkeypatch, quick_figure):
    def broken(*args, **kwargs):
        raise OSError("no space left on device")

    monkeypatch.setattr(output, "_write_table", broken)
    with pytest.raises(OSError):
        write_results(tmp_path / "new", **results)
    assert list(tmp_path.iterdir()) == []


def test_failed_rename_restores_the_old_directory(tmp_path, results, monkeypatch, quick_figure):
    out = _existing(tmp_path, results)
    before = _snapshot(out)
    monkeypatch.setattr(outdir, "_exchange", lambda a, b: False)
    real_rename = outdir.os.rename
    calls = []

    def flaky(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # the new directory moving into place
            raise OSError("rename failed")
        return real_rename(src, dst)

    monkeypatch.setattr(outdir.os, "rename", flaky)
    with pytest.raises(OSError):
        write_results(out, **results, force=True)
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


# --------------------------------------------------------------------------- refusals


def _refused(out, *fragments, force=True):
    """check_out_dir refuses ``out`` with one line naming it and the fragments."""
    with pytest.raises(InputError) as info:
        check_out_dir(out, force=force)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"--out: {out}: expected ")
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_a_folder_that_is_not_a_result_is_never_replaced(tmp_path, results, quick_figure):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    for force in (False, True):
        _refused(out, "without manifest.json", "keep.txt", "--force", force=force)
        with pytest.raises(InputError):
            write_results(out, **results, force=force)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize(
    "manifest, why",
    [
        ("{not json", "unreadable manifest.json"),
        ('{"kind": "concertsim.sweep"}', '"kind": "concertsim.run"'),
        ("[1, 2]", '"kind": "concertsim.run"'),
        ('{"concertsim_version": "0.1.0"}', '"kind": "concertsim.run"'),
        (
            '{"concertsim_version": "0", "command": 5, "seeds": 0, "files": 0, "scenario": 0}',
            '"kind": "concertsim.run"',
        ),
    ],
)
def test_a_manifest_of_another_kind_is_refused(tmp_path, manifest, why):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(manifest)
    _refused(out, why)
    assert (out / "manifest.json").read_text() == manifest


def test_a_result_holding_anything_else_is_refused(tmp_path, results, quick_figure):
    out = _existing(tmp_path, results)
    (out / "notes.md").write_text("my analysis")
    _refused(out, "also holding notes.md")
    (out / "notes.md").unlink()
    (out / "sub").mkdir()
    _refused(out, "also holding sub")
    (out / "sub").rmdir()
    (out / "figure.png").unlink()
    (out / "figure.png").mkdir()
    _refused(out, "figure.png is not a regular file")


def test_a_manifest_that_is_a_link_or_a_directory_is_refused(tmp_path, results, quick_figure):
    out = _existing(tmp_path, results)
    real = tmp_path / "real.json"
    (out / "manifest.json").rename(real)
    (out / "manifest.json").symlink_to(real)
    _refused(out, "not a regular file")


def test_a_legacy_result_without_the_marker_is_replaced(tmp_path, results, quick_figure):
    out = _existing(tmp_path, results)
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["kind"]
    manifest["command"] = ["concertsim", "run", "austerity"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    write_results(out, **results, force=True)
    assert _entropy(out) == 7


def test_files_links_and_mount_points_are_refused(tmp_path, results, quick_figure):
    (tmp_path / "afile").write_text("x")
    _refused(tmp_path / "afile", "got a file")
    _refused(tmp_path / "afile" / "inside", "is not a directory")
    target = _existing(tmp_path, results, name="target")
    (tmp_path / "link").symlink_to(target)
    _refused(tmp_path / "link", "not a symbolic link")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    _refused(tmp_path / "dangling", "not a symbolic link")
    assert _entropy(target) == 99 and not (tmp_path / "nowhere").exists()
    _refused(Path("/proc"), "mount point")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    _refused(tmp_path / "loop", "not a symbolic link")
    _refused(tmp_path / "loop" / "out")  # how depends on the Python version


def test_places_that_hold_other_things_are_refused(tmp_path, monkeypatch):
    home, work = tmp_path / "h" / "home", tmp_path / "w"
    home.mkdir(parents=True)
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    package = Path(output.__file__).resolve().parent
    cases = {
        ".": "the current directory",
        "sub/..": "the current directory",
        "..": "a parent of the current directory",
        "/": "the root directory",
        str(home): "the home directory",
        str(home.parent): "a parent of the home directory",
        str(package): "the concertsim package",
        str(package / "new"): "inside the concertsim package",
        str(package.parent): "a parent of the concertsim package",
    }
    root = outdir._repository_root()
    if root is not None:
        cases[str(root)] = "the repository root"
    for out, what in cases.items():
        for force in (False, True):
            message = _refused(Path(out), what, force=force)
            assert message.count("got ") == 1


def test_unwritable_places_are_refused(tmp_path):
    long = "x" * 300
    _refused(tmp_path / long, "a directory name of at most")
    _refused(tmp_path / ("y" * 218), "a directory name of at most 217 bytes, got 218")
    check_out_dir(tmp_path / ("y" * 217))
    deep = tmp_path.joinpath(*["d" * 200] * 21)
    _refused(deep, "an absolute path of at most")
    _refused(tmp_path / f".baseline.old-{_hex()}", "temporary")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_parent_is_refused(tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        _refused(parent / "out", "is not writable")
        _refused(parent / "a" / "b", "is not writable")
    finally:
        parent.chmod(0o755)


def test_another_process_writing_beside_it_is_waited_for(tmp_path, monkeypatch):
    import fcntl

    monkeypatch.setattr(outdir, "_LOCK_TIMEOUT", 0.2)
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _refused(tmp_path / "out", "no other concertsim writing")
    finally:
        os.close(fd)
    check_out_dir(tmp_path / "out")


# --------------------------------------------------------------------------- recovery


def _hex() -> str:
    return uuid.uuid4().hex


def test_a_result_set_aside_by_a_killed_run_is_restored(tmp_path, results, quick_figure):
    out = _existing(tmp_path, results)
    old = tmp_path / f".out.old-{_hex()}"
    out.rename(old)
    with pytest.raises(FileExistsError):
        check_out_dir(out)
    assert _entropy(out) == 99 and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_leftovers_beside_a_complete_result_are_removed(tmp_path, results, quick_figure):
    out = _existing(tmp_path, results)
    spare = _existing(tmp_path, results, name="spare")
    spare.rename(tmp_path / f".out.old-{_hex()}")
    partial = tmp_path / f".out.tmp-{_hex()}"
    partial.mkdir()
    (partial / "series.parquet").write_bytes(b"PAR1 cut")
    (partial / f".tmp-{_hex()}-manifest.json").write_text("{")
    check_out_dir(out, force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["out"] and _entropy(out) == 99


def test_what_only_looks_like_a_leftover_is_left_alone(tmp_path, results, quick_figure):
    out = _existing(tmp_path, results)
    keep = {
        f".out.old-{_hex()}": "notes.txt",  # not only result files
        f".out.tmp-{_hex()}": "data.csv",
        ".out.old-1234": "figure.png",  # not our id
        f".out2.old-{_hex()}": "figure.png",  # another output's
        f".out.old-x.old-{_hex()}": "figure.png",  # of an output named 'out.old-x'
    }
    for name, inside in keep.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / inside).write_text("mine")
    (tmp_path / f".out.tmp-{_hex()}").symlink_to(tmp_path / "out")
    before = {p.name for p in tmp_path.iterdir()}
    check_out_dir(out, force=True)
    assert {p.name for p in tmp_path.iterdir()} == before
    assert _entropy(out) == 99


def test_what_is_swapped_out_is_removed_only_if_it_is_still_a_result(
    tmp_path, results, monkeypatch, quick_figure
):
    out = _existing(tmp_path, results)
    real_exchange = outdir._exchange

    def meddling(a, b):  # someone writes into the old result just before the swap
        (out / "notes.txt").write_text("mine")
        return real_exchange(a, b)

    monkeypatch.setattr(outdir, "_exchange", meddling)
    write_results(out, **results, force=True)
    assert _entropy(out) == 7
    (left,) = [p for p in tmp_path.iterdir() if p.name != "out"]
    assert (left / "notes.txt").read_text() == "mine"


def test_a_half_removed_old_result_is_not_restored(tmp_path, results, quick_figure):
    out = _existing(tmp_path, results)
    old = tmp_path / f".out.old-{_hex()}"
    out.rename(old)
    (old / "manifest.json").unlink()  # removal starts with the manifest
    check_out_dir(out)
    assert not out.exists() and old.is_dir()


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


# --------------------------------------------------------------------------- own files, races


def test_a_file_the_manifest_does_not_list_is_never_replaced(tmp_path, results, quick_figure):
    """A CSV beside a Parquet result is the user's (hostile review B3): refused, kept."""
    out = _existing(tmp_path, results)
    (out / "series.csv").write_text("a,b\n")
    before = _snapshot(out)
    with pytest.raises(InputError, match="also holding series.csv"):
        check_out_dir(out, force=True)
    with pytest.raises(InputError, match="also holding series.csv"):
        write_results(out, **results, force=True)
    assert _snapshot(out) == before


def test_a_manifest_that_lists_no_files_is_not_a_result(tmp_path, results, quick_figure):
    out = _existing(tmp_path, results)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.pop("files")
    (out / "manifest.json").write_text(json.dumps(manifest))
    before = _snapshot(out)
    with pytest.raises(InputError, match="does not list the result's files"):
        check_out_dir(out, force=True)
    assert _snapshot(out) == before


@pytest.mark.parametrize("force", [True, False])
def test_a_result_written_by_another_run_meanwhile_is_kept(tmp_path, results, quick_figure, force):
    """Two runs at once (hostile review B7): the second never replaces the first silently."""
    out = tmp_path / "out"
    check_out_dir(out, force=force)  # this run's start: nothing there
    other = _existing(tmp_path, results, "elsewhere")  # another run finishes first
    os.rename(other, out)
    before = _snapshot(out)
    with pytest.raises(InputError, match="another run wrote .* meanwhile; your results are in"):
        write_results(out, **results, force=force)
    assert _snapshot(out) == before  # the other run's result, untouched
    (aside,) = tmp_path.glob("out.conflict-*")  # this run's, complete, under a visible name
    assert _entropy(aside) == 7 and _entropy(out) == 99
