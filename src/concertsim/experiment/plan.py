"""Planning a sweep: the design, the seeds, the manifest and the tasks, before anything runs.

Runs are numbered ``run_id = point * replicates + replicate``. Run ``(point, replicate)`` is
seeded with the ``replicate``-th seed of :func:`concertsim.streams.run_seeds` (the experiment's
entropy, ``spawn_key=(replicate,)``): every design point sees the same random numbers for a
given replicate (**common random numbers**). With ``[scenarios]``, the design runs once per
scenario: ``run_id = (scenario * points + point) * replicates + replicate``, and replicate
``r`` of every scenario and point has the same seed too.

Example:
    >>> import tempfile, pathlib
    >>> from concertsim.experiment.spec import load_experiment
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "e.toml").write_text('''
    ... [experiment]
    ... model = "ishigami"
    ... seed = 1
    ... replicates = 2
    ... batch_size = 4
    ... [design]
    ... kind = "lhs"
    ... n = 3
    ... [parameters]
    ... x1 = { bounds = [-3.14, 3.14] }
    ... ''')
    >>> plan = plan_sweep(load_experiment(d / "e.toml"))
    >>> plan.n_runs, [t.run_ids.tolist() for t in plan.tasks(np.arange(6))]
    (6, [[0, 1, 2, 3], [4, 5]])
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import concertsim
from concertsim import atomic
from concertsim.errors import InputError, verbatim
from concertsim.experiment.designs import Design, build_design
from concertsim.experiment.models import MODELS, Check, Model, ModelContext, by_name
from concertsim.experiment.spec import Experiment, experiment_hash
from concertsim.experiment.store import ResultsStore

__all__ = ["Task", "SweepPlan", "plan_sweep", "check_out", "open_store"]


@dataclass(frozen=True)
class Task:
    """A chunk of runs executed by one worker in one ``run_batch`` call.

    Attributes:
        model: the model object (pickled with the task, so a worker needs no registry).
        context: what the model needs (base scenario, options).
        run_ids, points, replicates: one entry per run.
        values: parameter values, shape ``(runs, len(columns))``.
        columns: names of the overridden parameters.
        entropy: the experiment's seed entropy.
        months: horizon (0 = the scenario's own).
        series: also return tidy series.
        scenarios: with ``[scenarios]``, the index of each run's scenario (see
            :meth:`ModelContext.for_scenario`), else ``None``.
    """

    model: Model
    context: ModelContext
    run_ids: np.ndarray
    points: np.ndarray
    replicates: np.ndarray
    values: np.ndarray
    columns: tuple[str, ...]
    entropy: int
    months: int
    series: bool
    scenarios: np.ndarray | None = None

    @property
    def scenario_names(self) -> list[str]:
        """The name of each run's scenario (``[]`` without ``[scenarios]``)."""
        if self.scenarios is None:
            return []
        names = [name for name, _, _ in self.context.scenarios]
        return [names[int(s)] for s in self.scenarios]

    def by_scenario(self) -> list[Task]:
        """The task cut into one task per scenario, each with that scenario's base."""
        if self.scenarios is None:
            return [self]
        out = []
        for s in np.unique(self.scenarios):
            keep = np.flatnonzero(self.scenarios == s)
            out.append(dataclasses.replace(
                self, run_ids=self.run_ids[keep], points=self.points[keep],
                replicates=self.replicates[keep], values=self.values[keep],
                scenarios=self.scenarios[keep], context=self.context,
            ))  # fmt: skip
        return out

    def overrides(self, i: int) -> dict[str, float]:
        """Parameter overrides of the ``i``-th run of the task."""
        return {c: float(v) for c, v in zip(self.columns, self.values[i], strict=True)}

    def run(self, i: int) -> Task:
        """The task of the ``i``-th run alone."""
        one = slice(i, i + 1)
        scenarios = None if self.scenarios is None else self.scenarios[one]
        return Task(self.model, self.context, self.run_ids[one], self.points[one],
                    self.replicates[one], self.values[one], self.columns, self.entropy,
                    self.months, self.series, scenarios)  # fmt: skip


