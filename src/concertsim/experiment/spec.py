"""Experiment files: TOML in, frozen dataclasses out, everything validated first.

An experiment file names the model and its base scenario, the parameters that vary,
the design that places the points, the replicates per point, the outcomes of
interest, the horizon and the seed entropy. :func:`load_experiment` checks all of it
before anything runs, with the rules of :mod:`concertsim.config` (the file is read by
:func:`~concertsim.config.read_toml`; the design's size is counted and refused above
:data:`~concertsim.limits.MAX_DESIGN_POINTS` points or :data:`~concertsim.limits.MAX_RUNS`
runs before anything is sampled); a problem raises :class:`concertsim.errors.InputError`,
whose one-line message names the file and the key. The dataclasses live in
:mod:`concertsim.experiment.spec_types` and are re-exported here.

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
    concertsim.errors.InputError: demo.toml: [design] n: expected an integer in [1, 1000000], got 0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from concertsim.config import (
    HORIZON_INFO,
    FieldInfo,
    Rule,
    coerce,
    parse_toml,
    read_toml,
    unknown_key,
)
from concertsim.errors import InputError, verbatim
from concertsim.experiment.spec_scenarios import parse_scenarios
from concertsim.experiment.spec_types import (
    DESIGN_KINDS,
    DISTRIBUTIONS,
    AnalysisSpec,
    DesignSpec,
    Experiment,
    ParameterSpec,
    ScenarioSpec,
    design_size,
    experiment_hash,
)
from concertsim.limits import (
    MAX_BOOTSTRAP,
    MAX_DESIGN_POINTS,
    MAX_RUNS,
    check_size,
    check_workload,
    posts,
)
from concertsim.params import Structure

__all__ = [
    "DESIGN_KINDS",
    "DISTRIBUTIONS",
    "ParameterSpec",
    "DesignSpec",
    "AnalysisSpec",
    "ScenarioSpec",
    "Experiment",
    "load_experiment",
    "parse_experiment",
    "experiment_hash",
    "design_size",
    "check_sweep_workload",
]

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
    "baseline": "",
}
_UNBOUNDED = ("norm", "lognorm")
"""Distributions with an infinite quantile 0 or 1."""
_TOP_KEYS = ("experiment", "model", "design", "parameters", "analysis", "scenarios")

_PARAM_KEYS = ("bounds", "dist", "values", "link")
_MIXTURE_METHODS = ("lattice", "centroid", "random")
_MAX_HORIZON = int(HORIZON_INFO.range[1])
_MAX_OPTIMAL_CANDIDATES = 1000
"""Most Morris trajectories SALib chooses the optimal ones among (its search is quadratic)."""


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file.

    Args:
        path: the TOML file (a regular file of at most 1 MiB).

    Returns:
        The validated :class:`Experiment`.

    Raises:
        InputError: the file is missing, special, too large, unreadable, not TOML, a key
            is wrong, or the design is too large.
    """
    source = str(path)
    doc = read_toml(source, what="experiment file")
    p = Path(path)
    return _experiment(doc, source, base_dir=p.resolve().parent, default_name=p.stem)


def parse_experiment(
    text: str, source: str = "<experiment>", *, base_dir: Path | None = None, default_name=""
) -> Experiment:
    """Validate the TOML text of an experiment file (see :func:`load_experiment`)."""
    doc = parse_toml(text, source)
    return _experiment(doc, source, base_dir=base_dir, default_name=default_name)


