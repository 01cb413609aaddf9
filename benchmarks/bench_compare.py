"""Cost of ``concertsim compare`` against separate ``concertsim run`` commands, in one process.

The promise (README, "For analysts"): comparing five scenarios with 40 replicates each, report
and figures drawn, costs no more than running the five scenarios one by one with
``concertsim run --replicates 40`` (each writing its series, outcomes, manifest and figure).
Both sides go through :func:`concertsim.cli.main` in this process, on this process's CPU
clock (the machine is shared), after a warm-up that imports everything; the five ``run``
commands are not charged the start of five Python processes, which favours them.

Target: ratio compare / runs <= 1.

Usage: python benchmarks/bench_compare.py [--repeats 2] [--replicates 40]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import tempfile
import time
from pathlib import Path

from concertsim.cli import main

SCENARIOS = ("baseline", "imposed", "austerity", "networking_first", "networking_neglected")


def quiet(argv: list[str]) -> None:
    """Run one command, its printing swallowed; it must succeed."""
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    assert code == 0, argv


def runs(folder: Path, replicates: int) -> None:
    for name in SCENARIOS:
        out = folder / f"run-{name}"
        quiet(["run", name, "--replicates", str(replicates), "--seed", "1", "--out", str(out),
               "--no-progress"])  # fmt: skip
        shutil.rmtree(out)


def compare(folder: Path, replicates: int) -> None:
    out = folder / "compare"
    quiet(["compare", *SCENARIOS, "--replicates", str(replicates), "--seed", "1",
           "--out", str(out), "--lang", "en"])  # fmt: skip
    shutil.rmtree(out)


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def main_bench() -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--replicates", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        runs(folder, 2)  # warm up: imports, fonts, caches
        compare(folder, 2)
        t_runs = best_of(lambda: runs(folder, args.replicates), args.repeats)
        t_compare = best_of(lambda: compare(folder, args.replicates), args.repeats)
    ratio = t_compare / t_runs
    print(f"five `concertsim run` x {args.replicates} replicates: {t_runs:.2f} s CPU")
    print(f"one `concertsim compare` of the five, report drawn: {t_compare:.2f} s CPU")
    verdict = "OK" if ratio <= 1.0 else "SLOWER THAN TARGET"
    print(f"ratio compare / runs: {ratio:.2f} (target <= 1): {verdict}")
    return ratio


if __name__ == "__main__":
    raise SystemExit(0 if main_bench() <= 1.0 else 1)
