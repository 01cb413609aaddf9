"""The driver of ``concertsim analyze``: check the store, merge settings, run the methods, write.

:func:`analyze_store` refuses what it cannot analyse with an :class:`~concertsim.errors.InputError`
(one line, before anything is written): a path that is not a sweep's store (nothing there, a
file, an empty directory, a ``concertsim run`` output directory) and outcomes the store lacks;
a run table with duplicate run ids is refused by the store itself, naming both parts. It then
computes every table and figure in memory, writes them (each file atomically), and removes
the files that a previous analysis in the same directory listed in its index and this one did
not write, so stale figures never sit beside new tables. An ``--out`` that is a link, inside
the store (but its ``analysis/``), or a non-empty directory without an analysis index is
refused.

Example:
    >>> try:
    ...     analyze_store("/nonexistent/results")
    ... except InputError as exc:
    ...     print(exc)
    /nonexistent/results: expected a sweep's results directory, got no such directory
"""

from __future__ import annotations

import contextlib
import copy
import fnmatch
import json
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from concertsim import atomic
from concertsim.errors import InputError, verbatim
from concertsim.experiment.analysis import figures as draw_figures
from concertsim.experiment.analysis.common import RUN_COLUMNS, AnalysisReport
from concertsim.experiment.analysis.grid import analyze_grid
from concertsim.experiment.analysis.mixture import analyze_mixture
from concertsim.experiment.analysis.morris import analyze_morris
from concertsim.experiment.analysis.scenarios import analyze_scenarios
from concertsim.experiment.analysis.sobol import analyze_sobol
from concertsim.experiment.analysis.variance import analyze_variance, point_summary
from concertsim.experiment.analysis.worlds import analyze_worlds
from concertsim.experiment.store import ResultsStore

__all__ = ["analyze_store", "open_store", "check_out", "write_report", "methods"]
__all__ += ["OWN_FILES", "INDEX"]

INDEX = ".concertsim-analysis.json"
"""The list of files an analysis wrote, kept in its directory to clean up after it."""

OWN_FILES = (
    "points.csv",
    "variance.csv",
    "variance.png",
    "sobol.csv",
    "sobol_s2.csv",
    "sobol_convergence.csv",
    "morris.csv",
    "morris_convergence.csv",
    "main_effects.csv",
    "mixture.csv",
    "stable_mixes.csv",
    "sobol_*.png",
    "morris_*.png",
    "main_effects_*.png",
    "simplex_*.png",
    "mixture_effects_*.png",
    "robust.csv",
    "robust_mixes.csv",
    "rank_correlation.csv",
    "robust_simplex_*.png",
    "prim_*.csv",
    "prim_*.png",
    "variance_*.png",
    "scenarios.csv",
    "paired.csv",
    "paired_points.csv",
    "paired_differences.png",
    "envelopes.csv",
    "envelopes.png",
)
"""Names (and patterns) of the files an analysis writes: only those its index lists are removed."""

_STORE = "a sweep's results directory"
_RUN_MANIFEST_KEYS = {"scenario", "seeds"}
_STORE_MANIFEST_KEYS = ("experiment", "design", "seed_entropy")


def _refuse(root: Path | str, got: str, expected: str = _STORE) -> InputError:
    return InputError(str(root), "", expected, verbatim(got))


def _is_run_directory(root: Path, manifest: Any = None) -> bool:
    """Whether ``root`` looks like the output of ``concertsim run`` (not a sweep's store)."""
    if isinstance(manifest, dict) and _RUN_MANIFEST_KEYS <= set(manifest):
        return True
    return any((root / f"outcomes.{ext}").is_file() for ext in ("parquet", "csv"))


_RUN_DIR = "a `concertsim run` output directory (analyze reads what `concertsim sweep` writes)"


