"""The organisations as Mesa agents: views onto one run's rows of the state arrays.

The dynamics live in the array submodels (:mod:`concertsim.submodels`); an agent
reads its own row, so ``model.agents_by_type[RegionalBody]`` and friends work as
a Mesa user expects, without per-person Python objects.
"""

from __future__ import annotations

from typing import ClassVar

import mesa
import numpy as np

from . import knowledge
from .params import ROLES

__all__ = ["Organisation", "LocalCommittee", "SectoralTable", "RegionalBody", "NationalActor"]


class Organisation(mesa.Agent):
    """One organisation; ``index`` is its column in the ``(B, G)`` arrays."""

    level: ClassVar[str] = ""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def _state(self):
        return self.model.engine.state

    def _posts(self) -> slice:
        lay = self.model.engine.layout
        start = int(lay.org_start[self.index])
        return slice(start, start + int(lay.org_posts[self.index]))

    @property
    def region(self) -> int:
        """Region of the organisation (-1 for national actors)."""
        return int(self.model.engine.layout.org_region[self.index])

    @property
    def credibility(self) -> float:
        """Credibility in [0, 1] (M5)."""
        return float(self._state.credibility[0, self.index])

    @property
    def knowledge(self) -> float:
        """Knowledge of its organisational code, c.r/m in [-1, 1] (March 1991)."""
        return float(knowledge.code_knowledge(self._state.knowledge)[0, self.index])

    @property
    def staff(self) -> int:
        """People in post."""
        return int(self._state.occupied[0, self._posts()].sum())

    @property
    def vacancies(self) -> int:
        """Posts without anyone."""
        return int(self.model.engine.layout.org_posts[self.index]) - self.staff

    @property
    def leadership(self) -> float:
        """Mean leadership of its people in post (M2)."""
        occ = self._state.occupied[0, self._posts()]
        lead = self._state.leadership[0, self._posts()]
        return float(lead[occ].mean()) if occ.any() else 0.0

    @property
    def participating(self) -> bool:
        """Takes part in the regional concertation."""
        return bool(self._state.participating[0, self.index])


class LocalCommittee(Organisation):
    """A local committee: action happens here (M10); fewer resources (M11)."""

    level = "local"

    @property
    def capacity(self) -> float:
        """Capacity built with the regional body's help (M11)."""
        return float(self._state.capacity[0, self.index])

    @property
    def assent(self) -> float:
        """Legitimacy it grants its regional body (M8)."""
        return float(self._state.assent[0, self.index])

    @property
    def engagement(self) -> float:
        """Engagement in the regional concertation."""
        return float(self._state.engagement[0, self.index])


class SectoralTable(LocalCommittee):
    """A sectoral table: may resist one regional process (M7)."""

    level = "sectoral"


class RegionalBody(Organisation):
    """The regional body: plays the roles (M6), depends on national funding (M1)."""

    level = "regional"

    @property
    def funding(self) -> float:
        """Share of its staff posts funded."""
        return float(self._state.funding[0, self.region])

    @property
    def alive(self) -> bool:
        """False once it has folded."""
        return bool(self._state.alive[0, self.region])

    @property
    def role_mix(self) -> dict[str, float]:
        """Current share of staff time per role, and operations."""
        mix = dict(zip(ROLES, self._state.role_mix[0, self.region].tolist(), strict=True))
        mix["operations"] = float(self._state.operations[0, self.region])
        return mix

    @property
    def role_output(self) -> dict[str, float]:
        """Last month's effective output per role."""
        out = self._state.role_output[0, self.region]
        return dict(zip(ROLES, np.round(out, 6).tolist(), strict=True))


class NationalActor(Organisation):
    """A national actor: funds regional bodies, needs their assent (M8)."""

    level = "national"
