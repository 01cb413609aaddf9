"""Check that a speed-up changed no result: bit-identical series and outcomes.

Runs baseline, austerity and high_turnover (20 replicates, seed 1, as ``concertsim
run`` makes them) and a few runs of four other scenarios (several regions, a live
event, a recognition phase) and either saves their series and outcomes (``--save FILE``, on
the reference commit) or compares them exactly with a saved reference
(``--check FILE``, on the changed code). Equal means the same float64 bits
(NaN equal to NaN), the same columns, rows and dtypes.

It also checks batch-size invariance on the changed code: each scenario's last run
alone, and its batch split in two, give the same rows as the whole batch.

Usage:
    git stash / checkout the reference; python benchmarks/identical.py --save /tmp/ref.pkl
    back on the change;                  python benchmarks/identical.py --check /tmp/ref.pkl
"""

from __future__ import annotations

import argparse
import pickle
import sys

import numpy as np
import pandas as pd

from concertsim.scenario import load_scenario
from concertsim.simulate import run_batch, run_scenario
from concertsim.streams import run_seeds

SCENARIOS = {
    "baseline": 20,
    "austerity": 20,
    "high_turnover": 20,
    "province": 3,  # several regions
    "turnover_wave": 6,  # a live event
    "role_recognition": 6,
    "networking_first": 6,
}
"""Scenario -> replicates (seed 1)."""
SEED = 1


def results() -> dict[str, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """Series, outcomes and monthly stability index of every scenario of :data:`SCENARIOS`."""
    out = {}
    for name, replicates in SCENARIOS.items():
        res = run_scenario(load_scenario(name), replicates=replicates, seed=SEED)
        out[name] = (res.series, res.outcomes, pd.DataFrame(res.stability))
    return out


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """The same columns, dtypes and values, bit for bit (NaN equal to NaN)."""
    if list(a.columns) != list(b.columns) or a.shape != b.shape:
        return False
    for col in a.columns:
        x, y = a[col], b[col]
        if x.dtype != y.dtype:
            return False
        if x.dtype.kind == "f":
            xa, ya = x.to_numpy(), y.to_numpy()
            if not np.array_equal(xa.view(np.uint64), ya.view(np.uint64)):
                return False
        elif not x.equals(y):
            return False
    return True


def batch_invariant(name: str, replicates: int) -> bool:
    """A run alone, and the batch in two parts, give the rows of the whole batch."""
    sc = load_scenario(name)
    _, seeds = run_seeds(SEED, replicates)
    full = run_batch(sc, seeds, series=True)
    ok = True
    cut = replicates // 3 + 1
    for part in ([replicates - 1], list(range(cut)), list(range(cut, replicates))):
        sub = run_batch(sc, [seeds[i] for i in part], series=True)
        rows = full.outcomes.iloc[part].reset_index(drop=True)
        ok &= same(rows, sub.outcomes)
        keep = full.series["run"].isin(part)
        ser = full.series[keep].reset_index(drop=True)
        ser["run"] = ser["run"].map({r: i for i, r in enumerate(part)})
        ok &= same(ser, sub.series)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", metavar="FILE")
    group.add_argument("--check", metavar="FILE")
    args = parser.parse_args()
    now = results()
    if args.save:
        with open(args.save, "wb") as f:
            pickle.dump(now, f)
        print(f"saved {', '.join(SCENARIOS)} to {args.save}")
        return 0
    with open(args.check, "rb") as f:
        ref = pickle.load(f)
    failed = 0
    for name, replicates in SCENARIOS.items():
        for part, a, b in zip(
            ("series", "outcomes", "stability"), ref[name], now[name], strict=True
        ):
            ok = same(a, b)
            failed += not ok
            print(f"{name:14s} {part:8s} {'identical' if ok else 'DIFFERENT'}")
        ok = batch_invariant(name, replicates)
        failed += not ok
        print(f"{name:14s} batch    {'invariant' if ok else 'DEPENDS ON THE BATCH'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
