"""The pattern book (issue #8): stylised facts the model must reproduce, with source and test.

A pattern of ``patterns.toml`` has a claim traced to the seed or a publication, a contrast
(two scenario arms, a within-run difference of two columns, an interaction, or two runs of the
March/Fang kernel), an outcome, a direction and a statistic on runs paired by replicate
(common random numbers): ``paired_mean_difference`` (Student *t* 95% interval) or, for yes/no
outcomes, ``paired_proportion`` (Newcombe's 1998 method-10 interval from Wilson intervals,
exact McNemar p-value). It holds when the interval lies beyond ``threshold.min_effect``
(default 0) in the stated direction. Arms resolving to the same scenario are run once.

A pattern whose effect is small by nature declares ``replicate_factor`` (an integer, default
1): its arms run ``replicate_factor`` times the book's ``replicates`` (the first runs are
those of the other patterns: common random numbers), and its ``note`` gives the power
calculation. :func:`evaluate` applies it, so ``concertsim patterns``, the reduced books of the
tests and the calibration's sweep model (:mod:`concertsim.experiment.worldmodels`) all do.

The statistics are those of :mod:`concertsim.intervals`.

Example:
    >>> book = load_patterns()
    >>> len(book) >= 18, sorted({p.mechanism for p in book})[:3]
    (True, ['Fang2010', 'M1', 'M10'])
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import inspect
import math
import sys
import time
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from concertsim import knowledge
from concertsim.cliargs import parse_assignments
from concertsim.engine import VARIABLES
from concertsim.errors import InputError, verbatim
from concertsim.intervals import mcnemar_exact_p, mean_ci, newcombe_paired_interval
from concertsim.params import LEVELS
from concertsim.patternbook_report import format_table, write_book
from concertsim.scenario import Scenario, bundled_scenarios, load_scenario
from concertsim.simulate import run_batch, run_scenario
from concertsim.streams import run_seeds
from concertsim.tomlfile import read_toml
from concertsim.worlds import check_world, in_world

__all__ = ["BOOK_PATH", "Pattern", "Contrast", "Statistic", "load_patterns", "evaluate"]
__all__ += ["run_book", "write_book", "format_table", "outcome_names", "main"]
__all__ += ["SECOND_HALF", "MAX_FACTOR"]

BOOK_PATH = Path(__file__).resolve().parent / "patterns.toml"
"""The bundled pattern book."""

STATISTICS = ("paired_mean_difference", "paired_proportion")
DIRECTIONS = ("increase", "decrease")
KERNELS = {"march": knowledge.march, "fang": knowledge.fang}
_REDUCE = ("mean", "min", "max", "last")
SECOND_HALF = "second_half"
"""``months`` of a statistic averaged over the second half of the run (a level, not a date)."""
MAX_FACTOR = 20
"""The largest ``replicate_factor`` a pattern may declare."""
_KEYS = {
    "pattern": "id mechanism claim source contrast outcome direction statistic threshold note "
    "replicate_factor",
    "contrast": "base base_overrides scenario overrides columns interaction kernel base_args args",
    "statistics": "description variable levels months reduce",
}
Pairs = tuple[tuple[str, Any], ...]
_RUNS: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}  # runs shared between patterns


@dataclasses.dataclass(frozen=True)
class Statistic:
    """Per run: ``reduce`` over ``months`` (clipped; ``"second_half"``: months T//2 + 1 to
    the horizon T, whatever T) of the mean of the levels' series."""

    name: str
    variable: str
    levels: tuple[str, ...]
    months: tuple[int, int] | str | None = None
    reduce: str = "mean"


@dataclasses.dataclass(frozen=True)
class Contrast:
    """Scenario arms (name, overrides; validated at load) or two runs of a knowledge kernel."""

    base: str | None = None
    base_overrides: Pairs = ()
    scenario: str | None = None
    overrides: Pairs = ()
    columns: tuple[str, str] | None = None
    interaction: tuple[Pairs, Pairs] | None = None
    kernel: str | None = None
    base_args: Pairs = ()
    args: Pairs = ()

    @property
    def has_alt(self) -> bool:
        """True if a second arm is compared with the base (else a within-run comparison)."""
        return self.kernel is not None or self.scenario is not None or bool(self.overrides)


