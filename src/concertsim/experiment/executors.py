"""Where tasks run: one concurrent.futures-style interface, several backends.

Every backend is a context manager with ``submit(fn, *args) -> concurrent.futures.Future``,
``workers`` (how many tasks run at once) and ``abort()`` (stop work in flight, for Ctrl-C):

* :class:`SerialExecutor` -- in this process, one task at a time (``--workers 0``; debugging);
* :class:`LocalExecutor` -- a process pool on this machine, started once (``local``); its
  workers die with the process that started it, even a SIGKILLed one;
* :class:`DaskExecutor` -- dask.distributed: a running scheduler (address or scheduler file,
  TLS through ``security``; 5 s to answer), or a LocalCluster of worker processes (``dask``);
* :class:`MPIExecutor` -- mpi4py.futures under ``mpiexec -n N python -m mpi4py.futures``
  (``mpi``): rank 0 runs the sweep, the other ranks are the workers.

Heavy imports (dask, mpi4py) happen only when their backend is opened. This module knows
nothing of sweeps: the caller names the modules a pool preloads (``preload``). Results never
depend on the backend: a task's result is a pure function of the task.

Example:
    >>> with open_executor("serial") as ex:
    ...     ex.submit(pow, 2, 10).result()
    1024
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from concertsim.errors import InputError, verbatim

__all__ = [
    "EXECUTORS",
    "Executor",
    "SerialExecutor",
    "LocalExecutor",
    "DaskExecutor",
    "MPIExecutor",
    "open_executor",
    "preflight",
    "MPI_LAUNCH",
    "CONNECT_TIMEOUT",
    "PRELOAD",
]

CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a dask scheduler to answer before giving up."""

EXECUTORS: tuple[str, ...] = ("local", "dask", "mpi")
"""Backends offered on the command line (plus ``serial``, used with ``--workers 0``)."""


PRELOAD: tuple[str, ...] = ()
"""Modules a local pool's workers import once at start (the caller names its task module)."""

_WATCH_EVERY = 0.25
"""Seconds between a worker's checks that the sweep's main process still runs."""


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rpartition(")")[2].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except (OSError, IndexError):  # no /proc (macOS): ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def _watch(pid: int) -> None:
    while _alive(pid):
        time.sleep(_WATCH_EVERY)
    os.kill(os.getpid(), signal.SIGKILL)


def _die_with(pid: int) -> None:
    """Make this worker process die when the sweep's main process ``pid`` dies.

    ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` covers a worker forked by the main process itself;
    under forkserver the parent is the fork server, which outlives a SIGKILLed main process,
    so a daemon thread also watches ``pid``. Once the workers are gone, the fork server and the
    resource tracker see their pipes close and exit too.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch, args=(pid,), name="concertsim-watch", daemon=True).start()


def _init_worker(main_pid: int, preload: tuple[str, ...]) -> None:
    """Worker initializer: die with the sweep, leave Ctrl-C to it, import the task code once.

    Ctrl-C is the driver's business (it stops the workers itself).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(main_pid)
    for name in preload:
        importlib.import_module(name)


def _main_importable() -> bool:
    """Whether new worker processes can re-import ``__main__`` (as forkserver/spawn do).

    A script, ``python -m``, ``python -c`` and notebooks are fine; code read from stdin is not
    (its ``__file__`` is ``<stdin>``).
    """
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None):
        return True
    path = getattr(main, "__file__", None)
    return path is None or os.path.exists(path)