def open_store(root: str | Path) -> ResultsStore:
    """Open a sweep's store for analysis, or say in one line why ``root`` is not one.

    Raises:
        InputError: ``root`` does not exist, is a file, is empty, is a ``concertsim run``
            output directory, or holds no readable store of a format this concertsim reads.
    """
    from concertsim.experiment.store import StoreMismatchError

    path = Path(root)
    if not path.exists():
        raise _refuse(root, "no such directory")
    if not path.is_dir():
        raise _refuse(root, "a file")
    if not ResultsStore.exists(path) or _is_run_directory(path):
        if not any(path.iterdir()):
            raise _refuse(root, "an empty directory")
        if _is_run_directory(path):
            raise _refuse(root, _RUN_DIR)
        raise _refuse(root, "a directory without a sweep's results")
    try:
        store = ResultsStore.open(path)
    except InputError:
        raise
    except StoreMismatchError as exc:
        got = str(exc).replace(f"{path} is ", "", 1).replace(f"{path} ", "", 1)
        raise _refuse(root, got, "a store this concertsim reads") from None
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        if not any(path.iterdir()):
            raise _refuse(root, "an empty directory") from None
        if _is_run_directory(path):
            raise _refuse(root, _RUN_DIR) from None
        raise _refuse(root, "a directory without a sweep's results") from None
    except Exception as exc:  # noqa: BLE001 - a malformed manifest raises many kinds
        raise _refuse(root, f"an unreadable manifest ({type(exc).__name__})") from None
    manifest = store.manifest
    if not isinstance(manifest, dict) or not all(k in manifest for k in _STORE_MANIFEST_KEYS):
        if _is_run_directory(path, manifest):
            raise _refuse(root, _RUN_DIR)
        raise _refuse(root, "a manifest that is not a sweep's")
    return store


def check_out(out: Path, root: Path, inside: str = "analysis") -> None:
    """Refuse an ``--out`` that is not a new path, an empty directory or an earlier analysis.

    Also refused: a file (or a path under one), a symbolic link, and a path inside the
    store other than its ``inside`` directory (``analysis/``; it would break the store).
    """
    if os.path.islink(out):
        got = f"a link to {os.readlink(out)}"
        raise InputError("--out", str(out), "a directory, not a symbolic link", verbatim(got))
    for part in (out, *out.parents):
        if part.exists():
            if not part.is_dir():
                got = "a file" if part == out else f"a path under the file {part}"
                raise InputError("--out", str(out), "a directory (or a new path)", verbatim(got))
            break
    try:
        store, where = root.resolve(), out.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of symbolic links
        raise InputError(
            "--out", str(out), "a path that can be resolved", verbatim(str(exc))
        ) from None
    if (where == store or store in where.parents) and where != store / inside:
        raise InputError("--out", str(out), f"a path outside the store (or {root / inside})",
                         verbatim("a path inside the store"))  # fmt: skip
    if out.is_dir() and any(os.scandir(out)) and _previous(out) is None:
        raise InputError("--out", str(out), _OUT_EXPECTED,
                         verbatim("a non-empty directory without an analysis index"))  # fmt: skip


_OUT_EXPECTED = "a new or empty directory, or an earlier analysis output"


def _previous(out: Path) -> set[str] | None:
    """The files an earlier analysis in ``out`` recorded in its index, or None (no index)."""
    index = out / INDEX
    try:
        mode = os.lstat(index).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(str(index), "", "an analysis index", verbatim(exc.strerror)) from None
    if not stat.S_ISREG(mode):
        raise InputError(str(index), "", "an analysis index (a regular file)",
                         verbatim("another kind of file"))  # fmt: skip
    try:
        fd = os.open(index, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, encoding="utf-8") as handle:
            names = json.load(handle)
    except (OSError, ValueError) as exc:
        got = verbatim(f"unreadable ({type(exc).__name__})")
        raise InputError(str(index), "", "an analysis index", got) from None
    if not isinstance(names, list):
        raise InputError(str(index), "", "a JSON list of file names", verbatim("something else"))
    return {n for n in names if isinstance(n, str) and _ours(n)}


def _ours(name: str) -> bool:
    """A plain file name shaped like one an analysis writes."""
    return "/" not in name and any(fnmatch.fnmatchcase(name, p) for p in OWN_FILES)


def _read_runs(
    store: ResultsStore, manifest: dict[str, Any], asked: Sequence[str]
) -> tuple[pd.DataFrame, list[str]]:
    """The run table (the columns needed) and the outcomes to analyse.

    Raises:
        InputError: an outcome asked for is not in the run table.
    """
    params = set(manifest["design"]["columns"])
    base = ["run_id", "point", "replicate", "scenario", "status"]
    wanted = list(dict.fromkeys(asked)) or list(manifest.get("outcomes") or [])
    runs = _runs_with(store, [*base, *wanted]) if wanted else store.read_runs()
    if runs.empty:
        return runs, [c for c in wanted if c not in params and c not in RUN_COLUMNS]
    outcomes = [c for c in runs.columns if c not in RUN_COLUMNS and c not in params]
    if wanted:
        missing = [c for c in wanted if c not in outcomes]
        if missing and asked:
            everything = store.read_runs().columns
            available = [c for c in everything if c not in RUN_COLUMNS and c not in params]
            kind = (
                "a parameter, not an outcome"
                if missing[0] in params
                else "a column of the run table, not an outcome"
                if missing[0] in RUN_COLUMNS
                else None
            )
            raise InputError(
                "--outcome",
                "",
                f"an outcome of these results ({', '.join(available) or 'none'})",
                missing[0],
                hint=kind,
            )
        outcomes = [c for c in wanted if c in outcomes] or outcomes
    return runs[[c for c in base if c in runs] + outcomes], outcomes


