"""Cost of the app's twin month against a plain pair of model steps, in one process.

The app's month (:meth:`concertsim.app.session.Session.step`): both twins step, the
account reads the shocked one, and the charts and the structure picture are drawn again
to PNG bytes on the server. The reference is two ``ConcertationModel.step()`` calls and
nothing else. Targets (issue 11):

1. one twin month costs at most 150 ms on this 2-core machine (absolute), and the ratio
   to the plain pair is printed (what the pictures cost on top of the model);
2. 120 months of play at full speed (the page's "max": no pause between months) finish
   within 30 s.

Times are this process's CPU time (other processes on a shared machine stretch the wall
clock unevenly); ``--clock wall`` measures wall time instead.

Usage: python benchmarks/bench_app.py [--months 60] [--clock cpu|wall]
"""

from __future__ import annotations

import argparse
import sys
import time

from concertsim.app.session import Session
from concertsim.model import ConcertationModel
from concertsim.scenario import load_scenario

MONTH_LIMIT = 0.150
PLAY_LIMIT = 30.0
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def plain_pair(months: int, clock) -> float:
    """Seconds per month of two bare model steps."""
    scenario = load_scenario("baseline")
    models = [ConcertationModel(scenario, rng=1) for _ in range(2)]
    t = clock()
    for _ in range(months):
        for model in models:
            model.step()
    return (clock() - t) / months


def twin_months(months: int, clock) -> float:
    """Seconds per month of the app's twin month, shocks included on the way."""
    session = Session("baseline", seed=1, lang="fr")
    t = clock()
    for month in range(months):
        if month == 12:
            session.shock("election")
        if month == 24:
            session.shock("turnover_wave", "regional")
        session.step(1)
    return (clock() - t) / months


def full_play(clock) -> float:
    """Seconds for 120 months of play at full speed, drawing every month (the page draws
    less often at full speed: :data:`concertsim.app.page.FRAME`; this is the bound)."""
    session = Session("baseline", seed=2, lang="en")
    t = clock()
    while not session.twin.finished:
        session.step(1)
    return clock() - t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--clock", choices=CLOCKS, default="cpu")
    args = parser.parse_args(argv)
    clock = CLOCKS[args.clock]
    twin_months(3, clock)  # warm-up: imports, first drawings
    plain = min(plain_pair(args.months, clock) for _ in range(2))
    twin = min(twin_months(args.months, clock) for _ in range(2))
    play = full_play(clock)
    ok_month, ok_play = twin <= MONTH_LIMIT, play <= PLAY_LIMIT
    print(f"plain pair of steps      {plain * 1e3:7.1f} ms / month")
    print(
        f"twin month (app)         {twin * 1e3:7.1f} ms / month  (ratio {twin / plain:.1f}x)"
        f"  target <= {MONTH_LIMIT * 1e3:.0f} ms: {'ok' if ok_month else 'MISSED'}"
    )
    print(
        f"120 months at full speed {play:7.1f} s"
        f"  target <= {PLAY_LIMIT:.0f} s: {'ok' if ok_play else 'MISSED'}"
    )
    return 0 if ok_month and ok_play else 1


if __name__ == "__main__":
    sys.exit(main())
