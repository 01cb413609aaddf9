"""``concertsim compare``: run scenarios on the same streams, compare them, write a report.

Usage::

    concertsim compare A B [C ...] [--baseline A] [--replicates N] [--seed S]
                       [--precision H] [--max-replicates M] [--out DIR] [--lang fr|en]
                       [--force] [--no-progress]

Every scenario is loaded and checked, and ``--out`` too, before anything runs: a bad one is
one line ``concertsim: error: ...`` naming the file, the key and what was expected (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from concertsim.cliargs import integer_in, share
from concertsim.errors import InputError, verbatim, writing_results
from concertsim.i18n import LANGUAGES, default_language
from concertsim.limits import LIMITS_HELP, MAX_RUNS

__all__ = ["add_parser", "command"]


def command(args: argparse.Namespace) -> int:
    """Run the comparison the arguments describe; print where everything went."""
    import numpy as np

    from concertsim.limits import check_workload, posts
    from concertsim.outdir import check_out_dir

    from .core import load_scenarios, run_comparison
    from .summary import scenario_sentence
    from .write import COMPARE_KIND, write_comparison

    scenarios, baseline = load_scenarios(args.scenarios, args.baseline)
    cap = max(args.replicates, args.max_replicates) if args.precision else args.replicates
    people = max(posts(sc.structure) for sc in scenarios.values())
    months = next(iter(scenarios.values())).horizon
    flag = "--max-replicates" if args.precision else "--replicates"
    check_workload(flag, "", runs=cap * len(scenarios), people=people, months=months, batch=cap)
    if args.out is not None and not args.out.strip():
        raise InputError("--out", "", "a directory path", verbatim("an empty path"))
    out = Path(args.out) if args.out is not None else Path("results") / "compare"
    check_out_dir(out, force=args.force, kind=COMPARE_KIND)
    seed = args.seed if args.seed is not None else int(np.random.SeedSequence().entropy)
    from concertsim import __version__

    names = ", ".join(scenarios)
    print(
        f"concertsim {__version__}: compare {names} (baseline {baseline}), "
        f"{args.replicates} replicates x {months} months, seed {seed}",
        flush=True,
    )
    comp = run_comparison(
        list(scenarios.values()),
        baseline=baseline,
        replicates=args.replicates,
        seed=seed,
        precision=args.precision,
        max_replicates=cap,
        progress=None if args.no_progress or not sys.stderr.isatty() else _progress(),
    )
    if args.precision:
        print(
            f"precision {args.precision}: {comp.replicates} replicates in {len(comp.rounds)} "
            f"round(s) ({', '.join(map(str, comp.rounds))}); widest headline half-width "
            f"{comp.reached:.4f}" + ("" if comp.reached <= args.precision else " (cap reached)")
        )
    with writing_results(out):  # atomic: nothing existing is lost
        write_comparison(
            comp, out, lang=args.lang, force=args.force, command=["concertsim", *args.argv]
        )
    print(f"report:  {out / 'report.html'}")
    print(f"tables:  {out}/{{runs,summary,paired,survival,bands,difference}}.{{csv,parquet}}")
    print(f"figures: {out}/{{paired,survival,series,difference}}.png")
    print()
    for name in comp.alternatives:
        print(scenario_sentence(comp.paired, name, baseline, args.lang))
    return 0


def _progress():
    """A progress bar per scenario and round, on the terminal."""
    from concertsim.progress import Progress

    bars: dict = {}

    def show(name: str, done: int, total: int) -> None:
        if done == 1 or name not in bars:
            bars[name] = Progress(label=f"compare {name}", unit="months", enabled=True)
        bars[name](done, total)

    return show


def add_parser(sub) -> None:
    """Add ``compare`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "compare",
        help="compare scenarios run on the same random streams; write tables, figures, report",
        description="Run every scenario with the same seeds (common random numbers) and "
        "compare each with the baseline: paired differences, survival, a report.",
        epilog=LIMITS_HELP + ".",
    )
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="files or bundled names")
    p.add_argument("--baseline", default=None, metavar="A", help="default: the first scenario")
    p.add_argument(
        "--replicates",
        "-n",
        type=integer_in(2, MAX_RUNS),
        default=40,
        metavar="N",
        help="replicates of each scenario (default 40; the first round with --precision)",
    )
    p.add_argument("--seed", type=integer_in(0), default=None, metavar="S", help="root seed")
    p.add_argument(
        "--precision",
        type=share,
        default=None,
        metavar="H",
        help="add replicates until every headline paired interval is at most +-H wide",
    )
    p.add_argument(
        "--max-replicates",
        type=integer_in(2, MAX_RUNS),
        default=1000,
        metavar="M",
        help="the cap of --precision (default 1000)",
    )
    p.add_argument("--out", "-o", default=None, metavar="DIR", help="default results/compare")
    p.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=default_language(),
        help="language of the report (default: CONCERTSIM_LANG or the locale)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing result at --out")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=command)
