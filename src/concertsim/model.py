"""The concertation model as a ``mesa.Model``: one run, stepped month by month.

Example:
    >>> from concertsim.model import ConcertationModel
    >>> model = ConcertationModel(rng=7)
    >>> for _ in range(3):
    ...     model.step()
    >>> len(model.agents_by_type[RegionalBody])
    1
    >>> round(model.agents_by_type[RegionalBody][0].credibility, 3) >= 0
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.datacollection import DataCollector

from .agents import LocalCommittee, NationalActor, Organisation, RegionalBody, SectoralTable
from .engine import Engine
from .observe import VARIABLES
from .params import LEVELS, Event
from .streams import run_seeds

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["ConcertationModel", "AGENT_CLASSES"]

AGENT_CLASSES: dict[str, type[Organisation]] = {
    "local": LocalCommittee,
    "sectoral": SectoralTable,
    "regional": RegionalBody,
    "national": NationalActor,
}


class ConcertationModel(mesa.Model):
    """Local committees, sectoral tables, regional bodies and national actors.

    The run uses the seed ``SeedSequence(rng).spawn(1)[0]`` (without spawning from a
    ``SeedSequence`` passed in, so the same one gives the same run twice), the seed of
    replicate 0 of ``concertsim run SCENARIO --seed rng``: the run on screen is
    the first replicate of the batch run with the same seed.

    Args:
        scenario: a :class:`~concertsim.scenario.Scenario` (default: the bundled baseline).
        rng: an int seed or a ``SeedSequence``; None draws fresh entropy (``self.entropy``).
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        rng: int | np.random.SeedSequence | None = None,
    ) -> None:
        if scenario is None:
            from .scenario import load_scenario

            scenario = load_scenario("baseline")
        root = rng if isinstance(rng, np.random.SeedSequence) else np.random.SeedSequence(rng)
        super().__init__(rng=int(root.generate_state(1)[0]))
        self.entropy = root.entropy
        self.scenario = scenario
        self.engine = Engine(
            scenario.structure,
            [scenario.params],
            run_seeds(root, 1)[1],
            scenario.events,
            scenario.horizon,
        )
        for g, code in enumerate(self.engine.layout.org_level):
            AGENT_CLASSES[LEVELS[code]](self, g)
        self.datacollector = DataCollector(model_reporters=_reporters())
        self.datacollector.collect(self)

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.engine.month

    def step(self) -> None:
        """One month: scheduled events, then every submodel in order."""
        self.engine.step()
        self.running = self.engine.month < self.engine.horizon
        self.datacollector.collect(self)

    def intervene(self, event: Event) -> None:
        """A live intervention (a shock button), through the code scheduled events use."""
        self.engine.intervene(event)


def _reporters() -> dict[str, Callable[[ConcertationModel], float]]:
    """Model reporters: every series variable at every level, e.g. ``credibility_regional``."""

    def reporter(v: int, lv: int) -> Callable[[ConcertationModel], float]:
        """The reporter of variable ``v`` at level ``lv`` this month."""
        return lambda m: float(m.engine.series[0, m.engine.month, v, lv])

    return {
        f"{name}_{level}": reporter(v, lv)
        for v, name in enumerate(VARIABLES)
        for lv, level in enumerate(LEVELS)
    }
