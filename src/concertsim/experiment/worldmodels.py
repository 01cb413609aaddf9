"""Two sweep models for plausible worlds (issue 9): the pattern book as a model, and the model
in a world.

* ``"patterns"`` (:class:`PatternBook`): one run scores one parameter set -- a *world*, the
  run's overrides, replacing the defaults under every scenario (:mod:`concertsim.worlds`) --
  against every pattern of the pattern book (:mod:`concertsim.patterns`). Its outcomes are,
  per pattern, ``holds__<id>`` (1 if it holds) and ``effect__<id>`` (the effect, signed so
  that positive is the claimed direction), and ``held`` (patterns holding), ``failed``
  (required patterns failing) and ``accepted`` (1 if every pattern not in ``exempt`` holds).
  The book's root seed is drawn from the run's seed (``book_seed``), so replicate ``r`` of
  every world uses the same streams (common random numbers). Acceptance must replicate: a
  world whose book holds at ``book_seed`` runs the whole book again at ``replications``
  independent seeds (word ``k`` of the run's seed sequence, ``replication_seed_<k>``; its
  failed count in ``failed_<k>``; stopped at the first failure, NaN when not run) and is
  ``accepted`` only if it holds at every one: a world accepted at one seed by luck, with a
  marginal pattern barely holding, is caught by the next. The held, failed and per-pattern
  scores are those at ``book_seed``. Options (``[model]``): ``replicates`` (runs per arm,
  default 20), ``replications`` (default 1; 0 accepts on one book), ``book`` (a pattern
  file, relative to the experiment file; default the bundled book), ``exempt`` (pattern ids
  not required).
* ``"worlds"`` (:class:`Worlds`): the concertation model in one of a table of worlds. The
  option ``worlds`` names a Parquet file (relative to the experiment file) whose parameter
  columns are the worlds (``concertsim calibrate`` writes ``accepted.parquet``); the design
  parameter ``world`` (explicit levels, e.g. ``values = [0, 1, 2]``) picks the row. The
  option ``variants`` (an array of tables of parameters, e.g. ``[{}, { "funding.rule" =
  "block" }]``) lists structural variants; the design parameter ``variant`` picks one
  (default: the first). A run's own overrides (a role mix, a turnover level) apply on top of
  its variant, on top of its world.

Both are registered in :data:`concertsim.experiment.models.MODELS`, so ``concertsim sweep``
runs them (resumable, any executor, seeds recorded) like any other model.

Example:
    >>> cols = score_columns(["a", "b"])
    >>> cols[:4], cols[-1]
    (('accepted', 'held', 'failed', 'book_seed'), 'effect__b')
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from concertsim.config import parameter_names, suggest
from concertsim.errors import InputError, verbatim
from concertsim.experiment.context import Check, ModelContext, check_outcomes, refuse_scenarios
from concertsim.experiment.spec_types import Experiment

__all__ = ["PatternBook", "Worlds", "score_columns", "score_row", "read_worlds", "WORLD", "VARIANT"]

WORLD = "world"
"""The design parameter of the ``"worlds"`` model: the row of the worlds table."""
VARIANT = "variant"
"""The design parameter of the ``"worlds"`` model: the structural variant (row of ``variants``)."""

_BOOK_OPTIONS = {"replicates": 20, "replications": 1, "book": "", "exempt": []}
MAX_REPLICATIONS = 5
"""The most independent seeds at which a world's book must hold again."""


def score_columns(ids: Sequence[str], replications: int = 0) -> tuple[str, ...]:
    """The outcome columns of the ``"patterns"`` model for a book with these pattern ids."""
    return (
        "accepted",
        "held",
        "failed",
        "book_seed",
        *(f"{c}_{k}" for k in range(1, replications + 1) for c in ("replication_seed", "failed")),
        *(f"holds__{i}" for i in ids),
        *(f"effect__{i}" for i in ids),
    )


def score_row(table: pd.DataFrame, exempt: Sequence[str], seed: int) -> dict[str, float]:
    """One run's scores from a pattern-book table (:func:`concertsim.patterns.run_book`).

    Example:
        >>> t = pd.DataFrame({"id": ["a", "b"], "holds": [True, False],
        ...                   "effect": [0.2, 0.1], "direction": ["increase", "decrease"]})
        >>> r = score_row(t, ["b"], 7)
        >>> r["accepted"], r["held"], r["failed"], r["effect__b"]
        (1.0, 1.0, 0.0, -0.1)
    """
    holds = dict(zip(table["id"], table["holds"].astype(bool), strict=True))
    sign = np.where(table["direction"] == "increase", 1.0, -1.0)
    effect = dict(zip(table["id"], sign * table["effect"].to_numpy(float), strict=True))
    failed = sum(1 for i, ok in holds.items() if not ok and i not in exempt)
    row = {"accepted": float(failed == 0), "held": float(sum(holds.values()))}
    row |= {"failed": float(failed), "book_seed": float(seed)}
    row |= {f"holds__{i}": float(ok) for i, ok in holds.items()}
    return row | {f"effect__{i}": float(e) for i, e in effect.items()}