@dataclasses.dataclass(frozen=True)
class Pattern:
    """One stylised fact: claim, source, contrast, outcome, direction, statistic, threshold."""

    id: str
    mechanism: str
    claim: str
    source: Mapping[str, str]
    contrast: Contrast
    outcome: str | None
    direction: str
    statistic: str = "paired_mean_difference"
    min_effect: float = 0.0
    derived: tuple[Statistic, ...] = ()
    note: str = ""
    replicate_factor: int = 1


def _err(file: str, key: str, expected: str, got: Any = InputError._NOTHING, choices=()):
    close = difflib.get_close_matches(got, list(choices), n=1) if isinstance(got, str) else []
    hint = f"did you mean {close[0]!r}?" if close else None
    return InputError(file, key, expected, got, hint=hint)


def _one_of(value: Any, choices, file: str, key: str, what: str = "") -> Any:
    """``value`` if it is one of ``choices``, else an InputError with a suggestion."""
    if isinstance(value, str) and value in choices:
        return value
    raise _err(file, key, what or "one of " + ", ".join(choices), value, tuple(choices))


def _keys(table: Any, allowed: Sequence[str], file: str, key: str) -> dict:
    if not isinstance(table, dict):
        raise _err(file, key, "a table", table)
    for k in table:
        _one_of(k, allowed, file, f"{key} {k}", f"a key of {key} (" + ", ".join(allowed) + ")")
    return table


def _pairs(value: Any, file: str, key: str) -> Pairs:
    if not isinstance(value, dict):
        raise _err(file, key, 'a table of { "section.key" = value }', value)
    return tuple(sorted(value.items()))


def _merge(*overrides: Pairs) -> Pairs:
    return tuple(sorted({k: v for pairs in overrides for k, v in pairs}.items()))


@cache
def outcome_names() -> tuple[str, ...]:
    """The columns of the outcomes table (from a one-month run of the baseline)."""
    return tuple(run_batch(load_scenario("baseline"), run_seeds(0, 1)[1], months=1).outcomes)


@cache
def _resolve(name: str, overrides: Pairs, file: str = "", key: str = "") -> Scenario:
    """The scenario of an arm; an InputError in the overrides is reported at ``file``/``key``."""
    try:
        return load_scenario(name).with_overrides(dict(overrides))
    except InputError as exc:
        got = exc.got if exc.has_got else InputError._NOTHING
        raise InputError(file, f"{key} {exc.key}", exc.expected, got, hint=exc.hint) from None