class Executor:
    """Base class: a context manager that runs tasks and returns concurrent.futures.Future."""

    name = "executor"
    workers: int = 1

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future:
        """Schedule ``fn(*args)``; return a Future of its result."""
        raise NotImplementedError

    def shutdown(self) -> None:
        """Release the workers (waits for nothing left in flight)."""

    def abort(self) -> None:
        """Stop as fast as possible: cancel pending tasks, stop tasks in flight."""
        self.shutdown()

    def lost(self, exc: BaseException) -> bool:
        """Whether ``exc`` (raised by a future) means the worker running the task died.

        A run that segfaults, calls ``os._exit`` or is killed for memory takes its worker
        with it: a process pool breaks (``BrokenExecutor``), dask gives up on the task
        after it killed several workers (``KilledWorker``).
        """
        return isinstance(exc, cf.BrokenExecutor) or type(exc).__name__ == "KilledWorker"

    def restart(self) -> None:
        """Make the executor usable again after :meth:`lost` (a new pool where needed).

        Raises:
            NotImplementedError: the backend cannot replace a dead worker (MPI).
        """
        raise NotImplementedError

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def describe(self) -> str:
        """A one-line description for the progress line and the manifest."""
        return f"{self.name} ({self.workers} worker{'s' if self.workers != 1 else ''})"


class SerialExecutor(Executor):
    """Runs each task in this process when it is submitted."""

    name = "serial"

    def __init__(self) -> None:
        self.workers = 1

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            if isinstance(exc, KeyboardInterrupt):
                raise
            future.set_exception(exc)
        return future


class LocalExecutor(Executor):
    """A process pool on this machine, started once for the whole sweep.

    Workers are started with ``forkserver`` on POSIX (safe with threads; works from scripts
    and notebooks since the task function lives in an importable module; ``fork`` when the
    main program cannot be re-imported, e.g. piped to ``python -``), ignore SIGINT, and die
    with the process that made the pool, even when it is SIGKILLed.

    Args:
        workers: worker processes (default: all cores).
        preload: modules the workers import once at start (e.g. the task function's).
    """

    name = "local"

    def __init__(self, workers: int | None = None, preload: Sequence[str] = PRELOAD) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._preload = tuple(preload)
        method = "forkserver" if sys.platform != "win32" else "spawn"
        if method == "forkserver" and not _main_importable():
            method = "fork"  # e.g. code piped to python: workers cannot re-import __main__
        self._context = multiprocessing.get_context(method)
        if method == "forkserver":  # workers (and restarted workers) start with it imported
            self._context.set_forkserver_preload(list(self._preload))
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            self.workers,
            mp_context=self._context,
            initializer=_init_worker,
            initargs=(os.getpid(), self._preload),
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future:
        return self._pool.submit(fn, *args)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)

    def restart(self) -> None:
        """Replace a broken pool (a worker died) by a new one."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._new_pool()

    def abort(self) -> None:
        processes = list(getattr(self._pool, "_processes", {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            if p.is_alive():
                p.terminate()
        for p in processes:
            p.join(timeout=5)


class DaskExecutor(Executor):
    """dask.distributed: connect to ``scheduler`` or start a LocalCluster of processes.

    A LocalCluster has ``workers`` worker processes with one thread each, so the
    simulation's numpy code is not throttled by the GIL.

    Args:
        workers: worker processes of a LocalCluster (no ``scheduler``).
        scheduler: a running scheduler's address (``tls://...`` on a shared network), a
            scheduler file (``dask scheduler --scheduler-file``), or a cluster object.
        security: a ``distributed.security.Security`` (TLS certificates); default: dask's
            configuration (``distributed.comm.tls.*``).

    Raises:
        InputError: ``scheduler`` does not answer within :data:`CONNECT_TIMEOUT` seconds, or
            its address is malformed.
    """

    name = "dask"

    def __init__(
        self, workers: int | None = None, scheduler: Any = None, security: Any = None
    ) -> None:
        from distributed import Client, LocalCluster

        self._cluster = None
        if scheduler is not None and scheduler != "":
            where = {"address": scheduler}
            if isinstance(scheduler, str) and os.path.isfile(os.path.expanduser(scheduler)):
                where = {"scheduler_file": os.path.expanduser(scheduler)}
            try:
                self._client = Client(**where, timeout=CONNECT_TIMEOUT, security=security)
            except (OSError, ValueError, TypeError) as exc:  # TimeoutError is an OSError
                text = " ".join(str(exc).split())[:200] or type(exc).__name__
                raise InputError(
                    "--scheduler",
                    str(scheduler),
                    f"a dask scheduler that answers within {CONNECT_TIMEOUT:g} s",
                    verbatim(f"{type(exc).__name__}: {text}"),
                ) from None
        else:
            self._cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
        self._counted = (-1e9, 1)

    @property
    def workers(self) -> int:  # type: ignore[override]
        """Worker threads the cluster has now (clusters grow and shrink; re-read every 2 s)."""

        when, count = self._counted
        if time.monotonic() - when > 2.0:
            count = max(1, sum(self._client.nthreads().values()))
            self._counted = (time.monotonic(), count)
        return count

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future:
        future: cf.Future = cf.Future()
        future.set_running_or_notify_cancel()
        dask_future = self._client.submit(fn, *args, pure=False)

        def _done(f: Any) -> None:
            try:
                future.set_result(f.result())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                if not future.done():
                    future.set_exception(exc)

        dask_future.add_done_callback(_done)
        future.dask_future = dask_future  # type: ignore[attr-defined]
        return future

    def shutdown(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def restart(self) -> None:
        """Nothing to do: dask's nannies replace dead workers themselves."""