def _experiment(
    doc: dict[str, Any], source: str, *, base_dir: Path | None, default_name: str
) -> Experiment:
    _check_keys(source, "", doc, _TOP_KEYS)
    exp = _table(source, doc, "experiment")
    _check_keys(source, "[experiment]", exp, _EXPERIMENT_KEYS)
    get = _Getter(source, "[experiment]", exp, _EXPERIMENT_KEYS)
    model_options = _table(source, doc, "model")
    design = _design(source, _table(source, doc, "design"))
    parameters = _parameters(source, _table(source, doc, "parameters"), design)
    outcomes = get.str_list("outcomes")
    analysis = _analysis(source, _table(source, doc, "analysis"))
    scenarios = parse_scenarios(source, _table(source, doc, "scenarios"), exp, analysis)
    seed = get.get("seed")
    if seed is not None and (not _is_int(seed) or seed < 0):
        raise InputError(source, "[experiment] seed", "a non-negative integer", seed)
    replicates = get.int("replicates", 1, MAX_RUNS)
    points = design_size(design, parameters)
    check_size(source, "[design]", points, MAX_DESIGN_POINTS, "design points")
    runs = points * replicates * max(1, len(scenarios))
    check_size(source, "[experiment] replicates", runs, MAX_RUNS, "runs")
    return Experiment(
        source=source,
        name=get.str("name") or default_name or "experiment",
        description=get.str("description"),
        model=get.str("model"),
        model_options=tuple(sorted(model_options.items())),
        scenario=get.str("scenario"),
        base_dir=str(base_dir or Path.cwd()),
        months=get.int("months", 0, _MAX_HORIZON),
        replicates=replicates,
        seed=seed,
        batch_size=get.int("batch_size", 1, MAX_RUNS),
        outcomes=tuple(outcomes),
        series=get.bool("series"),
        design=design,
        parameters=parameters,
        analysis=analysis,
        scenarios=scenarios,
    )


def check_sweep_workload(experiment: Experiment, structure: Structure, horizon: int) -> None:
    """Refuse a sweep of the concertation model above the limits of :mod:`concertsim.limits`.

    The posts are counted for the largest structure the design can reach (each varied
    ``structure.*`` parameter at the top of its support), the months are the experiment's
    (or the base scenario's ``horizon``), and a batch of ``batch_size`` runs is held at once.

    Example:
        >>> exp = parse_experiment(
        ...     '[experiment]\\nreplicates = 1000\\n[design]\\nkind = "lhs"\\nn = 1000\\n'
        ...     '[parameters]\\n"structure.regions" = { bounds = [1, 30] }\\n', "e.toml")
        >>> check_sweep_workload(exp, Structure(), 1200)
        Traceback (most recent call last):
        ...
        concertsim.errors.InputError: e.toml: [design]: expected at most 10,000,000,000 person-months (runs x posts x months), got 1,810,800,000,000
    """  # noqa: E501
    largest = {}
    for spec in experiment.parameters:
        for name in (spec.name, *spec.link):
            section, _, field_name = name.partition(".")
            if section == "structure" and hasattr(structure, field_name):
                top = spec.support()[1]
                current = largest.get(field_name, getattr(structure, field_name))
                if math.isfinite(top):
                    largest[field_name] = max(current, math.ceil(top))
    people = posts(replace(structure, **largest))
    points = design_size(experiment.design, experiment.parameters)
    runs = points * experiment.replicates * experiment.factor
    months = experiment.months or horizon
    batch = experiment.batch_size
    check_workload(
        experiment.source, "[design]", runs=runs, people=people, months=months, batch=batch
    )


# --------------------------------------------------------------------------- helpers


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and _finite(v)


def _finite(v: float) -> bool:
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _check_keys(source: str, where: str, table: Mapping[str, Any], valid) -> None:
    """Refuse unknown keys, suggesting the closest valid one."""
    for key in table:
        if key not in valid:
            name = f"{where} {key}".strip() if where else f"[{key}]"
            raise unknown_key(source, name, "one of: " + ", ".join(valid), key, valid)