@cache
def _book(path: str) -> tuple:
    from concertsim.patterns import load_patterns

    return load_patterns(path or None)


def _world_error(experiment: Experiment, check: Check, exc: InputError) -> InputError:
    """A rejected parameter value, named as :class:`~concertsim.experiment.models.Concertation`
    names it (the design point, or the parameter's bounds)."""
    if check.point is not None:
        shown = ", ".join(f"{k} = {v:g}" for k, v in check.values.items())
        where = f"[design] point {check.point}"
        expected = f"values the model accepts ({exc.key}: {exc.expected})"
        return experiment.error(where, expected, verbatim(shown), hint=exc.hint)
    where, expected = f'[parameters] "{check.name}"', f"values the model accepts ({exc.expected})"
    return experiment.error(where, expected, check.values[check.name], hint=exc.hint)


def _coerce(name: str, values: np.ndarray) -> np.ndarray:
    """Integer and categorical parameters are rounded (a categorical's value is its index)."""
    from concertsim.scenario import parameter_info

    try:
        info = parameter_info(name)
    except (KeyError, InputError):
        return values
    return np.round(values) if info.integer or info.choices else values


class PatternBook:
    """The pattern book scored in a world (see the module docstring)."""

    name = "patterns"

    def prepare(self, experiment: Experiment, checks: Sequence[Check]) -> ModelContext:
        """Check the options, the book, the scenario and every world; the context names the
        book by path and content hash."""
        from concertsim.patterns import BOOK_PATH
        from concertsim.worlds import BASE_SCENARIO, check_world

        refuse_scenarios(experiment, "the pattern book (its patterns name their scenarios)")
        opts = {**_BOOK_OPTIONS, **dict(experiment.model_options)}
        for key in opts:
            if key not in _BOOK_OPTIONS:
                hint = suggest(key, _BOOK_OPTIONS)
                raise experiment.error(f"[model] {key}", f"one of {tuple(_BOOK_OPTIONS)}",
                                       verbatim("unknown key"), hint=hint)  # fmt: skip
        reps, again = opts["replicates"], opts["replications"]
        if isinstance(reps, bool) or not isinstance(reps, int) or not 2 <= reps <= 10_000:
            raise experiment.error("[model] replicates", "an integer in [2, 10000]", reps)
        if type(again) is not int or not 0 <= again <= MAX_REPLICATIONS:
            expected = f"an integer in [0, {MAX_REPLICATIONS}]"
            raise experiment.error("[model] replications", expected, again)
        if experiment.scenario not in ("", BASE_SCENARIO):
            expected = f'"{BASE_SCENARIO}" (a world replaces its defaults under every scenario)'
            raise experiment.error("[experiment] scenario", expected, experiment.scenario)
        if not isinstance(opts["book"], str):
            raise experiment.error("[model] book", "a pattern file (a path)", opts["book"])
        path = Path(experiment.base_dir) / opts["book"] if opts["book"] else BOOK_PATH
        ids = [p.id for p in _book(str(path.resolve()))]
        exempt = opts["exempt"]
        if not isinstance(exempt, list) or not all(isinstance(i, str) for i in exempt):
            raise experiment.error("[model] exempt", "an array of pattern ids", exempt)
        for i in exempt:
            if i not in ids:
                raise experiment.error("[model] exempt", "pattern ids of the book", i,
                                       hint=suggest(i, ids))  # fmt: skip
        for check in checks:
            values = dict(check.values)
            if check.point is None:
                values = {k: float(_coerce(k, np.array([v]))[0]) for k, v in values.items()}
            try:
                check_world(values, file=experiment.source, lenient=True)
            except InputError as exc:
                raise _world_error(experiment, check, exc) from None
        outcomes = score_columns(ids, again)
        check_outcomes(experiment, outcomes)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()  # the book by content, not by path
        options = (("book_sha256", sha), ("exempt", tuple(sorted(exempt))), ("replicates", reps))
        options += (("replications", again),)
        return ModelContext(self.name, options, None, str(path.resolve()), outcomes)

    def coerce(self, name: str, values: np.ndarray) -> np.ndarray:
        """Integer and categorical parameters rounded."""
        return _coerce(name, values)

    def run_batch(
        self,
        context: ModelContext,
        seeds: Sequence[np.random.SeedSequence],
        overrides: Sequence[Mapping[str, float]],
        months: int | None,
        series: bool,
    ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Run the whole book per run, in the run's world; again at the replication seeds
        while it holds."""
        from concertsim.patterns import run_book

        opts = dict(context.options)
        book, rows = _book(context.base_source), []
        for seq, world in zip(seeds, overrides, strict=True):
            words = seq.generate_state(1 + opts.get("replications", 0))  # a prefix-stable draw
            kw = dict(replicates=opts["replicates"], months=months or None, world=dict(world))
            row = score_row(run_book(book, seed=int(words[0]), **kw), opts["exempt"], words[0])
            for k, seed in enumerate(words[1:], start=1):
                if not row["accepted"]:
                    break
                again = score_row(run_book(book, seed=int(seed), **kw), opts["exempt"], seed)
                row |= {f"replication_seed_{k}": float(seed), f"failed_{k}": again["failed"]}
                row["accepted"] = again["accepted"]
            rows.append(row)
        return pd.DataFrame(rows, columns=list(context.outcomes)), None


def read_worlds(path: str | Path, *, file: str = "") -> tuple[tuple[tuple[str, Any], ...], ...]:
    """The worlds of a Parquet table: per row, its parameter columns as sorted pairs.

    Categorical parameters stored as names or indices are both accepted; every world is
    validated against the parameters' metadata.

    Raises:
        InputError: no such table, no parameter column, or a value a scenario would refuse.
    """
    from concertsim.worlds import check_world

    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds
        raise InputError(file or str(path), "[model] worlds", "a Parquet table of worlds",
                         verbatim(f"{path}: {type(exc).__name__}")) from None  # fmt: skip
    names = [c for c in table.columns if c in parameter_names() and c != "horizon"]
    if not names or table.empty:
        got = verbatim(f"{path}: no parameter column" if not names else f"{path}: no row")
        raise InputError(file or str(path), "[model] worlds", "a Parquet table of worlds", got)
    worlds = []
    for row in table[names].itertuples(index=False):
        values = zip(names, row, strict=True)
        world = {k: (v.item() if hasattr(v, "item") else v) for k, v in values}
        check_world(world, file=str(path), lenient=True)
        worlds.append(tuple(sorted(world.items())))
    return tuple(worlds)


class Worlds:
    """The concertation model in a world picked by the design parameter ``world``."""

    name = "worlds"

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def prepare(self, experiment: Experiment, checks: Sequence[Check]) -> ModelContext:
        """Read and check the worlds and variants, check ``world`` and ``variant``'s levels,
        then prepare the inner model."""
        from concertsim.worlds import check_world

        opts = dict(experiment.model_options)
        unknown = [k for k in opts if k not in ("worlds", "variants")]
        if unknown or not isinstance(opts.get("worlds"), str):
            key = unknown[0] if unknown else "worlds"
            got = verbatim("unknown key") if unknown else opts.get("worlds")
            raise experiment.error(f"[model] {key}", "worlds = a Parquet table of worlds", got)
        path = Path(experiment.base_dir) / opts["worlds"]
        worlds = read_worlds(path, file=experiment.source)
        variants = opts.get("variants", [{}])
        if not isinstance(variants, list) or not all(isinstance(v, dict) for v in variants):
            raise experiment.error("[model] variants", "an array of tables of parameters",
                                   variants)  # fmt: skip
        variants = [tuple(sorted(check_world(v, file=experiment.source).items())) for v in variants]
        sizes = {WORLD: len(worlds), VARIANT: len(variants)}
        inner_checks = []
        for check in checks:
            for name, size in sizes.items():
                k = check.values.get(name)
                if k is not None and not (float(k).is_integer() and 0 <= k < size):
                    where = f'[parameters] "{name}"' if check.point is None else "[design]"
                    raise experiment.error(where, f"rows 0 to {size - 1} of {name}s", k)
            rest = {n: v for n, v in check.values.items() if n not in sizes}
            if rest:
                inner_checks.append(dataclasses.replace(check, values=rest))
        inner = dataclasses.replace(experiment, model_options=())
        context = self.inner.prepare(inner, inner_checks)
        options = (("variants", tuple(variants)), ("worlds", worlds))  # by content, not path
        return dataclasses.replace(context, model=self.name, options=options)

    def coerce(self, name: str, values: np.ndarray) -> np.ndarray:
        """``world`` and ``variant`` are row numbers; the rest as the inner model coerces them."""
        return np.round(values) if name in (WORLD, VARIANT) else _coerce(name, values)

    def run_batch(
        self,
        context: ModelContext,
        seeds: Sequence[np.random.SeedSequence],
        overrides: Sequence[Mapping[str, float]],
        months: int | None,
        series: bool,
    ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """One batch of the inner model: each run's world under its own overrides."""
        opts = dict(context.options)
        runs = []
        for ov in overrides:
            ov = dict(ov)
            world = opts["worlds"][int(ov.pop(WORLD, 0))]
            runs.append({**dict(world), **dict(opts["variants"][int(ov.pop(VARIANT, 0))]), **ov})
        inner = dataclasses.replace(context, model=self.inner.name, options=())
        return self.inner.run_batch(inner, seeds, runs, months, series)
