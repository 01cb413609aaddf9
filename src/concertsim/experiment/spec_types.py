"""The validated experiment: frozen dataclasses :mod:`concertsim.experiment.spec` builds.

:class:`Experiment` holds a whole experiment file as resolved (defaults filled in);
:func:`design_size` counts the points of a design before anything is sampled, so that an
absurd design is refused, not tried (see :data:`concertsim.config.MAX_DESIGN_POINTS`).

Example:
    >>> design = DesignSpec("grid", (("levels", 3),))
    >>> design_size(design, (ParameterSpec("a", (0.0, 1.0)), ParameterSpec("b", (0.0, 1.0))))
    9
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from concertsim.errors import InputError

__all__ = [
    "DESIGN_KINDS",
    "DISTRIBUTIONS",
    "ParameterSpec",
    "DesignSpec",
    "AnalysisSpec",
    "ScenarioSpec",
    "Experiment",
    "experiment_hash",
    "design_size",
]

DESIGN_KINDS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris", "mixture")
"""Design kinds an experiment may ask for."""

DISTRIBUTIONS: dict[str, int] = {
    "unif": 2,
    "logunif": 2,
    "triang": 3,
    "norm": 2,
    "truncnorm": 4,
    "lognorm": 2,
}
"""SALib distributions and how many numbers their ``bounds`` hold."""


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter that varies.

    Attributes:
        name: dotted parameter name, e.g. ``"turnover.local_annual"``.
        bounds: SALib bounds of its distribution (``[low, high]`` for ``unif``), or ``()``.
        dist: SALib distribution name (see :data:`DISTRIBUTIONS`).
        values: explicit levels (grid and mixture designs cross them), or ``()``.
        link: other parameters that take the same level at every point (with ``values``).
    """

    name: str
    bounds: tuple[float, ...] = ()
    dist: str = "unif"
    values: tuple[float, ...] = ()
    link: tuple[str, ...] = ()

    @property
    def crossed(self) -> bool:
        """True when the parameter takes explicit levels rather than a distribution."""
        return bool(self.values)

    def support(self) -> tuple[float, float]:
        """The smallest and largest value this parameter can take (may be infinite)."""
        if self.values:
            return min(self.values), max(self.values)
        b = self.bounds
        if self.dist in ("unif", "logunif"):
            return b[0], b[1]
        if self.dist == "triang":
            return b[0], b[1]
        if self.dist == "truncnorm":
            return b[0], b[1]
        if self.dist == "lognorm":
            return 0.0, math.inf
        return -math.inf, math.inf


@dataclass(frozen=True)
class DesignSpec:
    """The design: its kind and its options (defaults filled in).

    Attributes:
        kind: one of :data:`DESIGN_KINDS`.
        options: sorted ``(name, value)`` pairs.
    """

    kind: str
    options: tuple[tuple[str, Any], ...] = ()

    def option(self, name: str) -> Any:
        """The value of option ``name`` (its default when the file left it out)."""
        return dict(self.options)[name]


@dataclass(frozen=True)
class AnalysisSpec:
    """Settings of ``concertsim analyze``.

    Attributes:
        bootstrap: bootstrap resamples for confidence intervals.
        conf_level: confidence level of the intervals.
        stable_outcome: the outcome whose mean is the "stability" of a mix (e.g. survival).
        stable_min: a mix is stable when the mean of ``stable_outcome`` is at least this.
        baseline: with ``[scenarios]``, the scenario the others are compared with (default:
            the first).
    """

    bootstrap: int = 200
    conf_level: float = 0.95
    stable_outcome: str = "survived"
    stable_min: float = 0.9
    baseline: str = ""


@dataclass(frozen=True)
class ScenarioSpec:
    """One scenario of an experiment's ``[scenarios]`` factor, as the file gives it.

    Attributes:
        name: its name in the experiment (the key), in the run table's ``scenario`` column.
        ref: a scenario file (relative to the experiment file) or a bundled name, or ``""``.
        inline: the scenario written in the experiment file (a table, as JSON text), or ``""``.
    """

    name: str
    ref: str = ""
    inline: str = ""

    def document(self) -> Any:
        """The file's reference (a string) or the inline table (a dict)."""
        return json.loads(self.inline) if self.inline else self.ref


