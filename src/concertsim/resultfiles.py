"""Which files a run's result directory owns (those its manifest lists), and what is at a path.

Helpers of :mod:`concertsim.outdir`.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

__all__ = ["identity", "listed", "own_files", "COMPARE_TABLES", "COMPARE_FIGURES"]

COMPARE_TABLES = ("runs", "summary", "paired", "survival", "survival_summary", "bands")
COMPARE_TABLES += ("difference",)
"""The tables ``concertsim compare`` writes, each as ``.csv`` and ``.parquet``."""
COMPARE_FIGURES = ("paired", "survival", "series", "difference")
"""The figures ``concertsim compare`` writes, each as ``.png``."""

_RESULT_FILES = frozenset(
    {
        "manifest.json",
        "figure.png",
        *(f"{t}.{f}" for t in ("series", "outcomes") for f in ("parquet", "csv")),
        "report.html",
        *(f"{t}.{f}" for t in COMPARE_TABLES for f in ("parquet", "csv")),
        *(f"{name}.png" for name in COMPARE_FIGURES),
    }
)
"""The names a run or a comparison writes (what a temporary without a manifest may hold)."""


def listed(manifest: Any) -> set[str] | None:
    """The files a run's manifest lists as its own (and manifest.json), or None if it lists none."""
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not files:
        return None
    names = {"manifest.json"}
    for entry in files.values():
        name = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(name, str) or name in ("", ".", "..") or "/" in name or "\\" in name:
            return None
        names.add(name)
    return names


def own_files(path: Path, *, temporary: bool = False) -> set[str]:
    """The names a directory of ours may hold: its manifest's files, else a run's usual names.

    ``temporary``: ``path`` is one of our own hidden temporaries (``.<name>.tmp-<id>``), which
    a kill may have left with a manifest cut short; its names are then a run's usual ones.
    """
    try:
        if not stat.S_ISREG(os.lstat(path / "manifest.json").st_mode):
            return set()
        names = listed(json.loads((path / "manifest.json").read_text(encoding="utf-8")))
    except FileNotFoundError:
        return set(_RESULT_FILES)  # a temporary killed before its manifest was written
    except (OSError, ValueError):
        return set(_RESULT_FILES) if temporary else set()
    if names is None:
        return set(_RESULT_FILES) if temporary else set()
    return names


def identity(target: Path) -> Any:
    """What is at ``target``: None for nothing or an empty directory, else inodes and times."""
    try:
        info = os.lstat(target)
        if stat.S_ISDIR(info.st_mode) and not os.listdir(target):
            return None
        manifest = os.lstat(target / "manifest.json")
    except FileNotFoundError:
        return None if not os.path.lexists(target) else ("no manifest", info.st_ino)
    except OSError:
        return ("unreadable",)
    return (info.st_dev, info.st_ino, manifest.st_ino, manifest.st_mtime_ns)