class MPIExecutor(Executor):
    """mpi4py.futures.MPIPoolExecutor, run under ``mpiexec -n N python -m mpi4py.futures``."""

    name = "mpi"

    def __init__(self, workers: int | None = None) -> None:
        from mpi4py.futures import MPIPoolExecutor

        self._pool = MPIPoolExecutor(max_workers=workers or None)
        self.workers = max(1, int(getattr(self._pool, "num_workers", workers or 1)))

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future:
        return self._pool.submit(fn, *args)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)

    def abort(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


MPI_LAUNCH = "mpiexec -n N python -m mpi4py.futures -m concertsim sweep ... --executor mpi"
"""How to launch an MPI sweep: rank 0 runs the sweep, ranks 1..N-1 are the workers."""


def preflight(kind: str) -> None:
    """Check that backend ``kind`` can start here, before anything is written.

    Raises:
        InputError: the backend's package is missing, or ``mpi`` is not launched under mpiexec.
    """
    modules = {"dask": "distributed", "mpi": "mpi4py"}
    if kind in modules:
        try:
            importlib.import_module(modules[kind])
        except ImportError as exc:
            raise InputError(
                "--executor",
                kind,
                f"the {modules[kind]} package installed (pip install -e '.[dask]' or '.[mpi]')",
                verbatim(str(exc)),
            ) from None
    if kind == "mpi":
        from mpi4py import MPI

        if MPI.COMM_WORLD.Get_size() < 2:
            raise InputError(
                "--executor",
                "mpi",
                f"a launch under mpiexec: {MPI_LAUNCH}",
                verbatim("a single MPI process"),
            )


def open_executor(
    kind: str,
    workers: int | None = None,
    scheduler: str | None = None,
    preload: Sequence[str] = PRELOAD,
) -> Executor:
    """Open the backend ``kind`` (``local``, ``dask``, ``mpi`` or ``serial``).

    Args:
        kind: the backend's name.
        workers: worker processes (``local``, ``dask`` LocalCluster); ``0`` with ``local``
            runs in this process.
        scheduler: address of a running dask scheduler (``dask`` only).
        preload: modules a local pool's workers import at start (the task function's).

    Returns:
        An :class:`Executor`, to be used as a context manager.
    """
    if kind == "serial" or (kind == "local" and workers == 0):
        return SerialExecutor()
    if kind == "local":
        return LocalExecutor(workers, preload)
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    if kind == "mpi":
        return MPIExecutor(workers)
    raise ValueError(f"unknown executor {kind!r}; expected one of {EXECUTORS}")
