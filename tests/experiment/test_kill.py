"""SIGKILL at many points of a sweep, then the same command: the store ends bit-identical.

The kills come from ``run_cli.py`` (a test wrapper around the command line), never from hooks
in the package: it SIGKILLs its own process at the k-th ``os.replace`` (a file taking its name:
the design, the manifest, a task's series, its run part -- the commit --, the series leaving
``pending/``), at the k-th ``os.fsync`` (a file written but not named), or after a random
(seeded) time. And a sweep whose main process is SIGKILLed leaves no process behind.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest

from concertsim.cli import main
from concertsim.experiment.store import ResultsStore

from .helpers import cli, cli_command, cli_env, ishigami_lhs

pytestmark = pytest.mark.slow

REPLACE_POINTS = list(range(2, 14))
"""Every rename of a sweep of 3 tasks with series: 1 design, 2-3 manifest, then per task
series to pending/, run part (the commit), series to series/, and the final manifest."""
FSYNC_POINTS = [4, 7, 11]
RANDOM_KILLS = 5


def _points() -> list[tuple[str, str]]:
    rng = random.Random(20261201)
    points = [("CONCERTSIM_TEST_KILL_REPLACE", str(k)) for k in REPLACE_POINTS]
    points += [("CONCERTSIM_TEST_KILL_FSYNC", str(k)) for k in FSYNC_POINTS]
    points += [("CONCERTSIM_TEST_KILL_AFTER", f"{rng.uniform(0.08, 0.28):.3f}")
               for _ in range(RANDOM_KILLS)]  # fmt: skip
    return points


def _tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    store = ResultsStore.open(out)
    return store.read_runs(), store.read_series()


def _no_duplicates(out: Path) -> None:
    for kind, key in (("runs", ["run_id"]), ("series", ["run_id", "month"])):
        if any((out / kind).glob("part-*.parquet")):
            table = pd.read_parquet(out / kind)
            assert not table.duplicated(key).any(), kind


def test_sigkill_anywhere_then_resume_is_bit_identical(tmp_path: Path):
    exp = ishigami_lhs(tmp_path / "e.toml", n=4, replicates=2, batch_size=3, series=True,
                       delay=0.02)  # fmt: skip
    args = ["sweep", str(exp), "--workers", "0", "--quiet"]
    points = _points()
    outs = [tmp_path / f"k{i}" for i in range(len(points))]
    # and sweeps killed twice: the resume itself is killed (in its recovery, at its commit)
    chained = [tmp_path / "c0", tmp_path / "c1"]
    first = [("CONCERTSIM_TEST_KILL_REPLACE", "6"), ("CONCERTSIM_TEST_KILL_REPLACE", "8")]
    second = [("CONCERTSIM_TEST_KILL_REPLACE", "1"), ("CONCERTSIM_TEST_KILL_REPLACE", "3")]
    entries = [{"env": {}, "argv": [*args, "--out", str(tmp_path / "whole")]}]
    entries += [{"env": {var: value}, "argv": [*args, "--out", str(out)]}
                for (var, value), out in zip(points + first + second,
                                             outs + chained + chained, strict=True)]  # fmt: skip
    assert len(entries) % 2 == 1  # pairs run together: a chain's two kills are in two pairs
    (tmp_path / "matrix.json").write_text(json.dumps(entries))
    proc = cli("--kill-matrix", str(tmp_path / "matrix.json"), timeout=120)
    assert proc.returncode == 0, proc.stderr
    statuses = json.loads(proc.stdout.strip().splitlines()[-1])
    assert statuses[0] == 0
    runs, series = _tables(tmp_path / "whole")
    assert len(runs) == 8 and len(series) == 24
    killed = 0
    assert statuses[-4:] == [-signal.SIGKILL] * 4  # both chains killed twice
    for (var, value), out, status in zip(points + first, outs + chained, statuses[1:],
                                         strict=False):  # fmt: skip
        assert status in (-signal.SIGKILL, 0), (var, value, status)
        killed += status == -signal.SIGKILL
        if ResultsStore.exists(out):
            _no_duplicates(out)  # what a reader sees right after the kill
            partial = ResultsStore.open(out)
            committed = set(partial.read_runs()["run_id"])
            assert set(partial.read_series()["run_id"]) == committed, (var, value)
        assert main([*args, "--out", str(out)]) == 0, (var, value)  # the same command again
        got_runs, got_series = _tables(out)
        pd.testing.assert_frame_equal(got_runs, runs, check_exact=True)
        pd.testing.assert_frame_equal(got_series, series, check_exact=True)
        _no_duplicates(out)
        assert not list(out.rglob(".tmp-*")) and not list((out / "pending").iterdir())
    assert killed >= 10, f"only {killed} of {len(points)} sweeps were killed"


def _marked(marker: str) -> list[str]:
    """Processes whose environment holds ``marker`` (the sweep and everything it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                status = (entry / "stat").read_text().rpartition(")")[2].split()[0]
                if status not in ("Z", "X"):
                    cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    found.append(f"{entry.name}: {cmd[:120]}")
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("executor", ["local", "dask"])
def test_no_process_of_a_sigkilled_sweep_survives(tmp_path: Path, executor: str):
    exp = ishigami_lhs(tmp_path / "e.toml", n=40, replicates=3, batch_size=2, delay=0.2)
    marker = f"CONCERTSIM_TEST_MARKER={uuid.uuid4().hex}"
    key, value = marker.split("=")
    args = ["--out", str(tmp_path / "out"), "--workers", "2", "--executor", executor]
    proc = subprocess.Popen(
        cli_command("sweep", str(exp), *args),
        env=cli_env(**{key: value}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list((tmp_path / "out" / "runs").glob("part-*.parquet")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    before = _marked(marker)
    assert len(before) >= 4, before  # main + 2 workers + fork server, tracker or nannies
    os.kill(proc.pid, signal.SIGKILL)  # the main process only: no process group kill
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while (left := _marked(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, left


def test_readers_never_see_half_a_task_while_a_sweep_writes(tmp_path: Path):
    exp = ishigami_lhs(tmp_path / "e.toml", n=30, replicates=2, batch_size=2, series=True,
                       delay=0.01)  # fmt: skip
    out = tmp_path / "out"
    proc = subprocess.Popen(
        cli_command("sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet"),
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    reads = 0
    try:
        while proc.poll() is None:
            if not ResultsStore.exists(out):
                continue
            store = ResultsStore.open(out)
            before, series, after = store.read_runs(), store.read_series(), store.read_runs()
            # whole tasks only: every committed run has its series, no series without its run
            assert set(before["run_id"]) <= set(series["run_id"]) <= set(after["run_id"])
            assert not after["run_id"].duplicated().any()
            if any((out / "runs").glob("part-*.parquet")):
                assert not pd.read_parquet(out / "runs")["run_id"].duplicated().any()
            reads += 1
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == 0, proc.stderr.read()
    assert reads > 5 and len(ResultsStore.open(out).read_runs()) == 60
