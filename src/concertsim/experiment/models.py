"""The models a sweep can run, by name.

A model turns a batch of runs -- one seed and one set of parameter overrides per run --
into one row of numeric outcomes per run (and, when asked, tidy monthly series). Two
models are registered here (and two of :mod:`concertsim.experiment.worldmodels`: ``"patterns"``,
the pattern book scored in a world, and ``"worlds"``, the concertation model in a world):

* ``"concertation"`` -- the concertation model, through :func:`concertsim.simulate.run_batch`
  on a base scenario;
* ``"ishigami"`` -- the Ishigami function ``sin x1 + a sin^2 x2 + b x3^4 sin x1``, whose Sobol
  indices are known; optional additive noise from the run's own random stream (so replicate
  variance is testable) and an optional failure threshold (runs that raise).

Both go through the same sweep, store and analysis code.

Example:
    >>> import numpy as np
    >>> model = by_name("ishigami")
    >>> ctx = ModelContext("ishigami", (("noise", 0.0),))
    >>> seeds = [np.random.SeedSequence(1, spawn_key=(r,)) for r in range(2)]
    >>> out, series = model.run_batch(ctx, seeds, [{"x1": 0.0}, {"x1": np.pi / 2}], 0, False)
    >>> out["y"].round(3).tolist(), series is None
    ([0.0, 1.0], True)
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from concertsim.errors import InputError, verbatim
from concertsim.experiment.context import Check, ModelContext, check_outcomes, refuse_scenarios
from concertsim.experiment.spec import Experiment, check_sweep_workload
from concertsim.experiment.worldmodels import PatternBook, Worlds
from concertsim.streams import Stream

__all__ = [
    "ModelContext",
    "Check",
    "Model",
    "Ishigami",
    "Concertation",
    "MODELS",
    "by_name",
    "ISHIGAMI_S1",
    "ISHIGAMI_ST",
]

ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
"""First-order Sobol indices of Ishigami with a = 7, b = 0.1, inputs uniform on [-pi, pi]."""
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)
"""Total Sobol indices of Ishigami with a = 7, b = 0.1."""


class Model(Protocol):
    """What the sweep needs from a model."""

    name: str

    def prepare(self, experiment: Experiment, checks: Sequence[Check]) -> ModelContext:
        """Check the experiment against the model (raise InputError) and build the context.

        Args:
            experiment: the validated experiment.
            checks: overrides the model must accept: each parameter's bounds alone, then
                every design point.
        """

    def coerce(self, name: str, values: np.ndarray) -> np.ndarray:
        """The values as the model will use them (e.g. integers rounded)."""

    def run_batch(
        self,
        context: ModelContext,
        seeds: Sequence[np.random.SeedSequence],
        overrides: Sequence[Mapping[str, float]],
        months: int,
        series: bool,
    ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Run a batch; one outcome row per run, in input order (and series or None)."""


# --------------------------------------------------------------------------- ishigami


