"""Writing a comparison's directory: tables, figures, report and manifest, all or nothing.

A comparison's directory holds::

    runs.csv/.parquet              one row per run: scenario, run, seed, outcomes
    summary.csv/.parquet           each scenario's outcomes: mean and 95% interval
    paired.csv/.parquet            each scenario against the baseline, outcome by outcome
    survival.csv/.parquet          Kaplan–Meier curves month by month, with their bands
    survival_summary.csv/.parquet  median survival and restricted mean per scenario
    bands.csv/.parquet             main series: mean, 10%, median, 90% of the runs by month
    difference.csv/.parquet        main series: paired difference from the baseline by month
    paired.png survival.png series.png difference.png
    report.html                    the self-contained report
    manifest.json                  "kind": "concertsim.compare", versions, seeds, files

It is written into a temporary beside ``--out`` and swapped in whole
(:func:`concertsim.outdir.replacing`): ``--force`` replaces a previous result of
``compare`` (never another command's) only once the new one is complete.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from concertsim import atomic
from concertsim.outdir import replacing
from concertsim.resultfiles import COMPARE_FIGURES, COMPARE_TABLES

from .core import Comparison, bands_table, difference_table
from .figures import plot_bands, plot_difference, plot_paired, plot_survival
from .paired import HEADLINE
from .report import render_report
from .survival import survival_tables

__all__ = ["COMPARE_KIND", "comparison_tables", "write_comparison"]

COMPARE_KIND = "concertsim.compare"
"""The ``"kind"`` of a comparison's ``manifest.json``."""


def comparison_tables(comp: Comparison) -> dict[str, pd.DataFrame]:
    """Every table of a comparison, by the name of its file (:data:`COMPARE_TABLES`)."""
    curves, survival_summary = survival_tables(comp.curves)
    tables = {
        "runs": comp.runs,
        "summary": comp.summary,
        "paired": comp.paired,
        "survival": curves,
        "survival_summary": survival_summary,
        "bands": bands_table(comp.series),
        "difference": difference_table(comp.series, comp.baseline),
    }
    assert tuple(tables) == COMPARE_TABLES
    return tables


def _event_months(comp: Comparison) -> dict[str, list[int]]:
    return {
        n: [e.month for e in sc.events if e.month < comp.horizon]
        for n, sc in comp.scenarios.items()
    }


def _figures(comp: Comparison, tables: dict, folder: Path, lang: str) -> dict[str, Path]:
    order = list(comp.scenarios)
    headline = [o for o in HEADLINE if o in set(comp.paired["outcome"])]
    paths = {name: folder / f"{name}.png" for name in COMPARE_FIGURES}
    plot_paired(comp.paired, paths["paired"], order=order, outcomes=headline, lang=lang)
    plot_survival(comp.curves, paths["survival"], lang=lang)
    plot_bands(tables["bands"], paths["series"], order=order, events=_event_months(comp), lang=lang)
    plot_difference(tables["difference"], paths["difference"], order=order, lang=lang)
    return paths


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON-able: {type(value).__name__}")


def _provenance(comp: Comparison, command: Sequence[str], lang: str) -> dict[str, Any]:
    import scipy

    import concertsim

    return {
        "kind": COMPARE_KIND,
        "concertsim_version": concertsim.__version__,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "versions": {**atomic.versions(), "scipy": scipy.__version__},
        "platform": platform.platform(),
        "command": list(command),
        "language": lang,
        "baseline": comp.baseline,
        "replicates": comp.replicates,
        "rounds": list(comp.rounds),
        "precision": comp.precision,
        "widest_headline_half_width": comp.reached if comp.reached == comp.reached else None,
        "months": comp.horizon,
        "seeds": {"entropy": comp.seed, "spawn_keys": [[r] for r in range(comp.replicates)]},
        "scenarios": {n: sc.to_dict() for n, sc in comp.scenarios.items()},
    }


def _write_table(table: pd.DataFrame, folder: Path, name: str) -> dict[str, Path]:
    table = table.reset_index(drop=True)
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    table.to_parquet(parquet, index=False, engine="pyarrow", compression="zstd")
    table.to_csv(csv, index=False, float_format="%.17g", lineterminator="\n")
    return {f"{name}_parquet": parquet, f"{name}_csv": csv}


def write_comparison(
    comp: Comparison,
    out_dir: str | Path,
    *,
    lang: str = "en",
    force: bool = False,
    command: Sequence[str] | None = None,
) -> Path:
    """Write the comparison's tables, figures, report and manifest into ``out_dir``.

    Args:
        comp: what :func:`~concertsim.compare.core.run_comparison` returned.
        out_dir: a new or empty directory, or a previous result to replace (``force``).
        lang: the language of the report and figures (``"en"`` or ``"fr"``).
        force: replace a previous result at ``out_dir`` once the new one is complete.
        command: the command line recorded (default ``sys.argv``).

    Returns:
        ``out_dir`` as a path; its ``report.html`` is the report.

    Raises:
        FileExistsError: ``out_dir`` is a previous result and ``force`` is false.
        InputError: ``out_dir`` is refused (see :func:`concertsim.outdir.check_out_dir`).
    """
    manifest = _provenance(comp, sys.argv if command is None else command, lang)
    with replacing(out_dir, force=force, kind=COMPARE_KIND) as tmp:
        tables = comparison_tables(comp)
        files: dict[str, Path] = {}
        for name, table in tables.items():
            files.update(_write_table(table, tmp, name))
        figures = _figures(comp, tables, tmp, lang)
        files.update({f"{n}_figure": p for n, p in figures.items()})
        report = render_report(comp, figures, manifest, lang=lang)
        atomic.write_bytes(tmp / "report.html", report.encode("utf-8"))
        files["report"] = tmp / "report.html"
        manifest["files"] = {
            name: {"path": p.name, "sha256": atomic.sha256(p)} for name, p in files.items()
        }
        text = json.dumps(manifest, indent=2, allow_nan=False, default=_jsonable)
        atomic.write_bytes(tmp / "manifest.json", (text + "\n").encode("utf-8"))
    return Path(out_dir)
