"""What the screening scripts share: the behavioural parameters read from the code, paired runs.

Nothing here names a parameter: the list comes from ``concertsim.params.SECTIONS`` and each
field's metadata (:class:`concertsim.params.FieldInfo`) at run time, so the screening follows
the model when parameters are added or removed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from concertsim import params

__all__ = [
    "EXCLUDED_SECTIONS",
    "OUTCOMES",
    "NEGLIGIBLE",
    "Param",
    "behavioural_parameters",
    "all_parameter_names",
    "paired_effects",
    "run_pairs",
    "excludes_zero",
    "BINARY",
    "fmt",
]

EXCLUDED_SECTIONS: tuple[str, ...] = ("role_mix", "role_mode")
"""The role mix and modes are what the runs compare (decisions, not behaviour); structure
(counts of organisations and posts) is not a section of ``Parameters`` and stays fixed."""

OUTCOMES: tuple[str, ...] = ("survived", "participation_retained", "stability_mean")
"""The stability outcomes of issue #8."""

NEGLIGIBLE = 1e-3
"""Below this mu* (or |paired difference|) on every outcome it moves, an effect is detectable
under common random numbers but negligible: 0.1 percentage point of a 0-1 outcome."""

BINARY: frozenset[str] = frozenset({"survived"})
"""Outcomes that are 0 or 1 per run with one region (paired with Newcombe's interval)."""


@dataclass(frozen=True)
class Param:
    """One behavioural parameter: dotted name, default, metadata."""

    name: str
    default: Any
    info: params.FieldInfo

    @property
    def kind(self) -> str:
        """``bool``, ``int``, ``float`` or ``other`` (not numeric: not screened)."""
        if isinstance(self.default, bool):
            return "bool"
        if not isinstance(self.default, int | float):
            return "other"
        return "int" if self.info.integer else "float"


def behavioural_parameters() -> list[Param]:
    """Every field of every section of ``params.SECTIONS`` except :data:`EXCLUDED_SECTIONS`."""
    out = []
    for section, cls in params.SECTIONS.items():
        if section in EXCLUDED_SECTIONS:
            continue
        for f in dataclasses.fields(cls):
            out.append(Param(f"{section}.{f.name}", f.default, f.metadata["info"]))
    return out


def all_parameter_names() -> set[str]:
    """Every dotted name a scenario override accepts (sections and structure)."""
    names = {f"structure.{f.name}" for f in dataclasses.fields(params.Structure)}
    for section, cls in params.SECTIONS.items():
        names |= {f"{section}.{f.name}" for f in dataclasses.fields(cls)}
    return names


def paired_effects(
    base: Mapping[str, np.ndarray], alt: Mapping[str, np.ndarray], conf: float = 0.95
) -> dict[str, tuple[float, float, float]]:
    """Per outcome, alt minus base (paired by seed): (effect, low, high).

    Yes/no outcomes use Newcombe's paired interval, the others the t interval of the paired
    differences (``concertsim.intervals``).
    """
    from concertsim.intervals import mean_ci, newcombe_paired_interval

    out = {}
    for outcome in OUTCOMES:
        b, a = np.asarray(base[outcome], float), np.asarray(alt[outcome], float)
        if outcome in BINARY and np.isin(np.r_[a, b], (0.0, 1.0)).all():
            out[outcome] = newcombe_paired_interval(b > 0.5, a > 0.5, conf)
        else:
            mean, low, high, _ = mean_ci(a - b, conf)
            out[outcome] = (mean, low, high)
    return out


def excludes_zero(low: float, high: float) -> bool:
    """Whether the interval [low, high] lies strictly on one side of 0."""
    return (low > 0 or high < 0) and not (math.isnan(low) or math.isnan(high))


def fmt(x: float, digits: int = 2) -> str:
    """A number for a markdown table: ``digits`` significant digits (e-notation below 1e-4)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def run_pairs(
    scenario: Any, arms: Sequence[Mapping[str, Any]], replicates: int, seed: int
) -> list[dict[str, np.ndarray]]:
    """Run each arm (overrides of ``scenario``) on the same ``replicates`` seeds.

    Replicate ``r`` of every arm has the seed ``SeedSequence(seed).spawn(replicates)[r]``,
    exactly as ``run_scenario(s, replicates=..., seed=seed)`` (common random numbers); the arms
    are stepped in one batch (``run_batch``: a run gives the same numbers in any batch).
    """
    from concertsim.simulate import run_batch
    from concertsim.streams import run_seeds

    _, seeds = run_seeds(seed, replicates)
    res = run_batch(scenario, seeds * len(arms), [dict(a) for a in arms for _ in seeds])
    table = res.outcomes
    return [
        {o: table[o].to_numpy()[i * replicates : (i + 1) * replicates] for o in OUTCOMES}
        for i in range(len(arms))
    ]
