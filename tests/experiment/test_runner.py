"""The sweep: determinism whatever the batching and executor, failures, SIGKILL and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from concertsim.experiment.cli import main
from concertsim.experiment.runner import run_sweep
from concertsim.experiment.store import ResultsStore
from concertsim.streams import run_seeds

from .helpers import cli, cli_command, cli_env, ishigami_lhs, run_table


def _ishigami(table: pd.DataFrame) -> np.ndarray:
    x1, x2, x3 = (table[c].to_numpy() for c in ("x1", "x2", "x3"))
    return np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)


def test_run_table_is_complete_and_records_seeds(tmp_path: Path, lhs_file: Path):
    run_sweep(lhs_file, tmp_path / "out", executor="serial")
    table = run_table(tmp_path / "out")
    assert table["run_id"].tolist() == list(range(60))
    assert (table["point"] == table["run_id"] // 3).all()
    assert (table["replicate"] == table["run_id"] % 3).all()
    assert (table["seed_entropy"] == "11").all()
    assert table["seed_spawn_key"].tolist() == [str(r) for r in table["replicate"]]
    assert (table["status"] == "ok").all() and (table["error"] == "").all()
    manifest = ResultsStore.open(tmp_path / "out").manifest
    assert manifest["status"] == "complete" and manifest["seed_entropy"] == "11"
    assert manifest["salib_problem"]["names"] == ["x1", "x2", "x3"]
    assert len(ResultsStore.open(tmp_path / "out").read_design()) == 20
    _, seeds = run_seeds(11, 3)  # the seeds `concertsim run` gives its replicates
    assert [s.spawn_key for s in seeds] == [(0,), (1,), (2,)]
    assert {"SALib", "numpy", "concertsim"} <= set(manifest["versions"])


def test_common_random_numbers_across_points(tmp_path: Path, lhs_file: Path):
    run_sweep(lhs_file, tmp_path / "out", executor="serial")
    table = run_table(tmp_path / "out")
    table["noise"] = table["y"] - _ishigami(table)
    per_replicate = table.groupby("replicate")["noise"]
    assert (per_replicate.max() - per_replicate.min()).max() < 1e-9  # same draw at every point
    assert per_replicate.mean().nunique() == 3  # different draws across replicates


def test_same_table_whatever_batch_size_and_workers(tmp_path: Path):
    serial = ishigami_lhs(tmp_path / "a.toml", batch_size=1)
    pooled = ishigami_lhs(tmp_path / "b.toml", batch_size=16)
    run_sweep(serial, tmp_path / "a", executor="serial")
    run_sweep(pooled, tmp_path / "b", executor="local", workers=2)
    pd.testing.assert_frame_equal(run_table(tmp_path / "a"), run_table(tmp_path / "b"))


def test_failing_runs_are_recorded_and_the_rest_completes(tmp_path: Path):
    good = ishigami_lhs(tmp_path / "good.toml", batch_size=3)  # some tasks fail entirely
    bad = ishigami_lhs(tmp_path / "bad.toml", batch_size=3, fail_above=1.5)
    run_sweep(good, tmp_path / "good", executor="serial")
    report = run_sweep(bad, tmp_path / "bad", executor="local", workers=2)
    ok, failed = run_table(tmp_path / "good"), run_table(tmp_path / "bad")
    should_fail = ok["x1"] > 1.5
    assert 0 < should_fail.sum() < len(ok)
    assert report.failed == should_fail.sum() and report.ran == len(ok)
    assert (failed["status"] == np.where(should_fail, "error", "ok")).all()
    assert failed.loc[should_fail, "error"].str.startswith("ValueError: x1 = ").all()
    assert failed.loc[should_fail, "y"].isna().all()
    # runs that share a batch with a failing run are retried alone and give the same numbers
    np.testing.assert_array_equal(failed.loc[~should_fail, "y"], ok.loc[~should_fail, "y"])
    # every part has the same columns: any Parquet reader takes the directory as one table
    direct = pd.read_parquet(tmp_path / "bad" / "runs").sort_values("run_id", ignore_index=True)
    pd.testing.assert_frame_equal(direct, failed, check_dtype=False)


@pytest.mark.slow
@pytest.mark.parametrize("batch_size", [1, 9])
def test_a_run_that_kills_its_worker_is_recorded_and_the_sweep_goes_on(
    tmp_path: Path, batch_size: int
):
    kw = {"n": 12, "replicates": 2, "batch_size": batch_size}
    raising = ishigami_lhs(tmp_path / "raise.toml", fail_above=1.5, **kw)
    exiting = ishigami_lhs(tmp_path / "exit.toml", exit_above=1.5, **kw)
    run_sweep(raising, tmp_path / "raise", executor="serial")
    report = run_sweep(exiting, tmp_path / "exit", executor="local", workers=2)
    expected, table = run_table(tmp_path / "raise"), run_table(tmp_path / "exit")
    should_fail = expected["x1"] > 1.5
    assert 0 < should_fail.sum() < len(expected)
    assert report.failed == should_fail.sum() and report.ran == len(expected) and not report.lost
    assert (table["status"] == np.where(should_fail, "error", "ok")).all()
    assert table.loc[should_fail, "error"].str.startswith("worker died running this run").all()
    cols = [c for c in table.columns if c != "error"]
    pd.testing.assert_frame_equal(table[cols], expected[cols])
    assert ResultsStore.open(tmp_path / "exit").manifest["status"] == "complete"


def test_other_experiment_on_a_store_is_refused(tmp_path: Path, lhs_file: Path, capsys):
    run_sweep(lhs_file, tmp_path / "out", executor="serial")
    other = ishigami_lhs(tmp_path / "other.toml", noise=0.9)
    assert main(["sweep", str(other), "--out", str(tmp_path / "out"), "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert "holds the results of another experiment" in err and err.count("\n") == 1
    # the same experiment again: nothing to do, nothing duplicated
    assert main(["sweep", str(lhs_file), "--out", str(tmp_path / "out"), "--resume"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert len(run_table(tmp_path / "out")) == 60


def test_the_hash_covers_only_what_determines_results(tmp_path: Path, capsys):
    exp = ishigami_lhs(tmp_path / "e.toml", n=6, replicates=2)
    run_sweep(exp, tmp_path / "out", executor="serial")
    first = ResultsStore.open(tmp_path / "out").manifest
    exp.write_text(
        exp.read_text()
        .replace('name = "ishigami-lhs"', 'name = "renamed"\ndescription = "new words"')
        .replace("batch_size = 7", "batch_size = 3")
        .replace('outcomes = ["y"]', "outcomes = []")
        + "[analysis]\nbootstrap = 50\n"
    )
    assert main(["sweep", str(exp), "--out", str(tmp_path / "out"), "--workers", "0"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    manifest = ResultsStore.open(tmp_path / "out").manifest
    assert manifest["experiment_hash"] == first["experiment_hash"]
    assert manifest["experiment"]["experiment"]["name"] == "renamed"  # follows the file
    assert manifest["experiment"]["analysis"]["bootstrap"] == 50
    changes = [("replicates = 2", "replicates = 3"), ("n = 6", "n = 7"), ("seed = 11", "seed = 9")]
    for old, new in changes:
        other = tmp_path / "other.toml"
        other.write_text(exp.read_text().replace(old, new))
        assert main(["sweep", str(other), "--out", str(tmp_path / "out"), "--workers", "0"]) == 2
        assert "holds the results of another experiment" in capsys.readouterr().err


def test_resume_needs_a_store_and_out_must_be_free(tmp_path: Path, lhs_file: Path, capsys):
    assert main(["sweep", str(lhs_file), "--out", str(tmp_path / "none"), "--resume"]) == 2
    assert "no manifest.json" in capsys.readouterr().err
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x.txt").write_text("x")
    assert main(["sweep", str(lhs_file), "--out", str(busy)]) == 2
    assert "non-empty directory" in capsys.readouterr().err


def _start_sweep(experiment: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        cli_command("sweep", str(experiment), "--out", str(out), "--workers", "2", "--quiet"),
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # a shell's background job (`make test &`, nohup) ignores SIGINT and its children
        # inherit that: give the sweep the disposition of a terminal's foreground command
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_parts(out: Path, count: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list((out / "runs").glob("part-*.parquet"))) >= count:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError("the sweep wrote no parts in time")


SLOW = 0.05
"""Seconds per run of the sweeps interrupted below: long enough (about 3 s a sweep on two
workers) that the signal reaches a sweep still running, however fast the machine."""


@pytest.mark.slow
def test_sigkill_mid_sweep_then_resume_equals_uninterrupted(tmp_path: Path):
    slow = ishigami_lhs(tmp_path / "slow.toml", n=40, replicates=3, batch_size=4, delay=SLOW)
    proc = _start_sweep(slow, tmp_path / "killed")
    _wait_for_parts(tmp_path / "killed", 3, proc)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, no chance to clean up
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    partial = run_table(tmp_path / "killed")
    assert 0 < len(partial) < 120
    resumed = cli("sweep", str(slow), "--out", str(tmp_path / "killed"), "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming {tmp_path / 'killed'}: {len(partial)} of 120" in resumed.stderr
    run_sweep(slow, tmp_path / "whole", executor="serial")
    table = run_table(tmp_path / "killed")
    assert not table["run_id"].duplicated().any()
    pd.testing.assert_frame_equal(table, run_table(tmp_path / "whole"))


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_cleanly_and_keeps_finished_parts(tmp_path: Path, signum: int):
    slow = ishigami_lhs(tmp_path / "slow.toml", n=40, replicates=3, batch_size=4, delay=SLOW)
    proc = _start_sweep(slow, tmp_path / "out")
    _wait_for_parts(tmp_path / "out", 2, proc)
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signum)  # Ctrl-C reaches the whole process group
    else:
        os.kill(proc.pid, signum)  # a batch system's walltime, or kill PID
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "run the same command again to resume" in err
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    done = len(run_table(tmp_path / "out"))
    assert 0 < done < 120
    run_sweep(slow, tmp_path / "out", executor="local", workers=2)
    assert run_table(tmp_path / "out")["run_id"].tolist() == list(range(120))


@pytest.mark.parametrize("series", [False, True])
def test_concertation_end_to_end(tmp_path: Path, series: bool):
    path = tmp_path / "c.toml"
    path.write_text(
        f"""
