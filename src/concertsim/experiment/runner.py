"""The sweep: experiment file -> design -> tasks -> executor -> results store.

Planning (design, seeds, manifest, tasks) is :mod:`concertsim.experiment.plan`; runs are
numbered ``run_id = point * replicates + replicate`` and seeded with
:func:`concertsim.streams.run_seeds` (common random numbers across points). The seed of every
run is recorded in the run table.

Missing runs are cut into tasks of ``batch_size`` runs; a task is one ``run_batch`` call in
a worker, so dispatch overhead is paid once per task, not once per run. At most a few tasks
per worker are in flight; each finished task becomes one part file of the store, so memory
stays bounded whatever the size of the sweep. A task's runs and series are committed together
(:meth:`ResultsStore.write_part`), so a sweep killed anywhere resumes without a duplicate.
A task that raises is retried run by run, and only the runs that raise on their own are
recorded as failed (status ``"error"`` and the error message); the sweep goes on. A run that
takes its worker process down (a segfault, ``os._exit``, the out-of-memory killer) breaks a
process pool with every task in flight: the pool is restarted and those tasks are rerun one
run at a time, so only the runs that kill a worker on their own are recorded as failed. A
task the executor loses for other reasons (a dropped connection) writes nothing: running the
same command again retries it. Results are a pure function of (experiment, run id): the
executor, the number of workers and the batch size change nothing, bit for bit.

Example:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "e.toml").write_text('''
    ... [experiment]
    ... model = "ishigami"
    ... seed = 1
    ... replicates = 2
    ... [design]
    ... kind = "lhs"
    ... n = 3
    ... [parameters]
    ... x1 = { bounds = [-3.14, 3.14] }
    ... ''')
    >>> report = run_sweep(d / "e.toml", d / "out", executor="serial")
    >>> report.total, report.ran, report.failed
    (6, 6, 0)
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from concertsim.errors import InputError, verbatim
from concertsim.experiment.executors import Executor, open_executor, preflight
from concertsim.experiment.models import ModelContext
from concertsim.experiment.plan import SweepPlan, Task, check_out, open_store, plan_sweep
from concertsim.experiment.spec import Experiment, load_experiment
from concertsim.experiment.store import ResultsStore, StoreLock
from concertsim.progress import Progress
from concertsim.streams import run_seeds

__all__ = [
    "SweepReport",
    "SweepInterruptedError",
    "plan_sweep",
    "run_task",
    "run_sweep",
]

TASK_MODULE = __name__
"""The module workers import at start: it holds :func:`run_task`."""

_ERROR_CHARS = 500
"""Longest error message kept in the run table."""

_WORKER_DIED = "worker died running this run (a crash, os._exit or out of memory?): "
"""Start of the error recorded for a run that takes its worker process down."""


class SweepInterruptedError(Exception):
    """Ctrl-C: the sweep stopped; finished parts are kept and the sweep can be resumed."""


def _run_table(task: Task, outcomes: pd.DataFrame | None, errors: Sequence[str]) -> pd.DataFrame:
    n = len(task.run_ids)
    columns: dict[str, object] = {
        "run_id": task.run_ids.astype(np.int64),
        "point": task.points.astype(np.int64),
        "replicate": task.replicates.astype(np.int64),
    }
    if task.scenarios is not None:  # the scenario factor: its name, beside point and replicate
        columns["scenario"] = task.scenario_names
    columns |= {
        "seed_entropy": [str(task.entropy)] * n,
        "seed_spawn_key": [str(int(r)) for r in task.replicates],
    }
    for j, name in enumerate(task.columns):
        columns[name] = task.values[:, j].astype(np.float64)
    names = list(task.context.outcomes)  # the same columns in every part, failures included
    if outcomes is not None:
        names += [c for c in outcomes.columns if c not in names]
    for name in names:
        if outcomes is not None and name in outcomes:
            col = pd.to_numeric(outcomes[name], errors="coerce")
            columns[name] = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            columns[name] = np.full(n, np.nan)
    columns["status"] = ["error" if e else "ok" for e in errors]
    columns["error"] = list(errors)
    table = pd.DataFrame(columns)  # built at once: wide designs do not fragment it
    return table


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text[:_ERROR_CHARS]


def _with_run_ids(
    task: Task, series: pd.DataFrame | None, rows: Sequence[int]
) -> pd.DataFrame | None:
    """The model's series with its batch-local ``run`` column replaced by run ids."""
    if series is None:
        return None
    series = series.copy()
    series.insert(0, "run_id", task.run_ids[np.asarray(rows)][series.pop("run").to_numpy()])
    return series


