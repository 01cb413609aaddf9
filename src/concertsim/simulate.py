"""Running scenarios: replicates of one scenario, or batches of runs for a sweep.

Runs that share a structure, events and horizon are stepped together as one
array program (:class:`~concertsim.engine.Engine`); since every random number
comes from the run's own streams, a run gives the same result, bit for bit,
whatever batch it is in.

Example:
    >>> from concertsim.scenario import load_scenario
    >>> res = run_scenario(load_scenario("baseline"), replicates=2, seed=7, months=6)
    >>> len(res.outcomes), sorted(res.seeds)
    (2, ['entropy', 'spawn_keys'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .engine import Engine
from .observe import VARIABLES
from .outcomes import outcomes_table, stability_index
from .params import LEVELS
from .streams import run_seeds

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["BatchResult", "RunResult", "run_batch", "run_scenario", "tidy", "with_stability"]

Progress = Callable[[int, int], None]
ArrayLike = np.ndarray | pd.api.extensions.ExtensionArray


@dataclass
class BatchResult:
    """Outcomes (one row per run, input order) and, when asked, tidy series.

    With the series comes ``stability``: (runs, months + 1) the stability index of each
    run month by month (:func:`concertsim.outcomes.stability_index`), for the figure.
    """

    outcomes: pd.DataFrame
    series: pd.DataFrame | None = None
    stability: np.ndarray | None = None


@dataclass
class RunResult:
    """The replicates of one scenario: series, outcomes and the seeds used."""

    series: pd.DataFrame
    outcomes: pd.DataFrame
    seeds: dict
    stability: np.ndarray | None = None
    """(replicates, months + 1) stability index month by month (the figure's headline)."""


def _group_key(scenario: Scenario) -> tuple:
    """Runs that share this key are stepped together (one engine)."""
    return (scenario.structure, scenario.events, scenario.horizon)


def run_batch(
    scenario: Scenario,
    seeds: Sequence[np.random.SeedSequence],
    overrides: Sequence[Mapping[str, float]] | None = None,
    *,
    months: int | None = None,
    series: bool = False,
    progress: Progress | None = None,
) -> BatchResult:
    """Run one run per seed, each with its overrides of ``scenario``.

    Args:
        scenario: the base :class:`~concertsim.scenario.Scenario`.
        seeds: one seed sequence per run.
        overrides: per run, dotted parameter names to values (or None).
        months: horizon in months (default: the scenario's).
        series: also return the tidy monthly series.
        progress: called with (months done, months total) after each month.

    Returns:
        The outcomes (and series) of every run, in input order.
    """
    overrides = list(overrides) if overrides is not None else [{}] * len(seeds)
    if len(overrides) != len(seeds):
        raise ValueError("one overrides mapping per seed is needed")
    runs = [scenario.with_overrides(o) if o else scenario for o in overrides]
    groups: dict[tuple, list[int]] = {}
    for i, sc in enumerate(runs):
        groups.setdefault(_group_key(sc), []).append(i)
    tables, frames, indices = [], [], []
    for idx in groups.values():
        first = runs[idx[0]]
        horizon = months if months is not None else first.horizon
        engine = Engine(
            first.structure,
            [runs[i].params for i in idx],
            [seeds[i] for i in idx],
            [e for e in first.events if e.month < horizon],
            horizon,
        )
        for _ in range(horizon):
            engine.step()
            if progress is not None:
                progress(engine.month, horizon)
        table = outcomes_table(engine)
        table.index = idx
        tables.append(table)
        if series:
            indices.append((idx, stability_index(engine)))
            extended, names = with_stability(engine.series, indices[-1][1])
            frames.append(tidy(extended, idx, names))
    outcomes = pd.concat(tables).sort_index().reset_index(drop=True)
    result = BatchResult(outcomes)
    if series:
        if len(frames) == 1:  # one group, runs in input order: sorted already
            result.series = frames[0]
        else:
            result.series = pd.concat(frames, ignore_index=True).sort_values(
                ["run", "month"], kind="stable", ignore_index=True
            )
        width = max(index.shape[1] for _, index in indices)
        result.stability = np.full((len(seeds), width), np.nan)
        for idx, index in indices:
            result.stability[idx, : index.shape[1]] = index
    return result


_PANDAS_STR = int(pd.__version__.split(".")[0]) >= 3
"""pandas >= 3: text columns are the ``str`` dtype (pyarrow-backed); before, object."""


def _labels(names: Sequence[str], codes: np.ndarray) -> ArrayLike:
    """The text column ``names[codes]``, in pandas' default dtype for text.

    With pandas >= 3, decoded from a pyarrow dictionary: five times faster than
    letting pandas infer the dtype of an object array, and the same column.
    """
    if not _PANDAS_STR:
        return np.asarray(names, dtype=object)[codes]
    import pyarrow as pa

    indices = pa.array(codes.astype(np.int32, copy=False))
    decoded = pa.DictionaryArray.from_arrays(indices, pa.array(list(names))).cast(pa.large_string())
    return pd.array(decoded, dtype="str")


def tidy(
    series: np.ndarray, runs: Sequence[int], variables: Sequence[str] = VARIABLES
) -> pd.DataFrame:
    """Tidy table (run, month, level, variable, value) of an engine's series array.

    Level/variable pairs that do not apply (e.g. funding of a local committee) are dropped.

    Args:
        series: ``(B, months + 1, variables, levels)``, as :attr:`Engine.series`.
        runs: the run number of each of the B rows.
        variables: the names of the third axis (:func:`with_stability` adds one).

    Returns:
        One row per (run, month, variable, level) observed, in that order.
    """
    flat = series.ravel()
    keep = np.flatnonzero(~np.isnan(flat))
    run, month, variable, level = np.unravel_index(keep, series.shape)
    return pd.DataFrame(
        {
            "run": np.asarray(runs, dtype=np.int64)[run],
            "month": month.astype(np.int64),
            "level": _labels(LEVELS, level),
            "variable": _labels(variables, variable),
            "value": flat[keep],
        }
    )


def with_stability(series: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """An engine's series with the stability index as one more variable, and the names.

    The index is variable ``stability`` at level ``regional`` (NaN, so left out by
    :func:`tidy`, at the other levels).

    Args:
        series: ``(B, months + 1, variables, levels)``, as :attr:`Engine.series`.
        index: ``(B, months + 1)``, as :func:`concertsim.outcomes.stability_index`.

    Example:
        >>> s, names = with_stability(np.zeros((1, 2, len(VARIABLES), 4)), np.ones((1, 2)))
        >>> s.shape[2] == len(VARIABLES) + 1, names[-1]
        (True, 'stability')
    """
    extra = np.full((*series.shape[:2], 1, series.shape[3]), np.nan)
    extra[:, :, 0, LEVELS.index("regional")] = index
    return np.concatenate([series, extra], axis=2), (*VARIABLES, "stability")


def run_scenario(
    scenario: Scenario,
    *,
    replicates: int = 10,
    seed: int | None = None,
    months: int | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run ``replicates`` replicates of ``scenario``, seeds spawned from one ``SeedSequence``.

    Args:
        scenario: a validated :class:`~concertsim.scenario.Scenario`.
        replicates: number of runs.
        seed: the root seed; ``None`` draws fresh entropy (recorded in the result).
        months: horizon (default: the scenario's).
        progress: called with (months done, months total).
    """
    entropy, seeds = run_seeds(seed, replicates)
    res = run_batch(scenario, seeds, months=months, series=True, progress=progress)
    outcomes = res.outcomes
    outcomes.insert(0, "run", np.arange(replicates))
    outcomes.insert(1, "seed", [f"{entropy}:{s.spawn_key[0]}" for s in seeds])
    seed_info = {"entropy": entropy, "spawn_keys": [list(s.spawn_key) for s in seeds]}
    return RunResult(series=res.series, outcomes=outcomes, seeds=seed_info, stability=res.stability)