[experiment]
model = "concertation"
scenario = "baseline"
months = 6
replicates = 2
seed = 5
batch_size = 4
series = {str(series).lower()}
[design]
kind = "lhs"
n = 3
[parameters]
"turnover.local_annual" = {{ bounds = [0.05, 0.6] }}
"structure.local_committees" = {{ bounds = [4, 9] }}
"""
    )
    run_sweep(path, tmp_path / "a", executor="serial")
    table = run_table(tmp_path / "a")
    assert len(table) == 6 and (table["status"] == "ok").all(), table["error"].tolist()
    assert "survived" in table and table["survived"].between(0, 1).all()
    assert (table["structure.local_committees"] % 1 == 0).all()  # integers rounded
    store = ResultsStore.open(tmp_path / "a")
    assert store.manifest["base_scenario"]["name"] == "baseline"
    if series:
        s = store.read_series()
        assert set(s["run_id"]) == set(range(6)) and s["month"].max() in (5, 6)
        assert list(s.columns) == ["run_id", "month", "level", "variable", "value"]


@pytest.mark.slow
def test_concertation_bit_identical_whatever_batch_size_and_workers(tmp_path: Path):
    """The model's array batching: runs stepped together equal runs stepped alone."""
    text = """
[experiment]
model = "concertation"
scenario = "baseline"
months = 4
replicates = 3
seed = 8
batch_size = {batch}
[design]
kind = "lhs"
n = 8
[parameters]
"turnover.local_annual" = {{ bounds = [0.05, 0.6] }}
"credibility.decay" = {{ bounds = [0.01, 0.1] }}
"""
    (tmp_path / "one.toml").write_text(text.format(batch=1))
    (tmp_path / "all.toml").write_text(text.format(batch=12))
    run_sweep(tmp_path / "one.toml", tmp_path / "one", executor="serial")
    run_sweep(tmp_path / "all.toml", tmp_path / "all", executor="local", workers=2)
    one, batched = run_table(tmp_path / "one"), run_table(tmp_path / "all")
    assert (one["status"] == "ok").all() and len(one) == 24  # two tasks of 12 in parallel
    assert one["replicate"].nunique() == 3 and one.filter(like="survived").shape[1] >= 1
    pd.testing.assert_frame_equal(one, batched, check_exact=True)


