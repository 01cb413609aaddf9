"""Running a comparison: every scenario on the same streams, replicates added in rounds.

Replicate ``r`` of every scenario is seeded with the same seed sequence (spawn key ``r`` of
the root seed, :func:`concertsim.streams.run_seeds`): common random numbers. A run's result
does not depend on the batch it is stepped in, so adding replicates ``n .. m`` in a later
round gives exactly the runs that ``m`` replicates at once would have given.

Example:
    >>> comp = run_comparison(["baseline", "imposed"], replicates=3, seed=1, months=6)
    >>> comp.baseline, comp.replicates, sorted(comp.runs["scenario"].unique())
    ('baseline', 3, ['baseline', 'imposed'])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from concertsim.errors import InputError
from concertsim.intervals import t_quantile
from concertsim.scenario import Scenario, load_scenario

from .paired import HEADLINE, half_width, paired_table, summary_table
from .survival import SurvivalCurve, event_times, kaplan_meier

__all__ = [
    "MAIN_SERIES",
    "MAX_ROUNDS",
    "Comparison",
    "load_scenarios",
    "run_comparison",
    "bands_table",
    "difference_table",
]

MAIN_SERIES: tuple[tuple[str, str], ...] = (
    ("stability", "regional"),
    ("credibility", "regional"),
    ("legitimacy", "regional"),
    ("participation", "local"),
    ("knowledge", "regional"),
    ("funding", "regional"),
)
"""(variable, level) of the series a comparison keeps, bands and differences, month by month."""

MAX_ROUNDS = 10
"""Rounds of ``--precision`` at most (each may add many replicates)."""

Progress = Callable[[str, int, int], None]


@dataclass
class Comparison:
    """The runs of a comparison and everything computed from them.

    Attributes:
        scenarios: name -> scenario as run, the baseline first, then the others in order.
        baseline: the name of the baseline.
        runs: one row per run: scenario, run, seed and the outcomes.
        series: the :data:`MAIN_SERIES`: scenario, run, month, level, variable, value.
        seed: the root seed (recorded).
        horizon: months simulated.
        rounds: replicates after each round (one round without ``precision``).
        precision: the half-width asked for, or None.
        reached: the widest headline half-width reached at the end.
        paired, summary: :func:`~concertsim.compare.paired.paired_table` and
            :func:`~concertsim.compare.paired.summary_table` of the runs.
        curves: the Kaplan–Meier curve of each scenario.
    """

    scenarios: dict[str, Scenario]
    baseline: str
    runs: pd.DataFrame
    series: pd.DataFrame
    seed: int
    horizon: int
    rounds: list[int] = field(default_factory=list)
    precision: float | None = None
    reached: float = math.nan
    paired: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    curves: dict[str, SurvivalCurve] = field(default_factory=dict)

    @property
    def replicates(self) -> int:
        """Replicates of each scenario."""
        return self.rounds[-1] if self.rounds else 0

    @property
    def alternatives(self) -> list[str]:
        """The scenarios compared with the baseline, in order."""
        return [n for n in self.scenarios if n != self.baseline]


def load_scenarios(
    names: Sequence[str | Path | Scenario], baseline: str | None = None
) -> tuple[dict[str, Scenario], str]:
    """Load and check every scenario before anything runs.

    Args:
        names: files, bundled names or scenarios (at least two).
        baseline: the name (or file, as given) of the baseline; default the first.

    Returns:
        ``(scenarios, baseline)``: name -> scenario, the baseline first.

    Raises:
        InputError: a bad scenario file (the first one found), two scenarios of the same
            name, fewer than two, different horizons, or a baseline not among them.
    """
    if len(names) < 2:
        raise InputError("compare", "SCENARIO", "at least two scenarios", len(names))
    loaded: dict[str, Scenario] = {}
    given: dict[str, str] = {}
    for item in names:
        sc = item if isinstance(item, Scenario) else load_scenario(item)
        if sc.name in loaded:
            raise InputError(
                str(item), "name", "scenarios of different names", sc.name,
                hint=f"{given[sc.name]} is also called {sc.name!r}",
            )  # fmt: skip
        loaded[sc.name] = sc
        given[sc.name] = str(item)
    first = next(iter(loaded.values()))
    for item, sc in zip(names, loaded.values(), strict=True):
        if sc.horizon != first.horizon:
            raise InputError(
                str(item), "horizon", f"the horizon of {first.name} ({first.horizon} months)",
                sc.horizon, hint="runs are compared month by month",
            )  # fmt: skip
    if baseline is None:
        base = first.name
    else:
        matches = [n for n, g in given.items() if baseline in (n, g)]
        if not matches:
            raise InputError(
                "--baseline", "", "one of the scenarios compared (" + ", ".join(loaded) + ")",
                baseline,
            )  # fmt: skip
        base = matches[0]
    ordered = {base: loaded[base], **{n: s for n, s in loaded.items() if n != base}}
    return ordered, base


def _run_round(
    scenarios: dict[str, Scenario],
    seeds: list,
    start: int,
    months: int | None,
    progress: Progress | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replicates ``start ..`` of every scenario: their outcomes and main series."""
    from concertsim.simulate import run_batch

    wanted = pd.MultiIndex.from_tuples([(v, lv) for v, lv in MAIN_SERIES])
    outs, sers = [], []
    for name, sc in scenarios.items():
        cb = None if progress is None else (lambda d, t, n=name: progress(n, d, t))
        res = run_batch(sc, seeds, months=months, series=True, progress=cb)
        runs = np.arange(start, start + len(seeds))
        table = res.outcomes
        table.insert(0, "scenario", name)
        table.insert(1, "run", runs)
        table.insert(2, "seed", [str(s.spawn_key[-1]) for s in seeds])
        outs.append(table)
        s = res.series
        keep = pd.MultiIndex.from_arrays([s["variable"], s["level"]]).isin(wanted)
        s = s[keep].copy()
        s["run"] = runs[s["run"].to_numpy()]
        s.insert(0, "scenario", name)
        sers.append(s)
    return pd.concat(outs, ignore_index=True), pd.concat(sers, ignore_index=True)


