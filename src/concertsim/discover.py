"""``concertsim discover``: where in parameter space does the structure fold (or hold)?

Scenario discovery on a sweep's results store with PRIM
(:mod:`concertsim.experiment.analysis.prim`): the runs whose outcome is at most a threshold
(``--above``: at least) are the cases of interest (by default, ``survived <= 0.5``: the
regional body folded); PRIM finds the box of parameter ranges that holds many of them and
mostly them. :func:`discover_store` writes, in ``DIR/discovery/`` (or ``--out``):

* ``prim_trajectory.csv`` / ``.png`` -- coverage and density at every peeling step;
* ``prim_box.csv`` / ``.png`` -- the chosen box (the highest coverage at a density of at
  least ``--min-density``): each restricted parameter's range and its quasi-p-values.

Files are written as ``concertsim analyze`` writes its own (each atomically; what an earlier
call in the same directory wrote and this one did not is removed). This module holds the
command's parser (:func:`add_parser`) and imports the analysis only when it runs.

Example:
    >>> from concertsim.cli import build_parser
    >>> parser = build_parser()
    >>> args = parser.parse_args(["discover", "results/x", "--threshold", "0.5"])
    >>> args.outcome, args.threshold, args.above, args.min_density
    ('survived', 0.5, False, 0.8)
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from concertsim.cliargs import share
from concertsim.errors import InputError, verbatim

if TYPE_CHECKING:
    from concertsim.experiment.analysis.common import AnalysisReport
    from concertsim.experiment.analysis.prim import PrimBox, PrimResult
    from concertsim.i18n import Messages

__all__ = ["Discovery", "discover_store", "describe", "add_parser", "command"]

I18N_DOMAIN = "discover"
"""The catalogue of what ``discover`` says to its reader (the sentence and the figures)."""

_RUN_COLUMNS = ("run_id", "point", "replicate", "seed_entropy", "seed_spawn_key", "status")


@dataclass
class Discovery:
    """What :func:`discover_store` found and wrote.

    Attributes:
        report: tables, figures, notes and warnings (as ``analyze`` returns them).
        result: PRIM's trajectory and boxes (:class:`~.prim.PrimResult`).
        box: the chosen box.
        cases: the cases of interest in words (``survived <= 0.5``).
        summary: the box in one sentence.
    """

    report: AnalysisReport
    result: PrimResult
    box: PrimBox
    cases: str
    summary: str = ""
    parameters: list[str] = field(default_factory=list)


def _range(box: PrimBox, name: str, msg: Messages) -> str:
    """``name <= 0.3``, ``name >= 0.1`` or ``name in [0.1, 0.3]``: the sides it restricts."""
    low, high = box.limits.loc[name, "lower"], box.limits.loc[name, "upper"]
    qp = box.quasi_p.loc[name]
    low_text, high_text = _number(low, msg), _number(high, msg)
    if qp.isna()["lower"] and not qp.isna()["upper"]:
        return msg._("{name} <= {high}").format(name=name, high=high_text)
    if qp.isna()["upper"] and not qp.isna()["lower"]:
        return msg._("{name} >= {low}").format(name=name, low=low_text)
    return msg._("{name} in [{low}, {high}]").format(name=name, low=low_text, high=high_text)


def _number(x: float, msg: Messages) -> str:
    """Three significant digits, as the reader writes numbers (``0,244`` in French)."""
    text = f"{x:.3g}"
    if "e" in text:
        return text
    digits = len(text.partition(".")[2])
    return msg.number(float(text), digits)


def describe(
    box: PrimBox, cases: str, n_cases: int, n_runs: int, *, by_point: bool = False, lang="en"
) -> str:
    """The box in one sentence: where the cases are, how dense and how complete.

    Example:
        >>> import pandas as pd
        >>> from concertsim.experiment.analysis.prim import PrimBox
        >>> lim = pd.DataFrame({"lower": [0.25], "upper": [0.4]}, index=["turnover"])
        >>> qp = pd.DataFrame({"lower": [0.01], "upper": [float("nan")]}, index=["turnover"])
        >>> b = PrimBox(3, lim, ["turnover"], 0.9, 0.8, 0.3, 60, 48, qp)
        >>> describe(b, "survived <= 0.5", 53, 200)
        '53 of 200 runs have survived <= 0.5; 80% of the runs with turnover >= 0.25 do (48 of 60 runs), and that box holds 90% of them.'
        >>> describe(b, "survived <= 0.5", 53, 200, lang="fr")
        '53 simulations sur 200 ont survived <= 0.5 ; 80\xa0% des simulations où turnover >= 0,25 l’ont (48 sur 60), et cette boîte en contient 90\xa0%.'
    """  # noqa: E501
    from concertsim.i18n import messages

    msg = messages(lang, I18N_DOMAIN)
    if not box.restricted:
        text = (
            msg._("{cases} of {total} design points have {condition}; no box narrows them down.")
            if by_point
            else msg._("{cases} of {total} runs have {condition}; no box narrows them down.")
        )
        return text.format(cases=n_cases, total=n_runs, condition=cases)
    ranges = msg._(" and ").join(_range(box, name, msg) for name in box.restricted)
    text = (
        msg._(
            "{cases} of {total} design points have {condition}; {density} of the design points "
            "with {ranges} do ({k} of {n}), and that box holds {coverage} of them."
        )
        if by_point
        else msg._(
            "{cases} of {total} runs have {condition}; {density} of the runs with {ranges} do "
            "({k} of {n} runs), and that box holds {coverage} of them."
        )
    )
    return text.format(
        cases=n_cases, total=n_runs, condition=cases, density=msg.percent(box.density),
        ranges=ranges, k=box.k, n=box.n, coverage=msg.percent(box.coverage),
    )  # fmt: skip


def _runs(
    store: Any, outcome: str, scenario: str | None, by_point: bool
) -> tuple[Any, list[str], list[str]]:
    """The successful runs (of one scenario; or their means by point), parameters, notes."""
    manifest = store.manifest
    parameters = list(manifest["design"]["columns"])
    runs = store.read_runs()
    outcomes = [c for c in runs.columns if c not in (*_RUN_COLUMNS, "error", "scenario")]
    outcomes = [c for c in outcomes if c not in parameters]
    if outcome not in outcomes:
        hint = "a parameter, not an outcome" if outcome in parameters else None
        raise InputError("--outcome", "", f"an outcome of these results ({', '.join(outcomes)})",
                         outcome, hint=hint)  # fmt: skip
    notes = []
    names = [s["name"] for s in manifest.get("scenarios") or []]
    if names:
        chosen = scenario or names[0]
        if chosen not in names:
            raise InputError("--scenario", "", f"a scenario of these results ({', '.join(names)})",
                             chosen)  # fmt: skip
        runs = runs[runs["scenario"] == chosen]
        notes.append(f"scenario {chosen} (of {', '.join(names)}; --scenario to choose)")
    elif scenario:
        raise InputError("--scenario", "", "a store with scenarios", scenario)
    failed = int((runs["status"] != "ok").sum())
    runs = runs[runs["status"] == "ok"]
    missing = int(runs[outcome].isna().sum())
    runs = runs[runs[outcome].notna()]
    if failed:
        notes.append(f"{failed} failed runs left out")
    if missing:
        notes.append(f"{missing} runs without a value of {outcome} left out")
    if by_point:  # one row per design point: the outcome's mean over its replicates
        runs = runs.groupby("point", sort=True)[[*parameters, outcome]].mean()
        notes.append(f"{len(runs)} design points, {outcome} averaged over their replicates")
    constant = [p for p in parameters if runs[p].nunique() <= 1]
    if constant:
        notes.append(f"fixed in every run, so not searched: {', '.join(constant)}")
    varying = [p for p in parameters if p not in constant]
    kept = list(runs[varying].T.drop_duplicates().index) if varying else []
    linked = [p for p in varying if p not in kept]
    if linked:  # linked parameters take the same values: searched once, as the first
        notes.append(f"equal to a parameter searched, so not searched: {', '.join(linked)}")
    return runs, kept, notes


def discover_store(
    root: str | Path,
    outcome: str = "survived",
    *,
    threshold: float = 0.5,
    above: bool = False,
    min_density: float = 0.8,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    scenario: str | None = None,
    by_point: bool = False,
    out: str | Path | None = None,
    figures: bool = True,
    lang: str | None = None,
) -> Discovery:
    """Scenario discovery with PRIM on a sweep's results store (see the module docstring).

    Args:
        root: the store (a sweep's ``--out``).
        outcome: the outcome whose values define the cases of interest.
        threshold: runs with ``outcome <= threshold`` are cases (``>=`` with ``above``).
        above: look for high values rather than low ones.
        min_density: the least density of the chosen box.
        peel_alpha, paste_alpha, mass_min: PRIM's settings (:func:`~.prim.prim`).
        scenario: in a store with scenarios, the scenario whose runs to search (default:
            the first).
        by_point: search the design points, each with the mean of the outcome over its
            replicates (e.g. the share of runs that survived), rather than the runs.
        out: where to write (default ``root/discovery``).
        figures: also draw the PNG figures.
        lang: the language of the sentence and the figures (``en``, ``fr``; default:
            :func:`concertsim.i18n.default_language`).

    Raises:
        InputError: ``root`` is not a sweep's store, the outcome or scenario is not in it,
            no run is a case of interest, or ``out`` cannot be written. Nothing is written.
    """
    from concertsim.experiment.analysis.common import AnalysisReport
    from concertsim.experiment.analysis.driver import check_out, open_store, write_report
    from concertsim.experiment.analysis.prim import prim
    from concertsim.experiment.analysis.prim_figures import box_limits, trajectory
    from concertsim.i18n import default_language

    lang = lang or default_language()
    store = open_store(root)
    root = Path(root)
    out_dir = Path(out) if out else root / "discovery"
    check_out(out_dir, root, inside="discovery")
    runs, parameters, notes = _runs(store, outcome, scenario, by_point)
    y = runs[outcome].to_numpy(dtype=float)
    cases = f"{outcome} {'>=' if above else '<='} {threshold:g}"
    hits = y >= threshold if above else y <= threshold
    if not len(runs) or not parameters:
        raise InputError(str(root), "", "runs with parameters that vary",
                         verbatim(f"{len(runs)} runs, {len(parameters)} parameters"))  # fmt: skip
    if not hits.any():
        got = f"none of {len(y)} runs has {cases} ({outcome} ranges over "
        raise InputError("--threshold", "", "a threshold some runs meet",
                         verbatim(got + f"[{y.min():g}, {y.max():g}])"))  # fmt: skip
    report = AnalysisReport(out_dir, outcomes=[outcome])
    for note in notes:
        report.note(note)
    result = prim(runs[parameters], hits, threshold=min_density, peel_alpha=peel_alpha,
                  paste_alpha=paste_alpha, mass_min=mass_min)  # fmt: skip
    box = result.box()
    if hits.all():
        report.warn(f"every run has {cases}: there is no region to tell apart")
    elif box.step == 0:
        report.warn(
            f"{hits.mean():.0%} of all the runs have {cases}, at least --min-density "
            f"{min_density:g}: raise it to find a region where they are denser"
        )
    elif box.density < min_density:
        report.warn(
            f"no box reaches a density of {min_density:g}: the densest is shown "
            f"({box.density:.2f}); lower --min-density, or the cases have no simple region"
        )
    loose = [
        f"{name} ({side})"
        for name in box.restricted
        for side in ("lower", "upper")
        if box.quasi_p.loc[name, side] > 0.05
    ]
    if loose:
        report.warn(
            "quasi-p-value above 0.05, the restriction may not be needed: " + ", ".join(loose)
        )
    t = result.trajectory.copy()
    t.insert(1, "chosen", t["step"] == box.step)
    report.table("prim_trajectory", t)
    table = box.table()
    table.insert(3, "min", [result.initial.loc[n, "lower"] for n in box.restricted])
    table.insert(4, "max", [result.initial.loc[n, "upper"] for n in box.restricted])
    for key, value in (("coverage", box.coverage), ("density", box.density), ("mass", box.mass),
                       ("step", box.step), ("cases", cases)):  # fmt: skip
        table[key] = value
    report.table("prim_box", table)
    if figures:
        report.figure("prim_trajectory.png", lambda: trajectory(result, cases, lang))
        report.figure("prim_box.png", lambda: box_limits(box, result.initial, cases, lang))
    summary = describe(box, cases, int(hits.sum()), len(y), by_point=by_point, lang=lang)
    write_report(report)
    return Discovery(report, result, box, cases, summary, parameters)


# --------------------------------------------------------------------------- command line


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``discover`` to the subcommands of ``concertsim``."""
    p = sub.add_parser(
        "discover",
        help="scenario discovery (PRIM): the parameter ranges where the structure folds",
        description="Find, with PRIM (Friedman & Fisher 1999), the ranges of parameters in "
        "which the runs of a sweep's results store have an outcome at most (or at least) a "
        "threshold: by default where the regional body folds (survived <= 0.5). Writes the "
        "peeling trajectory and the chosen box (CSV and PNG) to DIR/discovery.",
    )
    p.add_argument("store", metavar="DIR", help="a results directory written by sweep")
    p.add_argument("--outcome", default="survived", help="the outcome (default: survived)")
    p.add_argument(
        "--threshold",
        type=_finite,
        default=0.5,
        help="runs with the outcome at most this are the cases of interest (default 0.5)",
    )
    p.add_argument("--above", action="store_true", help="cases: the outcome at least --threshold")
    p.add_argument(
        "--min-density", type=share, default=0.8, help="least density of the box (default 0.8)"
    )
    for flag, default, text in (
        ("--peel-alpha", 0.05, "share of the box's runs one peel removes"),
        ("--paste-alpha", 0.05, "share of the neighbouring runs one paste adds"),
        ("--mass-min", 0.05, "least share of all runs a box holds"),
    ):
        p.add_argument(flag, type=_small_share, default=default, help=f"{text} ({default})")
    p.add_argument("--scenario", default=None, help="a store with scenarios: whose runs")
    p.add_argument(
        "--by-point",
        action="store_true",
        help="search design points by the outcome's mean over replicates, not single runs",
    )
    p.add_argument("--out", default=None, help="where to write (default: DIR/discovery)")
    p.add_argument("--no-figures", action="store_true", help="tables only")
    p.add_argument(
        "--lang",
        choices=("en", "fr"),
        default=None,
        help="language of the sentence and the figures (default: CONCERTSIM_LANG or the locale)",
    )
    p.set_defaults(func=command)
    return p


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a number, got {text[:40]!r}")
    return value


def _small_share(text: str) -> float:
    value = share(text)
    if value >= 0.5:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 0.5), got {text[:40]}")
    return value


def command(args: argparse.Namespace) -> int:
    """Handler of ``concertsim discover``: the box in a sentence, its table, the files."""
    from concertsim.experiment.analysis.console import compact

    found = discover_store(
        args.store,
        args.outcome,
        threshold=args.threshold,
        above=args.above,
        min_density=args.min_density,
        peel_alpha=args.peel_alpha,
        paste_alpha=args.paste_alpha,
        mass_min=args.mass_min,
        scenario=args.scenario,
        by_point=args.by_point,
        out=args.out,
        figures=not args.no_figures,
        lang=args.lang,
    )
    report = found.report
    for warning in report.warnings:
        print(f"concertsim: warning: {warning}", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}")
    print(found.summary)
    box = report.tables["prim_box"]
    if len(box):
        shown = box[["parameter", "lower", "upper", "min", "max", "qp_lower", "qp_upper"]]
        print(f"\nprim_box.csv: the chosen box (step {found.box.step})")
        print(compact(shown).to_string(index=False))
    print(f"\n{len(report.files)} tables and figures in {report.out}")
    return 0