@dataclass(frozen=True)
class Experiment:
    """A validated experiment file.

    Attributes:
        source: the file it came from (as given), for messages.
        name: a short name (defaults to the file's stem).
        description: free text.
        model: model name in :mod:`concertsim.experiment.models`.
        model_options: sorted ``(name, value)`` pairs passed to the model.
        scenario: the base scenario: a bundled name or a path relative to the file.
        base_dir: the directory of the experiment file (to resolve ``scenario``).
        months: horizon in months (0 = the scenario's own horizon).
        replicates: runs per design point.
        seed: seed entropy (``None`` = fresh entropy, recorded in the store).
        batch_size: runs per task (one ``run_batch`` call).
        outcomes: outcomes of interest (empty = every outcome the model returns).
        series: also store the tidy monthly series.
        design: the design.
        parameters: the parameters that vary, in file order.
        analysis: analysis settings.
        scenarios: scenarios crossed with the design (policies x scenarios), or ``()``: then
            every run uses ``scenario``.
    """

    source: str
    name: str
    description: str
    model: str
    model_options: tuple[tuple[str, Any], ...]
    scenario: str
    base_dir: str
    months: int
    replicates: int
    seed: int | None
    batch_size: int
    outcomes: tuple[str, ...]
    series: bool
    design: DesignSpec
    parameters: tuple[ParameterSpec, ...]
    analysis: AnalysisSpec = field(default_factory=AnalysisSpec)
    scenarios: tuple[ScenarioSpec, ...] = ()

    @property
    def scenario_names(self) -> tuple[str, ...]:
        """Names of the scenarios crossed with the design (``()`` without ``[scenarios]``)."""
        return tuple(s.name for s in self.scenarios)

    @property
    def factor(self) -> int:
        """How many times the design is run: once per scenario (once without scenarios)."""
        return max(1, len(self.scenarios))

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names of the varying parameters, in file order."""
        return tuple(p.name for p in self.parameters)

    def error(self, key: str, expected: str, *got: Any, **kw) -> InputError:
        """An :class:`InputError` about ``key`` of this experiment's file (``got`` optional)."""
        return InputError(self.source, key, expected, *got, **kw)

    def to_dict(self) -> dict[str, Any]:
        """The experiment as resolved: JSON-able, defaults filled in."""
        out = {
            "experiment": {
                "name": self.name,
                "description": self.description,
                "model": self.model,
                "scenario": self.scenario,
                "months": self.months,
                "replicates": self.replicates,
                "seed": None if self.seed is None else str(self.seed),
                "batch_size": self.batch_size,
                "outcomes": list(self.outcomes),
                "series": self.series,
            },
            "model": dict(self.model_options),
            "design": {"kind": self.design.kind, **dict(self.design.options)},
            "parameters": {
                p.name: {
                    "bounds": list(p.bounds),
                    "dist": p.dist,
                    "values": list(p.values),
                    "link": list(p.link),
                }
                for p in self.parameters
            },
            "analysis": {
                "bootstrap": self.analysis.bootstrap,
                "conf_level": self.analysis.conf_level,
                "stable_outcome": self.analysis.stable_outcome,
                "stable_min": self.analysis.stable_min,
            },
        }
        if self.scenarios:  # only then: the hashes of experiments without scenarios stay
            out["scenarios"] = {s.name: s.document() for s in self.scenarios}
            out["analysis"]["baseline"] = self.analysis.baseline
        return out

    def identity(self) -> dict[str, Any]:
        """What determines the results, and nothing else: the experiment's hash covers this.

        The model and its options, the parameters, the design, the replicates, the horizon,
        the seed and the series flag. Not the name, the description, the batch size (results
        do not depend on it), the outcomes of interest (the run table holds every outcome)
        nor the ``[analysis]`` settings: changing those keeps a store resumable. The sweep
        adds the base scenario as resolved and the seed entropy actually used.
        """
        full = self.to_dict()
        identity = {
            "model": self.model,
            "model_options": full["model"],
            "parameters": full["parameters"],
            "design": full["design"],
            "replicates": self.replicates,
            "months": self.months,
            "seed": full["experiment"]["seed"],
            "series": self.series,
        }
        if self.scenarios:  # the sweep puts each scenario as resolved in the identity too
            identity["scenarios"] = full["scenarios"]
        return identity


def experiment_hash(resolved: Mapping[str, Any]) -> str:
    """A short stable hash of a JSON-able mapping (the experiment as resolved).

    Example:
        >>> experiment_hash({"a": 1, "b": 2}) == experiment_hash({"b": 2, "a": 1})
        True
    """
    text = json.dumps(resolved, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def design_size(design: DesignSpec, parameters: Sequence[ParameterSpec]) -> int:
    """Points of a design, computed exactly from its options before anything is sampled.

    Grid: levels (or explicit values) multiplied; LHS: ``n``; Sobol: ``n (2D + 2)`` or
    ``n (D + 2)``; Morris: ``trajectories (D + 1)``; mixture: the lattice, centroid or random
    points times the explicit levels crossed with them.

    Example:
        >>> design_size(DesignSpec("sobol", (("n", 8), ("second_order", True))), [None] * 3)
        64
    """
    opt = dict(design.options)
    d = len(parameters)
    if design.kind == "grid":
        return _product(len(p.values) if p.values else opt["levels"] for p in parameters)
    if design.kind == "lhs":
        return opt["n"]
    if design.kind == "sobol":
        return opt["n"] * (2 * d + 2 if opt["second_order"] else d + 2)
    if design.kind == "morris":
        return opt["trajectories"] * (d + 1)
    q = len(opt["components"])
    if opt["method"] == "lattice":
        shares = _comb(opt["degree"] + q - 1, q - 1)
    elif opt["method"] == "centroid":
        shares = 2 ** min(q, 64) - 1
    else:
        shares = opt["n"]
    return _product([shares, *(len(p.values) for p in parameters if p.values)])


_HUGE = 2**64
"""Counts stop growing past this: any limit is far below."""


def _product(factors) -> int:
    out = 1
    for f in factors:
        out *= f
        if out > _HUGE:
            return out
    return out


def _comb(n: int, k: int) -> int:
    """``comb(n, k)``, stopping once it passes :data:`_HUGE` (it only grows with ``k``)."""
    k = min(k, n - k)
    out = 1
    for i in range(k):
        out = out * (n - i) // (i + 1)
        if out > _HUGE:
            return out
    return out