class Ishigami:
    """The Ishigami test function as a model (see the module docstring).

    Options: ``a`` (7), ``b`` (0.1), ``noise`` (standard deviation of additive noise, 0),
    ``fail_above`` (a run raises when ``x1`` exceeds it; none by default).
    """

    name = "ishigami"
    parameters = ("x1", "x2", "x3")
    defaults = {
        "a": 7.0,
        "b": 0.1,
        "noise": 0.0,
        "fail_above": math.inf,
    }

    def prepare(self, experiment: Experiment, checks: Sequence[Check]) -> ModelContext:
        """Check parameter names and options; the context holds the options."""
        refuse_scenarios(experiment, "a test function")
        for key, value in experiment.model_options:
            if key not in self.defaults:
                raise experiment.error(
                    f"[model] {key}", f"one of {tuple(self.defaults)}", verbatim("unknown key")
                )
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise experiment.error(f"[model] {key}", "a number", value)
        for name in {c.name for c in checks}:
            if name not in self.parameters:
                raise experiment.error(
                    f'[parameters] "{name}"',
                    f"one of {self.parameters}",
                    verbatim("unknown parameter"),
                )
        check_outcomes(experiment, ("y",))
        return ModelContext(self.name, experiment.model_options, outcomes=("y",))

    def coerce(self, name: str, values: np.ndarray) -> np.ndarray:
        """Ishigami's inputs are real numbers: unchanged."""
        return values

    def run_batch(
        self,
        context: ModelContext,
        seeds: Sequence[np.random.SeedSequence],
        overrides: Sequence[Mapping[str, float]],
        months: int,
        series: bool,
    ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Evaluate the function for every run (vectorised)."""
        opt = {**self.defaults, **dict(context.options)}
        x = np.array([[o.get(p, 0.0) for p in self.parameters] for o in overrides], dtype=float)
        x = x.reshape(len(overrides), 3)
        bad = np.flatnonzero(x[:, 0] > opt["fail_above"])
        if bad.size:
            raise ValueError(f"x1 = {x[bad[0], 0]:.6g} is above fail_above = {opt['fail_above']}")
        x1, x2, x3 = x.T
        y = np.sin(x1) + opt["a"] * np.sin(x2) ** 2 + opt["b"] * x3**4 * np.sin(x1)
        if opt["noise"]:
            y = y + opt["noise"] * Stream.from_seeds(seeds, "ishigami_noise").normal(())
        return pd.DataFrame({"y": y}), None


# --------------------------------------------------------------------------- concertation


_SCENARIO_CACHE: dict[str, Any] = {}
"""Worker-side cache: context key -> Scenario (built once per worker process)."""


class Concertation:
    """The concertation model (:mod:`concertsim.simulate`) on a base scenario."""

    name = "concertation"

    def prepare(self, experiment: Experiment, checks: Sequence[Check]) -> ModelContext:
        """Load the base scenario, check the parameters' extremes, probe the outcomes."""
        if experiment.model_options:
            key = experiment.model_options[0][0]
            raise experiment.error(
                f"[model] {key}", "no [model] options for 'concertation'", verbatim("unknown key")
            )
        bases = (
            _load_scenarios(experiment) if experiment.scenarios else [("", _load_base(experiment))]
        )
        for _, base in bases:  # before any probe run
            check_sweep_workload(experiment, base.structure, base.horizon)
        for name, base in bases:
            self._check(experiment, base, checks, name)
        factor = tuple((name, b.to_dict(), str(b.source or b.name)) for name, b in bases)
        base = bases[0][1]
        context = ModelContext(self.name, (), base.to_dict(), str(base.source or base.name))
        probe, _ = self.run_batch(
            context, [np.random.SeedSequence(0)], [{}], experiment.months or None, False
        )
        check_outcomes(experiment, tuple(probe.columns))
        return dataclasses.replace(
            context,
            outcomes=tuple(probe.columns),
            scenarios=factor if experiment.scenarios else (),
        )

    def _check(self, experiment: Experiment, base: Any, checks: Sequence[Check], name: str) -> None:
        """Every check against one base scenario (``name``: its name in ``[scenarios]``)."""
        under = f" of scenario {name}" if name else ""
        for check in checks:
            values = dict(check.values)
            if check.point is None:  # design points are coerced already; bounds are not
                values = {k: float(self.coerce(k, np.array([v]))[0]) for k, v in values.items()}
            try:
                base.with_overrides(values)
            except InputError as exc:
                if check.point is not None:
                    shown = ", ".join(f"{k} = {v:g}" for k, v in values.items())
                    raise experiment.error(
                        f"[design] point {check.point}{under}",
                        f"values the model accepts ({exc.key}: {exc.expected})",
                        verbatim(shown),
                        hint=exc.hint,
                    ) from None
                raise experiment.error(
                    f'[parameters] "{check.name}"',
                    f"values the model accepts{under} ({exc.expected})",
                    check.values[check.name],
                    hint=exc.hint,
                ) from None

    def coerce(self, name: str, values: np.ndarray) -> np.ndarray:
        """Round the values of integer parameters (e.g. counts of posts)."""
        from concertsim.scenario import parameter_info

        try:
            integer = parameter_info(name).integer
        except (KeyError, InputError):
            return values
        return np.round(values) if integer else values

    def run_batch(
        self,
        context: ModelContext,
        seeds: Sequence[np.random.SeedSequence],
        overrides: Sequence[Mapping[str, float]],
        months: int | None,
        series: bool,
    ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """One :func:`concertsim.simulate.run_batch` call for the whole batch."""
        from concertsim.simulate import run_batch

        scenario = _scenario(context)
        result = run_batch(
            scenario, list(seeds), list(overrides), months=months or None, series=series
        )
        return result.outcomes, result.series if series else None


def _resolve_scenario(experiment: Experiment) -> str:
    """The base scenario: a path relative to the experiment file, else a bundled name."""
    return _resolve_path(experiment, experiment.scenario)


def _resolve_path(experiment: Experiment, name: str) -> str:
    """A scenario named in an experiment: a path relative to its file, else a bundled name."""
    for candidate in (name, f"{name}.toml"):
        path = Path(experiment.base_dir) / candidate
        if path.is_file():
            return str(path.resolve())
    return name


def _load_base(experiment: Experiment) -> Any:
    """Load the base scenario, naming the experiment's key when it is not found."""
    from concertsim.scenario import load_scenario

    name = _resolve_scenario(experiment)
    try:
        return load_scenario(name)
    except InputError as exc:
        if exc.file == name and not exc.key:
            raise experiment.error(
                "[experiment] scenario", exc.expected, name, hint=exc.hint
            ) from None
        raise


def _load_scenarios(experiment: Experiment) -> list[tuple[str, Any]]:
    """Every scenario of ``[scenarios]``, validated; an error names the experiment file.

    A scenario file (or bundled name) is loaded as ``concertsim run`` loads it; a table is
    validated as a scenario file would be (``extends`` relative to the experiment file). The
    error is one line: the experiment file, ``[scenarios] NAME`` and, for a file, the
    scenario file and its key.
    """
    from concertsim.scenario import load_scenario, validate_scenario_dict

    out = []
    for spec in experiment.scenarios:
        doc = spec.document()
        where = _resolve_path(experiment, doc) if isinstance(doc, str) else ""
        try:
            if isinstance(doc, str):
                out.append((spec.name, load_scenario(where)))
            else:
                out.append((spec.name, validate_scenario_dict(doc, file=experiment.source)))
        except InputError as exc:
            if isinstance(doc, str):
                shown = os.path.join(os.path.dirname(experiment.source), doc)  # as the user wrote
                file = shown if exc.file == where != doc else exc.file
                inner = f"{file}: {exc.key}" if exc.key else file
                key = f"[scenarios] {spec.name} ({inner})"
            else:
                key = f"[scenarios.{spec.name}] {exc.key}".rstrip()
            got = exc.got if exc.has_got else verbatim("nothing")
            raise experiment.error(key, exc.expected, got, hint=exc.hint) from None
    return out


def _scenario(context: ModelContext) -> Any:
    """The base Scenario of a context, built once per process."""
    cached = _SCENARIO_CACHE.get(context.key)
    if cached is None:  # Concertation.prepare always puts the resolved scenario in the context
        from concertsim.scenario import validate_scenario_dict

        cached = validate_scenario_dict(dict(context.base or {}), file=context.base_source)
        _SCENARIO_CACHE[context.key] = cached
    return cached


MODELS: dict[str, Model] = {"concertation": Concertation(), "ishigami": Ishigami()}
MODELS.update(patterns=PatternBook(), worlds=Worlds(MODELS["concertation"]))  # worldmodels.py
"""Registered models by name."""


def by_name(name: str) -> Model:
    """The registered model called ``name``.

    Raises:
        KeyError: no such model.
    """
    return MODELS[name]
