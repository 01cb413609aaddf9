"""The results store: a directory that a sweep fills as its tasks finish.

Layout::

    DIR/manifest.json        package version, the experiment as resolved and its hash, the
                             SALib problem, the design, the seed entropy, the run count, status
    DIR/design.parquet       one row per design point (``point`` + one column per parameter)
    DIR/runs/part-*.parquet  the run table, one part per finished task
    DIR/series/part-*.parquet  tidy monthly series (run_id, month, level, variable, value),
                             when the experiment asks for them

Every file is written to a temporary name in the same directory and moved into place with
:func:`os.replace`, so a reader (or a resumed sweep) sees a part whole or not at all, even
after SIGKILL. Which runs are done is read from the parts themselves (the ``run_id``
column), so resuming never runs anything twice. Nothing holds more than one part in memory
while a sweep runs.

A sweep makes the directory, takes the lock (``.lock``: host and pid), and only then writes
the design and the manifest, so two sweeps never both create a store. A directory that holds
only the skeleton of a store whose creation was killed (no manifest, no parts) counts as new;
an empty or malformed lock older than a couple of seconds is stale.

Example:
    >>> import tempfile, pandas as pd
    >>> root = tempfile.mkdtemp()
    >>> store = ResultsStore.create(root, {"experiment_hash": "abc", "n_runs": 2},
    ...                             pd.DataFrame({"x": [0.5]}))
    >>> store.write_part(pd.DataFrame({"run_id": [1], "y": [2.0]}))
    >>> store.done_mask(2).tolist(), store.read_runs()["y"].tolist()
    ([False, True], [2.0])
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from concertsim import atomic

__all__ = ["ResultsStore", "StoreMismatchError", "StoreBusyError", "MANIFEST", "STORE_FORMAT"]

MANIFEST = "manifest.json"
LOCK = ".lock"
STORE_FORMAT = 1
"""Version of the store's layout, recorded in the manifest."""


class StoreMismatchError(Exception):
    """The directory holds something other than this experiment's results."""


class StoreBusyError(Exception):
    """Another sweep is writing to the store."""


def _alive(holder: str) -> bool:
    """Whether the lock holder ``"host pid"`` still runs (another host: assumed alive)."""
    host, _, pid = holder.rpartition(" ")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _well_formed(holder: str) -> bool:
    """Whether a lock's content reads ``"host pid"``."""
    host, _, pid = holder.rpartition(" ")
    return bool(host) and pid.isdigit()


_LOCK_GRACE = 2.0
"""Seconds a lock may stay empty while its creator writes it; older, it is stale."""


