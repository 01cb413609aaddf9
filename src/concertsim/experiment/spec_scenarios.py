"""The ``[scenarios]`` table of an experiment file: scenarios crossed with the design.

Like EMA Workbench's policies x scenarios, an experiment may run its whole design under
several scenarios, each with its own events (a funding cut, an election...): a name to a
scenario file (relative to the experiment file) or a bundled scenario's name, or to a table
written in place (a scenario document, ``extends`` and ``[[scenarios.NAME.events]]``
included). Replicate ``r`` of every scenario uses the same random streams (common random
numbers), so the scenarios are compared run by run.

Example:
    >>> specs = parse_scenarios(
    ...     "e.toml", {"base": "baseline", "cut": {"extends": "baseline"}}, {}, AnalysisSpec()
    ... )
    >>> [(s.name, s.ref, s.document()) for s in specs]
    [('base', 'baseline', 'baseline'), ('cut', '', {'extends': 'baseline', 'name': 'cut'})]
    >>> parse_scenarios("e.toml", {"a b": "baseline"}, {}, AnalysisSpec())
    Traceback (most recent call last):
    ...
    concertsim.errors.InputError: e.toml: [scenarios] a b: expected a name of letters, digits, '_', '-' or '.', got "a b"
"""  # noqa: E501

from __future__ import annotations

import json
import re
from typing import Any

from concertsim.errors import InputError
from concertsim.experiment.spec_types import AnalysisSpec, ScenarioSpec

__all__ = ["parse_scenarios"]

_SCENARIO_NAME = re.compile(r"\w[\w.-]*")
"""A scenario's name in ``[scenarios]`` (as a scenario file's ``name``)."""


def parse_scenarios(
    source: str, table: dict[str, Any], exp: dict[str, Any], analysis: AnalysisSpec
) -> tuple[ScenarioSpec, ...]:
    """The ``[scenarios]`` factor: names to a scenario file (or bundled name) or a table.

    Only the shape is checked here; the scenarios themselves are validated, with the rules
    of :mod:`concertsim.config`, when the model loads them (before anything runs).
    """
    specs = []
    for name, value in table.items():
        key = f"[scenarios] {name}"
        if not _SCENARIO_NAME.fullmatch(name):
            raise InputError(source, key, "a name of letters, digits, '_', '-' or '.'", name)
        if isinstance(value, str) and value.strip():
            specs.append(ScenarioSpec(name, ref=value))
        elif isinstance(value, dict):
            inline = json.dumps({"name": name, **value}, sort_keys=True, default=str)
            specs.append(ScenarioSpec(name, inline=inline))
        else:
            what = (
                "a scenario file, a bundled scenario's name, or a table (a scenario written here)"
            )
            raise InputError(source, key, what, value)
    if specs and "scenario" in exp:
        raise InputError(source, "[experiment] scenario",
                         "no base scenario when [scenarios] lists them (each run uses one)",
                         exp["scenario"])  # fmt: skip
    names = [s.name for s in specs]
    if analysis.baseline and analysis.baseline not in names:
        what = (
            f"one of the [scenarios] ({', '.join(names)})"
            if names
            else "no baseline without [scenarios]"
        )
        raise InputError(source, "[analysis] baseline", what, analysis.baseline)
    return tuple(specs)
