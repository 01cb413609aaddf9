"""The results store: atomic parts, done runs, the lock that keeps two sweeps apart."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from concertsim.experiment.cli import main
from concertsim.experiment.runner import run_sweep
from concertsim.experiment.store import STORE_FORMAT, ResultsStore, StoreBusyError

from .helpers import ishigami_lhs, run_table


def _store(tmp_path: Path) -> ResultsStore:
    return ResultsStore.create(tmp_path / "s", {"experiment_hash": "h", "n_runs": 4},
                               pd.DataFrame({"x": [1.0, 2.0]}))  # fmt: skip


def test_parts_and_done_runs(tmp_path: Path):
    store = _store(tmp_path)
    store.write_part(pd.DataFrame({"run_id": [3, 1], "y": [3.0, 1.0]}))
    store.write_part(pd.DataFrame({"run_id": [0], "y": [0.0]}))
    assert store.done_mask(4).tolist() == [True, True, False, True]
    assert store.read_runs()["run_id"].tolist() == [0, 1, 3]
    assert store.read_design().index.tolist() == [0, 1]
    assert not list(store.root.rglob(".tmp-*"))


def test_a_live_sweep_holds_the_store_a_dead_one_does_not(tmp_path: Path):
    store = _store(tmp_path)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        store.lock_path.write_text(f"{socket.gethostname()} {sleeper.pid}")
        (store.root / "runs" / ".tmp-abc-part.parquet").write_text("being written")
        with pytest.raises(StoreBusyError, match="another sweep"):
            ResultsStore.open(store.root).acquire()
        assert (store.root / "runs" / ".tmp-abc-part.parquet").exists()  # left alone
    finally:
        sleeper.kill()
        sleeper.wait()
    other = ResultsStore.open(store.root)
    other.acquire()  # the holder is gone: its lock and temporary files are cleared
    assert not (store.root / "runs" / ".tmp-abc-part.parquet").exists()
    assert other.lock_path.read_text().endswith(f" {os.getpid()}")
    other.release()
    assert not other.lock_path.exists()


def test_second_sweep_on_a_busy_store_exits_2(tmp_path: Path, capsys):
    exp = ishigami_lhs(tmp_path / "e.toml")
    run_sweep(exp, tmp_path / "out", executor="serial")
    store = ResultsStore.open(tmp_path / "out")
    assert not store.lock_path.exists()  # released after the sweep
    store.acquire()
    try:
        assert main(["sweep", str(exp), "--out", str(tmp_path / "out"), "--workers", "0"]) == 2
        assert "another sweep" in capsys.readouterr().err
    finally:
        store.release()
    assert len(run_table(tmp_path / "out")) == 60


def test_the_lock_is_taken_before_the_store_is_written(tmp_path: Path, capsys):
    exp = ishigami_lhs(tmp_path / "e.toml", n=4, replicates=2)
    out = tmp_path / "out"
    out.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:  # another sweep has just made the directory and taken the lock
        (out / ".lock").write_text(f"{socket.gethostname()} {sleeper.pid}")
        assert main(["sweep", str(exp), "--out", str(out), "--workers", "0"]) == 2
        assert "another sweep" in capsys.readouterr().err
        assert sorted(p.name for p in out.iterdir()) == [".lock"]  # nothing written
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_skeleton_without_manifest_is_a_new_store(tmp_path: Path):
    """A sweep killed while creating its store leaves directories, a design, a lock."""
    exp = ishigami_lhs(tmp_path / "e.toml", n=4, replicates=2)
    out = tmp_path / "out"
    for sub in ("runs", "series"):
        (out / sub).mkdir(parents=True)
    (out / "design.parquet").write_bytes(b"half a file")
    (out / "runs" / ".tmp-0-part.parquet").write_bytes(b"half a part")
    (out / ".lock").write_text("")  # created, never filled: its sweep was killed
    old = os.path.getmtime(out / ".lock") - 60
    os.utime(out / ".lock", (old, old))
    assert ResultsStore.is_free(out) and not ResultsStore.exists(out)
    assert run_sweep(exp, out, executor="serial").ran == 8
    assert run_table(out)["run_id"].tolist() == list(range(8))
    (out / "manifest.json").unlink()  # parts without a manifest: not a skeleton
    assert not ResultsStore.is_free(out)


@pytest.mark.parametrize("content", ["", "garbage", "host notapid"])
def test_an_empty_or_malformed_lock_is_stale(tmp_path: Path, content: str):
    store = _store(tmp_path)
    store.lock_path.write_text(content)
    old = os.path.getmtime(store.lock_path) - 60
    os.utime(store.lock_path, (old, old))
    store.acquire()
    assert store.lock_path.read_text().endswith(f" {os.getpid()}")
    store.release()


def test_truncated_leftovers_then_resume_equals_an_uninterrupted_sweep(tmp_path: Path):
    exp = ishigami_lhs(tmp_path / "e.toml", n=10, replicates=2, batch_size=4)
    run_sweep(exp, tmp_path / "whole", executor="serial")
    run_sweep(exp, tmp_path / "out", executor="serial")
    runs = tmp_path / "out" / "runs"
    parts = sorted(runs.glob("part-*.parquet"))
    data = parts[1].read_bytes()
    parts[1].write_bytes(data[: len(data) // 2])  # a part cut short (a disk fault)
    (runs / f".tmp-0-{parts[2].name}").write_bytes(data[:100])  # a write cut short by a kill
    report = run_sweep(exp, tmp_path / "out", executor="serial")
    assert report.done_before == 20 - 4 and report.ran == 4
    assert (runs / f"{parts[1].name}.corrupt").exists() and not list(runs.glob(".tmp-*"))
    pd.testing.assert_frame_equal(run_table(tmp_path / "out"), run_table(tmp_path / "whole"))


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