def _parse_contrast(raw: Any, book: Path, file: str, key: str, derived) -> Contrast:
    c = _keys(raw, _KEYS["contrast"].split(), file, key)
    if "kernel" in c:
        kernel = _one_of(c["kernel"], KERNELS, file, f"{key} kernel")
        names = set(inspect.signature(KERNELS[kernel]).parameters) - {"runs", "seed"}
        if set(c) - {"kernel", "base_args", "args"} or "args" not in c:
            raise _err(file, key, "kernel, args and base_args only", verbatim(", ".join(c)))
        arms = [_pairs(c.get(k, {}), file, f"{key} {k}") for k in ("base_args", "args")]
        for name, value in arms[0] + arms[1]:
            _one_of(name, names, file, f"{key} {name}", f"an argument of {kernel}()")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _err(file, f"{key} {name}", "a number", value)
        return Contrast(kernel=kernel, base_args=arms[0], args=arms[1])

    def _scenario_path(name: Any, key: str) -> str:  # a bundled name, or a file beside the book
        if isinstance(name, str) and name.endswith(".toml") and (book.parent / name).exists():
            return str((book.parent / name).resolve())
        return _one_of(name, bundled_scenarios(), file, key, "a bundled scenario or a .toml file")

    base = _scenario_path(c.get("base"), f"{key} base")
    base_ov = _pairs(c.get("base_overrides", {}), file, f"{key} base_overrides")
    alt = _scenario_path(c["scenario"], f"{key} scenario") if "scenario" in c else None
    ov = _pairs(c.get("overrides", {}), file, f"{key} overrides")
    columns = c.get("columns")
    if columns is not None:
        if not (isinstance(columns, list) and len(columns) == 2):
            raise _err(file, f"{key} columns", "two outcome column names", columns)
        names = (*outcome_names(), *derived)
        columns = tuple(_one_of(x, names, file, f"{key} columns", "an outcome") for x in columns)
    if alt is None and not ov and columns is None:
        raise _err(file, key, "a second arm (scenario, overrides) or columns", verbatim("none"))
    inter = None
    if "interaction" in c:
        it = _keys(c["interaction"], ("low", "high"), file, f"{key} interaction")
        if set(it) != {"low", "high"}:
            raise _err(file, f"{key} interaction", "low and high overrides", it)
        inter = tuple(_pairs(it[k], file, f"{key} interaction {k}") for k in ("low", "high"))
    for extra in inter or ((),):
        _resolve(base, _merge(base_ov, extra), file, f"{key} base_overrides")
        if alt is not None or ov:
            _resolve(alt or base, _merge(base_ov, ov, extra), file, f"{key} overrides")
    return Contrast(base, base_ov, alt, ov, columns, inter)


def _parse_statistic(name: str, raw: Any, file: str) -> Statistic:
    key = f"[statistics.{name}]"
    s = _keys(raw, _KEYS["statistics"].split(), file, key)
    _one_of(s.get("variable"), VARIABLES, file, f"{key} variable")
    levels = s.get("levels")
    if not (isinstance(levels, list) and levels and all(lv in LEVELS for lv in levels)):
        raise _err(file, f"{key} levels", "a list of levels (" + ", ".join(LEVELS) + ")", levels)
    months = s.get("months")
    ints = isinstance(months, list) and all(type(m) is int and m >= 0 for m in months)
    ok = months in (None, SECOND_HALF) or (ints and len(months) == 2 and months[0] <= months[1])
    if not ok:
        expected = f'[first, last] months, 0 <= first <= last, or "{SECOND_HALF}"'
        raise _err(file, f"{key} months", expected, months)
    reduce = _one_of(s.get("reduce", "mean"), _REDUCE, file, f"{key} reduce")
    months = tuple(months) if isinstance(months, list) else months
    return Statistic(name, s["variable"], tuple(levels), months, reduce)