@dataclass
class SweepPlan:
    """Everything decided before the first run: design, seeds, manifest.

    Attributes:
        experiment: the validated experiment.
        design: its design (points x overridden parameters).
        model: the model object.
        context: the model context sent with every task.
        entropy: the seed entropy.
        manifest: the store's manifest.
    """

    experiment: Experiment
    design: Design
    model: Model
    context: ModelContext
    entropy: int
    manifest: dict[str, Any]

    @property
    def n_runs(self) -> int:
        """Points times replicates (times scenarios)."""
        return self.design.size * self.experiment.replicates * self.experiment.factor

    def tasks(self, missing: np.ndarray) -> Iterator[Task]:
        """The runs ``missing`` cut into tasks of ``batch_size`` runs."""
        values = self.design.points.to_numpy(dtype=np.float64)
        columns = tuple(self.design.points.columns)
        reps = self.experiment.replicates
        size = self.experiment.batch_size
        points_n = self.design.size
        crossed = bool(self.experiment.scenarios)
        for start in range(0, len(missing), size):
            ids = missing[start : start + size]
            points = (ids // reps) % points_n
            yield Task(
                model=self.model,
                context=self.context,
                run_ids=ids,
                points=points,
                replicates=ids % reps,
                values=values[points],
                columns=columns,
                entropy=self.entropy,
                months=self.experiment.months,
                series=self.experiment.series,
                scenarios=ids // (reps * points_n) if crossed else None,
            )


def _entropy(experiment: Experiment, out: Path | None) -> int:
    if experiment.seed is not None:
        return int(experiment.seed)
    if out is not None and ResultsStore.exists(out):
        return int(ResultsStore.open(out).manifest["seed_entropy"])
    return int(np.random.SeedSequence().entropy)


def _checks(experiment: Experiment, points: pd.DataFrame) -> list[Check]:
    """What the model must accept: each declared bound alone, then every design point.

    A parameter's bounds may each be fine while a combination is not (shares that sum past
    one, a minimum above a maximum), so every point is checked before anything runs.
    """
    checks = []
    for spec in experiment.parameters:
        for v in spec.support():
            if np.isfinite(v):
                checks.append(Check(spec.name, {spec.name: v}))
    for i, row in enumerate(points.to_dict("records")):
        checks.append(Check(next(iter(row), ""), row, point=i))
    return checks


def plan_sweep(experiment: Experiment, out: Path | None = None) -> SweepPlan:
    """Validate the experiment against its model and build the design and the manifest.

    Args:
        experiment: the loaded experiment.
        out: the store it will run into (its seed entropy is reused when the file has none).

    Raises:
        InputError: the model, the scenario, a parameter or an outcome is wrong, or ``out``
            holds a damaged store.
    """
    if experiment.model not in MODELS:
        raise experiment.error("[experiment] model", f"one of {tuple(MODELS)}", experiment.model)
    model = by_name(experiment.model)
    entropy = _entropy(experiment, out)
    try:
        design = build_design(experiment, entropy)
    except (ValueError, TypeError, ArithmeticError) as exc:  # what validation did not foresee
        raise experiment.error(
            "[design]", "a design SALib can build", verbatim(" ".join(str(exc).split()))
        ) from None
    points = design.points
    for name in points.columns:
        points[name] = model.coerce(name, points[name].to_numpy())
    context = model.prepare(experiment, _checks(experiment, points))
    resolved = experiment.to_dict()
    resolved["experiment"]["seed"] = str(entropy)
    base = {k: v for k, v in (context.base or {}).items() if k != "source"}  # cwd-relative
    identity = {**experiment.identity(), "seed": str(entropy), "base_scenario": base or None}
    if context.options != experiment.model_options:  # what the model read (a book, worlds)
        identity["model_context"] = [list(o) for o in context.options]
    if experiment.scenarios:  # each scenario as resolved: a changed file is another experiment
        identity["scenarios"] = {
            name: {k: v for k, v in doc.items() if k != "source"}
            for name, doc, _ in context.scenarios
        }
    manifest = {
        "package": "concertsim",
        "package_version": concertsim.__version__,
        "versions": atomic.versions(),
        "experiment_file": str(Path(experiment.source).resolve()),
        "experiment": resolved,
        "experiment_hash": experiment_hash(identity),
        "identity": identity,
        "base_scenario": context.base,
        "base_scenario_file": context.base_source,
        "model": experiment.model,
        "salib_problem": design.problem,
        "design": {
            "kind": design.kind,
            "file": "design.parquet",
            "points": design.size,
            "sampled": list(design.sampled),
            "crossed": list(design.crossed),
            "columns": list(points.columns),
        },
        "seed_entropy": str(entropy),
        "seeding": "SeedSequence(seed_entropy, spawn_key=(replicate,)); common random numbers",
        "replicates": experiment.replicates,
        "n_runs": design.size * experiment.replicates * experiment.factor,
        "outcomes": list(experiment.outcomes),
    }
    if experiment.scenarios:
        manifest["scenarios"] = [
            {"name": name, "source": source, "scenario": doc}
            for name, doc, source in context.scenarios
        ]
        manifest["seeding"] += "; the same seeds for every scenario"
        manifest["run_ids"] = "(scenario * points + point) * replicates + replicate"
    return SweepPlan(experiment, design, model, context, entropy, manifest)


def check_out(out: Path, resume: bool) -> ResultsStore | None:
    """Check ``out`` before anything is written: this experiment's store, or free.

    Returns:
        The existing store, opened and checked (read only), or ``None`` for a new one.

    Raises:
        InputError: ``out`` is neither free nor a store (a file, a path under a file...), or
            its store is damaged.
    """
    expected = "a new or empty directory (or an existing sweep)"
    found = next((p for p in (out, *out.parents) if os.path.lexists(p)), out)
    if os.path.lexists(found) and not found.is_dir():
        got = "a file" if found == out else f"a path under the file {found}"
        raise InputError(str(out), "--out", expected, verbatim(got))
    if ResultsStore.exists(out):
        return ResultsStore.open(out)
    if resume:
        raise InputError(
            str(out),
            "--resume",
            "a directory holding a sweep to resume",
            verbatim("no manifest.json there"),
        )
    if not ResultsStore.is_free(out):
        raise InputError(
            str(out),
            "--out",
            expected,
            verbatim("a non-empty directory without manifest.json"),
        )
    return None


def open_store(plan: SweepPlan, out: Path, resume: bool) -> ResultsStore:
    """Open or create the store; call with the lock held, so nobody else writes.

    Raises:
        InputError: ``out`` holds another experiment or a damaged store.
    """
    store = check_out(out, resume)  # again: the directory may have changed meanwhile
    if store is None:
        return ResultsStore.create(out, plan.manifest, plan.design.points)
    store.check_same(plan.manifest["experiment_hash"], plan.experiment.name)
    stored = store.read_design()
    columns = list(plan.design.points.columns)
    if list(stored.columns) != columns or len(stored) != plan.design.size:
        raise InputError(str(out / "design.parquet"), "", f"the design of {plan.experiment.name}",
                         verbatim("another design"))  # fmt: skip
    plan.design.points.iloc[:, :] = stored[columns].to_numpy()
    # what may change between sweeps (name, batch size, outcomes, [analysis]) follows the file
    keep = ("experiment_file", "experiment", "experiment_hash", "identity", "outcomes")
    store.manifest.update({k: plan.manifest[k] for k in keep})
    return store
