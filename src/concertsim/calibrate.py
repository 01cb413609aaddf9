"""``concertsim calibrate``: keep the parameter sets under which the pattern book holds.

Pattern-oriented calibration (Grimm et al. 2005): an experiment of the ``"patterns"`` model
(:mod:`concertsim.experiment.worldmodels`; e.g. ``experiments/plausible_worlds.toml``) samples
the uncertain parameters, and each sample -- a *world* -- is scored against every pattern.
:func:`calibrate` runs (or resumes) that sweep into ``OUT/store`` through the sweep engine,
then writes, each file atomically:

* ``scores.parquet``: every world, its parameters, seed and per-pattern scores;
* ``accepted.parquet``: the accepted worlds only (what ``[model] worlds`` of the ``"worlds"``
  model reads), the representative one marked;
* ``calibration.json``: the acceptance rate with its Wilson interval (a world is accepted
  when the book holds at its seed and again at ``replications`` independent seeds, recorded
  per world in ``scores.parquet``; ``accepted_at_book_seed`` and ``not_replicated`` count
  the worlds accepted at the first seed and those of them that lost a pattern at a
  replication), each pattern's hold rate (at the first seed), the prior and accepted
  ranges, whether the patterns constrain each parameter (a Kolmogorov-Smirnov test of the
  accepted values against the uniform prior), the representative world (the accepted world
  nearest the accepted medians), the experiment file and its hash, the seed;
* ``ranges.png``: the accepted worlds against the prior ranges, parameter by parameter;
* ``patterns.png``: the share of worlds in which each pattern holds (which patterns reject).

``calibration.json`` is written last: a directory without it is an unfinished calibration.

Example:
    >>> from concertsim.experiment.spec import parse_experiment
    >>> exp = parse_experiment('[experiment]\\nmodel = "ishigami"\\n[design]\\nkind = "lhs"\\n'
    ...                        'n = 2\\n[parameters]\\nx1 = { bounds = [0, 1] }\\n', "e.toml")
    >>> check_experiment(exp)
    Traceback (most recent call last):
    ...
    concertsim.errors.InputError: e.toml: [experiment] model: expected "patterns" (a calibration scores worlds on the pattern book), got "ishigami"
"""  # noqa: E501

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from concertsim import atomic
from concertsim.errors import InputError, verbatim
from concertsim.intervals import wilson

__all__ = [
    "Calibration",
    "check_experiment",
    "summarise",
    "calibrate",
    "representative",
    "add_parser",
    "command",
]

FILES = ("scores.parquet", "accepted.parquet", "ranges.png", "patterns.png", "calibration.json")
"""What a calibration writes into its directory (besides the sweep's ``store/``)."""


@dataclass
class Calibration:
    """What :func:`calibrate` found and wrote.

    Attributes:
        out: the calibration directory.
        scores: every world that ran (parameters, seeds, scores).
        accepted: the accepted worlds.
        summary: the contents of ``calibration.json``.
        files: the files written.
    """

    out: Path
    scores: pd.DataFrame
    accepted: pd.DataFrame
    summary: dict[str, Any]
    files: list[Path] = field(default_factory=list)


def check_experiment(experiment: Any) -> None:
    """Refuse an experiment that is not a calibration (a ``"patterns"`` model over bounds)."""
    if experiment.model != "patterns":
        expected = '"patterns" (a calibration scores worlds on the pattern book)'
        raise experiment.error("[experiment] model", expected, experiment.model)
    for p in experiment.parameters:
        if p.values:
            raise experiment.error(f'[parameters] "{p.name}"', "bounds (a prior range)",
                                   verbatim("explicit values"))  # fmt: skip