def _parse_pattern(p: dict, key: str, book: Path, file: str, derived: dict) -> Pattern:
    for k in ("id", "mechanism", "claim"):
        if not isinstance(p.get(k), str) or not p[k].strip():
            raise _err(file, f"{key} {k}", "a non-empty string", p.get(k, verbatim("nothing")))
    key = f"[[pattern]] {p['id']}"
    src = _keys(p.get("source"), ("quote_fr", "quote_en", "reference"), file, f"{key} source")
    if not ("reference" in src or {"quote_fr", "quote_en"} <= set(src)):
        raise _err(file, f"{key} source", "quote_fr and quote_en, or reference", src)
    _one_of(p.get("direction"), DIRECTIONS, file, f"{key} direction")
    stat = _one_of(p.get("statistic", STATISTICS[0]), STATISTICS, file, f"{key} statistic")
    contrast = _parse_contrast(p.get("contrast"), book, file, f"{key} contrast", derived)
    outcome = p.get("outcome")
    if contrast.kernel is not None and outcome != "knowledge":
        raise _err(file, f"{key} outcome", '"knowledge" for a kernel contrast', outcome)
    if contrast.columns is not None and outcome is not None:
        raise _err(file, f"{key} outcome", "no outcome with contrast.columns", outcome)
    if contrast.kernel is None and contrast.columns is None:
        names = (*outcome_names(), *derived)
        _one_of(outcome, names, file, f"{key} outcome", "an outcome or a [statistics] name")
    if stat == STATISTICS[1] and (contrast.columns or contrast.interaction or not contrast.has_alt):
        raise _err(file, f"{key} statistic", "paired_proportion only with two plain arms", stat)
    thr = _keys(p.get("threshold", {}), ("min_effect",), file, f"{key} threshold")
    min_effect = thr.get("min_effect", 0.0)
    if isinstance(min_effect, bool) or not isinstance(min_effect, int | float) or min_effect < 0:
        raise _err(file, f"{key} threshold min_effect", "a number >= 0", min_effect)
    factor = p.get("replicate_factor", 1)
    if type(factor) is not int or not 1 <= factor <= MAX_FACTOR:
        raise _err(file, f"{key} replicate_factor", f"an integer in [1, {MAX_FACTOR}]", factor)
    used = tuple(derived[n] for n in (outcome, *(contrast.columns or ())) if n in derived)
    fields = dict(id=p["id"], mechanism=p["mechanism"], claim=p["claim"], source=dict(src))
    fields.update(contrast=contrast, outcome=outcome, direction=p["direction"], statistic=stat)
    fields.update(min_effect=float(min_effect), derived=used, note=p.get("note", ""))
    return Pattern(**fields, replicate_factor=factor)


def load_patterns(path: str | Path | None = None) -> tuple[Pattern, ...]:
    """Read and validate a pattern book (default: the bundled ``patterns.toml``).

    Raises:
        InputError: a missing file, bad TOML, an unknown key, scenario, parameter, outcome or
            statistic, a bad direction or statistic, or a duplicate id; naming file and key.
    """
    book = Path(path) if path is not None else BOOK_PATH
    file = str(path) if path is not None else "patterns.toml"
    data = read_toml(book, what="pattern file")  # regular, bounded, UTF-8: never hangs
    _keys(data, ("pattern", "statistics"), file, "top level")
    derived = {n: _parse_statistic(n, s, file) for n, s in data.get("statistics", {}).items()}
    raw = data.get("pattern", [])
    if not isinstance(raw, list) or not raw:
        raise _err(file, "[[pattern]]", "at least one [[pattern]] table", raw)
    out: list[Pattern] = []
    for i, p in enumerate(raw):
        key = f"[[pattern]] #{i + 1}"
        p = _keys(p, _KEYS["pattern"].split(), file, key)
        out.append(_parse_pattern(p, key, book, file, derived))
        if out[-1].id in [q.id for q in out[:-1]]:
            raise _err(file, f"[[pattern]] {out[-1].id} id", "a unique id", out[-1].id)
    return tuple(out)


