"""concertsim: agent-based simulation of multi-level concertation in regional social development.

Local committees, sectoral tables, a regional body and national actors interact;
credibility spills over between levels while staff turnover erodes knowledge and
leadership; scenario runs show which mixes of roles keep the structure stable.

The public surface is small; everything else lives in the submodules::

    from concertsim import ConcertationModel, Event, load_scenario, run

    result = run(load_scenario("baseline"), replicates=20, seed=1)

Names are imported on first use (module ``__getattr__``), so ``import concertsim``
stays light and :mod:`concertsim.atomic` can read :data:`__version__` without
importing the model.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("concertsim")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0"

if TYPE_CHECKING:  # pragma: no cover
    from .compare import run_comparison, write_comparison
    from .model import ConcertationModel
    from .params import Event, Parameters, Structure
    from .patterns import load_patterns, run_book
    from .scenario import Scenario, load_scenario
    from .simulate import run_scenario as run
    from .worlds import load_worlds, world_of

__all__ = [
    "load_scenario",
    "Scenario",
    "run",
    "ConcertationModel",
    "Event",
    "Parameters",
    "Structure",
    "run_comparison",
    "write_comparison",
    "load_patterns",
    "run_book",
    "load_worlds",
    "world_of",
    "__version__",
]

_LAZY = {
    "load_scenario": ("concertsim.scenario", "load_scenario"),
    "Scenario": ("concertsim.scenario", "Scenario"),
    "run": ("concertsim.simulate", "run_scenario"),
    "ConcertationModel": ("concertsim.model", "ConcertationModel"),
    "Event": ("concertsim.params", "Event"),
    "Parameters": ("concertsim.params", "Parameters"),
    "Structure": ("concertsim.params", "Structure"),
    "run_comparison": ("concertsim.compare", "run_comparison"),
    "write_comparison": ("concertsim.compare", "write_comparison"),
    "load_patterns": ("concertsim.patterns", "load_patterns"),
    "run_book": ("concertsim.patterns", "run_book"),
    "load_worlds": ("concertsim.worlds", "load_worlds"),
    "world_of": ("concertsim.worlds", "world_of"),
}
"""Public name -> (module, attribute), imported on first use."""


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'concertsim' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
