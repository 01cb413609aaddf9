"""The store lock: in hundreds of races between processes, never two holders."""

from __future__ import annotations

import multiprocessing
import tempfile
from pathlib import Path

import pytest

from concertsim.experiment.store import StoreBusyError, StoreLock

TRIALS = 300
RACERS = 4


def _racer(root: str, trials: int, start, tried, results) -> None:
    """Each trial: wait for the others, try the lock, hold it until all have tried."""
    for trial in range(trials):
        start.wait()
        lock = StoreLock(Path(root) / str(trial))
        try:
            lock.acquire()
        except StoreBusyError:
            got = False
        else:
            got = True
        tried.wait()  # nobody releases before everybody has tried
        lock.release()
        results.put((trial, got))


@pytest.mark.slow
def test_never_two_holders_in_300_races():
    ctx = multiprocessing.get_context("fork")
    root = tempfile.mkdtemp()
    for trial in range(TRIALS):
        (Path(root) / str(trial)).mkdir()
    start, tried, results = ctx.Barrier(RACERS), ctx.Barrier(RACERS), ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(root, TRIALS, start, tried, results))
             for _ in range(RACERS)]  # fmt: skip
    for p in procs:
        p.start()
    holders = [0] * TRIALS
    for _ in range(TRIALS * RACERS):
        trial, got = results.get(timeout=60)
        holders[trial] += got
    for p in procs:
        p.join(timeout=30)
    assert holders == [1] * TRIALS  # exactly one holder in every race, never two, never none


def test_a_killed_holder_releases_at_once(tmp_path: Path):
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()

    def hold() -> None:
        StoreLock(tmp_path).acquire()
        ready.set()
        import time

        time.sleep(60)

    proc = ctx.Process(target=hold)
    proc.start()
    assert ready.wait(30)
    with pytest.raises(StoreBusyError, match=rf"held by [^ ]+:{proc.pid}\)"):
        StoreLock(tmp_path).acquire()
    proc.kill()
    proc.join()
    with StoreLock(tmp_path) as lock:  # no stale lock to clear by hand
        assert lock.held
