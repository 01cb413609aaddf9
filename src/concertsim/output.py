"""Writing a run's results to disk: tables, manifest and figure, whole or not at all.

An output directory holds::

    series.parquet    tidy monthly series: run, month, level, variable, value (the
                      stability index as variable ``stability`` at level ``regional``)
    outcomes.parquet  one row per run: run, seed and the stability outcomes
    manifest.json     "kind": "concertsim.run", versions, command line, scenario, seeds
    figure.png        the headline (stability index, survival of the regional body) and the
                      main series by level, median and 10-90% band across runs (not with
                      ``figure=False``, ``concertsim run --no-figure``)

(``.csv`` instead of ``.parquet`` on request.) The ``"kind": "concertsim.run"`` of the
manifest is what marks a directory as a result of ``concertsim run``.

Where results may go, and how an old result is replaced without ever losing both, is
:mod:`concertsim.outdir`.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from concertsim import atomic
from concertsim.outdir import FORMATS, KIND, RESULT_FILES, check_out_dir, replacing

if TYPE_CHECKING:
    import pandas as pd

    from concertsim.params import Event
    from concertsim.scenario import Scenario

__all__ = ["FORMATS", "KIND", "RESULT_FILES", "SERIES_COLUMNS", "check_out_dir", "write_results"]

SERIES_COLUMNS = ("run", "month", "level", "variable", "value")
"""Columns of the tidy series table, in order."""


# --------------------------------------------------------------------------- content


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
        "kind": KIND,
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


def _jsonable(value: Any) -> Any:
    """numpy scalars and arrays, paths: as plain JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON-able: {type(value).__name__}")


def _fill(
    tmp: Path,
    *,
    scenario: Scenario,
    series: pd.DataFrame,
    outcomes: pd.DataFrame,
    seeds: dict,
    fmt: str,
    command: Sequence[str],
    figure: bool = True,
    stability: Any = None,
    lang: str = "en",
) -> None:
    """Write every file of the output directory into ``tmp``, the manifest last."""
    series_table = _series_table(series)
    files = {"series": tmp / f"series.{fmt}", "outcomes": tmp / f"outcomes.{fmt}"}
    _write_table(series_table, files["series"], fmt)
    _write_table(_outcomes_table(outcomes), files["outcomes"], fmt)
    if figure:  # matplotlib is imported only to draw
        from concertsim.plots import plot_series

        files["figure"] = tmp / "figure.png"
        months = int(series_table["month"].max())
        plot_series(
            series_table,
            files["figure"],
            title=scenario.name,
            events=_marked_events(scenario, months),
            stability=stability,
            lang=lang,
        )
    manifest = _manifest(scenario, seeds, files, series_table, outcomes, command)
    text = json.dumps(manifest, indent=2, sort_keys=False, allow_nan=False, default=_jsonable)
    atomic.write_bytes(tmp / "manifest.json", (text + "\n").encode("utf-8"))


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
    figure: bool = True,
    stability: Any = None,
    lang: str = "en",
) -> Path:
    """Write tables, manifest and figure into ``out_dir``, all or nothing.

    ``out_dir`` is checked as by :func:`check_out_dir` (again: things may have changed
    while the simulation ran), under a lock on its parent that is held until the new
    output is in place.

    Args:
        out_dir: the directory to create (or an empty one, or a result to replace).
        scenario: the scenario as run (its ``to_dict()`` goes into the manifest).
        series: tidy monthly series (run, month, level, variable, value).
        outcomes: one row per run, with ``run`` and ``seed`` columns.
        seeds: ``{"entropy": int, "spawn_keys": [[...], ...]}``.
        fmt: ``"parquet"`` or ``"csv"``.
        force: replace a previous result at ``out_dir`` (only once the new one is complete).
        command: the command line recorded in the manifest (default ``sys.argv``).
        figure: draw ``figure.png`` (``--no-figure``: no figure, and none in the manifest).
        stability: (runs, months + 1) stability index for the figure's headline
            (:attr:`concertsim.simulate.RunResult.stability`).
        lang: the figure's language, ``"en"`` or ``"fr"``.

    Returns:
        The output directory.

    Raises:
        FileExistsError: ``out_dir`` is a previous result and ``force`` is false.
        InputError: ``out_dir`` is refused (see :func:`check_out_dir`).
        ValueError: an unknown format or tables lacking their columns.
        OSError: writing failed; nothing that existed was lost.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    with replacing(out_dir, force=force) as tmp:
        _fill(
            tmp,
            scenario=scenario,
            series=series,
            outcomes=outcomes,
            seeds=seeds,
            fmt=fmt,
            command=sys.argv if command is None else command,
            figure=figure,
            stability=stability,
            lang=lang,
        )
    return Path(out_dir)