@pytest.mark.slow
def test_resume_from_another_working_directory(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_text(
        """
[experiment]
model = "concertation"
scenario = "baseline"
months = 3
seed = 5
[design]
kind = "lhs"
n = 2
[parameters]
"turnover.local_annual" = { bounds = [0.05, 0.6] }
"""
    )
    run_sweep(path, tmp_path / "out", executor="serial")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = cli("sweep", "../c.toml", "--out", "../out", "--resume", cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert "nothing to do" in proc.stdout


def test_fresh_entropy_is_recorded_and_reused_on_resume(tmp_path: Path, capsys):
    exp = ishigami_lhs(tmp_path / "e.toml", n=4, replicates=2)
    exp.write_text(exp.read_text().replace("seed = 11\n", ""))
    run_sweep(exp, tmp_path / "out", executor="serial")
    table = run_table(tmp_path / "out")
    entropy = ResultsStore.open(tmp_path / "out").manifest["seed_entropy"]
    assert int(entropy) > 2**64 and (table["seed_entropy"] == entropy).all()
    assert main(["sweep", str(exp), "--out", str(tmp_path / "out"), "--workers", "0"]) == 0
    assert "nothing to do" in capsys.readouterr().out


@pytest.mark.slow
def test_progress_bar_with_rate_and_eta_on_a_terminal(tmp_path: Path):
    import pty

    exp = ishigami_lhs(tmp_path / "e.toml", n=30, replicates=2, batch_size=6, delay=0.01)
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        cli_command("sweep", str(exp), "--out", str(tmp_path / "out"), "--workers", "0"),
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        chunks.append(data.decode())
    proc.wait(timeout=60)
    os.close(leader)
    shown = "".join(chunks)
    assert proc.returncode == 0
    assert "60/60 runs" in shown and "runs/s" in shown and "ETA" in shown and "[####" in shown


@pytest.mark.parametrize("batch_size", [1, 5, 13, 60])
def test_bit_identical_whatever_the_batch_size(tmp_path: Path, batch_size: int):
    reference = ishigami_lhs(tmp_path / "ref.toml", batch_size=60)
    other = ishigami_lhs(tmp_path / "other.toml", batch_size=batch_size)
    run_sweep(reference, tmp_path / "ref", executor="serial")
    run_sweep(other, tmp_path / "other", executor="serial")
    a, b = run_table(tmp_path / "ref"), run_table(tmp_path / "other")
    assert a["y"].to_numpy().tobytes() == b["y"].to_numpy().tobytes()
