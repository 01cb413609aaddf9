"""The ``concertsim`` command line: run, validate and list scenarios (sweep and analyze too).

Usage::

    concertsim run SCENARIO [--replicates N] [--seed S] [--out DIR] [--months T]
                            [--set KEY=VALUE ...] [--csv] [--force] [--no-progress]
                            [--no-figure] [--lang fr|en]
    concertsim validate SCENARIO...
    concertsim scenarios
    concertsim app [SCENARIO] [--port N] [--host H] [--lang fr|en] [--seed S]
    concertsim sweep ... / concertsim analyze ...   (see concertsim.experiment)

Bad input (a scenario error, an existing output directory without ``--force``, a bad
option of any subcommand, a command too large for the limits of :mod:`concertsim.config`)
prints one line ``concertsim: error: ...`` on stderr and exits with code 2, before anything
runs or is written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from concertsim import __version__
from concertsim.app import command as app_command
from concertsim.cliargs import EXIT_INPUT, Parser, integer_in, parse_assignments
from concertsim.compare import cli as compare_cli
from concertsim.config import HORIZON_INFO
from concertsim.discover import add_parser as _add_discover
from concertsim.errors import InputError, verbatim, writing_results
from concertsim.i18n import LANGUAGES
from concertsim.limits import LIMITS_HELP, MAX_RUNS
from concertsim.runsummary import summary_table

__all__ = ["main", "build_parser", "summary_table", "EXIT_INPUT"]

_EXPERIMENT_COMMANDS = ("sweep", "analyze")

# --------------------------------------------------------------------------- run


def _cmd_run(args: argparse.Namespace) -> int:
    """``concertsim run``: load, run the replicates, write results, print a summary."""
    import numpy as np

    from concertsim.i18n import default_language
    from concertsim.limits import check_workload, posts
    from concertsim.output import check_out_dir, write_results
    from concertsim.progress import Progress
    from concertsim.runsummary import summary_heading
    from concertsim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    if args.set:
        scenario = scenario.with_overrides(parse_assignments(args.set), file="--set", lenient=False)
    months = args.months if args.months is not None else scenario.horizon
    runs, people = args.replicates, posts(scenario.structure)
    check_workload("--replicates", "", runs=runs, people=people, months=months)
    if args.out is not None and not args.out.strip():
        raise InputError("--out", "", "a directory path", verbatim("an empty path"))
    out = Path(args.out) if args.out is not None else Path("results") / scenario.name
    check_out_dir(out, force=args.force)
    from concertsim.simulate import run_scenario

    seed = args.seed if args.seed is not None else int(np.random.SeedSequence().entropy)
    show = not args.no_progress and sys.stderr.isatty()
    progress = (
        Progress(label=f"run {scenario.name}", unit="months", stream=sys.stderr, enabled=True)
        if show
        else None
    )
    print(
        f"concertsim {__version__}: {scenario.name}, {args.replicates} replicates x "
        f"{months} months, seed {seed}"
    )
    cut = [f"{e.kind} at month {e.month}" for e in scenario.events if e.month >= months]
    if cut:
        print(f"note: --months {months} leaves out {len(cut)} scheduled event(s): {', '.join(cut)}")
    result = run_scenario(
        scenario, replicates=args.replicates, seed=seed, months=args.months, progress=progress
    )
    lang = args.lang or default_language()
    fmt = "csv" if args.csv else "parquet"
    with writing_results(out):  # atomic: nothing existing is lost
        write_results(
            out,
            scenario=scenario,
            series=result.series,
            outcomes=result.outcomes,
            seeds=result.seeds,
            fmt=fmt,
            force=args.force,
            command=["concertsim", *args.argv],
            figure=not args.no_figure,
            stability=result.stability,
            lang=lang,
        )
    print(f"tables:   {out / f'series.{fmt}'}  {out / f'outcomes.{fmt}'}")
    if not args.no_figure:
        print(f"figure:   {out / 'figure.png'}")
    print(f"manifest: {out / 'manifest.json'}")
    print()
    print(summary_heading(lang))
    print(summary_table(result.outcomes, lang, horizon=months))
    return 0


# --------------------------------------------------------------------------- validate, list


def _cmd_validate(args: argparse.Namespace) -> int:
    """``concertsim validate``: ``ok  <file>`` per valid file; stop at the first bad one."""
    from concertsim.scenario import load_scenario

    for name in args.scenarios:
        load_scenario(name)
        print(f"ok  {name}", flush=True)
    return 0


def _cmd_scenarios(args: argparse.Namespace) -> int:
    """``concertsim scenarios``: the bundled scenarios, one line each."""
    from concertsim.scenario import bundled_scenarios, load_scenario

    bundled = bundled_scenarios()
    width = max((len(n) for n in bundled), default=0)
    for name, path in bundled.items():
        print(f"{name:<{width}}  {load_scenario(path).description}")
    return 0


# --------------------------------------------------------------------------- parser


_replicates = integer_in(1, MAX_RUNS)
_months = integer_in(*(int(x) for x in HORIZON_INFO.range))
_seed = integer_in(0)


def _add_run(sub) -> None:
    p = sub.add_parser(
        "run",
        help="run replicates of a scenario; write tables, manifest and figure",
        description="Run replicates of a scenario (a file, or a bundled name such as baseline).",
        epilog=LIMITS_HELP + ".",
    )
    p.add_argument("scenario", help="scenario file or bundled scenario name")
    p.add_argument(
        "--replicates",
        "-n",
        type=_replicates,
        default=10,
        metavar="N",
        help=f"number of replicates (default 10, at most {MAX_RUNS:,})",
    )
    p.add_argument(
        "--seed",
        type=_seed,
        default=None,
        metavar="S",
        help="root seed (default: fresh entropy, recorded in the manifest)",
    )
    p.add_argument(
        "--out",
        "-o",
        default=None,
        metavar="DIR",
        help="output directory (default results/<scenario name>)",
    )
    p.add_argument(
        "--months",
        type=_months,
        default=None,
        metavar="T",
        help="months to simulate, 1 to 1200 (default: the scenario's horizon)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter, e.g. turnover.local_annual=0.4 (repeatable)",
    )
    p.add_argument("--csv", action="store_true", help="write CSV tables instead of Parquet")
    p.add_argument("--force", action="store_true", help="replace an existing output directory")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-figure", action="store_true", help="do not draw figure.png")
    p.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of the figure and the summary (default: $CONCERTSIM_LANG, else $LANG)",
    )
    p.set_defaults(func=_cmd_run)


def _add_validate(sub) -> None:
    p = sub.add_parser("validate", help="validate scenario files without running them")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="files or bundled names")
    p.set_defaults(func=_cmd_validate)


def _add_scenarios(sub) -> None:
    p = sub.add_parser("scenarios", help="list the bundled scenarios")
    p.set_defaults(func=_cmd_scenarios)


def _add_patterns(sub) -> None:
    from concertsim import patterns

    p = sub.add_parser(
        "patterns", help="run the pattern book: does the model show the source's facts?"
    )
    patterns.add_arguments(p)
    p.set_defaults(func=patterns.command)


def _unavailable(name: str, reason: BaseException | None) -> Callable[[argparse.Namespace], int]:
    """A stand-in command for when the experiment package cannot be imported."""

    def _unavailable_command(args: argparse.Namespace) -> int:
        detail = f": {type(reason).__name__}: {reason}" if reason else ""
        print(f"concertsim: error: {name} is unavailable{detail}", file=sys.stderr)
        return 1

    return _unavailable_command


def _add_experiment(sub, wanted: bool) -> None:
    """Add ``sweep`` and ``analyze`` from :mod:`concertsim.experiment.cli`.

    The experiment package is imported only when one of its commands is asked for, and
    defensively: if it cannot be imported, the other commands still work.
    """
    reason: BaseException | None = None
    if wanted:
        try:
            from concertsim.experiment.cli import register
        except Exception as exc:  # noqa: BLE001 - any failure must not break run/validate
            reason = exc
        else:
            register(sub)
            return
    helps = {"sweep": "run a parameter sweep or design", "analyze": "analyse a sweep's results"}
    for name in _EXPERIMENT_COMMANDS:
        p = sub.add_parser(name, help=helps[name], add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=_unavailable(name, reason))


def _command_of(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word not starting with '-')."""
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The argument parser; ``argv`` says whether the experiment commands are needed."""
    parser = Parser(
        prog="concertsim",
        description="Agent-based simulation of multi-level concertation in regional "
        "social development.",
    )
    parser.add_argument("--version", action="version", version=f"concertsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    _add_run(sub)
    _add_validate(sub)
    _add_scenarios(sub)
    _add_patterns(sub)
    compare_cli.add_parser(sub)
    app_command.add_parser(sub)
    _add_discover(sub)
    __import__("concertsim.calibrate").calibrate.add_parser(sub)  # concertsim calibrate
    _add_experiment(sub, wanted=_command_of(argv) in _EXPERIMENT_COMMANDS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Args:
        argv: the arguments (default ``sys.argv[1:]``).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args, extra = parser.parse_known_args(argv)
    if extra and args.func.__name__ != "_unavailable_command":
        parser.error(f"{args.command}: unrecognized arguments: " + " ".join(extra))
    args.argv = argv
    try:
        return int(args.func(args) or 0)
    except (InputError, FileExistsError) as exc:
        print(f"concertsim: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("concertsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `concertsim run ... | head`: the results are written
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's exit flush does not raise on a closed pipe."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