def _runs_with(store: ResultsStore, columns: list[str]) -> pd.DataFrame:
    """The run table's ``columns`` that exist (a store may refuse unknown columns: read all)."""
    try:
        runs = store.read_runs(columns)
    except Exception:  # noqa: BLE001 - KeyError, ValueError, pyarrow's errors
        runs = store.read_runs()
        return runs[[c for c in columns if c in runs]]
    return runs


def analyze_store(
    root: str | Path,
    out: str | Path | None = None,
    *,
    outcomes: Sequence[str] = (),
    figures: bool = True,
    experiment: str | Path | None = None,
    settings: Mapping[str, Any] | None = None,
) -> AnalysisReport:
    """Analyse the results store ``root``: tables, figures, notes and warnings.

    The ``[analysis]`` settings (bootstrap, conf_level, stable_outcome, stable_min) come from,
    in order: ``settings``; the experiment file (``experiment``, else the file the sweep
    was run from, when it still exists and still describes this store's results); the
    manifest. So they can be changed without touching the results.

    Args:
        root: the store directory (a sweep's ``--out``).
        out: where to write tables and figures (default ``root/analysis``).
        outcomes: outcomes to analyse (default: the experiment's, else all).
        figures: also draw the PNG figures.
        experiment: an experiment file whose ``[analysis]`` settings to use.
        settings: ``[analysis]`` settings that override all others (e.g. command-line flags).

    Returns:
        An :class:`~concertsim.experiment.analysis.common.AnalysisReport`.

    Raises:
        InputError: ``root`` is not a sweep's store; ``experiment`` is unreadable or
            describes other results; an outcome is not in the store; a run id is in the
            store twice; ``out`` cannot be a directory. Nothing is written then.
    """
    store = open_store(root)
    root = Path(root)
    settings = dict(settings or {})
    out_dir = Path(out) if out else root / "analysis"
    check_out(out_dir, root)
    report = AnalysisReport(out_dir)
    manifest = _with_settings(store.manifest, experiment, settings, report)
    report.conf_level = float(manifest["experiment"]["analysis"].get("conf_level", 0.95))
    design = store.read_design()
    runs, report.outcomes = _read_runs(store, manifest, outcomes)
    kind = manifest["design"]["kind"]
    stable = settings.get("stable_outcome")
    if kind == "mixture" and stable is not None and len(runs) and stable not in report.outcomes:
        raise InputError(
            "--stable-outcome",
            "",
            f"one of the outcomes analysed ({', '.join(report.outcomes)})",
            stable,
        )
    scenarios = [s["name"] for s in manifest.get("scenarios") or []]
    if settings.get("baseline") is not None:  # checked even before any run is stored
        _baseline(manifest, scenarios, settings)
    _notes(report, runs, manifest)
    if runs.empty or not report.outcomes:
        report.note("no runs in the store yet: nothing to analyse" if runs.empty else "no outcomes")
        return report
    if scenarios:
        baseline = _baseline(manifest, scenarios, settings)
        analyze_scenarios(
            report, manifest, design, runs, store, scenarios, baseline, figures, methods
        )
    else:
        methods(report, manifest, design, runs, figures)
    write_report(report)
    return report


def _baseline(manifest: dict[str, Any], scenarios: list[str], settings: Mapping[str, Any]) -> str:
    """The scenario the others are compared with: ``--baseline``, ``[analysis]``, the first."""
    asked = settings.get("baseline")
    if asked is None:
        asked = manifest["experiment"]["analysis"].get("baseline") or ""
    elif not scenarios:
        raise InputError("--baseline", "", "results with [scenarios] (these have none)", asked)
    if asked not in ("", *scenarios) or asked == settings.get("baseline") == "":
        raise InputError("--baseline", "", f"a scenario of these results ({', '.join(scenarios)})",
                         asked)  # fmt: skip
    return asked or scenarios[0]


