"""Experiment files: TOML in, frozen dataclasses out, everything validated first.

An experiment file names the model and its base scenario, the parameters that vary,
the design that places the points, the replicates per point, the outcomes of
interest, the horizon and the seed entropy. :func:`load_experiment` checks all of it
before anything runs; a problem raises :class:`concertsim.errors.InputError`, whose
one-line message names the file and the key.

Example:
    >>> text = '''
    ... [experiment]
    ... model = "ishigami"
    ... replicates = 2
    ... seed = 7
    ... [design]
    ... kind = "lhs"
    ... n = 8
    ... [parameters]
    ... x1 = { bounds = [-3.14, 3.14] }
    ... '''
    >>> exp = parse_experiment(text, "demo.toml")
    >>> exp.design.kind, exp.replicates, exp.parameter_names
    ('lhs', 2, ('x1',))
    >>> parse_experiment(text.replace("n = 8", "n = 0"), "demo.toml")
    Traceback (most recent call last):
    ...
    concertsim.errors.InputError: demo.toml: [design] n: expected an integer >= 1, got 0
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from concertsim.errors import InputError, verbatim
from concertsim.scenario import _suggest

__all__ = [
    "DESIGN_KINDS",
    "DISTRIBUTIONS",
    "ParameterSpec",
    "DesignSpec",
    "AnalysisSpec",
    "Experiment",
    "load_experiment",
    "parse_experiment",
    "experiment_hash",
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

_DESIGN_OPTIONS: dict[str, dict[str, Any]] = {
    "grid": {"levels": 3},
    "lhs": {"n": None},
    "sobol": {"n": None, "second_order": True},
    "morris": {"trajectories": None, "levels": 4, "optimal_trajectories": 0},
    "mixture": {
        "components": None,
        "total": 1.0,
        "complement": "",
        "method": "lattice",
        "degree": 4,
        "n": 0,
        "lower": 0.0,
    },
}
"""Options of each design kind and their defaults (``None`` = required)."""

_EXPERIMENT_KEYS = {
    "name": "",
    "description": "",
    "model": "concertation",
    "scenario": "baseline",
    "months": 0,
    "replicates": 1,
    "seed": None,
    "batch_size": 64,
    "outcomes": [],
    "series": False,
}
_ANALYSIS_KEYS = {
    "bootstrap": 200,
    "conf_level": 0.95,
    "stable_outcome": "survived",
    "stable_min": 0.9,
}
_UNBOUNDED = ("norm", "lognorm")
"""Distributions with an infinite quantile 0 or 1."""
_TOP_KEYS = ("experiment", "model", "design", "parameters", "analysis")
_PARAM_KEYS = ("bounds", "dist", "values", "link")
_MIXTURE_METHODS = ("lattice", "centroid", "random")


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
    """

    bootstrap: int = 200
    conf_level: float = 0.95
    stable_outcome: str = "survived"
    stable_min: float = 0.9


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

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names of the varying parameters, in file order."""
        return tuple(p.name for p in self.parameters)

    def error(self, key: str, expected: str, got: Any = InputError._NOTHING, **kw) -> InputError:
        """An :class:`InputError` about ``key`` of this experiment's file."""
        return InputError(self.source, key, expected, got, **kw)

    def to_dict(self) -> dict[str, Any]:
        """The experiment as resolved: JSON-able, defaults filled in."""
        return {
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

    def identity(self) -> dict[str, Any]:
        """What determines the results, and nothing else: the experiment's hash covers this.

        The model and its options, the parameters, the design, the replicates, the horizon,
        the seed and the series flag. Not the name, the description, the batch size (results
        do not depend on it), the outcomes of interest (the run table holds every outcome)
        nor the ``[analysis]`` settings: changing those keeps a store resumable. The sweep
        adds the base scenario as resolved and the seed entropy actually used.
        """
        full = self.to_dict()
        return {
            "model": self.model,
            "model_options": full["model"],
            "parameters": full["parameters"],
            "design": full["design"],
            "replicates": self.replicates,
            "months": self.months,
            "seed": full["experiment"]["seed"],
            "series": self.series,
        }


def experiment_hash(resolved: Mapping[str, Any]) -> str:
    """A short stable hash of a JSON-able mapping (the experiment as resolved).

    Example:
        >>> experiment_hash({"a": 1, "b": 2}) == experiment_hash({"b": 2, "a": 1})
        True
    """
    text = json.dumps(resolved, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file.

    Args:
        path: the TOML file.

    Returns:
        The validated :class:`Experiment`.

    Raises:
        InputError: the file is missing, unreadable, not TOML, or a key is wrong.
    """
    source = str(path)
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(source, "", "an experiment file", verbatim("no such file")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(source, "", "a readable UTF-8 file", verbatim(str(exc))) from None
    return parse_experiment(text, source, base_dir=p.resolve().parent, default_name=p.stem)


def parse_experiment(
    text: str, source: str = "<experiment>", *, base_dir: Path | None = None, default_name=""
) -> Experiment:
    """Validate the TOML text of an experiment file (see :func:`load_experiment`)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, "", "valid TOML", verbatim(str(exc))) from None
    _check_keys(source, "", doc, _TOP_KEYS)
    exp = _table(source, doc, "experiment")
    _check_keys(source, "[experiment]", exp, _EXPERIMENT_KEYS)
    get = _Getter(source, "[experiment]", exp, _EXPERIMENT_KEYS)
    model_options = _table(source, doc, "model")
    design = _design(source, _table(source, doc, "design"))
    parameters = _parameters(source, _table(source, doc, "parameters"), design)
    outcomes = get.str_list("outcomes")
    analysis = _analysis(source, _table(source, doc, "analysis"))
    seed = get.get("seed")
    if seed is not None and (not _is_int(seed) or seed < 0):
        raise InputError(source, "[experiment] seed", "a non-negative integer", seed)
    return Experiment(
        source=source,
        name=get.str("name") or default_name or "experiment",
        description=get.str("description"),
        model=get.str("model"),
        model_options=tuple(sorted(model_options.items())),
        scenario=get.str("scenario"),
        base_dir=str(base_dir or Path.cwd()),
        months=get.int("months", 0),
        replicates=get.int("replicates", 1),
        seed=seed,
        batch_size=get.int("batch_size", 1),
        outcomes=tuple(outcomes),
        series=get.bool("series"),
        design=design,
        parameters=parameters,
        analysis=analysis,
    )


# --------------------------------------------------------------------------- helpers


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _check_keys(source: str, where: str, table: Mapping[str, Any], valid) -> None:
    """Refuse unknown keys, suggesting the closest valid one."""
    for key in table:
        if key not in valid:
            hint = _suggest(key, list(valid))
            name = f"{where} {key}".strip() if where else f"[{key}]"
            allowed = ", ".join(valid)
            raise InputError(source, name, f"one of: {allowed}", verbatim("unknown key"), hint=hint)


def _table(source: str, doc: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise InputError(source, f"[{name}]", "a table", value)
    return value


class _Getter:
    """Typed access to one table with defaults, raising InputError on a wrong type."""

    def __init__(self, source: str, where: str, table: Mapping[str, Any], defaults) -> None:
        self.source, self.where, self.table, self.defaults = source, where, table, defaults

    def get(self, key: str) -> Any:
        return self.table.get(key, self.defaults[key])

    def _err(self, key: str, expected: str, got: Any) -> InputError:
        return InputError(self.source, f"{self.where} {key}", expected, got)

    def str(self, key: str) -> str:
        v = self.get(key)
        if not isinstance(v, str):
            raise self._err(key, "a string", v)
        return v

    def int(self, key: str, low: int) -> int:
        v = self.get(key)
        if not _is_int(v) or v < low:
            raise self._err(key, f"an integer >= {low}", v)
        return v

    def num(self, key: str, low: float, high: float, *, open_low: bool = False) -> float:
        v = self.get(key)
        bad = not _is_num(v) or v > high or (v <= low if open_low else v < low)
        if bad:
            bracket = "(" if open_low else "["
            span = f" in {bracket}{low:g}, {high:g}]" if math.isfinite(low - high) else ""
            raise self._err(key, f"a number{span}", v)
        return float(v)

    def bool(self, key: str) -> bool:
        v = self.get(key)
        if not isinstance(v, bool):
            raise self._err(key, "true or false", v)
        return v

    def str_list(self, key: str) -> list[str]:
        v = self.get(key)
        if not isinstance(v, list) or not all(isinstance(s, str) and s for s in v):
            raise self._err(key, "an array of names", v)
        if len(set(v)) != len(v):
            raise self._err(key, "names without repeats", v)
        return v


def _design(source: str, table: dict[str, Any]) -> DesignSpec:
    kind = table.get("kind")
    if kind not in DESIGN_KINDS:
        hint = _suggest(str(kind), DESIGN_KINDS) if kind is not None else None
        got = kind if kind is not None else verbatim("nothing")
        raise InputError(source, "[design] kind", f"one of {DESIGN_KINDS}", got, hint=hint)
    defaults = _DESIGN_OPTIONS[kind]
    _check_keys(source, "[design]", table, {"kind": kind, **defaults})
    for key, default in defaults.items():
        if default is None and key not in table:
            raise InputError(source, f"[design] {key}", f"a value (required by '{kind}')")
    get = _Getter(source, "[design]", table, defaults)
    options: dict[str, Any] = {}
    if kind == "grid":
        options["levels"] = get.int("levels", 2)
    elif kind == "lhs":
        options["n"] = get.int("n", 1)
    elif kind == "sobol":
        n = get.int("n", 2)
        if n & (n - 1):
            raise InputError(source, "[design] n", "a power of 2 for a Sobol design", n)
        options.update(n=n, second_order=get.bool("second_order"))
    elif kind == "morris":
        levels = get.int("levels", 2)
        if levels % 2:
            raise InputError(source, "[design] levels", "an even number of levels", levels)
        traj = get.int("trajectories", 2)
        opt = get.int("optimal_trajectories", 0)
        if opt and not 2 <= opt < traj:
            raise InputError(
                source, "[design] optimal_trajectories", f"0 or an integer in [2, {traj})", opt
            )
        options.update(trajectories=traj, levels=levels, optimal_trajectories=opt)
    else:
        options.update(_mixture_options(source, get))
    return DesignSpec(kind, tuple(sorted(options.items())))


def _mixture_options(source: str, get: _Getter) -> dict[str, Any]:
    components = get.str_list("components")
    if len(components) < 2:
        raise get._err("components", "at least 2 components", components)
    total = get.num("total", 0.0, 1.0, open_low=True)
    method = get.str("method")
    if method not in _MIXTURE_METHODS:
        raise get._err("method", f"one of {_MIXTURE_METHODS}", method)
    degree = get.int("degree", 1)
    n = get.int("n", 0)
    if method == "random" and n < 1:
        raise get._err("n", "an integer >= 1 for method 'random'", n)
    lower = get.num("lower", 0.0, 1.0)
    if lower * len(components) >= total:
        raise get._err(
            "lower", f"less than total / components = {total / len(components):g}", lower
        )
    complement = get.str("complement")
    if complement in components:
        raise get._err("complement", "a name that is not one of the components", complement)
    return {
        "components": components,
        "total": total,
        "complement": complement,
        "method": method,
        "degree": degree,
        "n": n,
        "lower": lower,
    }


def _parameters(
    source: str, table: dict[str, Any], design: DesignSpec
) -> tuple[ParameterSpec, ...]:
    specs = []
    for name, entry in table.items():
        where = f'[parameters] "{name}"'
        if not isinstance(entry, dict):
            raise InputError(source, where, "a table such as { bounds = [0, 1] }", entry)
        _check_keys(source, where, entry, _PARAM_KEYS)
        specs.append(_parameter(source, where, name, entry, design.kind))
    components = design.option("components") if design.kind == "mixture" else []
    seen = set(components)  # the mixture sets its components and their complement
    if design.kind == "mixture" and design.option("complement"):
        seen.add(design.option("complement"))
    for spec in specs:
        for name in (spec.name, *spec.link):
            if name in seen:
                where = f'[parameters] "{spec.name}"'
                raise InputError(source, where, "each parameter set once", name)
            seen.add(name)
    if not specs and design.kind != "mixture":
        raise InputError(source, "[parameters]", "at least one parameter that varies")
    if design.kind in ("sobol", "morris") and len(specs) < 2:
        raise InputError(
            source, "[parameters]", f"at least 2 parameters for a {design.kind} design"
        )
    return tuple(specs)


def _parameter(source: str, where: str, name: str, entry: dict, kind: str) -> ParameterSpec:
    values = entry.get("values")
    if values is not None:
        if kind not in ("grid", "mixture"):
            raise InputError(
                source,
                f"{where}.values",
                f"bounds (explicit levels need a grid or mixture design, not {kind})",
            )
        if "bounds" in entry or "dist" in entry:
            raise InputError(source, where, "either values or bounds, not both")
        if not isinstance(values, list) or not values or not all(_is_num(v) for v in values):
            raise InputError(source, f"{where}.values", "a non-empty array of numbers", values)
        link = entry.get("link", [])
        if not isinstance(link, list) or not all(isinstance(n, str) and n for n in link):
            raise InputError(source, f"{where}.link", "an array of parameter names", link)
        return ParameterSpec(name, values=tuple(float(v) for v in values), link=tuple(link))
    if kind == "mixture":
        raise InputError(source, f"{where}.values", "explicit levels (crossed with the mixture)")
    if "link" in entry:
        raise InputError(source, f"{where}.link", "values = [...] alongside (links share levels)")
    dist = entry.get("dist", "unif")
    if dist not in DISTRIBUTIONS:
        raise InputError(source, f"{where}.dist", f"one of {tuple(DISTRIBUTIONS)}", dist)
    if kind == "grid" and dist != "unif":
        raise InputError(source, f"{where}.dist", "'unif' in a grid design", dist)
    if kind == "morris" and dist in _UNBOUNDED:
        raise InputError(
            source,
            f"{where}.dist",
            "a bounded distribution in a Morris design (its levels include the quantiles 0 "
            f"and 1, which are infinite for '{dist}'; use truncnorm)",
            dist,
        )
    bounds = entry.get("bounds")
    n = DISTRIBUTIONS[dist]
    if not isinstance(bounds, list) or len(bounds) != n or not all(_is_num(b) for b in bounds):
        raise InputError(source, f"{where}.bounds", f"an array of {n} numbers for '{dist}'", bounds)
    _check_bounds(source, f"{where}.bounds", dist, bounds)
    return ParameterSpec(name, bounds=tuple(float(b) for b in bounds), dist=dist)


def _check_bounds(source: str, key: str, dist: str, b: list[float]) -> None:
    ok = {
        "unif": lambda: b[0] < b[1],
        "logunif": lambda: 0 < b[0] < b[1],
        # SALib's rules (SALib.util._nonuniform_scale_samples): end >= 0, peak in [0, 1)
        "triang": lambda: b[0] < b[1] and b[1] >= 0 and 0 <= b[2] < 1,
        "norm": lambda: b[1] > 0,
        "truncnorm": lambda: b[0] < b[1] and b[3] > 0,
        "lognorm": lambda: b[1] > 0,
    }[dist]()
    if not ok:
        expected = {
            "unif": "[low, high] with low < high",
            "logunif": "[low, high] with 0 < low < high",
            "triang": "[low, high, peak] with low < high, high >= 0 (SALib) and peak (a share "
            "of the width) in [0, 1)",
            "norm": "[mean, sd] with sd > 0",
            "truncnorm": "[low, high, mean, sd] with low < high and sd > 0",
            "lognorm": "[log-mean, log-sd] with log-sd > 0",
        }[dist]
        raise InputError(source, key, expected, b)


def _analysis(source: str, table: dict[str, Any]) -> AnalysisSpec:
    _check_keys(source, "[analysis]", table, _ANALYSIS_KEYS)
    get = _Getter(source, "[analysis]", table, _ANALYSIS_KEYS)
    return AnalysisSpec(
        bootstrap=get.int("bootstrap", 10),
        conf_level=get.num("conf_level", 0.0, 1.0, open_low=True),
        stable_outcome=get.str("stable_outcome"),
        stable_min=get.num("stable_min", -math.inf, math.inf),
    )
