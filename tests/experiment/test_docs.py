"""The examples in the experiment package's docstrings run, and the bundled experiments load."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from concertsim.experiment.runner import plan_sweep
from concertsim.experiment.spec import load_experiment

MODULES = [
    "spec",
    "spec_scenarios",
    "designs",
    "models",
    "executors",
    "store",
    "runner",
    "analysis",
    "analysis.common",
    "analysis.variance",
    "analysis.sobol",
    "analysis.morris",
    "analysis.grid",
    "analysis.mixture",
    "analysis.figures",
    "analysis.console",
    "analysis.driver",
    "analysis.prim",
    "analysis.prim_figures",
    "analysis.paired",
    "analysis.envelopes",
    "analysis.scenarios",
    "analysis.scenario_figures",
    "cli",
]
EXPERIMENTS = sorted((Path(__file__).resolve().parents[2] / "experiments").glob("*.toml"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str):
    module = importlib.import_module(f"concertsim.experiment.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.name)
def test_bundled_experiments_are_valid(path: Path):
    exp = load_experiment(path)
    assert exp.seed is not None  # bundled experiments are reproducible
    # against the model too: parameter names, bounds, every design point, outcomes
    plan = plan_sweep(exp)
    assert plan.n_runs == plan.design.size * exp.replicates * exp.factor > 0