def _column(name: str, derived, outcomes: pd.DataFrame, series: pd.DataFrame) -> np.ndarray:
    """One value per run: an outcome column, or a derived statistic of the series."""
    s = next((d for d in derived if d.name == name), None)
    if s is None:
        return outcomes[name].to_numpy(float)
    sel = series[(series["variable"] == s.variable) & series["level"].isin(s.levels)]
    if s.months == SECOND_HALF:
        sel = sel[sel["month"] > sel["month"].max() // 2]
    elif s.months is not None:
        sel = sel[(sel["month"] >= s.months[0]) & (sel["month"] <= s.months[1])]
    red = sel.groupby(["run", "month"])["value"].mean().groupby(level="run")
    red = red.last() if s.reduce == "last" else getattr(red, s.reduce)()
    return red.reindex(range(len(outcomes))).to_numpy(float)


def _runs(sc: Scenario, replicates: int, seed: int, months) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first ``replicates`` runs of ``sc`` (cached by the scenario's content, not its name;
    run ``r`` is the same whatever the number of runs, so fewer runs are a prefix of more)."""
    key = (dataclasses.replace(sc, name="", description="", source=None), seed, months)
    if key not in _RUNS or len(_RUNS[key][0]) < replicates:
        res = run_scenario(sc, replicates=replicates, seed=seed, months=months)
        _RUNS[key] = (res.outcomes, res.series)
    outcomes, series = _RUNS[key]
    if len(outcomes) == replicates:
        return outcomes, series
    return outcomes.iloc[:replicates], series[series["run"] < replicates]


def _arms(p: Pattern, extra: Pairs, replicates, seed, months, world=None):
    """Per-run values of the base arm and of the second arm (None for a within-run contrast);
    ``world`` replaces the defaults (:mod:`concertsim.worlds`), under the arm's own changes."""
    c, vals, w = p.contrast, [], world or {}
    arms = [(c.base, _merge(in_world(c.base, w), c.base_overrides, extra))]
    if c.has_alt:
        alt = c.scenario or c.base
        arms.append((alt, _merge(in_world(alt, w), c.base_overrides, c.overrides, extra)))
    for name, overrides in arms:
        outcomes, series = _runs(_resolve(name, overrides), replicates, seed, months)
        cols = [_column(col, p.derived, outcomes, series) for col in c.columns or (p.outcome,)]
        vals.append(cols[0] if len(cols) == 1 else cols[0] - cols[1])
    return vals[0], (vals[1] if c.has_alt else None)


def evaluate(pattern: Pattern, *, replicates=40, seed=1, months=None, world=None) -> dict:
    """Run a pattern's arms (``replicates`` runs each, root ``seed``: common random numbers;
    ``months`` shortens scenario runs; in ``world``, a mapping of changed defaults) and test it.

    Each arm runs ``replicates * pattern.replicate_factor`` times.

    Returns:
        base (mean of the base arm), effect, low, high, n, sd (of the paired differences),
        p_value and holds.
    """
    c, p_value = pattern.contrast, math.nan
    replicates *= pattern.replicate_factor
    if c.kernel is not None:
        fn, args = KERNELS[c.kernel], dict(c.base_args)
        base = np.asarray(fn(**args, runs=replicates, seed=seed), float)
        alt = np.asarray(fn(**{**args, **dict(c.args)}, runs=replicates, seed=seed), float)
        d = alt - base
    elif c.interaction is not None:
        arms = (_arms(pattern, x, replicates, seed, months, world) for x in c.interaction)
        (b0, a0), (b1, a1) = arms
        base = b0 if a0 is None else a0 - b0
        d = (b1 if a1 is None else a1 - b1) - base
    else:
        base, alt = _arms(pattern, (), replicates, seed, months, world)
        d = base if alt is None else alt - base
    ok = ~np.isnan(d)
    sd = float(d[ok].std(ddof=1)) if ok.sum() > 1 else math.nan
    if pattern.statistic == "paired_proportion":
        if not np.isin(np.r_[alt[ok], base[ok]], (0.0, 1.0)).all():
            raise ValueError(f"{pattern.id}: paired_proportion needs a 0/1 outcome")
        effect, low, high = newcombe_paired_interval(base[ok], alt[ok])
        p_value = mcnemar_exact_p(base[ok], alt[ok])
    else:
        effect = float(d[ok].mean()) if ok.any() else math.nan
        _, low, high, _ = mean_ci(d[ok])
        if sd > 0:
            p_value = float(2 * stats.t.sf(abs(effect) / sd * math.sqrt(ok.sum()), ok.sum() - 1))
    up = pattern.direction == "increase"
    holds = bool(low > pattern.min_effect) if up else bool(high < -pattern.min_effect)
    mean_base = float(np.nanmean(base)) if np.isfinite(base).any() else math.nan
    row = dict(base=mean_base, effect=effect, low=low, high=high, n=int(ok.sum()), sd=sd)
    return row | dict(p_value=p_value, holds=holds)


def run_book(patterns: Sequence[Pattern], *, replicates=40, seed=1, only=None, months=None,
             world=None):  # fmt: skip
    """Evaluate the patterns (those in ``only``, if given; in ``world``) into a table.

    Raises:
        InputError: an id in ``only`` is not in the book.
    """
    ids = [p.id for p in patterns]
    for pid in only or ():
        _one_of(pid, ids, "--only", "", "a pattern id")
    rows, world = {}, check_world(world or {}, lenient=True)
    _RUNS.clear()  # runs are shared within one book run, not kept across worlds
    todo = [p for p in patterns if not only or p.id in only]
    for p in sorted(todo, key=lambda p: -p.replicate_factor):  # most runs first: then sliced
        outcome = p.outcome or " - ".join(p.contrast.columns or ())
        row = dict(id=p.id, mechanism=p.mechanism, claim=p.claim, outcome=outcome)
        row.update(direction=p.direction, statistic=p.statistic)
        rows[p.id] = row | evaluate(p, replicates=replicates, seed=seed, months=months,
                                    world=world)  # fmt: skip
    table = pd.DataFrame([rows[p.id] for p in todo])
    table.attrs.update(replicates=replicates, seed=seed)
    return table


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """The options of ``concertsim patterns`` (shared by the CLI and :func:`main`)."""
    from concertsim.cliargs import integer_in
    from concertsim.config import HORIZON_INFO

    ap.add_argument("--replicates", type=integer_in(2, 10_000), default=40,
                    help="runs per arm (default 40)")  # fmt: skip
    ap.add_argument("--seed", type=integer_in(0), default=1, help="root seed of every arm")
    ap.add_argument("--out", default="results/patterns", help="where patterns.csv/png go")
    ap.add_argument("--only", nargs="+", metavar="ID", help="run these patterns only")
    ap.add_argument("--months", type=integer_in(*(int(x) for x in HORIZON_INFO.range)),
                    help="shorter horizon (quick checks, tests)")  # fmt: skip
    ap.add_argument("--book", help="a pattern file (default: the bundled patterns.toml)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="run the book with defaults changed (funding.rule=block)")  # fmt: skip


def check_book_dir(out_dir: str | Path) -> Path:
    """Refuse an ``--out`` the book must not write into (before anything runs).

    A new path, or a directory that is not another command's result (no ``manifest.json``:
    not a ``concertsim run`` output nor a sweep's store).
    """
    out = Path(out_dir)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        got = verbatim("a symbolic link" if out.is_symlink() else "not a directory")
        raise InputError("--out", str(out), "a directory for patterns.csv and .png", got)
    if (out / "manifest.json").exists():
        got = verbatim("the result of another concertsim command (it has a manifest.json)")
        raise InputError("--out", str(out), "a directory for patterns.csv and .png", got)
    return out


def command(args: argparse.Namespace) -> int:
    """Run the book as ``args`` says; exit code 0 if every pattern holds, 1 if one fails.

    Raises:
        InputError: a bad pattern file, an unknown pattern id or a bad ``--out``.
    """
    check_book_dir(args.out)
    world = check_world(parse_assignments(args.set))
    start = time.perf_counter()
    table = run_book(load_patterns(args.book), replicates=args.replicates, seed=args.seed,
                     only=args.only, months=args.months, world=world)  # fmt: skip
    table.attrs.update(world)
    try:
        csv, png = write_book(table, args.out)
    except OSError as exc:
        got = verbatim(exc.strerror or type(exc).__name__)
        raise InputError("--out", str(args.out), "a writable directory", got) from None
    print(format_table(table))
    print(f"{time.perf_counter() - start:.1f} s; wrote {csv} and {png}")
    return 0 if bool(table["holds"].all()) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """``concertsim patterns [--replicates N] [--seed S] [--out DIR] [--only ID ...]``: exit
    code 0 if every pattern run holds, 1 if one fails, 2 on bad input."""
    from concertsim.cliargs import EXIT_INPUT, Parser

    ap = Parser(prog="concertsim patterns", description="Run the pattern book.")
    add_arguments(ap)
    args = ap.parse_args(argv)
    try:
        return command(args)
    except InputError as exc:
        print(f"concertsim: error: {exc}", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
