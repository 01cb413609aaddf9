"""Executors: dask on a real LocalCluster and mpi4py under a real mpiexec give the local table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from concertsim.experiment.executors import open_executor
from concertsim.experiment.runner import run_sweep
from concertsim.experiment.store import ResultsStore

from .helpers import ishigami_lhs, run_table


def _square(x: int) -> int:
    return x * x


def test_every_backend_speaks_concurrent_futures():
    with open_executor("local", workers=2) as ex:
        assert ex.workers == 2
        assert [ex.submit(_square, i).result() for i in range(4)] == [0, 1, 4, 9]
    with open_executor("local", workers=0) as ex:
        assert ex.describe() == "serial (1 worker)"
        assert ex.submit(_square, 3).result() == 9


@pytest.mark.slow
def test_dask_local_cluster_gives_the_local_table(tmp_path: Path):
    exp = ishigami_lhs(tmp_path / "e.toml", batch_size=9, fail_above=2.0)
    run_sweep(exp, tmp_path / "local", executor="local", workers=2)
    report = run_sweep(exp, tmp_path / "dask", executor="dask", workers=2)
    assert report.executor == "dask (2 workers)"
    table = run_table(tmp_path / "dask")
    assert (table["status"] == "error").any()  # failures travel through dask too
    pd.testing.assert_frame_equal(table, run_table(tmp_path / "local"))


@pytest.mark.slow
def test_mpi_under_mpiexec_gives_the_local_table(tmp_path: Path):
    exp = ishigami_lhs(tmp_path / "e.toml", batch_size=9)
    run_sweep(exp, tmp_path / "local", executor="serial")
    mpiexec = Path(sys.executable).parent / "mpiexec"
    cmd = [
        str(mpiexec), "-n", "2", sys.executable, "-m", "mpi4py.futures",
        "-m", "concertsim.experiment", "sweep", str(exp), "--out", str(tmp_path / "mpi"),
        "--executor", "mpi",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "mpi (1 worker)" in proc.stdout
    assert ResultsStore.open(tmp_path / "mpi").manifest["executor"] == "mpi (1 worker)"
    pd.testing.assert_frame_equal(run_table(tmp_path / "mpi"), run_table(tmp_path / "local"))


@pytest.mark.slow
def test_dask_scheduler_address_from_the_command_line(tmp_path: Path):
    from distributed import LocalCluster

    from concertsim.experiment.cli import main

    exp = ishigami_lhs(tmp_path / "e.toml", batch_size=9)
    run_sweep(exp, tmp_path / "local", executor="serial")
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        args = ["sweep", str(exp), "--out", str(tmp_path / "dask"), "--executor", "dask"]
        assert main([*args, "--scheduler", cluster.scheduler_address, "--quiet"]) == 0
        file = tmp_path / "scheduler.json"  # what `dask scheduler --scheduler-file` writes
        file.write_text(json.dumps({"address": cluster.scheduler_address}))
        args = ["sweep", str(exp), "--out", str(tmp_path / "file"), "--executor", "dask"]
        assert main([*args, "--scheduler", str(file), "--quiet"]) == 0
    pd.testing.assert_frame_equal(run_table(tmp_path / "dask"), run_table(tmp_path / "local"))
    pd.testing.assert_frame_equal(run_table(tmp_path / "file"), run_table(tmp_path / "local"))


@pytest.mark.slow
def test_mpi_without_mpiexec_is_refused_before_anything_is_written(tmp_path: Path):
    from .helpers import cli

    exp = ishigami_lhs(tmp_path / "e.toml")
    proc = cli("sweep", str(exp), "--out", str(tmp_path / "o"), "--executor", "mpi", timeout=60)
    assert proc.returncode == 2
    assert "expected a launch under mpiexec: mpiexec -n N python -m mpi4py.futures" in proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_local_pool_works_from_code_without_a_main_file(tmp_path: Path):
    """Like a notebook or a REPL: the program is piped to python, workers cannot re-import it."""
    exp = ishigami_lhs(tmp_path / "e.toml", batch_size=9)
    code = (
        "from concertsim.experiment import run_sweep\n"
        f"print(run_sweep({str(exp)!r}, {str(tmp_path / 'out')!r}, workers=2).ran)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-"], input=code, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "60"
    run_sweep(exp, tmp_path / "serial", executor="serial")
    pd.testing.assert_frame_equal(run_table(tmp_path / "out"), run_table(tmp_path / "serial"))


def test_a_dead_worker_is_told_apart_from_a_failing_task():
    import concurrent.futures as cf

    from distributed import KilledWorker

    from concertsim.experiment.executors import Executor

    ex = Executor()
    assert ex.lost(cf.process.BrokenProcessPool("a worker died"))
    assert ex.lost(KilledWorker("task", "tcp://worker", None))
    assert not ex.lost(ValueError("the task's own error"))


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_an_unreachable_scheduler_fails_fast_and_touches_nothing(tmp_path: Path, capsys):
    import hashlib
    import time

    from concertsim.cli import main

    exp = ishigami_lhs(tmp_path / "e.toml", n=4, replicates=2)
    address = f"tcp://127.0.0.1:{_closed_port()}"
    new = tmp_path / "new"
    args = ["sweep", str(exp), "--executor", "dask", "--scheduler", address]
    t0 = time.monotonic()
    assert main([*args, "--out", str(new)]) == 2
    assert time.monotonic() - t0 < 15
    err = capsys.readouterr().err
    assert err.startswith(f"concertsim: error: --scheduler: {address}: expected a dask scheduler")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not new.exists()  # checked and connected before the store is made
    old = tmp_path / "old"  # a half-done store is left as it was
    run_sweep(exp, old, executor="serial")
    next((old / "runs").glob("part-*.parquet")).unlink()

    def snapshot() -> dict[str, str]:
        files = sorted(p for p in old.rglob("*") if p.is_file())
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

    before = snapshot()
    assert main([*args, "--out", str(old)]) == 2
    assert snapshot() == before


def test_executors_know_nothing_of_sweeps():
    """No import of the runner, even inside a function (no import cycle)."""
    import ast

    import concertsim.experiment.executors as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = [
        name
        for node in ast.walk(tree)
        for name in (
            [a.name for a in node.names] if isinstance(node, ast.Import)
            else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        )
    ]  # fmt: skip
    assert not [n for n in imported if "runner" in n or "plan" in n or "store" in n]
