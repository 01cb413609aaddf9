"""What every method of :mod:`concertsim.experiment.analysis` shares: the report, fills, settings.

The report collects tables, figures, notes (what was done) and warnings (what may mislead:
an index outside [0, 1] beyond its interval, too few replicates to split the variance...).
Nothing is written while the methods run: the driver writes the report at the end, so an
error leaves nothing behind.

Example:
    >>> import numpy as np
    >>> report = AnalysisReport(Path("analysis"))
    >>> report.warn("something is rough")
    >>> report.warnings
    ['something is rough']
    >>> filled(np.array([1.0, np.nan, 3.0])).tolist()
    [1.0, 2.0, 3.0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "AnalysisReport",
    "RUN_COLUMNS",
    "filled",
    "indexable",
    "bootstrap_settings",
]

RUN_COLUMNS = (
    "run_id", "point", "replicate", "scenario", "seed_entropy", "seed_spawn_key", "status", "error"
)  # fmt: skip
"""Columns of the run table that are neither parameters nor outcomes."""


@dataclass
class AnalysisReport:
    """What :func:`~concertsim.experiment.analysis.analyze_store` wrote and found.

    Attributes:
        out: the directory written to.
        files: the tables and figures written.
        outcomes: the outcomes analysed.
        notes: one-line remarks (failed runs, points without a successful run...).
        warnings: one-line cautions about results that could mislead (an index outside
            [0, 1] beyond its interval, one replicate per point...).
        tables: the tables by name (also written as CSV).
        figures: figures to draw, by file name (drawn when the report is written).
        conf_level: the confidence level of the intervals.
        removed: files of a previous analysis in ``out`` that this one replaced by nothing.
    """

    out: Path
    files: list[Path] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Callable[[], Figure]] = field(default_factory=dict, repr=False)
    conf_level: float = 0.95
    removed: list[Path] = field(default_factory=list)

    def note(self, text: str) -> None:
        """Add a one-line note."""
        self.notes.append(text)

    def warn(self, text: str) -> None:
        """Add a one-line warning (printed on stderr by the command line)."""
        if text not in self.warnings:
            self.warnings.append(text)

    def table(self, name: str, table: pd.DataFrame) -> None:
        """Keep a table, to be written as ``name.csv``."""
        self.tables[name] = table

    def figure(self, name: str, draw: Callable[[], Figure]) -> None:
        """Keep a figure, to be drawn and written as ``name`` (a PNG file name)."""
        self.figures[name] = draw


def filled(y: np.ndarray) -> np.ndarray:
    """Point means with missing points (no successful run) set to the overall mean."""
    y = np.asarray(y, dtype=float).copy()
    bad = ~np.isfinite(y)
    if bad.any():
        y[bad] = np.nanmean(y) if (~bad).any() else 0.0
    return y


def indexable(report: AnalysisReport, outcome: str, y: np.ndarray, summary: pd.DataFrame) -> bool:
    """Whether indices of an outcome can be computed; a note says why not, or what was filled.

    Sobol and Morris estimators need every design point: an unfinished sweep gives none, a
    point whose runs all failed is filled with the overall mean (and said so).
    """
    unrun = int((summary["runs_ok"] + summary["runs_failed"] == 0).sum())
    if unrun:
        report.note(f"no indices of {outcome}: {unrun} design points have not run yet")
        return False
    finite = y[np.isfinite(y)]
    if not finite.size or np.ptp(finite) == 0:
        value = f" ({finite[0]:g} everywhere)" if finite.size else ""
        report.note(f"{outcome} does not vary over the design{value}: no indices")
        return False
    missing = int((~np.isfinite(y)).sum())
    if missing:
        report.note(
            f"{outcome}: {missing} design points without a successful run were given the mean "
            "of the others; the indices are approximate"
        )
    return True


def bootstrap_settings(manifest: dict[str, Any]) -> tuple[int, float, int]:
    """``(resamples, conf_level, seed)`` of the bootstrap, from the merged manifest."""
    analysis = manifest["experiment"]["analysis"]
    seed = int(manifest["seed_entropy"]) % (2**32)
    return int(analysis["bootstrap"]), float(analysis["conf_level"]), seed