class ResultsStore:
    """A sweep's results directory (see the module docstring).

    Attributes:
        root: the directory.
        manifest: the manifest's content.
    """

    def __init__(self, root: str | Path, manifest: dict[str, Any]) -> None:
        self.root = Path(root)
        self.manifest = manifest

    # ------------------------------------------------------------------ opening

    @classmethod
    def create(
        cls, root: str | Path, manifest: Mapping[str, Any], design: pd.DataFrame
    ) -> ResultsStore:
        """Make a new store: directories, design and manifest (atomically)."""
        root = Path(root)
        (root / "runs").mkdir(parents=True, exist_ok=True)
        (root / "series").mkdir(exist_ok=True)
        table = design.copy()
        table.insert(0, "point", np.arange(len(design), dtype=np.int64))
        atomic.write_table(root / "design.parquet", table)
        store = cls(root, {"store_format": STORE_FORMAT, **manifest, "status": "created"})
        store.save_manifest()
        return store

    @classmethod
    def open(cls, root: str | Path) -> ResultsStore:
        """Open an existing store (for resuming, or for reading while a sweep may be writing).

        Raises:
            FileNotFoundError: no manifest in ``root``.
            StoreMismatchError: the store was written in a newer format.
        """
        root = Path(root)
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        found = manifest.get("store_format", 1)
        if not isinstance(found, int) or found > STORE_FORMAT:
            raise StoreMismatchError(
                f"{root} is a store of format {found}; this concertsim reads format "
                f"{STORE_FORMAT} and older: upgrade concertsim to read or resume it"
            )
        return cls(root, manifest)

    @staticmethod
    def exists(root: str | Path) -> bool:
        """True when ``root`` holds a store (a manifest)."""
        return (Path(root) / MANIFEST).is_file()

    @staticmethod
    def is_free(root: str | Path) -> bool:
        """True when a new store may be made in ``root``.

        That is: ``root`` does not exist, is empty, or holds only the skeleton a sweep
        killed while creating its store leaves (directories without parts, the design,
        temporary files, a lock), never a manifest.
        """
        root = Path(root)
        if not root.exists():
            return True
        for entry in root.iterdir():
            if entry.name in ("runs", "series") and entry.is_dir():
                if any(p.name.startswith("part-") for p in entry.iterdir()):
                    return False
            elif entry.name not in ("design.parquet", LOCK) and not entry.name.startswith(".tmp-"):
                return False
        return True

    def check_same(self, experiment_hash: str, name: str) -> None:
        """Refuse to continue a store that holds another experiment.

        Raises:
            StoreMismatchError: the hashes differ.
        """
        theirs = self.manifest.get("experiment_hash")
        if theirs != experiment_hash:
            held = self.manifest.get("experiment", {}).get("experiment", {}).get("name", "?")
            raise StoreMismatchError(
                f"{self.root} holds the results of another experiment ('{held}', hash {theirs}); "
                f"'{name}' has hash {experiment_hash}. Use another --out directory, or run "
                "the experiment file these results came from"
            )

    def _remove_temporaries(self) -> None:
        for sub in (self.root, self.root / "runs", self.root / "series"):
            if sub.is_dir():
                for tmp in sub.glob(".tmp-*"):
                    tmp.unlink(missing_ok=True)

    # ------------------------------------------------------------------ lock

    @property
    def lock_path(self) -> Path:
        """The lock file held while a sweep writes to the store."""
        return self.root / LOCK

    def acquire(self) -> None:
        """Take the store for this process; refuse when another live sweep holds it.

        A lock left by a process that no longer runs (killed, crashed) is taken over.

        Raises:
            StoreBusyError: another sweep is writing here.
        """
        me = f"{socket.gethostname()} {os.getpid()}"
        while True:
            try:
                fd = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                try:
                    holder = self.lock_path.read_text(encoding="utf-8").strip()
                    age = time.time() - self.lock_path.stat().st_mtime
                except FileNotFoundError:  # released in the meantime
                    continue
                if not _well_formed(holder):
                    # being written (created, not yet filled) or left by a killed sweep
                    if age < _LOCK_GRACE:
                        time.sleep(0.05)
                        continue
                elif _alive(holder):
                    raise StoreBusyError(
                        f"another sweep ({holder}) is writing to {self.root}; wait for it, "
                        f"or delete {self.lock_path} if it is not running"
                    ) from None
                self.lock_path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(me)
            self._remove_temporaries()  # left by a killed sweep; nobody else writes now
            return

    def release(self) -> None:
        """Give the store back (remove the lock if this process holds it)."""
        try:
            if self.lock_path.read_text(encoding="utf-8").strip().endswith(f" {os.getpid()}"):
                self.lock_path.unlink()
        except FileNotFoundError:
            pass

    # ------------------------------------------------------------------ writing

    def save_manifest(self, **updates: Any) -> None:
        """Update the manifest with ``updates`` and write it atomically."""
        self.manifest.update(updates)
        text = json.dumps(self.manifest, indent=2, sort_keys=False, default=str)
        atomic.write_bytes(self.root / MANIFEST, text.encode())

    def write_part(self, runs: pd.DataFrame, series: pd.DataFrame | None = None) -> None:
        """Write one finished task: its run rows (and series) as new part files.

        The series part is written first, so a run whose row is in the store always has
        its series too; a crash in between leaves only an orphan series part, which
        :meth:`read_series` ignores (it keeps rows of runs in the run table only).
        """
        if runs.empty:
            return
        first = int(runs["run_id"].min())
        tag = f"part-{first:012d}-{uuid.uuid4().hex[:8]}.parquet"
        if series is not None and not series.empty:
            atomic.write_table(self.root / "series" / tag, series)
        atomic.write_table(self.root / "runs" / tag, runs)

    # ------------------------------------------------------------------ reading

    def part_files(self, kind: str = "runs") -> list[Path]:
        """Part files of ``runs`` or ``series``, sorted by name."""
        return sorted((self.root / kind).glob("part-*.parquet"))

    def set_aside_unreadable(self) -> list[Path]:
        """Rename part files that cannot be read (``*.corrupt``) so their runs run again.

        Parts are written atomically and synced, so this takes a disk or file-system fault,
        or a part copied in by hand. Call it with the lock held.

        Returns:
            The parts set aside (their new names).
        """
        moved = []
        for kind in ("runs", "series"):
            for part in self.part_files(kind):
                try:
                    pq.read_table(part, columns=["run_id"])
                except Exception:  # noqa: BLE001 - pyarrow raises several kinds
                    target = part.with_name(part.name + ".corrupt")
                    os.replace(part, target)
                    moved.append(target)
        return moved

    def done_mask(self, n_runs: int) -> np.ndarray:
        """Boolean array: which of runs ``0..n_runs-1`` are in the store (reads run ids only)."""
        done = np.zeros(n_runs, dtype=bool)
        for part in self.part_files():
            ids = pq.read_table(part, columns=["run_id"]).column(0).to_numpy()
            done[ids] = True
        return done

    def iter_runs(self, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        """The run table part by part (bounded memory)."""
        for part in self.part_files():
            schema = pq.read_schema(part)
            cols = None if columns is None else [c for c in columns if c in schema.names]
            yield pq.read_table(part, columns=cols).to_pandas()

    def read_runs(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The whole run table (or some columns), sorted by run id."""
        frames = [f for f in self.iter_runs(columns) if not f.empty]
        if not frames:
            return pd.DataFrame(columns=list(columns or ["run_id"]))
        table = pd.concat(frames, ignore_index=True)
        if "run_id" in table:
            table = table.sort_values("run_id", kind="stable").reset_index(drop=True)
        return table

    def read_series(self) -> pd.DataFrame:
        """The tidy series of the runs in the run table, sorted by run id and month."""
        files = self.part_files("series")
        if not files:
            return pd.DataFrame(columns=["run_id", "month", "level", "variable", "value"])
        done = self.read_runs(["run_id"])["run_id"]
        table = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
        table = table[table["run_id"].isin(done)]
        return table.sort_values(["run_id", "month"], kind="stable").reset_index(drop=True)

    def read_design(self) -> pd.DataFrame:
        """The design: one row per point, indexed by point."""
        return pq.read_table(self.root / "design.parquet").to_pandas().set_index("point")
