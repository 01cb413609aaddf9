"""The results store: committed tasks, done runs, checks, the OS lock that keeps sweeps apart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from concertsim.experiment.cli import main
from concertsim.experiment.runner import run_sweep
from concertsim.experiment.store import (
    STORE_FORMAT,
    ResultsStore,
    StoreBusyError,
    StoreCorruptError,
    StoreLock,
)

from .helpers import ishigami_lhs, run_table


def _store(tmp_path: Path) -> ResultsStore:
    return ResultsStore.create(tmp_path / "s", {"experiment_hash": "h", "n_runs": 4},
                               pd.DataFrame({"x": [1.0, 2.0]}))  # fmt: skip


def _series(ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"run_id": ids, "month": 1, "level": "all", "variable": "y", "value": 1.0})


def test_parts_and_done_runs(tmp_path: Path):
    store = _store(tmp_path)
    store.write_part(pd.DataFrame({"run_id": [3, 1], "y": [3.0, 1.0]}), _series([3, 1]))
    store.write_part(pd.DataFrame({"run_id": [0], "y": [0.0]}))
    assert store.done_mask(4).tolist() == [True, True, False, True]
    assert store.read_runs()["run_id"].tolist() == [0, 1, 3]
    assert store.read_series()["run_id"].tolist() == [1, 3]
    assert store.read_design().index.tolist() == [0, 1]
    assert not list(store.root.rglob(".tmp-*")) and not store.part_files("pending")
    assert len(pd.read_parquet(store.root / "runs")) == 3


def test_uncommitted_series_are_invisible_then_cleared(tmp_path: Path):
    """A kill between a task's series and its run part: the series is never seen."""
    store = _store(tmp_path)
    store.write_part(pd.DataFrame({"run_id": [0], "y": [0.0]}), _series([0]))
    committed = store.part_files("series")[0]
    # the state right after the series of a second task is written, before its commit
    orphan = store.root / "pending" / "part-000000000001-000000000001-0123abcd.parquet"
    orphan.write_bytes(committed.read_bytes())
    # and a task committed (run part) whose series was not yet moved out of pending/
    store.write_part(pd.DataFrame({"run_id": [2], "y": [2.0]}))
    done = store.part_files("runs")[-1].name
    (store.root / "pending" / done).write_bytes(committed.read_bytes())
    assert store.read_series()["run_id"].tolist() == [0, 0]  # pending of a committed task
    assert len(pd.read_parquet(store.root / "series")) == 1
    notes = store.recover()
    assert not store.part_files("pending") and len(store.part_files("series")) == 2
    assert any("removed uncommitted" in n for n in notes)
    assert any("finished committing" in n for n in notes)


def test_set_aside_goes_outside_the_run_table(tmp_path: Path):
    store = _store(tmp_path)
    store.write_part(pd.DataFrame({"run_id": [1], "y": [1.0]}), _series([1]))
    store.write_part(pd.DataFrame({"run_id": [2], "y": [2.0]}), _series([2]))
    moved = store.set_aside(store.part_files()[0])
    assert [p.parent.name for p in moved] == ["quarantine", "quarantine"]
    assert pd.read_parquet(store.root / "runs")["run_id"].tolist() == [2]
    assert store.done_mask(4).tolist() == [False, False, True, False]


def test_duplicate_run_ids_are_refused(tmp_path: Path):
    store = _store(tmp_path)
    store.write_part(pd.DataFrame({"run_id": [1], "y": [1.0]}))
    store.write_part(pd.DataFrame({"run_id": [1], "y": [1.0]}))
    with pytest.raises(StoreCorruptError, match="run 1 again"):
        store.read_runs()
    with pytest.raises(StoreCorruptError, match="run 1 again"):
        store.done_mask(4)


