"""Helpers for the experiment tests: small experiment files, run tables, the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from concertsim.experiment.store import ResultsStore

PI = 3.141592653589793
HERE = Path(__file__).resolve().parent
RUN_CLI = HERE / "run_cli.py"
"""The concertsim command line with the test models (and kill switches, see its docstring)."""

ISHIGAMI_LHS = """
[experiment]
name = "ishigami-lhs"
model = "{model}"
replicates = {replicates}
seed = 11
batch_size = {batch_size}
outcomes = ["y"]
series = {series}

[model]
noise = {noise}
fail_above = {fail_above}
{extra}
[design]
kind = "lhs"
n = {n}

[parameters]
x1 = {{ bounds = [-{pi}, {pi}] }}
x2 = {{ bounds = [-{pi}, {pi}] }}
x3 = {{ bounds = [-{pi}, {pi}] }}
"""


def ishigami_lhs(
    path: Path,
    *,
    n: int = 20,
    replicates: int = 3,
    batch_size: int = 7,
    noise: float = 0.5,
    fail_above: float = 1e9,
    exit_above: float | None = None,
    delay: float | None = None,
    series: bool = False,
) -> Path:
    """Write a small noisy Ishigami LHS experiment to ``path`` and return it.

    ``exit_above``, ``delay`` or ``series`` make it an experiment of the test model
    ``test-ishigami`` (:mod:`tests.experiment.testmodels`).
    """
    extra = {"exit_above": exit_above, "delay": delay}
    extra = {k: v for k, v in extra.items() if v is not None}
    test_model = bool(extra) or series
    path.write_text(
        ISHIGAMI_LHS.format(
            model="test-ishigami" if test_model else "ishigami",
            n=n,
            replicates=replicates,
            batch_size=batch_size,
            noise=noise,
            fail_above=fail_above,
            extra="".join(f"{k} = {v}\n" for k, v in extra.items()),
            series=str(series).lower(),
            pi=PI,
        )
    )
    return path


def run_table(out: Path) -> pd.DataFrame:
    """The run table of a store, sorted by run id, index reset."""
    return ResultsStore.open(out).read_runs()


def cli_command(*args: str) -> list[str]:
    """The argv of the command line with the test models (``concertsim ARGS``)."""
    return [sys.executable, str(RUN_CLI), *args]


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a CLI subprocess (the package under test first on the path)."""
    src = str(HERE.parents[1] / "src")
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": path, **extra}


def cli(*args: str, timeout: float = 120, env: dict[str, str] | None = None, **kw):
    """Run ``concertsim ARGS`` (with the test models) in a subprocess."""
    return subprocess.run(
        cli_command(*args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or cli_env(),
        **kw,
    )