def _table(source: str, doc: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise InputError(source, f"[{name}]", "a table", value)
    return value


class _Getter:
    """Typed access to one table with defaults, by the rules of :mod:`concertsim.config`."""

    def __init__(self, source: str, where: str, table: Mapping[str, Any], defaults) -> None:
        self.source, self.where, self.table, self.defaults = source, where, table, defaults

    def get(self, key: str) -> Any:
        return self.table.get(key, self.defaults[key])

    def err(self, key: str, expected: str, got: Any) -> InputError:
        return InputError(self.source, f"{self.where} {key}", expected, got)

    def str(self, key: str) -> str:
        v = self.get(key)
        if not isinstance(v, str):
            raise self.err(key, "a string", v)
        return v

    def int(self, key: str, low: int, high: float = math.inf) -> int:
        rule = Rule("int", FieldInfo(key, "-", (low, high), True))
        return coerce(rule, self.get(key), file=self.source, key=f"{self.where} {key}")

    def num(self, key: str, low: float, high: float, *, open_low: bool = False) -> float:
        v = self.get(key)
        bad = not _is_num(v) or v > high or (v <= low if open_low else v < low)
        if bad:
            bracket = "(" if open_low else "["
            span = f" in {bracket}{low:g}, {high:g}]" if math.isfinite(low - high) else ""
            raise self.err(key, f"a number{span}", v)
        return float(v)

    def bool(self, key: str) -> bool:
        v = self.get(key)
        if not isinstance(v, bool):
            raise self.err(key, "true or false", v)
        return v

    def str_list(self, key: str) -> list[str]:
        v = self.get(key)
        if not isinstance(v, list) or not all(isinstance(s, str) and s for s in v):
            raise self.err(key, "an array of names", v)
        if len(set(v)) != len(v):
            raise self.err(key, "names without repeats", v)
        return v


def _design(source: str, table: dict[str, Any]) -> DesignSpec:
    kind = table.get("kind")
    if kind not in DESIGN_KINDS:
        if kind is None:
            what = f"one of {DESIGN_KINDS}"
            raise InputError(source, "[design] kind", what, verbatim("nothing"))
        raise unknown_key(
            source, "[design] kind", f"one of {DESIGN_KINDS}", kind, DESIGN_KINDS, "kind"
        )
    defaults = _DESIGN_OPTIONS[kind]
    _check_keys(source, "[design]", table, {"kind": kind, **defaults})
    for key, default in defaults.items():
        if default is None and key not in table:
            raise InputError(source, f"[design] {key}", f"a value (required by '{kind}')")
    get = _Getter(source, "[design]", table, defaults)
    options: dict[str, Any] = {}
    if kind == "grid":
        options["levels"] = get.int("levels", 2, MAX_DESIGN_POINTS)
    elif kind == "lhs":
        options["n"] = get.int("n", 1, MAX_DESIGN_POINTS)
    elif kind == "sobol":
        n = get.int("n", 2, MAX_DESIGN_POINTS)
        if n & (n - 1):
            raise InputError(source, "[design] n", "a power of 2 for a Sobol design", n)
        options.update(n=n, second_order=get.bool("second_order"))
    elif kind == "morris":
        levels = get.int("levels", 2, MAX_DESIGN_POINTS)
        if levels % 2:
            raise InputError(source, "[design] levels", "an even number of levels", levels)
        traj = get.int("trajectories", 2, MAX_DESIGN_POINTS)
        opt = get.int("optimal_trajectories", 0, MAX_DESIGN_POINTS)
        if opt and not 2 <= opt < traj:
            raise InputError(
                source, "[design] optimal_trajectories", f"0 or an integer in [2, {traj})", opt
            )
        if opt and traj > _MAX_OPTIMAL_CANDIDATES:
            what = f"at most {_MAX_OPTIMAL_CANDIDATES} trajectories to choose the optimal among"
            raise InputError(source, "[design] trajectories", what, traj)
        options.update(trajectories=traj, levels=levels, optimal_trajectories=opt)
    else:
        options.update(_mixture_options(source, get))
    return DesignSpec(kind, tuple(sorted(options.items())))


def _mixture_options(source: str, get: _Getter) -> dict[str, Any]:
    components = get.str_list("components")
    if len(components) < 2:
        raise get.err("components", "at least 2 components", components)
    total = get.num("total", 0.0, 1.0, open_low=True)
    method = get.str("method")
    if method not in _MIXTURE_METHODS:
        raise get.err("method", f"one of {_MIXTURE_METHODS}", method)
    degree = get.int("degree", 1, MAX_DESIGN_POINTS)
    n = get.int("n", 0, MAX_DESIGN_POINTS)
    if method == "random" and n < 1:
        raise get.err("n", "an integer >= 1 for method 'random'", n)
    lower = get.num("lower", 0.0, 1.0)
    if lower * len(components) >= total:
        raise get.err("lower", f"less than total / components = {total / len(components):g}", lower)
    complement = get.str("complement")
    if complement in components:
        raise get.err("complement", "a name that is not one of the components", complement)
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
        bootstrap=get.int("bootstrap", 10, MAX_BOOTSTRAP),
        conf_level=get.num("conf_level", 0.0, 1.0, open_low=True),
        stable_outcome=get.str("stable_outcome"),
        stable_min=get.num("stable_min", -math.inf, math.inf),
        baseline=get.str("baseline"),
    )
