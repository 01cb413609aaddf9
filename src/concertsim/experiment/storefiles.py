"""Reading a store's manifest, and its files only when they are regular files.

Helpers of :mod:`concertsim.experiment.store` (which re-exports the errors): a FIFO, a device
or a socket where a store file should be would make ``open`` wait forever, so every store file
is checked with ``os.lstat`` before it is opened, and a symbolic link must point to a regular
file inside the store.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any, BinaryIO

from concertsim.errors import InputError, verbatim

__all__ = [
    "MANIFEST",
    "STORE_FORMAT",
    "StoreCorruptError",
    "StoreMismatchError",
    "corrupt",
    "open_regular",
    "read_manifest",
    "reason",
    "regular",
]

MANIFEST = "manifest.json"
STORE_FORMAT = 2
"""Version of the store's layout, recorded in the manifest (2: committed tasks, hashed parts)."""

_REQUIRED: dict[str, type] = {"store_format": int, "experiment_hash": str, "n_runs": int,
                              "replicates": int, "seed_entropy": str, "experiment": dict,
                              "design": dict, "salib_problem": dict}  # fmt: skip
"""Keys every manifest has, with their types."""


class StoreMismatchError(InputError):
    """The directory holds something other than this experiment's well-formed results."""


class StoreCorruptError(StoreMismatchError):
    """A file of the store cannot be read, or belongs to another store."""


def reason(exc: BaseException) -> str:
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return " ".join(f"{type(exc).__name__}: {text}".split())[:200]


def corrupt(path: Path, got: str, hint: str | None = None) -> StoreCorruptError:
    return StoreCorruptError(str(path), "", "a part of this store", verbatim(got), hint=hint)


def regular(path: Path, root: Path | None = None) -> Path:
    """``path``, once it is known to be a regular file (a link: to one inside ``root``).

    Raises:
        StoreCorruptError: a FIFO, device, socket, directory, or a link leading elsewhere.
        FileNotFoundError: nothing there.
    """
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        target = Path(os.path.realpath(path))
        inside = root is None or Path(os.path.realpath(root)) in target.parents
        if not inside:
            raise StoreCorruptError(str(path), "", "a file of the store",
                                    verbatim(f"a link to {target}, outside the store"))  # fmt: skip
        mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a directory" if stat.S_ISDIR(mode) else (
            "a special file")  # fmt: skip
        raise StoreCorruptError(str(path), "", "a regular file", verbatim(kind))
    return path


def open_regular(path: Path, root: Path | None = None) -> BinaryIO:
    """``path`` opened for reading, never blocking: refused unless a regular file (see above).

    Raises:
        StoreCorruptError: not a regular file (checked again on the open file: no race).
        FileNotFoundError: nothing there.
    """
    regular(path, root)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StoreCorruptError(str(path), "", "a regular file", verbatim("a special file"))
    return os.fdopen(fd, "rb")


def _scenarios_ok(scenarios: Any) -> bool:
    """A manifest's ``scenarios``: a list of objects with distinct names (or absent)."""
    if not isinstance(scenarios, list):
        return False
    names = [s.get("name") if isinstance(s, dict) else None for s in scenarios]
    return all(isinstance(n, str) and n for n in names) and len(set(names)) == len(names)


def read_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    try:
        with open_regular(path, root) as handle:
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreCorruptError(
            str(path), "", "a readable manifest", verbatim(reason(exc))
        ) from None
    try:
        manifest = json.loads(text)
    except ValueError as exc:
        raise StoreCorruptError(str(path), "", "JSON", verbatim(reason(exc))) from None
    if not isinstance(manifest, dict):
        raise StoreCorruptError(str(path), "", "a JSON object", verbatim(type(manifest).__name__))
    if "store_format" not in manifest and (
        manifest.get("kind") == "concertsim.run" or {"scenario", "seeds"} <= set(manifest)
    ):
        got = verbatim("a `concertsim run` result, not a sweep store")
        raise StoreMismatchError(str(root), "", "a sweep's store", got)
    found = manifest.get("store_format")
    if isinstance(found, int) and not isinstance(found, bool) and found > STORE_FORMAT:
        raise StoreMismatchError(
            str(path),
            "store_format",
            f"format {STORE_FORMAT} (this concertsim)",
            found,
            hint="a newer concertsim wrote this store: upgrade concertsim to read or resume it",
        )
    for key, kind in _REQUIRED.items():
        value = manifest.get(key)
        if key not in manifest:
            raise StoreCorruptError(str(path), key, "a key of every store manifest",
                                    verbatim("missing"))  # fmt: skip
        if not isinstance(value, kind) or isinstance(value, bool):
            what = {int: "an integer", str: "a string", dict: "a JSON object"}[kind]  # type: ignore[index]
            raise StoreCorruptError(str(path), key, what, value)
    if manifest["store_format"] < STORE_FORMAT:
        raise StoreMismatchError(
            str(path), "store_format", f"format {STORE_FORMAT}", manifest["store_format"],
            hint="written by a development version of concertsim: run the sweep again "
            "into a new directory",
        )  # fmt: skip
    bad = [
        (key, value)
        for key, value, ok in (
            ("seed_entropy", manifest["seed_entropy"], manifest["seed_entropy"].isdigit()),
            ("n_runs", manifest["n_runs"], manifest["n_runs"] >= 0),
            ("replicates", manifest["replicates"], manifest["replicates"] >= 1),
            ("design.columns", manifest["design"].get("columns"),
             isinstance(manifest["design"].get("columns"), list)),
            ("scenarios", manifest.get("scenarios"), _scenarios_ok(manifest.get("scenarios", []))),
        )
        if not ok
    ]  # fmt: skip
    if bad:
        raise StoreCorruptError(str(path), bad[0][0], "a value concertsim writes", bad[0][1])
    return manifest