def methods(
    report: AnalysisReport,
    manifest: dict[str, Any],
    design: pd.DataFrame,
    runs: pd.DataFrame,
    figures: bool,
) -> None:
    """The design's own methods on a run table: points, variance, then Sobol, Morris..."""
    kind = manifest["design"]["kind"]
    summary = point_summary(runs, report.outcomes, len(design))
    report.table("points", design.join(summary).reset_index())
    variance = analyze_variance(report, runs)
    if figures and len(variance):
        report.figure("variance.png", lambda: draw_figures.variance(variance))
    if kind == "sobol":
        analyze_sobol(report, manifest, summary, figures)
    elif kind == "morris":
        analyze_morris(report, manifest, design, summary, figures)
    elif kind == "mixture" and manifest.get("model") == "worlds":  # across plausible worlds
        analyze_worlds(report, manifest, design, runs, figures)
    elif kind == "mixture":
        analyze_mixture(report, manifest, design, runs, figures)
    elif kind == "grid":
        analyze_grid(report, design, summary, figures)


def write_report(report: AnalysisReport) -> None:
    """Write the report's tables and figures; remove what a previous analysis left there.

    Each file is written under a temporary name and renamed into place. Files that a previous
    analysis listed in its index (``.concertsim-analysis.json``) and this one did not write
    are removed, so the directory holds one analysis, never a mix of two; nothing else is
    ever removed (a file is never removed for its name alone).
    """
    out = report.out
    out.mkdir(parents=True, exist_ok=True)
    for name, table in report.tables.items():
        path = out / f"{name}.csv"
        atomic.write_bytes(path, table.to_csv(index=False).encode())
        report.files.append(path)
    for name, draw in report.figures.items():
        path = out / name
        tmp = atomic.temporary_name(path)
        try:
            draw_figures.save(draw(), tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        report.files.append(path)
    written = {p.name for p in report.files}
    index = out / INDEX
    for name in sorted((_previous(out) or set()) - written):
        stale = out / name
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISREG(os.lstat(stale).st_mode):
                stale.unlink()
                report.removed.append(stale)
    atomic.write_bytes(index, json.dumps(sorted(written), indent=1).encode())


def _with_settings(
    manifest: dict[str, Any],
    experiment: str | Path | None,
    settings: Mapping[str, Any],
    report: AnalysisReport,
) -> dict[str, Any]:
    """A copy of the manifest whose ``[analysis]`` settings are the ones to use."""
    from concertsim.experiment.spec import load_experiment

    manifest = copy.deepcopy(manifest)
    analysis = manifest["experiment"].setdefault("analysis", {})
    source = experiment or manifest.get("experiment_file")
    if source and (experiment or Path(source).is_file()):
        try:
            exp = load_experiment(source)
        except InputError:
            if experiment:
                raise
            exp = None
            report.note(f"{source} no longer loads: [analysis] settings of the store")
        if exp is not None and _describes(exp, manifest):
            analysis.update(exp.to_dict()["analysis"])
            manifest["outcomes"] = list(exp.outcomes)  # outcomes of interest: the file's too
        elif exp is not None and experiment:
            raise InputError(
                str(source),
                "",
                "the experiment file of these results",
                verbatim("another experiment (parameters, design, model, ... differ)"),
            )
    analysis.update({k: v for k, v in settings.items() if v is not None})
    return manifest


def _describes(exp: Any, manifest: Mapping[str, Any]) -> bool:
    """Whether an experiment file describes the results of a store (seed aside)."""
    stored = manifest.get("identity")
    if stored is None:  # a store written before identities were recorded
        return False
    ours = json.loads(json.dumps(exp.identity(), default=str))
    theirs = {k: v for k, v in stored.items() if k not in ("base_scenario", "scenarios")}
    if "scenarios" in stored:  # as the file gave them (the identity holds them resolved)
        theirs["scenarios"] = manifest.get("experiment", {}).get("scenarios")
    if ours["seed"] is None:  # fresh entropy: the store's, whatever it was
        ours["seed"] = theirs.get("seed")
    return ours == theirs


def _notes(report: AnalysisReport, runs: pd.DataFrame, manifest: dict[str, Any]) -> None:
    total = int(manifest.get("n_runs", 0))
    if len(runs) < total:
        report.note(f"{len(runs)} of {total} runs are in the store (sweep unfinished)")
    failed = int((runs["status"] != "ok").sum()) if len(runs) else 0
    if failed:
        report.note(f"{failed} runs failed; indices use the successful runs only")
