"""Sweep benchmark on the baseline scenario: scaling, batching gain, memory.

Prints:

1. runs per second of a sweep with 1 and 2 local workers, and the speed-up (target >= 1.8x
   on a 2-core machine);
   the machine's own ceiling is measured too (two busy processes against one): on a VM whose
   two vCPUs share one core's worth of time, no code can go faster than that ceiling;
2. the cost of one run inside a sweep (1 worker) against one ``run_scenario`` call of the
   same scenario in one process (target <= 0.1x, thanks to array batching in ``run_batch``);
3. the peak memory (RSS) of a sweep of 1,000 and of 10,000 runs, short horizon, measured on
   the sweep process and on the sweep with its workers (target: flat in the number of runs).

Run: ``python benchmarks/bench_sweep.py`` (under a minute on 2 cores; ``--quick`` for a
smaller version).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from concertsim.experiment.executors import open_executor
from concertsim.experiment.runner import TASK_MODULE, run_sweep
from concertsim.scenario import load_scenario
from concertsim.simulate import run_scenario

EXPERIMENT = """
[experiment]
name = "bench"
model = "concertation"
scenario = "baseline"
months = {months}
replicates = {replicates}
seed = 1
batch_size = {batch}

[design]
kind = "lhs"
n = {points}

[parameters]
"turnover.local_annual" = {{ bounds = [0.05, 0.5] }}
"credibility.spillover" = {{ bounds = [0.02, 0.2] }}
"""


def _experiment(folder: Path, *, points: int, replicates: int, months: int, batch: int) -> Path:
    path = folder / f"bench-{points}x{replicates}-{months}-{batch}.toml"
    path.write_text(
        EXPERIMENT.format(points=points, replicates=replicates, months=months, batch=batch)
    )
    return path


def _warm(seconds: float) -> int:
    """A task that keeps its worker busy a moment, after the worker has imported the model."""
    import concertsim.simulate  # noqa: F401

    time.sleep(seconds)
    return os.getpid()


def _sweep_rate(folder: Path, experiment: Path, workers: int) -> tuple[float, float, float]:
    """Runs per second and seconds per run of a sweep on started workers; start-up seconds."""
    out = folder / f"out-{experiment.stem}-{workers}"
    t0 = time.perf_counter()
    with open_executor("local", workers, preload=(TASK_MODULE,)) as ex:  # as a sweep does
        pids = {f.result() for f in [ex.submit(_warm, 0.3) for _ in range(workers)]}
        assert len(pids) == workers
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        report = run_sweep(experiment, out, executor=ex, progress=False)
        seconds = time.perf_counter() - t1
    return report.ran / seconds, seconds / report.ran, startup


def _busy(n: int) -> int:
    """Pure CPU work, no memory traffic."""
    total = 0
    for i in range(n):
        total += i
    return total


def _machine_capacity(work: int = 3_000_000) -> float:
    """How much faster 2 processes do 2 units of CPU work than 1 process: the ceiling."""
    with open_executor("local", 2, preload=(TASK_MODULE,)) as ex:
        [f.result() for f in [ex.submit(_warm, 0.2) for _ in range(2)]]
        t0 = time.perf_counter()
        [f.result() for f in [ex.submit(_busy, work) for _ in range(2)]]
        parallel = time.perf_counter() - t0
    t0 = time.perf_counter()
    _busy(work)
    _busy(work)
    serial = time.perf_counter() - t0
    return serial / parallel


def _single_run_seconds(repeats: int) -> float:
    """Seconds of one ``run_scenario`` call of the baseline (1 replicate), best of a few."""
    scenario = load_scenario("baseline")
    run_scenario(scenario, replicates=1, seed=0)  # warm up imports and caches
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        run_scenario(scenario, replicates=1, seed=i)
        times.append(time.perf_counter() - t0)
    return min(times)


def _peak_rss(folder: Path, experiment: Path, workers: int) -> tuple[float, float, float]:
    """Peak RSS (MiB) of the sweep process and of the process tree; seconds taken."""
    out = folder / f"mem-{experiment.stem}"
    cmd = [sys.executable, "-m", "concertsim.experiment", "sweep", str(experiment),
           "--out", str(out), "--workers", str(workers), "--quiet"]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    main = psutil.Process(proc.pid)
    peak_main = peak_tree = 0
    stop = threading.Event()

    def poll() -> None:
        nonlocal peak_main, peak_tree
        while not stop.is_set():
            try:
                rss_main = main.memory_info().rss
                tree = rss_main
                for child in main.children(recursive=True):
                    try:
                        tree += child.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            peak_main, peak_tree = max(peak_main, rss_main), max(peak_tree, tree)
            time.sleep(0.05)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    proc.wait()
    stop.set()
    thread.join()
    if proc.returncode:
        raise SystemExit(f"sweep failed ({proc.returncode})")
    return peak_main / 2**20, peak_tree / 2**20, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sweeps")
    args = parser.parse_args()
    scale = 2 if args.quick else 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("concertsim sweep benchmark (baseline scenario)")
        points = 256 // scale
        exp = _experiment(folder, points=points, replicates=8, months=120, batch=128)
        rate1, per_run1, start1 = _sweep_rate(folder, exp, 1)
        rate2, _, start2 = _sweep_rate(folder, exp, 2)
        print(f"\n1. scaling, {points * 8} runs of 120 months, batches of 128, workers started:")
        print(f"   1 worker : {rate1:8.1f} runs/s   (pool start-up {start1:.1f} s, not counted)")
        print(f"   2 workers: {rate2:8.1f} runs/s   (pool start-up {start2:.1f} s, not counted)")
        capacity = _machine_capacity()
        print(f"   speed-up {rate2 / rate1:.2f}x (target >= 1.8x)")
        print(f"   this machine's ceiling: {capacity:.2f}x (2 processes of pure CPU work vs 1);")
        print(f"   parallel efficiency of the sweep {rate2 / rate1 / capacity:.0%} of that ceiling")
        single = _single_run_seconds(3)
        print("\n2. cost of a run (120 months):")
        print(f"   single run_scenario call: {single * 1000:8.1f} ms")
        print(f"   inside a sweep (1 worker): {per_run1 * 1000:7.1f} ms")
        print(f"   ratio {per_run1 / single:.3f} (target <= 0.1)")
        print("\n3. peak memory, 12-month runs, 2 workers, batches of 100:")
        for runs in (1_000, 10_000):
            exp = _experiment(
                folder, points=runs // 10 // scale, replicates=10, months=12, batch=100
            )
            main_mib, tree_mib, seconds = _peak_rss(folder, exp, 2)
            print(
                f"   {runs // scale:6d} runs: sweep process {main_mib:6.1f} MiB, with workers "
                f"{tree_mib:6.1f} MiB  ({seconds:.0f} s)"
            )


if __name__ == "__main__":
    main()
