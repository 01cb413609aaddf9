"""Plausible worlds: a parameter set that replaces the defaults under every scenario.

A *world* is a set of ``{"section.name": value}`` changes to the model's defaults (a
calibrated parameter set, or a structural alternative such as ``funding.rule =
"incremental"``). Under a world, a scenario keeps what it states itself: ``high_turnover``
still has 45% turnover, ``austerity`` still its cut; only what the scenario leaves at the
baseline's value takes the world's. :func:`in_world` gives, for a bundled scenario, the
world's changes it does not override -- what the pattern book (``concertsim patterns --set``)
and the calibration (:mod:`concertsim.calibration`) apply before an arm's own overrides.

Example:
    >>> in_world("high_turnover", {"turnover.local_annual": 0.1, "funding.rule": "block"})
    (('funding.rule', 'block'),)
    >>> in_world("baseline", {"turnover.local_annual": 0.1})
    (('turnover.local_annual', 0.1),)
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from concertsim.config import parameter_names
from concertsim.errors import InputError, verbatim
from concertsim.scenario import load_scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BASE_SCENARIO", "ACCEPTED_PATH", "own_settings", "in_world", "check_world"]
__all__ += ["load_worlds", "world_of"]

ACCEPTED_PATH = Path(__file__).resolve().parent / "data" / "worlds" / "accepted.parquet"
"""The accepted worlds of ``experiments/plausible_worlds.toml`` (``concertsim calibrate``),
shipped with the package beside their ``calibration.json`` (``experiments/worlds/ship.py``
puts them there; ``experiments/worlds/`` links to them)."""

BASE_SCENARIO = "baseline"
"""The scenario whose values are the defaults a world replaces."""


def _flat(name: str) -> dict[str, Any]:
    d = load_scenario(name).to_dict()
    return {f"{s}.{k}": v for s, t in d.items() if isinstance(t, dict) for k, v in t.items()}


@cache
def own_settings(name: str) -> frozenset[str]:
    """The dotted parameters scenario ``name`` sets to values other than the baseline's.

    Example:
        >>> sorted(own_settings("imposed"))[:2]
        ['role_mode.alignment', 'role_mode.capacity_building']
    """
    base, mine = _flat(BASE_SCENARIO), _flat(name)
    return frozenset(k for k, v in mine.items() if base.get(k) != v)


def in_world(name: str, world: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The changes of ``world`` that scenario ``name`` leaves to it, as sorted pairs."""
    if not world:
        return ()
    own = own_settings(name)
    return tuple(sorted((k, v) for k, v in world.items() if k not in own))


def check_world(world: Mapping[str, Any], *, file: str = "--set", lenient: bool = False) -> dict:
    """Validate a world against the parameters' metadata (as a scenario file is); return it.

    Raises:
        InputError: an unknown parameter, a wrong type or a value out of range.

    Example:
        >>> check_world({"funding.rule": "incremental"})
        {'funding.rule': 'incremental'}
    """
    load_scenario(BASE_SCENARIO).with_overrides(dict(world), file=file, lenient=lenient)
    return dict(world)


def load_worlds(path: str | Path | None = None) -> pd.DataFrame:
    """The accepted worlds (default :data:`ACCEPTED_PATH`): one row per world, its parameters,
    seed and scores (``holds__<pattern>``, ``effect__<pattern>``; see ``concertsim calibrate``).

    Raises:
        InputError: the table cannot be read.
    """
    import pandas as pd

    path = Path(path or ACCEPTED_PATH)
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds
        got = verbatim(f"{type(exc).__name__}: {exc}"[:200])
        raise InputError(str(path), "", "a table of worlds (Parquet)", got) from None


def world_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of one row of a worlds table, as a world (``{"section.name": value}``).

    Example:
        >>> world_of({"funding.budget": 0.9, "accepted": 1.0, "run_id": 3})
        {'funding.budget': 0.9}
    """
    names = set(parameter_names()) - {"horizon"}
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items() if k in names}