def _next_size(n: int, width: float, precision: float, cap: int) -> int:
    """Replicates for the next round: the half-width shrinks as 1/sqrt(n), plus 10%.

    At most four times as many per round: with few runs the intervals of yes/no outcomes
    are wide for reasons that do not scale so (no discordant pair yet), and the estimate
    of how many are needed is rough.
    """
    if not math.isfinite(width) or width <= 0:
        return min(cap, 2 * n)
    wanted = math.ceil(1.1 * n * (width / precision) ** 2)
    return min(cap, 4 * n, max(wanted, n + max(1, n // 4)))


def run_comparison(
    scenarios: Sequence[str | Path | Scenario],
    *,
    baseline: str | None = None,
    replicates: int = 40,
    seed: int | None = None,
    precision: float | None = None,
    max_replicates: int = 1000,
    months: int | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Run every scenario with common random numbers and compare each with the baseline.

    Args:
        scenarios: files, bundled names or :class:`~concertsim.scenario.Scenario` objects.
        baseline: which one the others are compared with (default: the first).
        replicates: replicates of each scenario (the first round, with ``precision``).
        seed: the root seed (default: fresh entropy, recorded).
        precision: add replicates in rounds until every headline paired interval
            (:data:`~concertsim.compare.paired.HEADLINE`) has a half-width of at most this,
            or ``max_replicates`` is reached.
        max_replicates: the cap of ``precision``'s rounds.
        months: months to simulate (default: the scenarios' horizon).
        progress: called with (scenario, months done, months total).

    Returns:
        The :class:`Comparison`, its tables and survival curves computed.
    """
    from concertsim.streams import run_seeds

    loaded, base = load_scenarios(scenarios, baseline)
    horizon = months if months is not None else next(iter(loaded.values())).horizon
    cap = max(replicates, max_replicates) if precision is not None else replicates
    entropy, seeds = run_seeds(seed, cap)
    comp = Comparison(
        loaded, base, pd.DataFrame(), pd.DataFrame(), entropy, horizon, precision=precision
    )
    outs, sers, n, done = [], [], replicates, 0
    while True:
        out, ser = _run_round(loaded, seeds[done:n], done, months, progress)
        outs.append(out)
        sers.append(ser)
        done = n
        comp.rounds.append(n)
        runs = pd.concat(outs, ignore_index=True).sort_values(["scenario", "run"], kind="stable")
        paired = paired_table(runs, base, horizon=horizon)
        comp.reached = half_width(paired, HEADLINE)
        if precision is None or comp.reached <= precision or n >= cap:
            break
        if len(comp.rounds) >= MAX_ROUNDS:
            break
        n = _next_size(n, comp.reached, precision, cap)
    order = {name: i for i, name in enumerate(loaded)}
    key = ["scenario", "run"]
    comp.runs = runs.sort_values(key, key=lambda c: c.map(order) if c.name == "scenario" else c)
    comp.runs = comp.runs.reset_index(drop=True)
    series = pd.concat(sers, ignore_index=True)
    comp.series = series.sort_values(
        ["scenario", "run", "month"],
        key=lambda c: c.map(order) if c.name == "scenario" else c,
        kind="stable",
        ignore_index=True,
    )
    comp.paired = paired_table(comp.runs, base, horizon=horizon)
    comp.summary = summary_table(comp.runs, horizon=horizon)
    for name in loaded:
        times, folded = event_times(comp.runs[comp.runs["scenario"] == name], horizon)
        comp.curves[name] = kaplan_meier(times, folded, horizon=horizon)
    return comp


def bands_table(series: pd.DataFrame) -> pd.DataFrame:
    """Mean, 10%, median and 90% across runs, per scenario, variable, level and month.

    Example:
        >>> s = pd.DataFrame({"scenario": "a", "run": [0, 1], "month": 0, "level": "regional",
        ...                   "variable": "stability", "value": [0.2, 0.4]})
        >>> bands_table(s)[["mean", "q50"]].round(3).values.tolist()
        [[0.3, 0.3]]
    """
    keys = ["scenario", "variable", "level", "month"]
    grouped = series.groupby(keys, sort=False)["value"]
    table = grouped.quantile([0.1, 0.5, 0.9]).unstack()
    table.columns = ["q10", "q50", "q90"]
    table.insert(0, "mean", grouped.mean())
    return table.reset_index()


def difference_table(series: pd.DataFrame, baseline: str, conf: float = 0.95) -> pd.DataFrame:
    """Month by month, each scenario's paired difference from the baseline, with its interval.

    Returns:
        ``scenario, variable, level, month, difference, low, high, n``: the mean over runs
        of ``scenario run r - baseline run r`` and its t-interval.
    """
    names = list(pd.unique(series["scenario"]))
    frames = []
    for (variable, level), one in series.groupby(["variable", "level"], sort=False):
        runs = np.unique(one["run"].to_numpy())
        months = np.unique(one["month"].to_numpy())
        cube = np.full((len(names), runs.size, months.size), np.nan)
        s = one["scenario"].map({n: i for i, n in enumerate(names)}).to_numpy()
        cube[s, np.searchsorted(runs, one["run"]), np.searchsorted(months, one["month"])] = one[
            "value"
        ].to_numpy()
        base = cube[names.index(baseline)]
        for i, name in enumerate(names):
            if name == baseline:
                continue
            d = cube[i] - base  # (runs, months)
            n = np.isfinite(d).sum(0)
            mean = np.nanmean(np.where(n > 0, d, 0.0), axis=0)
            sd = np.nanstd(np.where(n > 1, d, 0.0), axis=0, ddof=1) if runs.size > 1 else n * np.nan
            quantiles = {k: t_quantile(conf, k - 1) for k in np.unique(n) if k > 1}
            t = np.array([quantiles.get(k, np.nan) for k in n])
            half = t * sd / np.sqrt(np.maximum(n, 1))
            low, high = mean - half, mean + half
            if variable in ("stability", "credibility", "legitimacy", "participation"):
                low, high = np.clip(low, -1.0, 1.0), np.clip(high, -1.0, 1.0)
            frames.append(
                pd.DataFrame(
                    {"scenario": name, "variable": variable, "level": level, "month": months,
                     "difference": mean, "low": low, "high": high, "n": n}
                )
            )  # fmt: skip
    columns = ["scenario", "variable", "level", "month", "difference", "low", "high", "n"]
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True)[columns]
    return table.sort_values(["scenario", "variable", "level", "month"], key=lambda c: (
        c.map({n: i for i, n in enumerate(names)}) if c.name == "scenario" else c
    ), ignore_index=True)  # fmt: skip
