"""The ``sweep`` and ``analyze`` subcommands.

``concertsim.cli`` calls :func:`register` to add them to the ``concertsim`` command;
``python -m concertsim.experiment`` runs them on their own (what the MPI launch uses)::

    concertsim sweep EXPERIMENT --out DIR [--executor local|dask|mpi] [--workers N]
                     [--scheduler ADDRESS] [--resume]
    concertsim analyze DIR [--out ANALYSIS_DIR] [--outcome NAME ...] [--no-figures]

Exit codes: 0 done, 2 bad input (one line on stderr, no traceback), 130 interrupted (Ctrl-C
or SIGTERM: finished tasks are kept, the same command resumes).

Example:
    >>> parser = build_parser()
    >>> args = parser.parse_args(["sweep", "e.toml", "--out", "d", "--workers", "2"])
    >>> args.executor, args.workers, args.func is sweep_command
    ('local', 2, True)
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from concertsim.cliargs import Parser, integer_in, share
from concertsim.errors import InputError, verbatim
from concertsim.limits import LIMITS_HELP, MAX_BOOTSTRAP, MAX_WORKERS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["register", "sweep_command", "analyze_command", "build_parser", "main"]
__all__ += ["stop_on_sigterm"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``sweep`` and ``analyze`` to a ``concertsim`` argument parser's subcommands."""
    sweep = subparsers.add_parser(
        "sweep",
        help="run an experiment (design x replicates) into a results store",
        description="Run every (design point, replicate) of an experiment file into a results "
        "store that fills as tasks finish. Running the same command on the same directory "
        "resumes: only missing runs are run.",
        epilog=LIMITS_HELP + f"; at most {MAX_WORKERS} workers.",
    )
    sweep.add_argument("experiment", help="experiment file (TOML), e.g. experiments/sobol.toml")
    sweep.add_argument("--out", required=True, help="results directory (created or resumed)")
    sweep.add_argument(
        "--executor",
        choices=("local", "dask", "mpi"),
        default="local",
        help="local process pool (default), dask.distributed, or mpi4py.futures",
    )
    sweep.add_argument(
        "--workers",
        type=integer_in(0, MAX_WORKERS),
        default=None,
        help=f"worker processes, at most {MAX_WORKERS} (default: all cores; 0 = in this process)",
    )
    sweep.add_argument(
        "--scheduler",
        default=None,
        help="address of a running dask scheduler (default: a LocalCluster)",
    )
    sweep.add_argument(
        "--resume",
        action="store_true",
        help="insist that DIR already holds this experiment's sweep",
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    sweep.set_defaults(func=sweep_command)

    analyze = subparsers.add_parser(
        "analyze",
        help="sensitivity indices, variance shares, stability maps of a results store",
        description="Analyse a results store: CSV tables and PNG figures in DIR/analysis.",
    )
    analyze.add_argument("store", metavar="DIR", help="a results directory written by sweep")
    analyze.add_argument("--out", default=None, help="where to write (default: DIR/analysis)")
    analyze.add_argument(
        "--outcome",
        action="append",
        default=[],
        help="an outcome to analyse (repeatable; default: the experiment's)",
    )
    analyze.add_argument("--no-figures", action="store_true", help="tables only")
    analyze.add_argument(
        "--experiment",
        default=None,
        help="experiment file whose [analysis] settings to use (default: the sweep's own file, "
        "when it still describes these results; else the manifest)",
    )
    for flag, kind, text in (
        ("--bootstrap", integer_in(10, MAX_BOOTSTRAP), "bootstrap resamples"),
        ("--conf-level", share, "confidence level of the intervals, in (0, 1]"),
        ("--stable-outcome", str, "the outcome whose mean says whether a mix is stable"),
        ("--stable-min", float, "a mix is stable when that mean is at least this"),
    ):
        analyze.add_argument(flag, type=kind, default=None, help=f"{text} (overrides [analysis])")
    analyze.add_argument(
        "--baseline",
        default=None,
        help="with [scenarios]: the scenario the others are compared with (default: the first)",
    )
    analyze.set_defaults(func=analyze_command)


def _fail(message: str, code: int) -> int:
    print(f"concertsim: error: {message}", file=sys.stderr)
    return code


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_on_sigterm() -> object:
    """Treat SIGTERM (a batch system's walltime, ``kill``) like Ctrl-C: a clean stop."""
    return signal.signal(signal.SIGTERM, _interrupt)


def sweep_command(args: argparse.Namespace) -> int:
    """Handler of ``concertsim sweep``."""
    from concertsim.experiment.runner import SweepInterruptedError, run_sweep

    if args.scheduler and args.executor != "dask":
        return _fail("--scheduler: only with --executor dask", 2)
    if os.path.islink(Path(args.out)):  # as `run` refuses: the store would be elsewhere
        link = verbatim(f"a link to {os.readlink(Path(args.out))}")
        refused = InputError("--out", args.out, "a directory, not a symbolic link", link)
        return _fail(str(refused), 2)
    previous = stop_on_sigterm()
    try:
        report = run_sweep(
            args.experiment,
            args.out,
            executor=args.executor,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            progress=False if args.quiet else None,
            log=None if args.quiet else sys.stderr,
        )
    except InputError as exc:
        return _fail(str(exc), 2)
    except SweepInterruptedError as exc:
        print(f"concertsim: {exc}", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not args.quiet:
        if report.ran == 0:
            print(f"nothing to do: all {report.total} runs are in {report.out}")
        else:
            failed = f", {report.failed} failed (see the run table's error column)"
            print(
                f"{report.ran} runs{failed if report.failed else ''} in {report.seconds:.1f} s "
                f"({report.rate:,.1f} runs/s, {report.executor}) -> {report.out}\n"
                f"next: concertsim analyze {report.out}"
            )
        if report.lost:
            print(
                f"{report.lost} runs were lost by the executor (not by the runs themselves); "
                "run the same command again to run them"
            )
    return 0


def analyze_command(args: argparse.Namespace) -> int:
    """Handler of ``concertsim analyze``.

    Notes go to stdout; warnings (results that could mislead) to stderr, one line each,
    as ``concertsim: warning: ...``; bad input is one ``concertsim: error: ...`` line, exit 2.
    """
    from concertsim.experiment.analysis import analyze_store
    from concertsim.experiment.analysis.console import render

    settings = {
        "bootstrap": args.bootstrap,
        "conf_level": args.conf_level,
        "stable_outcome": args.stable_outcome,
        "stable_min": args.stable_min,
        "baseline": args.baseline,
    }
    try:
        report = analyze_store(
            args.store,
            args.out,
            outcomes=args.outcome,
            figures=not args.no_figures,
            experiment=args.experiment,
            settings=settings,
        )
    except InputError as exc:
        return _fail(str(exc), 2)
    for warning in report.warnings:
        print(f"concertsim: warning: {warning}", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}")
    tables = render(report)
    if tables:
        print(f"\n{tables}")
    removed = f" ({len(report.removed)} of a previous analysis removed)" if report.removed else ""
    print(f"\n{len(report.files)} tables and figures in {report.out}{removed}")
    return 0


def _compact(table: pd.DataFrame, rows: int = 15, columns: int = 9) -> pd.DataFrame:
    """The head of a table for the terminal (see :func:`.analysis.console.compact`)."""
    from concertsim.experiment.analysis.console import compact

    return compact(table, rows, columns)


def build_parser() -> argparse.ArgumentParser:
    """A stand-alone parser with just ``sweep`` and ``analyze``."""
    parser = Parser(prog="concertsim", description="concertsim experiments")
    register(parser.add_subparsers(dest="command", required=True, parser_class=Parser))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``sweep`` or ``analyze`` from the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
