"""Helpers for the mechanism tests: run the engine with a few parameters changed.

Every comparison uses the same seeds on both sides (common random numbers), so
a difference comes from the change, not from the draw.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from concertsim.engine import Engine
from concertsim.observe import VARIABLES
from concertsim.params import LEVELS, Event, Parameters, Structure, replace_dotted

RUNS = 24
SEED = 20261126


def simulate(
    changes: dict | None = None,
    *,
    months: int = 60,
    runs: int = RUNS,
    structure: Structure | None = None,
    events: tuple[Event, ...] = (),
    setup: Callable[[Engine], None] | None = None,
    seed: int = SEED,
) -> Engine:
    """Run ``runs`` runs of the default parameters with ``changes`` for ``months``."""
    params = replace_dotted(Parameters(), changes or {})
    seeds = np.random.SeedSequence(seed).spawn(runs)
    engine = Engine(structure or Structure(), [params] * runs, seeds, events, months)
    if setup is not None:
        setup(engine)
    engine.run()
    return engine


def series(engine: Engine, variable: str, level: str) -> np.ndarray:
    """(runs, months + 1) one series of a finished engine."""
    return engine.series[:, :, VARIABLES.index(variable), LEVELS.index(level)]


def final(engine: Engine, variable: str, level: str, last: int = 12) -> float:
    """Mean over runs and the last ``last`` months of one series."""
    return float(series(engine, variable, level)[:, -last:].mean())