def _check_out(out: Path) -> None:
    """``out`` is new, or a calibration directory (what a calibration writes, and nothing else
    of another command)."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        got = verbatim("a symbolic link" if out.is_symlink() else "not a directory")
        raise InputError("--out", str(out), "a directory for the calibration", got)
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in (*FILES, "store"))
        foreign = [n for n in foreign if not n.startswith(".")]  # atomic temporaries
        if foreign:
            got = verbatim(f"a directory holding other files ({', '.join(foreign[:3])})")
            raise InputError("--out", str(out), "a new or a calibration directory", got)


def representative(accepted: pd.DataFrame, bounds: dict[str, tuple[float, float]]) -> int:
    """The row label of the accepted world nearest the accepted medians, each parameter scaled
    by its prior range (ties: the first).

    Example:
        >>> t = pd.DataFrame({"a": [0.0, 0.4, 1.0]}, index=[5, 6, 7])
        >>> int(representative(t, {"a": (0.0, 1.0)}))
        6
    """
    x = np.column_stack([(accepted[n] - lo) / (hi - lo) for n, (lo, hi) in bounds.items()])
    d = np.abs(x - np.median(x, axis=0)).sum(axis=1)
    return accepted.index[int(np.argmin(d))]


def summarise(scores: pd.DataFrame, experiment: Any, conf: float = 0.95) -> dict[str, Any]:
    """The acceptance rate, the pattern hold rates and the ranges, as ``calibration.json``."""
    from scipy import stats

    ok = scores["accepted"].notna()
    n, acc = int(ok.sum()), scores[scores["accepted"] == 1]
    rate, low, high = wilson(len(acc), n, conf)
    bounds = {p.name: (float(p.bounds[0]), float(p.bounds[1])) for p in experiment.parameters}
    params = {}
    for name, (lo, hi) in bounds.items():
        v = acc[name].to_numpy(float)
        entry: dict[str, Any] = {"prior": [lo, hi]}
        if len(v):
            ks = stats.kstest((v - lo) / (hi - lo), "uniform")
            entry |= {"accepted": [float(v.min()), float(v.max())],
                      "accepted_median": float(np.median(v)), "ks_p": float(ks.pvalue),
                      "constrained": bool(ks.pvalue < 1 - conf)}  # fmt: skip
        params[name] = entry
    holds = [c for c in scores if c.startswith("holds__")]
    rates = {c.removeprefix("holds__"): float(scores.loc[ok, c].mean()) for c in holds}
    rep = None
    if len(acc):
        row = acc.loc[representative(acc, bounds)]
        rep = {"run_id": int(row["run_id"]), **{k: float(row[k]) for k in bounds}}
    options = dict(experiment.model_options)
    first = int((scores.loc[ok, "failed"] == 0).sum())
    return {
        "experiment_file": str(Path(experiment.source).resolve()),
        "experiment_sha256": atomic.sha256(Path(experiment.source)),
        "seed": experiment.seed,
        "book_replicates": options.get("replicates", 20),
        "replications": options.get("replications", 1),
        "accepted_at_book_seed": first,
        "not_replicated": first - len(acc),
        "exempt": list(options.get("exempt", [])),
        "worlds": n,
        "failed_runs": int((~ok).sum()),
        "accepted": len(acc),
        "acceptance_rate": rate,
        "acceptance_interval": [low, high],
        "conf_level": conf,
        "parameters": params,
        "pattern_hold_rates": rates,
        "representative": rep,
    }


def _ranges_figure(scores: pd.DataFrame, summary: dict[str, Any]):
    from matplotlib.figure import Figure

    params = summary["parameters"]
    names = list(params)
    fig = Figure(figsize=(10.5, 1.2 + 0.45 * len(names)))
    ax = fig.add_axes((0.24, 0.9 / (1.2 + 0.45 * len(names)), 0.45, 0.82))
    acc = scores["accepted"] == 1
    rng = np.random.default_rng(0)
    for i, name in enumerate(names[::-1]):
        lo, hi = params[name]["prior"]
        x = (scores[name].to_numpy(float) - lo) / (hi - lo)
        jitter = rng.uniform(-0.15, 0.15, len(x))
        ax.add_patch(_rect(i, "0.92"))
        ax.plot(x[~acc], i + jitter[~acc], ".", color="0.65", ms=3)
        ax.plot(x[acc], i + jitter[acc], "o", color="#1a9850", ms=3.5)
        if "accepted" in params[name]:
            a, b = ((np.array(params[name]["accepted"]) - lo) / (hi - lo)).tolist()
            ax.plot([a, b], [i + 0.3, i + 0.3], color="#1a9850", lw=2)
            tag = "constrained" if params[name]["constrained"] else "not constrained"
            ax.text(1.04, i, f"[{lo:g}, {hi:g}]  KS p = {params[name]['ks_p']:.2g}, {tag}",
                    va="center", fontsize=7, transform=ax.get_yaxis_transform())  # fmt: skip
    ax.set_yticks(range(len(names)), names[::-1], fontsize=8)
    ax.set(xlim=(-0.02, 1.02), ylim=(-0.6, len(names) - 0.4))
    ax.set_xlabel("position in the prior range (0 = low bound, 1 = high bound)")
    low, high = summary["acceptance_interval"]
    ax.set_title(f"Accepted worlds (green, bar: accepted range) among {summary['worlds']} "
                 f"sampled (grey): {summary['acceptance_rate']:.0%} [{low:.0%}, {high:.0%}]",
                 fontsize=9)  # fmt: skip
    return fig


def _rect(i: int, color: str):
    from matplotlib.patches import Rectangle

    return Rectangle((0, i - 0.35), 1, 0.7, color=color, zorder=0)


def _patterns_figure(summary: dict[str, Any]):
    from matplotlib.figure import Figure

    rates = pd.Series(summary["pattern_hold_rates"]).sort_values()
    fig = Figure(figsize=(9, 1.0 + 0.22 * len(rates)))
    ax = fig.add_axes((0.45, 0.6 / (1.0 + 0.22 * len(rates)), 0.5, 0.9))
    colors = ["0.6" if i in summary["exempt"] else "#4575b4" for i in rates.index]
    ax.barh(range(len(rates)), rates.to_numpy(), color=colors)
    ax.set_yticks(range(len(rates)), rates.index, fontsize=7)
    ax.set(xlim=(0, 1), ylim=(-0.6, len(rates) - 0.4))
    ax.set_xlabel("share of sampled worlds in which the pattern holds (grey: exempt)")
    return fig


def _write_figure(path: Path, fig) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    atomic.write_with(path, lambda fh: fig.savefig(fh, format="png", dpi=110))


def calibrate(
    experiment: str | Path,
    out: str | Path,
    *,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    log: IO[str] | None = None,
    sweep: bool = True,
) -> Calibration:
    """Run (or resume) the calibration sweep into ``out/store`` and write its results.

    Args:
        sweep: run the missing worlds first; ``False`` scores the worlds an interrupted
            calibration's store holds so far (a prefix of the design: a random sample of
            the prior), and says so in ``calibration.json`` (``complete``).

    Raises:
        InputError: not a calibration experiment, a bad ``out``, or what ``sweep`` refuses;
            with ``sweep=False``, no store of this experiment in ``out``.
    """
    from concertsim.experiment.plan import plan_sweep
    from concertsim.experiment.runner import run_sweep
    from concertsim.experiment.spec import load_experiment
    from concertsim.experiment.store import ResultsStore

    exp = load_experiment(experiment)
    check_experiment(exp)
    out = Path(out)
    _check_out(out)
    if sweep:
        run_sweep(exp, out / "store", executor=executor, workers=workers, scheduler=scheduler,
                  progress=progress, log=log)  # fmt: skip
    elif not ResultsStore.exists(out / "store"):
        raise InputError("--out", str(out), "a calibration's directory (with its store/)",
                         verbatim("no store yet: run without --no-sweep first"))  # fmt: skip
    plan = plan_sweep(exp, out / "store")
    store = ResultsStore.open(out / "store")
    store.check_same(plan.manifest["experiment_hash"], exp.name)
    runs = store.read_runs()
    keep = ["run_id", "point", "seed_entropy", *exp.parameter_names]
    scores = runs[keep + [c for c in runs if c not in keep and c not in ("status", "error")]]
    scores = scores.drop(columns=["replicate", "seed_spawn_key"], errors="ignore")
    summary = summarise(scores, exp) | {"design_points": plan.n_runs}
    summary["complete"] = len(runs) == plan.n_runs
    accepted = scores[scores["accepted"] == 1].reset_index(drop=True)
    rep = summary["representative"]
    accepted.insert(3, "representative", accepted["run_id"] == (rep or {}).get("run_id", -1))
    out.mkdir(parents=True, exist_ok=True)
    meta = {"concertsim": "calibration", "experiment_sha256": summary["experiment_sha256"]}
    files = [out / f for f in FILES]
    atomic.write_table(files[0], scores, meta)
    atomic.write_table(files[1], accepted, meta)
    _write_figure(files[2], _ranges_figure(scores, summary))
    _write_figure(files[3], _patterns_figure(summary))
    text = json.dumps(summary, indent=2, sort_keys=True) + "\n"
    atomic.write_bytes(files[4], text.encode())
    return Calibration(out, scores, accepted, summary, files)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``concertsim calibrate`` to the ``concertsim`` subcommands."""
    from concertsim.cliargs import integer_in
    from concertsim.limits import MAX_WORKERS

    p = sub.add_parser(
        "calibrate",
        help="keep the parameter sets under which the pattern book holds",
        description="Run (or resume) a calibration experiment (model = \"patterns\") through "
        "the sweep engine into DIR/store, then write the accepted worlds and their scores "
        "(Parquet), the acceptance rate (calibration.json) and figures into DIR.",
    )  # fmt: skip
    p.add_argument("experiment", help="experiment file, e.g. experiments/plausible_worlds.toml")
    p.add_argument("--out", required=True, help="calibration directory (created or resumed)")
    p.add_argument("--executor", choices=("local", "dask", "mpi"), default="local")
    p.add_argument("--workers", type=integer_in(0, MAX_WORKERS), default=None,
                   help="worker processes (default: all cores; 0 = in this process)")  # fmt: skip
    p.add_argument("--scheduler", default=None, help="address of a running dask scheduler")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-sweep", action="store_true",
                   help="score the worlds the store holds so far, run nothing")  # fmt: skip
    p.set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    """Handler of ``concertsim calibrate``: prints the acceptance rate and what was written."""
    import signal

    from concertsim.experiment.cli import stop_on_sigterm
    from concertsim.experiment.runner import SweepInterruptedError

    if args.scheduler and args.executor != "dask":
        raise InputError("--scheduler", "", "only with --executor dask", args.scheduler)
    previous = stop_on_sigterm()  # a batch system's walltime stops it cleanly, like Ctrl-C
    try:
        cal = calibrate(args.experiment, args.out, executor=args.executor, workers=args.workers,
                        scheduler=args.scheduler, progress=False if args.quiet else None,
                        log=None if args.quiet else sys.stderr,
                        sweep=not args.no_sweep)  # fmt: skip
    except SweepInterruptedError as exc:
        print(f"concertsim: {exc}; --no-sweep scores the worlds done so far", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    s = cal.summary
    if not s["complete"]:
        print(f"partial: {s['worlds']} of {s['design_points']} worlds of the design scored")
    low, high = s["acceptance_interval"]
    print(f"{s['accepted']} of {s['worlds']} worlds accepted: {s['acceptance_rate']:.1%} "
          f"[{low:.1%}, {high:.1%}]" + (f"; exempt: {', '.join(s['exempt'])}" if s["exempt"]
                                       else ""))  # fmt: skip
    if s["replications"]:
        print(
            f"{s['accepted_at_book_seed']} held at the book seed; {s['not_replicated']} of "
            f"them lost a pattern at {s['replications']} fresh seed(s) and were rejected"
        )
    constrained = [n for n, p in s["parameters"].items() if p.get("constrained")]
    print("constrained by the patterns: " + (", ".join(constrained) or "none"))
    if s["representative"]:
        rep = s["representative"]
        sets = " ".join(f"--set {k}={v:.4g}" for k, v in rep.items() if k != "run_id")
        print(f"representative world (run {rep['run_id']}): {sets}")
    print("wrote " + ", ".join(str(f) for f in cal.files))
    return 0
