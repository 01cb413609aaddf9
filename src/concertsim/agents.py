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
from .state import State

__all__ = [
    "Organisation",
    "MemberOrganisation",
    "LocalCommittee",
    "SectoralTable",
    "RegionalBody",
    "NationalActor",
]


def _org_value(name: str, doc: str, cast: type = float) -> property:
    """A read-only view of this organisation's entry in the ``(B, G)`` state array ``name``."""

    def get(self: Organisation) -> object:
        """This organisation's value."""
        return cast(getattr(self.model.engine.state, name)[0, self.index])

    return property(get, doc=doc)


def _region_value(name: str, doc: str, cast: type = float) -> property:
    """A read-only view of this organisation's region's entry in the ``(B, R)`` array ``name``."""

    def get(self: Organisation) -> object:
        """This organisation's region's value."""
        return cast(getattr(self.model.engine.state, name)[0, self.region])

    return property(get, doc=doc)


class Organisation(mesa.Agent):
    """One organisation; ``index`` is its column in the ``(B, G)`` arrays."""

    level: ClassVar[str] = ""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def _state(self) -> State:
        return self.model.engine.state

    def _posts(self) -> slice:
        lay = self.model.engine.layout
        start = int(lay.org_start[self.index])
        return slice(start, start + int(lay.org_posts[self.index]))

    @property
    def region(self) -> int:
        """Region of the organisation (-1 for national actors)."""
        return int(self.model.engine.layout.org_region[self.index])

    credibility = _org_value("credibility", "Credibility in [0, 1] (M5).")
    participating = _org_value("participating", "Takes part in the regional concertation.", bool)

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


class MemberOrganisation(Organisation):
    """A member of a region's concertation: a local committee or a sectoral table."""

    assent = _org_value("assent", "Legitimacy it grants its regional body (M8).")
    engagement = _org_value("engagement", "Engagement in the regional concertation.")


class LocalCommittee(MemberOrganisation):
    """A local committee: action happens here (M10); fewer resources (M11)."""

    level = "local"

    capacity = _org_value("capacity", "Capacity built with the regional body's help (M11).")


class SectoralTable(MemberOrganisation):
    """A sectoral table: may resist one regional process (M7)."""

    level = "sectoral"


class RegionalBody(Organisation):
    """The regional body: plays the roles (M6), depends on national funding (M1)."""

    level = "regional"

    funding = _region_value("funding", "Share of its staff posts funded.")
    alive = _region_value("alive", "False once it has folded.", bool)

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