def run_task(task: Task) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run every run of a task in one batch; if the batch raises, run them one by one.

    With ``[scenarios]``, one batch per scenario of the task, each on its own base scenario
    (the same seeds: replicate ``r`` of each scenario has replicate ``r``'s streams).

    Returns:
        The task's rows of the run table and its tidy series (or ``None``).
    """
    if task.scenarios is None:
        return _run_batch(task, task.context)
    tables, series = [], []
    for sub in task.by_scenario():
        table, ser = _run_batch(sub, task.context.for_scenario(int(sub.scenarios[0])))
        tables.append(table)
        if ser is not None:
            series.append(ser)
    table = pd.concat(tables, ignore_index=True).sort_values("run_id", kind="stable")
    joined = pd.concat(series, ignore_index=True) if series else None
    if joined is not None:
        joined = joined.sort_values(["run_id", "month"], kind="stable", ignore_index=True)
    return table.reset_index(drop=True), joined


def _run_batch(task: Task, context: ModelContext) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The runs of a task on one base scenario (``context``), as one batch if it can."""
    model = task.model
    _, by_replicate = run_seeds(task.entropy, int(task.replicates.max()) + 1)
    seeds = [by_replicate[r] for r in task.replicates]
    overrides = [task.overrides(i) for i in range(len(seeds))]
    try:
        outcomes, series = model.run_batch(context, seeds, overrides, task.months, task.series)
    except Exception:  # noqa: BLE001 - find which runs fail on their own
        return _run_one_by_one(task, context, seeds, overrides)
    table = _run_table(task, outcomes.reset_index(drop=True), [""] * len(seeds))
    return table, _with_run_ids(task, series, range(len(seeds)))


def _run_one_by_one(
    task: Task,
    context: ModelContext,
    seeds: Sequence[np.random.SeedSequence],
    overrides: Sequence[dict[str, float]],
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Each run alone: the runs that raise are recorded as failed, the others as usual."""
    model = task.model
    frames, series_frames, errors = [], [], []
    for i, (seed, override) in enumerate(zip(seeds, overrides, strict=True)):
        try:
            out, ser = model.run_batch(context, [seed], [override], task.months, task.series)
        except Exception as exc:  # noqa: BLE001 - recorded in the run table
            frames.append(pd.DataFrame(index=[0]))
            errors.append(_error_text(exc))
            continue
        frames.append(out.reset_index(drop=True))
        errors.append("")
        if ser is not None:
            series_frames.append(_with_run_ids(task, ser, [i]))
    outcomes = pd.concat(frames, ignore_index=True)
    series = pd.concat(series_frames, ignore_index=True) if series_frames else None
    return _run_table(task, outcomes, errors), series


# --------------------------------------------------------------------------- running


@dataclass
class SweepReport:
    """What a sweep did.

    Attributes:
        out: the store directory.
        total: runs in the experiment.
        done_before: runs already in the store when the sweep started.
        ran: runs executed now.
        failed: runs executed now that raised (or took their worker down).
        lost: runs not recorded because the executor lost them (not the runs' fault);
            running the same command again retries them.
        seconds: wall time of the execution phase.
        executor: description of the backend.
    """

    out: Path
    total: int
    done_before: int
    ran: int = 0
    failed: int = 0
    lost: int = 0
    seconds: float = 0.0
    executor: str = ""

    @property
    def rate(self) -> float:
        """Runs per second in this sweep."""
        return self.ran / self.seconds if self.seconds > 0 else float("nan")


def _execute(
    plan: SweepPlan,
    store: ResultsStore,
    executor: Executor,
    report: SweepReport,
    progress: Progress,
    missing: np.ndarray,
) -> None:
    tasks = plan.tasks(missing)
    in_flight: dict[cf.Future, Task] = {}
    exhausted = False
    while True:
        lost: list[tuple[Task, BaseException]] = []
        limit = max(2, 2 * executor.workers)  # a cluster may grow while the sweep runs
        while not exhausted and len(in_flight) < limit and not lost:
            task = next(tasks, None)
            if task is None:
                exhausted = True
                continue
            try:
                in_flight[executor.submit(run_task, task)] = task
            except Exception as exc:  # noqa: BLE001 - a pool broken since the last wait
                if not executor.lost(exc):
                    raise
                lost.append((task, exc))
        if not in_flight and not lost:
            return
        if not lost:
            finished, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
            lost = _collect(list(finished), in_flight, executor, store, report, progress)
        if lost:  # a worker died: a pool breaks as a whole, so settle every task in flight
            lost += _collect(list(in_flight), in_flight, executor, store, report, progress)
            _restart(executor, lost[0][1])
            for task, _exc in lost:
                _isolate(task, executor, store, report, progress)


def _collect(
    futures: Sequence[cf.Future],
    in_flight: dict[cf.Future, Task],
    executor: Executor,
    store: ResultsStore,
    report: SweepReport,
    progress: Progress,
) -> list[tuple[Task, BaseException]]:
    """Store the results of ``futures`` (waited for); return the tasks whose worker died."""
    lost = []
    cf.wait(futures)
    for future in futures:
        task = in_flight.pop(future)
        try:
            runs, series = future.result()
        except Exception as exc:  # noqa: BLE001 - run_task catches the model's own errors
            if executor.lost(exc):
                lost.append((task, exc))
            else:  # the executor's trouble, not the runs': no part, so resuming retries them
                report.lost += len(task.run_ids)
            continue
        _store(runs, series, store, report, progress)
    return lost


def _store(
    runs: pd.DataFrame,
    series: pd.DataFrame | None,
    store: ResultsStore,
    report: SweepReport,
    progress: Progress,
) -> None:
    store.write_part(runs, series)
    failed = int((runs["status"] != "ok").sum())
    report.ran += len(runs)
    report.failed += failed
    progress.update(len(runs), failed)


def _restart(executor: Executor, cause: BaseException) -> None:
    """A new pool after a worker died; where that is impossible (MPI), the sweep stops."""
    try:
        executor.restart()
    except NotImplementedError:
        raise cause from None


def _isolate(
    task: Task, executor: Executor, store: ResultsStore, report: SweepReport, progress: Progress
) -> None:
    """Rerun a task whose worker died one run at a time, alone on the executor.

    Only a run that takes its worker down on its own is recorded as failed; the others give
    exactly the rows they would have given in the batch.
    """
    frames, series_frames = [], []
    for i in range(len(task.run_ids)):
        one = task.run(i)
        try:
            runs, series = executor.submit(run_task, one).result()
        except Exception as exc:  # noqa: BLE001 - see _collect
            if not executor.lost(exc):
                report.lost += 1
                continue
            _restart(executor, exc)
            runs, series = _run_table(one, None, [_WORKER_DIED + _error_text(exc)]), None
        frames.append(runs)
        if series is not None:
            series_frames.append(series)
    if frames:
        runs = pd.concat(frames, ignore_index=True)
        series = pd.concat(series_frames, ignore_index=True) if series_frames else None
        _store(runs, series, store, report, progress)


@contextlib.contextmanager
def _executor(
    executor: str | Executor, workers: int | None, scheduler: str | None
) -> Iterator[Executor]:
    """Open the backend by name, or lend an open one (left open for the caller)."""
    if isinstance(executor, Executor):
        yield executor
    else:
        with open_executor(executor, workers, scheduler, preload=(TASK_MODULE,)) as ex:
            yield ex


def _unwritable(exc: OSError, out: Path) -> InputError:
    """The one-line error of a store that cannot be written (read-only, full, gone)."""
    where = Path(exc.filename) if exc.filename else out
    if where.name.startswith(".tmp-"):
        where = where.parent  # the temporary name means nothing to the user
    reason = exc.strerror or type(exc).__name__
    return InputError(str(where), "", "a store this user can write to",
                      verbatim(f"{reason.lower()} (errno {exc.errno})"))  # fmt: skip


def run_sweep(
    experiment: str | Path | Experiment,
    out: str | Path,
    *,
    executor: str | Executor = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool | None = None,
    log: IO[str] | None = None,
) -> SweepReport:
    """Run (or resume) an experiment into the store ``out``.

    Everything that can be checked is checked before the store is created or changed: the
    experiment, the store (manifest, design, parts), the executor (a dask scheduler must
    answer). Then the store's lock is taken, what a killed sweep left is finished or undone
    (:meth:`ResultsStore.recover`), and the missing runs run.

    Args:
        experiment: an experiment file or a loaded :class:`Experiment`.
        out: the store directory (created, or resumed when it holds this experiment).
        executor: ``local``, ``dask``, ``mpi`` or ``serial``, or an open :class:`Executor`
            (reused across sweeps, e.g. in a notebook; the caller closes it).
        workers: worker processes (``local``, ``dask`` LocalCluster).
        scheduler: a running dask scheduler's address.
        resume: insist on resuming an existing store.
        progress: show a progress bar (default: when stderr is a terminal).
        log: where to write one-line notes (default: nowhere).

    Returns:
        A :class:`SweepReport`.

    Raises:
        InputError: invalid experiment; ``out`` holds something else, a damaged store, or is
            busy or not writable; the executor cannot start.
        SweepInterruptedError: Ctrl-C; finished parts are kept.
    """
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    out = Path(out)
    if isinstance(executor, str):
        preflight(executor)
    plan = plan_sweep(exp, out)
    existing = check_out(out, resume)
    if existing is not None:
        existing.check_same(plan.manifest["experiment_hash"], exp.name)
        try:  # busy or not writable: say so before an executor is started
            with StoreLock(out):
                pass
        except OSError as exc:
            raise _unwritable(exc, out) from None
        if existing.done_mask(plan.n_runs).all():  # nothing to run: no executor to open
            return _locked(plan, out, resume, None, log)
    with _executor(executor, workers, scheduler) as ex:
        return _locked(plan, out, resume, ex, log, progress)


def _locked(
    plan: SweepPlan,
    out: Path,
    resume: bool,
    executor: Executor | None,
    log: IO[str] | None,
    progress: bool | None = None,
) -> SweepReport:
    """Take the lock, open or create the store, run what is missing."""
    lock = StoreLock(out)
    try:
        out.mkdir(parents=True, exist_ok=True)  # the directory, then the lock, then the store
        lock.acquire()
        store = open_store(plan, out, resume)
        for note in store.recover():
            if log:
                log.write(f"{note}\n")
        return _run(plan, store, executor, progress, log)
    except OSError as exc:
        raise _unwritable(exc, out) from None
    finally:
        lock.release()


def _run(
    plan: SweepPlan,
    store: ResultsStore,
    executor: Executor | None,
    progress: bool | None,
    log: IO[str] | None,
) -> SweepReport:
    """Execute the missing runs of a planned sweep into a locked store."""
    out = store.root
    missing = np.flatnonzero(~store.done_mask(plan.n_runs))
    done = plan.n_runs - len(missing)
    report = SweepReport(out, plan.n_runs, done)
    if log and done:
        log.write(f"resuming {out}: {done} of {plan.n_runs} runs already done\n")
    if done == plan.n_runs or executor is None:
        store.save_manifest(status="complete" if done == plan.n_runs else "incomplete")
        return report
    bar = Progress(plan.n_runs, done, enabled=progress)
    t0 = time.monotonic()
    store.save_manifest(status="running", pid=os.getpid())
    report.executor = executor.describe()
    try:
        _execute(plan, store, executor, report, bar, missing)
    except KeyboardInterrupt:
        executor.abort()
        bar.close()
        report.seconds = time.monotonic() - t0
        with contextlib.suppress(OSError):
            store.save_manifest(status="interrupted")
        raise SweepInterruptedError(
            f"interrupted: {done + report.ran} of {plan.n_runs} runs are in {out}; "
            "run the same command again to resume"
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            store.save_manifest(status="failed", failure=traceback.format_exc(limit=3))
        raise
    bar.close()
    report.seconds = time.monotonic() - t0
    if report.lost and log:
        log.write(f"{report.lost} runs were lost by the executor; run the same command again\n")
    store.save_manifest(
        status="incomplete" if report.lost else "complete",
        executor=report.executor,
        finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    return report
