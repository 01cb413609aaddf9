"""Cost of a concertsim run against Mesa's own BoltzmannWealth example, in one process.

Prints a profile excerpt and two ratios (the machine is noisy, so only ratios measured
side by side count: the two sides of a ratio are timed in turn, repeat after repeat,
and each keeps its best time):

0. a cProfile of one ``concertsim run`` batch (20 replicates of the baseline): the
   hottest functions, and how many times a month the tie liveness check
   (``networking.valid_ties``) runs. Target: at most once a month.
1. a baseline run (120 months) against BoltzmannWealth with as many agents as the
   baseline has people, for as many steps. Target: ratio <= 0.5, though concertsim
   does far more per person (turnover, ties, March learning, roles, credibility...).
   Two figures: a run as ``concertsim run`` makes it (its replicates stepped as one
   array program, cost divided by the replicates), and one interactive run alone
   (the Mesa model, B = 1, which pays numpy's per-call overhead alone).
2. the 17-region province against the one-region baseline. Target: <= 20x
   (cost linear in people x months; the province has ~15x the people).

Usage: python benchmarks/bench_model.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
import warnings
from pathlib import Path

from concertsim.layout import Layout
from concertsim.model import ConcertationModel
from concertsim.scenario import load_scenario
from concertsim.simulate import run_scenario

REPLICATES = 20
"""Replicates of ``make run``."""

ROOT = Path(__file__).resolve().parents[1]


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
"""``--clock``: this process's CPU time (the default: on a shared machine other
processes stretch the wall clock of the two sides of a ratio unevenly), or wall time."""

clock = CLOCKS["cpu"]


def best_of(fn, repeats: int) -> float:
    """Best time of ``repeats`` calls on :data:`clock` (the least disturbed)."""
    return best_of_each([fn], repeats)[0]


def best_of_each(fns, repeats: int) -> list[float]:
    """Best time of each of ``fns`` over ``repeats`` rounds that call them in turn.

    Interleaved, so a burst of load on the shared machine stretches both sides of a
    ratio rather than one of them.
    """
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, out in zip(fns, times, strict=True):
            t = clock()
            fn()
            out.append(clock() - t)
    return [min(t) for t in times]


def concertation(scenario, seed: int = 1) -> None:
    model = ConcertationModel(scenario, rng=seed)
    for _ in range(scenario.horizon):
        model.step()


def boltzmann(agents: int, steps: int, seed: int = 1) -> None:
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannWealth

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BoltzmannWealth(n=agents, width=10, height=10, seed=seed)
    for _ in range(steps):
        model.step()


def profile_batch(scenario, replicates: int = REPLICATES, top: int = 12) -> None:
    """Print the hottest functions of one batch and the tie checks per month."""
    t = time.perf_counter()
    run_scenario(scenario, replicates=replicates, seed=1)  # warm caches and imports
    print(
        f"excluded from every timing below: a first batch ({time.perf_counter() - t:.2f} s "
        "wall), which imports numba and loads the compiled knowledge kernel from its cache "
        "(once a process; compiling it, once a machine, takes a few seconds more)"
    )
    prof = cProfile.Profile()
    prof.enable()
    run_scenario(scenario, replicates=replicates, seed=1)
    prof.disable()
    checks = {"decay": 0, "other": 0}  # calls of networking.valid_ties, by caller
    for (_, _, name), (*_, callers) in pstats.Stats(prof).stats.items():
        if name == "valid_ties":
            for (_, _, caller), (calls, *_) in callers.items():
                checks["decay" if caller == "decay" else "other"] += calls
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    months = scenario.horizon
    print(f"profile of one batch ({replicates} replicates x {months} months), by own time:")
    for line in lines[start : start + top + 1]:
        print("  " + line.replace(str(ROOT), "").strip()[:110])
    print(
        f"networking.valid_ties: {checks['decay'] / months:.2f} a month (target <= 1), "
        f"+ {checks['other']} outside the months (ties_end in the outcomes table)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu")
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    print(f"clock: {args.clock} time")
    baseline, province = load_scenario("baseline"), load_scenario("province")
    people = Layout.from_structure(baseline.structure).people
    people_p = Layout.from_structure(province.structure).people
    months = baseline.horizon
    profile_batch(baseline)
    t_base, t_batch, t_boltz = best_of_each(
        [
            lambda: concertation(baseline),
            lambda: run_scenario(baseline, replicates=REPLICATES, seed=1),
            lambda: boltzmann(people, months),
        ],
        args.repeats,
    )
    t_run = t_batch / REPLICATES
    t_prov = best_of(lambda: concertation(province), max(1, args.repeats // 2))
    print(f"BoltzmannWealth: {people} agents x {months} steps: {t_boltz * 1e3:8.1f} ms")
    print(f"baseline run in `concertsim run` ({REPLICATES} replicates): {t_run * 1e3:8.1f} ms/run")
    print(f"  ratio baseline run / BoltzmannWealth = {t_run / t_boltz:.2f}  (target <= 0.5)")
    print(f"baseline interactive run alone (Mesa model): {t_base * 1e3:8.1f} ms")
    print(f"  ratio interactive run / BoltzmannWealth = {t_base / t_boltz:.2f}")
    print(f"province: {people_p} people x {province.horizon} months: {t_prov * 1e3:8.1f} ms")
    print(
        f"  ratio province / baseline = {t_prov / t_base:.1f}  (target <= 20; "
        f"people ratio {people_p / people:.1f})"
    )
    per_pm = [
        t / (n * m) * 1e6 for t, n, m in ((t_base, people, months), (t_prov, people_p, months))
    ]
    print(f"  cost per person-month: baseline {per_pm[0]:.2f} us, province {per_pm[1]:.2f} us")


if __name__ == "__main__":
    main()
