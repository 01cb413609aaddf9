"""Helpers for the experiment tests: small experiment files, run tables, the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from concertsim.experiment.store import ResultsStore

PI = 3.141592653589793

ISHIGAMI_LHS = """
[experiment]
name = "ishigami-lhs"
model = "ishigami"
replicates = {replicates}
seed = 11
batch_size = {batch_size}
outcomes = ["y"]

[model]
noise = {noise}
fail_above = {fail_above}
exit_above = {exit_above}
delay = {delay}

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
    exit_above: float = 1e9,
    delay: float = 0.0,
) -> Path:
    """Write a small noisy Ishigami LHS experiment to ``path`` and return it."""
    path.write_text(
        ISHIGAMI_LHS.format(
            n=n,
            replicates=replicates,
            batch_size=batch_size,
            noise=noise,
            fail_above=fail_above,
            exit_above=exit_above,
            delay=delay,
            pi=PI,
        )
    )
    return path


def run_table(out: Path) -> pd.DataFrame:
    """The run table of a store, sorted by run id, index reset."""
    return ResultsStore.open(out).read_runs()


def cli(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    """Run ``python -m concertsim.experiment ARGS`` in a subprocess."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "concertsim.experiment", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        **kw,
    )