def _hold(path: Path) -> subprocess.Popen:
    code = (
        "import sys, time; from concertsim.experiment.store import StoreLock\n"
        f"StoreLock({str(path)!r}).acquire(); print('held', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_live_holder_keeps_the_store_a_killed_one_does_not(tmp_path: Path):
    store = _store(tmp_path)
    holder = _hold(store.root)
    try:
        with pytest.raises(StoreBusyError, match=rf"store is busy \(held by .*:{holder.pid}\)"):
            StoreLock(store.root).acquire()
    finally:
        holder.kill()
        holder.wait()
    with StoreLock(store.root) as lock:  # the kernel dropped the killed holder's lock
        assert lock.held


def test_second_sweep_on_a_busy_store_exits_2(tmp_path: Path, capsys):
    exp = ishigami_lhs(tmp_path / "e.toml")
    run_sweep(exp, tmp_path / "out", executor="serial")
    with StoreLock(tmp_path / "out"):
        assert main(["sweep", str(exp), "--out", str(tmp_path / "out"), "--workers", "0"]) == 2
        err = capsys.readouterr().err
        assert "store is busy (held by" in err and err.count("\n") == 1
    assert len(run_table(tmp_path / "out")) == 60


def test_the_lock_is_taken_before_the_store_is_written(tmp_path: Path, capsys):
    exp = ishigami_lhs(tmp_path / "e.toml", n=4, replicates=2)
    out = tmp_path / "out"
    out.mkdir()
    holder = _hold(out)  # another sweep has just made the directory and taken the lock
    try:
        assert main(["sweep", str(exp), "--out", str(out), "--workers", "0"]) == 2
        assert "store is busy" in capsys.readouterr().err
        assert sorted(p.name for p in out.iterdir()) == [".lock"]  # nothing written
    finally:
        holder.kill()
        holder.wait()


def test_a_skeleton_without_manifest_is_a_new_store(tmp_path: Path):
    """A sweep killed while creating its store leaves directories, a design, a lock."""
    exp = ishigami_lhs(tmp_path / "e.toml", n=4, replicates=2)
    out = tmp_path / "out"
    for sub in ("runs", "series", "pending"):
        (out / sub).mkdir(parents=True)
    (out / "design.parquet").write_bytes(b"half a file")
    (out / "runs" / ".tmp-0-part.parquet").write_bytes(b"half a part")
    (out / ".lock").write_text("")
    assert ResultsStore.is_free(out) and not ResultsStore.exists(out)
    assert run_sweep(exp, out, executor="serial").ran == 8
    assert run_table(out)["run_id"].tolist() == list(range(8))
    assert not list(out.rglob(".tmp-*"))
    (out / "manifest.json").unlink()  # parts without a manifest: not a skeleton
    assert not ResultsStore.is_free(out)


def test_leftovers_of_a_kill_are_cleared_and_resume_equals_an_uninterrupted_sweep(
    tmp_path: Path,
):
    exp = ishigami_lhs(tmp_path / "e.toml", n=10, replicates=2, batch_size=4)
    run_sweep(exp, tmp_path / "whole", executor="serial")
    run_sweep(exp, tmp_path / "out", executor="serial")
    runs = tmp_path / "out" / "runs"
    parts = sorted(runs.glob("part-*.parquet"))
    data = parts[1].read_bytes()
    parts[1].unlink()  # the task was never committed ...
    (runs / f".tmp-0-{parts[1].name}").write_bytes(data[:100])  # ... its write cut short
    report = run_sweep(exp, tmp_path / "out", executor="serial")
    assert report.done_before == 20 - 4 and report.ran == 4
    assert not list(runs.glob(".tmp-*"))
    pd.testing.assert_frame_equal(run_table(tmp_path / "out"), run_table(tmp_path / "whole"))


def test_a_corrupt_part_is_refused_until_set_aside(tmp_path: Path, capsys):
    exp = ishigami_lhs(tmp_path / "e.toml", n=10, replicates=2, batch_size=4)
    run_sweep(exp, tmp_path / "whole", executor="serial")
    run_sweep(exp, tmp_path / "out", executor="serial")
    part = sorted((tmp_path / "out" / "runs").glob("part-*.parquet"))[1]
    data = part.read_bytes()
    part.write_bytes(data[: len(data) // 2])  # a part cut short (a disk fault)
    args = ["sweep", str(exp), "--out", str(tmp_path / "out"), "--workers", "0"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"concertsim: error: {part}: ") and "quarantine" in err
    (tmp_path / "out" / "quarantine").mkdir()
    part.rename(tmp_path / "out" / "quarantine" / part.name)  # what the message says to do
    assert main(args) == 0
    pd.testing.assert_frame_equal(run_table(tmp_path / "out"), run_table(tmp_path / "whole"))
    assert len(pd.read_parquet(tmp_path / "out" / "runs")) == 20


def test_a_store_of_a_newer_format_is_refused(tmp_path: Path, capsys):
    exp = ishigami_lhs(tmp_path / "e.toml", n=4, replicates=2)
    run_sweep(exp, tmp_path / "out", executor="serial")
    path = tmp_path / "out" / "manifest.json"
    manifest = json.loads(path.read_text())
    assert manifest["store_format"] == STORE_FORMAT
    path.write_text(json.dumps({**manifest, "store_format": STORE_FORMAT + 1}))
    assert main(["sweep", str(exp), "--out", str(tmp_path / "out"), "--workers", "0"]) == 2
    assert "upgrade concertsim" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "out")]) == 2
    assert "upgrade concertsim" in capsys.readouterr().err
