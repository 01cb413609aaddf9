"""What a sweep hands a model: the context of a run batch and the checks before a sweep.

Example:
    >>> ModelContext("ishigami").key == ModelContext("ishigami").key
    True
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from concertsim.errors import verbatim

if TYPE_CHECKING:
    from concertsim.experiment.spec_types import Experiment

__all__ = ["ModelContext", "Check", "check_outcomes", "refuse_scenarios"]


@dataclass(frozen=True)
class ModelContext:
    """What a worker needs to run a model: small, picklable, the same for every task.

    Attributes:
        model: the model's name.
        options: sorted ``(name, value)`` model options from the experiment file.
        base: the base scenario as resolved (``Scenario.to_dict()``), or ``None``.
        base_source: where the base scenario came from (a path), for messages and reloads.
        outcomes: every outcome column the model returns, in order (the run table's columns).
        scenarios: with an experiment's ``[scenarios]``, ``(name, base, base_source)`` of
            each scenario crossed with the design (:meth:`for_scenario` gives its context).
    """

    model: str
    options: tuple[tuple[str, Any], ...] = ()
    base: Mapping[str, Any] | None = None
    base_source: str = ""
    outcomes: tuple[str, ...] = ()
    scenarios: tuple[tuple[str, Mapping[str, Any], str], ...] = ()

    def for_scenario(self, index: int) -> ModelContext:
        """The context of the ``index``-th scenario of the factor: its base, no factor."""
        _, base, source = self.scenarios[index]
        return dataclasses.replace(self, base=base, base_source=source, scenarios=())

    @property
    def key(self) -> str:
        """A hash identifying the context (workers cache what they build from it)."""
        text = json.dumps(
            [self.model, self.options, self.base, self.base_source, self.outcomes],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Check:
    """A set of overrides the model must accept before the sweep starts.

    Attributes:
        name: the parameter the check is about (named in the error).
        values: the overrides (one parameter at a bound, or a whole design point).
        point: the design point checked (``None``: a bound alone).
    """

    name: str
    values: Mapping[str, float]
    point: int | None = None


def check_outcomes(experiment: Experiment, available: Sequence[str]) -> None:
    """Refuse an ``[experiment] outcomes`` entry the model does not return."""
    for name in experiment.outcomes:
        if name not in available:
            raise experiment.error(
                "[experiment] outcomes", f"outcomes among {tuple(available)}", name
            )


def refuse_scenarios(experiment: Experiment, model: str) -> None:
    """Refuse a ``[scenarios]`` table for a model that does not run scenarios."""
    if experiment.scenarios:
        what = f"no [scenarios] for {model} (only the concertation model has them)"
        raise experiment.error("[scenarios]", what, verbatim(", ".join(experiment.scenario_names)))
