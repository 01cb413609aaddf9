"""Speed of the March (1991) kernel against a straightforward batched numpy version.

Runs, in one process:

(a) ``baseline``: a plain batched numpy implementation written here (default integer
    arrays, a numpy ``Generator``, one vectorised pass per period over all runs until
    every run is at equilibrium);
(b) :func:`concertsim.knowledge.march` (int8 state, counter-based streams, a period
    compiled with numba that draws only where a number is needed, runs dropped once at
    equilibrium; numba's import and the kernel's load from its cache happen in a first,
    untimed call),

both at m = 30, n = 50, 2,000 runs to equilibrium, and prints the times and their
ratio; then the kernel's cost per run x person x dimension x period at several sizes,
to show that it grows linearly.

Usage::

    python benchmarks/bench_knowledge.py [--runs 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from concertsim.knowledge import march, new_state, step
from concertsim.streams import Stream

CELLS = ((0.5, 0.5), (0.1, 0.5), (0.9, 0.9))


def baseline(p1: float, p2: float, *, m: int, n: int, runs: int, seed: int) -> np.ndarray:
    """Equilibrium knowledge c.r/m per run, straightforward batched numpy version."""
    rng = np.random.default_rng(seed)
    reality = rng.choice(np.array([-1, 1]), size=(runs, m))
    beliefs = rng.integers(-1, 2, size=(runs, n, m))
    code = np.zeros((runs, m), dtype=np.int64)
    result = np.full(runs, np.nan)
    while np.isnan(result).any():
        coins = rng.choice(np.array([-1, 1]), size=beliefs.shape)
        actions = np.where(beliefs == 0, coins, beliefs)
        performance = (actions * reality[:, None, :]).sum(axis=2)
        code_score = (code * reality).sum(axis=1)
        target = code[:, None, :]
        move = (rng.random(beliefs.shape) < p1) & (target != 0) & (beliefs != target)
        beliefs = beliefs + move * target
        superior = performance > code_score[:, None]
        votes = (actions * superior[:, :, None]).sum(axis=1)
        sign = np.sign(votes)
        change = (sign != 0) & (sign != code)
        change &= rng.random(code.shape) < 1.0 - (1.0 - p2) ** np.abs(votes)
        code = np.where(change, sign, code)
        code_score = (code * reality).sum(axis=1)
        best = (beliefs * reality[:, None, :]).sum(axis=2) + (beliefs == 0).sum(axis=2)
        rest = (best <= code_score[:, None]).all(axis=1)
        rest &= ~((code[:, None, :] != 0) & (beliefs != code[:, None, :])).any(axis=(1, 2))
        newly = rest & np.isnan(result)
        result[newly] = code_score[newly] / m
    return result


def timed(fn, repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` calls, and the last result."""
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def compare(runs: int, repeat: int) -> None:
    """Baseline against kernel on a few Figure-1 cells."""
    t0 = time.perf_counter()
    march(0.5, 0.5, runs=2, seed=1)
    print(
        f"not timed: a first call ({time.perf_counter() - t0:.2f} s), which imports numba "
        "and loads the compiled period from its cache (once a process)"
    )
    print(f"March (1991) to equilibrium, m=30, n=50, {runs} runs (best of {repeat})")
    print(f"{'p1':>4} {'p2':>4} {'baseline s':>11} {'kernel s':>9} {'ratio':>6}  means")
    total_b = total_k = 0.0
    for p1, p2 in CELLS:
        tb, kb = timed(lambda a=p1, b=p2: baseline(a, b, m=30, n=50, runs=runs, seed=1), repeat)
        tk, kk = timed(lambda a=p1, b=p2: march(a, b, runs=runs, seed=1), repeat)
        total_b, total_k = total_b + tb, total_k + tk
        print(
            f"{p1:4} {p2:4} {tb:11.3f} {tk:9.3f} {tb / tk:6.1f}  {kb.mean():.3f} / {kk.mean():.3f}"
        )
    print(
        f"all cells: baseline {total_b:.2f} s, kernel {total_k:.2f} s, "
        f"ratio {total_b / total_k:.1f}x"
    )


def scaling(repeat: int, periods: int = 40) -> None:
    """Cost of ``step`` per run x person x dimension x period at several sizes."""
    print(
        f"\nstep() cost, {periods} periods from a fresh state, p1 = p2 = 0.5 "
        "(ns per run x person x dim x period)"
    )
    for runs, n, m in ((500, 50, 30), (2000, 50, 30), (500, 200, 30), (500, 50, 120)):
        seeds = np.random.SeedSequence(5).spawn(runs)

        def go(seeds=seeds, n=n, m=m) -> None:
            stream = Stream.from_seeds(seeds, "knowledge")
            state = new_state(stream, people=n, groups=1, m=m)
            group = np.zeros(n, dtype=np.intp)
            for _ in range(periods):
                step(state, stream, group=group, p1=0.5, p2=0.5)

        t, _ = timed(go, repeat)
        unit = runs * n * m * periods
        print(f"  runs={runs:5} n={n:4} m={m:4}: {t:7.3f} s, {1e9 * t / unit:6.2f} ns")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    compare(args.runs, args.repeat)
    scaling(args.repeat)


if __name__ == "__main__":
    main()
