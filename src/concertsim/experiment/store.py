"""The results store: a directory that a sweep fills, one committed task at a time.

Layout (store format 2)::

    DIR/manifest.json          package version, the experiment as resolved and its hash, the
                               SALib problem, the design, the seed entropy, the run count, status
    DIR/design.parquet         one row per design point (``point`` + one column per parameter)
    DIR/runs/part-*.parquet    the run table, one part per committed task
    DIR/series/part-*.parquet  tidy monthly series (run_id, month, level, variable, value) of
                               committed tasks, when the experiment asks for them
    DIR/pending/               series of a task being committed (never read as results)
    DIR/quarantine/            parts set aside by hand or by :meth:`ResultsStore.set_aside`
    DIR/.lock                  the lock file (``host:pid`` of the sweep holding it)

**Commit protocol.** A task ``part-<first>-<last>-<hex>`` is written as (1) its series to
``pending/``, (2) its run rows to ``runs/`` -- that rename is the commit --, (3) its series
moved from ``pending/`` to ``series/``. Every file is written under a hidden temporary name,
synced, then renamed (:mod:`concertsim.atomic`). So after a SIGKILL anywhere, a task is
either committed (its run part exists: its series is in ``series/`` or, until the next sweep
finishes step 3, in ``pending/``) or absent (no run part: its leftovers are cleared by the
next sweep, which runs it again). Readers see whole tasks only: :meth:`ResultsStore.read_series`
keeps series of committed tasks, and ``pd.read_parquet(DIR/runs)`` reads committed runs
(pyarrow skips hidden ``.tmp-*`` files). Which runs are done is read from the run parts, so a
run is never stored twice; a store holding a run id twice is refused.

Every part records the experiment hash in its Parquet metadata: a part copied from another
experiment's store is refused, with the file named (:class:`StoreCorruptError`).

**Lock.** A sweep holds an OS lock (``fcntl.flock``) on ``DIR/.lock`` for its whole life, so
two sweeps can never write the same store, and the kernel releases the lock of a killed sweep.

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
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from concertsim import atomic
from concertsim.errors import verbatim
from concertsim.experiment.lock import LOCK, StoreBusyError, StoreLock
from concertsim.experiment.storefiles import (
    MANIFEST,
    STORE_FORMAT,
    StoreCorruptError,
    StoreMismatchError,
    corrupt,
    open_regular,
    read_manifest,
    reason,
)

__all__ = [
    "MANIFEST",
    "STORE_FORMAT",
    "ResultsStore",
    "StoreBusyError",
    "StoreCorruptError",
    "StoreMismatchError",
    "StoreLock",
]

HASH_KEY = "concertsim.experiment_hash"
"""Parquet metadata key of a part: the experiment hash of the store it was written for."""

_PART = re.compile(r"^part-(\d{12})-(\d{12})-([0-9a-f]{8})\.parquet$")
_KINDS = ("runs", "series", "pending", "quarantine")


def _tag(path: Path) -> tuple[int, int] | None:
    m = _PART.match(path.name)
    return (int(m.group(1)), int(m.group(2))) if m else None


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
        for kind in _KINDS[:3]:
            (root / kind).mkdir(parents=True, exist_ok=True)
        table = design.copy()
        table.insert(0, "point", np.arange(len(design), dtype=np.int64))
        atomic.write_table(root / "design.parquet", table)
        store = cls(root, {"store_format": STORE_FORMAT, **manifest, "status": "created"})
        store.save_manifest()
        return store

    @classmethod
    def open(cls, root: str | Path) -> ResultsStore:
        """Open an existing store and check it: manifest, design, and every part's footer.

        Rows are checked as they are read (:meth:`done_mask`, :meth:`read_runs`).

        Raises:
            StoreMismatchError: a newer format, or a file that is not what it should be (the
                error names the file; nothing is changed).
        """
        root = Path(root)
        store = cls(root, read_manifest(root))
        store._check_files()
        return store

    @staticmethod
    def exists(root: str | Path) -> bool:
        """True when ``root`` holds a store (a manifest; any kind of file: checked on opening)."""
        return os.path.lexists(Path(root) / MANIFEST)

    @staticmethod
    def is_free(root: str | Path) -> bool:
        """True when a new store may be made in ``root``.

        That is: ``root`` does not exist, is empty, or holds only the skeleton a sweep
        killed while creating its store leaves (empty part directories, the design, hidden
        temporary files, the lock), never a manifest.
        """
        root = Path(root)
        if not root.exists():
            return True
        for entry in root.iterdir():
            if entry.name in _KINDS and entry.is_dir():
                if any(not p.name.startswith(".tmp-") for p in entry.iterdir()):
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
                str(self.root),
                "--out",
                "a new directory or this experiment's own results",
                verbatim(
                    f"it holds the results of another experiment ('{held}', hash {theirs}); "
                    f"'{name}' has hash {experiment_hash}"
                ),
                hint="use another --out directory, or run the experiment file these results "
                "came from",
            )

    @property
    def experiment_hash(self) -> str:
        """The hash every part of this store carries."""
        return str(self.manifest.get("experiment_hash", ""))

    def _check_files(self) -> None:
        """Design and part footers readable, part names and hashes this store's."""
        design = self.root / "design.parquet"
        try:
            with open_regular(design, self.root) as handle:
                rows = pq.read_metadata(handle).num_rows
        except StoreCorruptError:
            raise
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds
            raise StoreCorruptError(str(design), "", "the design table (Parquet)",
                                    verbatim(reason(exc))) from None  # fmt: skip
        factor = max(1, len(self.manifest.get("scenarios") or []))
        if "design" in self.manifest and rows * self.manifest["replicates"] * factor != self.n_runs:
            raise StoreCorruptError(str(design), "", f"{self.n_runs} runs in the design",
                                    verbatim(f"{rows} points"))  # fmt: skip
        for kind in ("runs", "series", "pending"):
            folder = self.root / kind
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                if entry.name.startswith((".", "_")):
                    continue  # temporary files: cleared under the lock, ignored by readers
                if _tag(entry) is None or not entry.is_file():
                    raise corrupt(entry, "a stray file", hint=f"move it out of {folder}")
                self._check_footer(entry)

    def _check_footer(self, part: Path) -> None:
        try:
            with open_regular(part, self.root) as handle:
                meta = pq.read_metadata(handle).metadata or {}
        except StoreCorruptError:
            raise
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds
            if not part.exists():
                return  # moved from pending/ to series/ by a live sweep meanwhile
            raise corrupt(part, f"unreadable ({reason(exc)})", hint=self._aside_hint()) from None
        theirs = meta.get(HASH_KEY.encode(), b"").decode(errors="replace")
        if theirs != self.experiment_hash:
            got = f"a part of experiment {theirs}" if theirs else "a part of no concertsim store"
            raise corrupt(part, f"{got}, not of {self.experiment_hash}",
                           hint="copied from another store? " + self._aside_hint())  # fmt: skip

    def _aside_hint(self) -> str:
        aside = self.root / "quarantine"
        return f"move it (and its series, same name) to {aside} to run its runs again"

    # ------------------------------------------------------------------ writing

    def save_manifest(self, **updates: Any) -> None:
        """Update the manifest with ``updates`` and write it atomically."""
        self.manifest.update(updates)
        text = json.dumps(self.manifest, indent=2, sort_keys=False, default=str)
        atomic.write_bytes(self.root / MANIFEST, text.encode())

    def write_part(self, runs: pd.DataFrame, series: pd.DataFrame | None = None) -> None:
        """Commit one finished task: its run rows and series appear together or not at all.

        See the module docstring for the three steps; the run part's rename is the commit.
        """
        if runs.empty:
            return
        ids = runs["run_id"].to_numpy()
        name = f"part-{int(ids.min()):012d}-{int(ids.max()):012d}-{uuid.uuid4().hex[:8]}.parquet"
        meta = {HASH_KEY: self.experiment_hash}
        staged = self.root / "pending" / name
        if series is not None and not series.empty:
            staged.parent.mkdir(exist_ok=True)
            atomic.write_table(staged, series, meta, checksum=True)
        else:
            series = None
        atomic.write_table(self.root / "runs" / name, runs, meta, checksum=True)  # the commit
        if series is not None:
            os.replace(staged, self.root / "series" / name)
            atomic.fsync_dir(self.root / "series")

    def recover(self) -> list[str]:
        """Finish or undo what a killed sweep left; call with the lock held.

        Temporary files are removed, series of committed tasks are moved from ``pending/`` to
        ``series/`` (roll forward), series of uncommitted tasks are removed (roll back), and a
        series part without its run part (its run part was set aside) goes to quarantine.

        Returns:
            One note per file moved or removed (temporary files aside).
        """
        notes = []
        for sub in (self.root, *(self.root / k for k in _KINDS)):
            if sub.is_dir():
                for tmp in sub.glob(".tmp-*"):
                    tmp.unlink(missing_ok=True)
        committed = {p.name for p in self.part_files("runs")}
        for part in self.part_files("pending"):
            if part.name in committed:
                os.replace(part, self.root / "series" / part.name)
                notes.append(f"finished committing {part.name}")
            else:
                part.unlink()
                notes.append(f"removed uncommitted {part}")
        for part in self.part_files("series"):
            if part.name not in committed:
                notes.append(f"set aside {self._move_aside(part)} (its run part is gone)")
        atomic.fsync_dir(self.root / "series")
        return notes

    def _move_aside(self, part: Path) -> Path:
        target_dir = self.root / "quarantine"
        target_dir.mkdir(exist_ok=True)
        target = target_dir / f"{part.parent.name}-{part.name}"
        os.replace(part, target)
        return target

    def set_aside(self, part: Path) -> list[Path]:
        """Move a run part and its series to ``DIR/quarantine/`` so its runs run again.

        Call with the lock held. Nothing is deleted.

        Returns:
            The new paths.
        """
        moved = []
        for kind in ("runs", "pending", "series"):
            path = self.root / kind / Path(part).name
            if path.exists():
                moved.append(self._move_aside(path))
        return moved

    # ------------------------------------------------------------------ reading

    @property
    def n_runs(self) -> int:
        """Runs in the experiment (from the manifest)."""
        return int(self.manifest.get("n_runs", 0))

    def part_files(self, kind: str = "runs") -> list[Path]:
        """Part files of ``runs``, ``series`` or ``pending``, sorted by name."""
        folder = self.root / kind
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.glob("part-*.parquet") if _tag(p) is not None)

    def _read(self, part: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
        try:
            if columns is not None:
                with open_regular(part, self.root) as handle:
                    names = pq.read_schema(handle).names
                columns = [c for c in columns if c in names]
            with open_regular(part, self.root) as handle:
                table = pq.read_table(handle, columns=columns, page_checksum_verification=True)
            return table.to_pandas()
        except (FileNotFoundError, StoreMismatchError):
            raise
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds
            raise corrupt(part, f"unreadable ({reason(exc)})", hint=self._aside_hint()) from None

    def _check_ids(self, part: Path, ids: np.ndarray) -> None:
        first, last = _tag(part) or (-1, -1)
        n = self.n_runs if "n_runs" in self.manifest else None
        if (
            not np.issubdtype(ids.dtype, np.integer)
            or ids.size == 0
            or int(ids.min()) != first
            or int(ids.max()) != last
            or len(np.unique(ids)) != len(ids)
            or (n is not None and last >= n)
        ):
            raise corrupt(part, f"run ids that do not match its name or the store's {n} runs",
                           hint="copied from another store? " + self._aside_hint())  # fmt: skip

    def _run_ids(self) -> Iterator[tuple[Path, np.ndarray]]:
        for part in self.part_files():
            table = self._read(part)  # whole, so that every page's checksum is verified
            if "run_id" not in table:
                raise corrupt(part, "no run_id column", hint=self._aside_hint())
            ids = table["run_id"].to_numpy()
            self._check_ids(part, ids)
            yield part, ids

    def done_mask(self, n_runs: int | None = None) -> np.ndarray:
        """Boolean array: which runs are committed (reads run ids only).

        Raises:
            StoreCorruptError: a part is unreadable, has run ids out of place, or a run id is
                in two parts.
        """
        n = self.n_runs if n_runs is None else n_runs
        done = np.zeros(n, dtype=bool)
        for part, ids in self._run_ids():
            if ids.max() >= n:
                raise corrupt(part, f"run ids beyond the store's {n} runs")
            if done[ids].any():
                twice = int(ids[done[ids]][0])
                other = next((p for p, i in self._run_ids() if p != part and twice in i), "?")
                raise corrupt(part, f"run {twice} again (it is also in {other})",
                               hint="two parts hold the same run: set one aside")  # fmt: skip
            done[ids] = True
        return done

    def iter_runs(self, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        """The run table part by part (bounded memory)."""
        for part in self.part_files():
            table = self._read(part, columns)
            if "run_id" in table:
                self._check_ids(part, table["run_id"].to_numpy())
            elif columns is None or "run_id" in columns:
                raise corrupt(part, "no run_id column", hint=self._aside_hint())
            yield table

    def read_runs(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The whole run table (or some columns), sorted by run id.

        Raises:
            StoreCorruptError: a part is unreadable or out of place, or a run id is stored
                twice (never the case for a store written by concertsim, even after SIGKILL).
        """
        if columns is not None and "run_id" not in columns:
            columns = ["run_id", *columns]
        frames = [f for f in self.iter_runs(columns) if not f.empty]
        if not frames:
            return pd.DataFrame(columns=list(columns or ["run_id"]))
        table = pd.concat(frames, ignore_index=True)
        twice = table["run_id"].duplicated()
        if twice.any():
            self.done_mask()  # names the two parts
            raise corrupt(self.root / "runs", f"run {int(table['run_id'][twice].iloc[0])} twice")
        return table.sort_values("run_id", kind="stable").reset_index(drop=True)

    def read_series(self) -> pd.DataFrame:
        """The tidy series of committed tasks, sorted by run id and month."""
        committed = {p.name for p in self.part_files("runs")}
        files = {p.name: p for p in self.part_files("pending") if p.name in committed}
        files.update({p.name: p for p in self.part_files("series") if p.name in committed})
        frames = []
        for name, path in sorted(files.items()):
            try:
                frames.append(self._read(path))
            except FileNotFoundError:  # moved from pending/ to series/ meanwhile
                frames.append(self._read(self.root / "series" / name))
        if not frames:
            return pd.DataFrame(columns=["run_id", "month", "level", "variable", "value"])
        table = pd.concat(frames, ignore_index=True)
        return table.sort_values(["run_id", "month"], kind="stable").reset_index(drop=True)

    def read_design(self) -> pd.DataFrame:
        """The design: one row per point, indexed by point."""
        path = self.root / "design.parquet"
        try:
            with open_regular(path, self.root) as handle:
                return pq.read_table(handle).to_pandas().set_index("point")
        except StoreCorruptError:
            raise
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds
            raise StoreCorruptError(str(path), "", "the design table (Parquet)",
                                    verbatim(reason(exc))) from None  # fmt: skip
