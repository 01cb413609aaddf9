"""Comparing scenarios: paired statistics, survival, figures and a report for analysts.

``concertsim compare A B [C ...]`` runs every scenario with the same random streams
(common random numbers) and compares each with the baseline; from Python::

    from concertsim.compare import run_comparison, write_comparison

    comp = run_comparison(["baseline", "imposed", "negotiated"], replicates=40, seed=1)
    comp.paired          # paired differences, outcome by outcome
    write_comparison(comp, "results/compare", lang="fr")   # tables, figures, report.html

Modules: :mod:`~concertsim.compare.paired` (paired statistics, reusable for any pairing),
:mod:`~concertsim.compare.survival` (Kaplan–Meier), :mod:`~concertsim.compare.core`
(running), :mod:`~concertsim.compare.figures`, :mod:`~concertsim.compare.summary` and
:mod:`~concertsim.compare.report` (what the reader sees), :mod:`~concertsim.compare.write`
(the result directory), :mod:`~concertsim.compare.cli` (the command).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .core import Comparison, run_comparison
    from .paired import paired_binary, paired_continuous, paired_table, summary_table
    from .survival import kaplan_meier
    from .write import write_comparison

__all__ = [
    "Comparison",
    "run_comparison",
    "write_comparison",
    "paired_table",
    "summary_table",
    "paired_continuous",
    "paired_binary",
    "kaplan_meier",
]

_LAZY = {
    "Comparison": "core",
    "run_comparison": "core",
    "write_comparison": "write",
    "paired_table": "paired",
    "summary_table": "paired",
    "paired_continuous": "paired",
    "paired_binary": "paired",
    "kaplan_meier": "survival",
}
"""Public name -> module, imported on first use (the command line stays light)."""


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'concertsim.compare' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value
