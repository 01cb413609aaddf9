"""The sweep: experiment file -> design -> tasks -> executor -> results store.

Runs are numbered ``run_id = point * replicates + replicate``. Run ``(point, replicate)``
is seeded with ``SeedSequence(entropy, spawn_key=(replicate,))``: every design point sees
the same random numbers for a given replicate (**common random numbers**), so differences
between points are differences of parameters, not of luck. The seed of every run is
recorded in the run table.

Missing runs are cut into tasks of ``batch_size`` runs; a task is one ``run_batch`` call in
a worker, so dispatch overhead is paid once per task, not once per run. At most a few tasks
per worker are in flight; each finished task becomes one part file of the store, so memory
stays bounded whatever the size of the sweep. A task that raises is retried run by run, and
only the runs that raise on their own are recorded as failed (status ``"error"`` and the
error message); the sweep goes on. A run that takes its worker process down (a segfault,
``os._exit``, the out-of-memory killer) breaks a process pool with every task in flight: the
pool is restarted and those tasks are rerun one run at a time, so only the runs that kill a
worker on their own are recorded as failed. A task the executor loses for other reasons (a
dropped connection) writes nothing: running the same command again retries it. Results
are a pure function of (experiment, run id): the executor, the number of workers and the
batch size change nothing, bit for bit.

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
import dataclasses
import os
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

import concertsim
from concertsim import atomic
from concertsim.errors import InputError, verbatim
from concertsim.experiment.designs import Design, build_design
from concertsim.experiment.executors import Executor, open_executor, preflight
from concertsim.experiment.models import MODELS, Check, ModelContext, by_name
from concertsim.experiment.spec import Experiment, experiment_hash, load_experiment
from concertsim.experiment.store import ResultsStore, StoreBusyError, StoreMismatchError
from concertsim.streams import run_seeds

__all__ = [
    "Task",
    "SweepPlan",
    "SweepReport",
    "SweepInterruptedError",
    "run_seed",
    "plan_sweep",
    "run_task",
    "run_sweep",
    "Progress",
]

_ERROR_CHARS = 500
"""Longest error message kept in the run table."""

_WORKER_DIED = "worker died running this run (a crash, os._exit or out of memory?): "
"""Start of the error recorded for a run that takes its worker process down."""


HASH_VERSION = 2
"""Version 2 hashes what determines results only (:meth:`Experiment.identity`)."""


class SweepInterruptedError(Exception):
    """Ctrl-C: the sweep stopped; finished parts are kept and the sweep can be resumed."""


def run_seed(entropy: int, replicate: int) -> np.random.SeedSequence:
    """The seed of replicate ``replicate`` at every design point (common random numbers).

    The convention of :func:`concertsim.streams.run_seeds`: the ``replicate``-th seed of
    the root ``entropy``, as ``concertsim run`` seeds its ``replicate``-th run.

    Example:
        >>> run_seed(5, 2).spawn_key
        (2,)
    """
    return run_seeds(entropy, int(replicate) + 1)[1][int(replicate)]


@dataclass(frozen=True)
class Task:
    """A chunk of runs executed by one worker in one ``run_batch`` call.

    Attributes:
        model: registered model name.
        context: what the model needs (base scenario, options).
        run_ids, points, replicates: one entry per run.
        values: parameter values, shape ``(runs, len(columns))``.
        columns: names of the overridden parameters.
        entropy: the experiment's seed entropy.
        months: horizon (0 = the scenario's own).
        series: also return tidy series.
    """

    context: ModelContext
    run_ids: np.ndarray
    points: np.ndarray
    replicates: np.ndarray
    values: np.ndarray
    columns: tuple[str, ...]
    entropy: int
    months: int
    series: bool

    def overrides(self, i: int) -> dict[str, float]:
        """Parameter overrides of the ``i``-th run of the task."""
        return {c: float(v) for c, v in zip(self.columns, self.values[i], strict=True)}


def _run_table(task: Task, outcomes: pd.DataFrame | None, errors: Sequence[str]) -> pd.DataFrame:
    n = len(task.run_ids)
    table = pd.DataFrame(
        {
            "run_id": task.run_ids.astype(np.int64),
            "point": task.points.astype(np.int64),
            "replicate": task.replicates.astype(np.int64),
            "seed_entropy": [str(task.entropy)] * n,
            "seed_spawn_key": [str(int(r)) for r in task.replicates],
        }
    )
    for j, name in enumerate(task.columns):
        table[name] = task.values[:, j].astype(np.float64)
    names = list(task.context.outcomes)  # the same columns in every part, failures included
    if outcomes is not None:
        names += [c for c in outcomes.columns if c not in names]
    for name in names:
        if outcomes is not None and name in outcomes:
            col = pd.to_numeric(outcomes[name], errors="coerce")
            table[name] = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            table[name] = np.full(n, np.nan)
    table["status"] = ["error" if e else "ok" for e in errors]
    table["error"] = list(errors)
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

    Returns:
        The task's rows of the run table and its tidy series (or ``None``).
    """
    model = by_name(task.context.model)
    _, by_replicate = run_seeds(task.entropy, int(task.replicates.max()) + 1)
    seeds = [by_replicate[r] for r in task.replicates]
    overrides = [task.overrides(i) for i in range(len(seeds))]
    try:
        outcomes, series = model.run_batch(task.context, seeds, overrides, task.months, task.series)
    except Exception:  # noqa: BLE001 - find which runs fail on their own
        return _run_one_by_one(task, seeds, overrides)
    table = _run_table(task, outcomes.reset_index(drop=True), [""] * len(seeds))
    return table, _with_run_ids(task, series, range(len(seeds)))


def _run_one_by_one(
    task: Task, seeds: Sequence[np.random.SeedSequence], overrides: Sequence[dict[str, float]]
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Each run alone: the runs that raise are recorded as failed, the others as usual."""
    model = by_name(task.context.model)
    frames, series_frames, errors = [], [], []
    for i, (seed, override) in enumerate(zip(seeds, overrides, strict=True)):
        try:
            out, ser = model.run_batch(task.context, [seed], [override], task.months, task.series)
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


# --------------------------------------------------------------------------- planning


@dataclass
class SweepPlan:
    """Everything decided before the first run: design, seeds, manifest.

    Attributes:
        experiment: the validated experiment.
        design: its design (points x overridden parameters).
        context: the model context sent with every task.
        entropy: the seed entropy.
        manifest: the store's manifest.
        legacy_hash: the hash stores written before ``hash_version`` 2 hold (the whole
            experiment as resolved), so that they can still be resumed.
    """

    experiment: Experiment
    design: Design
    context: ModelContext
    entropy: int
    manifest: dict[str, Any]
    legacy_hash: str = ""

    @property
    def n_runs(self) -> int:
        """Points times replicates."""
        return self.design.size * self.experiment.replicates


def _entropy(experiment: Experiment, out: Path | None) -> int:
    if experiment.seed is not None:
        return int(experiment.seed)
    if out is not None and ResultsStore.exists(out):
        try:
            return int(ResultsStore.open(out).manifest["seed_entropy"])
        except StoreMismatchError:
            pass  # refused with its reason under the lock
    return int(np.random.SeedSequence().entropy)


def _checks(experiment: Experiment, points: pd.DataFrame) -> list[Check]:
    """What the model must accept: each declared bound alone, then every design point.

    A parameter's bounds may each be fine while a combination is not (shares that sum past
    one, a minimum above a maximum), so every point is checked before anything runs.
    """
    checks = []
    for spec in experiment.parameters:
        for v in spec.support():
            if np.isfinite(v):
                checks.append(Check(spec.name, {spec.name: v}))
    for i, row in enumerate(points.to_dict("records")):
        checks.append(Check(next(iter(row), ""), row, point=i))
    return checks


def plan_sweep(experiment: Experiment, out: Path | None = None) -> SweepPlan:
    """Validate the experiment against its model and build the design and the manifest.

    Raises:
        InputError: the model, the scenario, a parameter or an outcome is wrong.
    """
    if experiment.model not in MODELS:
        raise experiment.error("[experiment] model", f"one of {tuple(MODELS)}", experiment.model)
    model = by_name(experiment.model)
    entropy = _entropy(experiment, out)
    try:
        design = build_design(experiment, entropy)
    except (ValueError, TypeError, ArithmeticError) as exc:  # what validation did not foresee
        raise experiment.error(
            "[design]", "a design SALib can build", verbatim(" ".join(str(exc).split()))
        ) from None
    points = design.points
    for name in points.columns:
        points[name] = model.coerce(name, points[name].to_numpy())
    context = model.prepare(experiment, _checks(experiment, points))
    resolved = experiment.to_dict()
    resolved["experiment"]["seed"] = str(entropy)
    base = {k: v for k, v in (context.base or {}).items() if k != "source"}  # cwd-relative
    identity = {**experiment.identity(), "seed": str(entropy), "base_scenario": base or None}
    manifest = {
        "package": "concertsim",
        "package_version": concertsim.__version__,
        "versions": atomic.versions(),
        "experiment_file": str(Path(experiment.source).resolve()),
        "experiment": resolved,
        "experiment_hash": experiment_hash(identity),
        "hash_version": HASH_VERSION,
        "identity": identity,
        "base_scenario": context.base,
        "base_scenario_file": context.base_source,
        "model": experiment.model,
        "salib_problem": design.problem,
        "design": {
            "kind": design.kind,
            "file": "design.parquet",
            "points": design.size,
            "sampled": list(design.sampled),
            "crossed": list(design.crossed),
            "columns": list(points.columns),
        },
        "seed_entropy": str(entropy),
        "seeding": "SeedSequence(seed_entropy, spawn_key=(replicate,)); common random numbers",
        "replicates": experiment.replicates,
        "n_runs": design.size * experiment.replicates,
        "outcomes": list(experiment.outcomes),
    }
    legacy = experiment_hash({"experiment": resolved, "base_scenario": base or None})
    return SweepPlan(experiment, design, context, entropy, manifest, legacy)


def _check_out(plan: SweepPlan, out: Path, resume: bool) -> None:
    """Refuse, before anything is written, a directory that is neither this sweep nor free."""
    if ResultsStore.exists(out):
        return  # checked against the experiment under the lock
    if resume:
        raise InputError(
            str(out),
            "--resume",
            "a directory holding a sweep to resume",
            verbatim("no manifest.json there"),
        )
    if not ResultsStore.is_free(out):
        raise InputError(
            str(out),
            "--out",
            "a new or empty directory (or an existing sweep)",
            verbatim("a non-empty directory without manifest.json"),
        )


def _open_store(plan: SweepPlan, out: Path, resume: bool) -> ResultsStore:
    """Open or create the store; called with the lock held, so nobody else writes."""
    if not ResultsStore.exists(out):
        _check_out(plan, out, resume)  # again: the lock may have been waited for
        return ResultsStore.create(out, plan.manifest, plan.design.points)
    try:
        store = ResultsStore.open(out)
        ours = plan.manifest["experiment_hash"]
        if store.manifest.get("hash_version", 1) < HASH_VERSION:
            ours = plan.legacy_hash  # written before the hash left out name, batch size...
        store.check_same(ours, plan.experiment.name)
    except StoreMismatchError as exc:
        raise InputError(
            str(out),
            "--out",
            "a new directory or this experiment's own results",
            verbatim(str(exc)),
        ) from None
    stored = store.read_design()
    plan.design.points.iloc[:, :] = stored[list(plan.design.points.columns)].to_numpy()
    # what may change between sweeps (name, batch size, outcomes, [analysis]) follows the file
    keep = ("experiment_file", "experiment", "experiment_hash", "hash_version", "identity")
    store.manifest.update({k: plan.manifest[k] for k in (*keep, "outcomes")})
    return store


# --------------------------------------------------------------------------- running


def _chunks(ids: np.ndarray, size: int) -> Iterator[np.ndarray]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _tasks(plan: SweepPlan, missing: np.ndarray) -> Iterator[Task]:
    values = plan.design.points.to_numpy(dtype=np.float64)
    columns = tuple(plan.design.points.columns)
    reps = plan.experiment.replicates
    for ids in _chunks(missing, plan.experiment.batch_size):
        points = ids // reps
        yield Task(
            context=plan.context,
            run_ids=ids,
            points=points,
            replicates=ids % reps,
            values=values[points],
            columns=columns,
            entropy=plan.entropy,
            months=plan.experiment.months,
            series=plan.experiment.series,
        )


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


class Progress:
    """A one-line progress bar with rate and time left, on a terminal only.

    Example:
        >>> import io
        >>> p = Progress(10, 0, stream=io.StringIO(), enabled=True)
        >>> p.update(5, 0)
        >>> "5/10" in p.stream.getvalue()
        True
    """

    def __init__(
        self, total: int, done: int, *, stream: IO[str] | None = None, enabled: bool | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total, self.done, self.failed, self.start_done = total, done, 0, done
        self.t0 = time.monotonic()
        self._last = 0.0

    def update(self, runs: int, failed: int) -> None:
        """Count ``runs`` more finished runs, ``failed`` of which raised."""
        self.done += runs
        self.failed += failed
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.2 or self.done >= self.total):
            self._last = now
            self.stream.write("\r" + self.line(now))
            self.stream.flush()

    def line(self, now: float | None = None) -> str:
        """The current progress line."""
        elapsed = max((now or time.monotonic()) - self.t0, 1e-9)
        rate = (self.done - self.start_done) / elapsed
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        width = 28
        filled = int(width * self.done / max(self.total, 1))
        bar = "#" * filled + "-" * (width - filled)
        eta = _duration(left) if np.isfinite(left) else "?"
        fail = f", {self.failed} failed" if self.failed else ""
        return f"[{bar}] {self.done}/{self.total} runs  {rate:,.1f} runs/s  ETA {eta}{fail}  "

    def close(self) -> None:
        """End the line."""
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s" if m else f"{s}s"


def _execute(
    plan: SweepPlan,
    store: ResultsStore,
    executor: Executor,
    report: SweepReport,
    progress: Progress,
    missing: np.ndarray,
) -> None:
    tasks = _tasks(plan, missing)
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
        one = dataclasses.replace(
            task,
            run_ids=task.run_ids[i : i + 1],
            points=task.points[i : i + 1],
            replicates=task.replicates[i : i + 1],
            values=task.values[i : i + 1],
        )
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
        with open_executor(executor, workers, scheduler) as ex:
            yield ex


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
        InputError: invalid experiment, or ``out`` holds something else.
        SweepInterruptedError: Ctrl-C; finished parts are kept.
    """
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    out = Path(out)
    if isinstance(executor, str):
        preflight(executor)
    plan = plan_sweep(exp, out)
    _check_out(plan, out, resume)
    out.mkdir(parents=True, exist_ok=True)  # the directory, then the lock, then the store
    lock = ResultsStore(out, {})
    try:
        lock.acquire()
    except StoreBusyError as exc:
        raise InputError(
            str(out), "--out", "a store no other sweep is writing to", verbatim(str(exc))
        ) from None
    try:
        store = _open_store(plan, out, resume)
        return _run(plan, store, out, executor, workers, scheduler, progress, log)
    finally:
        lock.release()


def _run(
    plan: SweepPlan,
    store: ResultsStore,
    out: Path,
    executor: str | Executor,
    workers: int | None,
    scheduler: str | None,
    progress: bool | None,
    log: IO[str] | None,
) -> SweepReport:
    """Execute the missing runs of a planned sweep into an acquired store."""
    for part in store.set_aside_unreadable():
        if log:
            log.write(f"set aside unreadable {part} (its runs run again)\n")
    missing = np.flatnonzero(~store.done_mask(plan.n_runs))
    done = plan.n_runs - len(missing)
    report = SweepReport(out, plan.n_runs, done)
    if log and done:
        log.write(f"resuming {out}: {done} of {plan.n_runs} runs already done\n")
    if done == plan.n_runs:
        store.save_manifest(status="complete")
        return report
    bar = Progress(plan.n_runs, done, enabled=progress)
    t0 = time.monotonic()
    store.save_manifest(status="running", pid=os.getpid())
    try:
        with _executor(executor, workers, scheduler) as ex:
            report.executor = ex.describe()
            try:
                _execute(plan, store, ex, report, bar, missing)
            except KeyboardInterrupt:
                ex.abort()
                raise
    except KeyboardInterrupt:
        bar.close()
        report.seconds = time.monotonic() - t0
        store.save_manifest(status="interrupted")
        raise SweepInterruptedError(
            f"interrupted: {done + report.ran} of {plan.n_runs} runs are in {out}; "
            "run the same command again to resume"
        ) from None
    except BaseException:
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
