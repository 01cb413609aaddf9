"""Writing a run's results to disk, atomically: tables, manifest and figure.

An output directory holds::

    series.parquet    tidy monthly series: run, month, level, variable, value
    outcomes.parquet  one row per run: run, seed and the stability outcomes
    manifest.json     versions, command line, the resolved scenario, the seeds
    figure.png        the main series by level, median and 10-90% band across runs

(``.csv`` instead of ``.parquet`` on request.) Everything is written into a temporary
sibling directory first and renamed into place only when complete, so a failure
never leaves a half-written directory, and an existing directory is replaced
(with ``force=True``) only once its replacement is whole.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from concertsim import atomic

if TYPE_CHECKING:
    import pandas as pd

    from concertsim.params import Event
    from concertsim.scenario import Scenario

__all__ = ["write_results", "check_out_dir", "SERIES_COLUMNS", "FORMATS"]

SERIES_COLUMNS = ("run", "month", "level", "variable", "value")
"""Columns of the tidy series table, in order."""

FORMATS = ("parquet", "csv")
"""Table formats :func:`write_results` can write."""


def check_out_dir(out_dir: str | Path, *, force: bool = False) -> Path:
    """Refuse an output directory that cannot be written; call before running anything.

    Raises:
        FileExistsError: ``out_dir`` exists and ``force`` is false.
        InputError: ``out_dir`` is a file, or its nearest existing parent is not a
            writable directory.
    """
    from concertsim.errors import InputError, verbatim

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("--out", str(out), "a directory (or a new path)", verbatim("a file"))
    if out.exists() and not force:
        raise FileExistsError(f"{out} already exists (use --force to replace it)")
    parent = out.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(
            "--out", str(out), "a path under a writable directory", verbatim(f"{parent} is not")
        )
    return out


def _series_table(series: pd.DataFrame) -> pd.DataFrame:
    """The series with the tidy columns, in order, with stable dtypes."""
    missing = [c for c in SERIES_COLUMNS if c not in series.columns]
    if missing:
        raise ValueError(f"series lacks columns {missing}")
    table = series.loc[:, list(SERIES_COLUMNS)].reset_index(drop=True)
    return table.astype(
        {"run": "int64", "month": "int64", "level": str, "variable": str, "value": "float64"}
    )


def _outcomes_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The outcomes with ``run`` (int) and ``seed`` (str) first."""
    for column in ("run", "seed"):
        if column not in outcomes.columns:
            raise ValueError(f"outcomes lack the {column!r} column")
    rest = [c for c in outcomes.columns if c not in ("run", "seed")]
    table = outcomes.loc[:, ["run", "seed", *rest]].reset_index(drop=True)
    return table.astype({"run": "int64", "seed": str})


def _write_table(table: pd.DataFrame, path: Path, fmt: str) -> None:
    """One table as Parquet (deterministic bytes for the same data) or CSV."""
    if fmt == "parquet":
        table.to_parquet(path, index=False, engine="pyarrow", compression="zstd")
    else:
        table.to_csv(path, index=False, float_format="%.17g", lineterminator="\n")


def _manifest(
    scenario: Scenario,
    seeds: dict,
    files: dict[str, Path],
    series: pd.DataFrame,
    outcomes: pd.DataFrame,
    command: Sequence[str],
) -> dict[str, Any]:
    """The provenance record of one output directory."""
    import concertsim

    months = int(series["month"].max()) if len(series) else 0
    return {
        "concertsim_version": concertsim.__version__,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "versions": atomic.versions(),
        "platform": platform.platform(),
        "command": list(command),
        "replicates": len(outcomes),
        "months": months,
        "seeds": seeds,
        "files": {name: {"path": p.name, "sha256": atomic.sha256(p)} for name, p in files.items()},
        "scenario": scenario.to_dict(),
    }


def _marked_events(scenario: Scenario, months: int) -> list[Event]:
    """The scenario's events and its municipal elections in the first ``months``, for the figure."""
    from concertsim.params import Event
    from concertsim.submodels.turnover import election_months

    elections = election_months(scenario.params.turnover, months)
    events = [e for e in scenario.events if e.month < months]
    return sorted(
        [*events, *(Event(month=m, kind="election") for m in elections)],
        key=lambda e: e.month,
    )


def _fill(
    tmp: Path,
    *,
    scenario: Scenario,
    series: pd.DataFrame,
    outcomes: pd.DataFrame,
    seeds: dict,
    fmt: str,
    command: Sequence[str],
) -> None:
    """Write every file of the output directory into ``tmp``."""
    from concertsim.plots import plot_series

    series_table = _series_table(series)
    files = {"series": tmp / f"series.{fmt}", "outcomes": tmp / f"outcomes.{fmt}"}
    _write_table(series_table, files["series"], fmt)
    _write_table(_outcomes_table(outcomes), files["outcomes"], fmt)
    files["figure"] = tmp / "figure.png"
    title = f"{scenario.name}: median and 10-90% band of {len(outcomes)} runs"
    months = int(series_table["month"].max())
    plot_series(series_table, files["figure"], title=title, events=_marked_events(scenario, months))
    manifest = _manifest(scenario, seeds, files, series_table, outcomes, command)
    text = json.dumps(manifest, indent=2, sort_keys=False, allow_nan=False, default=_jsonable)
    (tmp / "manifest.json").write_text(text + "\n")


def _jsonable(value: Any) -> Any:
    """numpy scalars and arrays, paths: as plain JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON-able: {type(value).__name__}")


def _umask() -> int:
    """The process's umask (mkdtemp makes private directories; results should not be)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _swap_in(tmp: Path, out: Path, *, force: bool) -> None:
    """Rename ``tmp`` to ``out``; an existing ``out`` is moved aside first and removed last."""
    if not out.exists():
        os.rename(tmp, out)
        return
    if not force:
        raise FileExistsError(f"{out} already exists (use --force to replace it)")
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(old, out)
        raise
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def write_results(
    out_dir: str | Path,
    *,
    scenario: Scenario,
    series: pd.DataFrame,
    outcomes: pd.DataFrame,
    seeds: dict,
    fmt: str = "parquet",
    force: bool = False,
    command: Sequence[str] | None = None,
) -> Path:
    """Write tables, manifest and figure into ``out_dir``, all or nothing.

    Args:
        out_dir: the directory to create.
        scenario: the scenario as run (its ``to_dict()`` goes into the manifest).
        series: tidy monthly series (run, month, level, variable, value).
        outcomes: one row per run, with ``run`` and ``seed`` columns.
        seeds: ``{"entropy": int, "spawn_keys": [[...], ...]}``.
        fmt: ``"parquet"`` or ``"csv"``.
        force: replace an existing ``out_dir`` (only once the new one is complete).
        command: the command line recorded in the manifest (default ``sys.argv``).

    Returns:
        The output directory.

    Raises:
        FileExistsError: ``out_dir`` exists and ``force`` is false.
        ValueError: an unknown format or tables lacking their columns.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    out = check_out_dir(out_dir, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        _fill(
            tmp,
            scenario=scenario,
            series=series,
            outcomes=outcomes,
            seeds=seeds,
            fmt=fmt,
            command=sys.argv if command is None else command,
        )
        _swap_in(tmp, out, force=force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
