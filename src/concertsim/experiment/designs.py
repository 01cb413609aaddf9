"""Designs: where in parameter space the runs go.

Every sampler follows SALib's calling convention ``fn(problem, N, *, options..., seed=None)``
and returns an array of shape ``(points, num_vars)`` in the problem's parameter order:

* :func:`grid` -- full factorial, ``N`` levels per parameter (``N ** D`` points);
* :func:`latin` -- Latin hypercube (SALib), ``N`` points;
* :func:`saltelli` -- Sobol' sequence with Saltelli's scheme (SALib), ``N (2D + 2)`` points
  with second-order indices, ``N (D + 2)`` without;
* :func:`morris` -- Morris trajectories (SALib), ``N (D + 1)`` points;
* :func:`mixture` -- points on the simplex (shares that sum to ``total``), for the role mix:
  a ``{q, N}`` simplex lattice, the simplex centroid design or uniform random points.

:func:`build_design` turns an :class:`~concertsim.experiment.spec.Experiment` into a
:class:`Design`: a table with one row per design point and one column per overridden
parameter (explicit levels, ``values = [...]``, are crossed with the rest).

Example:
    >>> problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    >>> saltelli(problem, 8, seed=1).shape
    (64, 3)
    >>> x = mixture(problem, 2, total=0.6)
    >>> x.shape, bool(abs(x.sum(axis=1) - 0.6).max() < 1e-12)
    ((6, 3), True)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from concertsim.experiment.spec import Experiment, ParameterSpec

__all__ = [
    "Design",
    "salib_problem",
    "grid",
    "latin",
    "saltelli",
    "morris",
    "mixture",
    "simplex_lattice",
    "simplex_centroid",
    "build_design",
    "design_seed",
]

DESIGN_SPAWN_KEY = 2**32 + 1
"""Spawn key of the design's seed (run seeds use ``(replicate,)``; no overlap)."""


@dataclass(frozen=True)
class Design:
    """The points of an experiment.

    Attributes:
        kind: the design kind.
        points: one row per design point (index 0..P-1), one column per overridden parameter.
        problem: the SALib problem of the sampled parameters (or the mixture components).
        sampled: columns placed by the sampler, in problem order.
        crossed: columns with explicit levels, crossed with the sampled ones.
    """

    kind: str
    points: pd.DataFrame
    problem: dict[str, Any]
    sampled: tuple[str, ...]
    crossed: tuple[str, ...]

    @property
    def size(self) -> int:
        """Number of design points."""
        return len(self.points)


def design_seed(entropy: int) -> int:
    """The integer seed of the samplers, derived from the experiment's seed entropy."""
    seq = np.random.SeedSequence(entropy, spawn_key=(DESIGN_SPAWN_KEY,))
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def salib_problem(parameters: Sequence[ParameterSpec]) -> dict[str, Any]:
    """The SALib problem dict of parameters that have bounds (a distribution)."""
    return {
        "num_vars": len(parameters),
        "names": [p.name for p in parameters],
        "bounds": [list(p.bounds) for p in parameters],
        "dists": [p.dist for p in parameters],
    }


def _unit_bounds(problem: dict[str, Any]) -> np.ndarray:
    return np.asarray([b[:2] for b in problem["bounds"]], dtype=float)


def grid(problem: dict[str, Any], N: int, *, seed: int | None = None) -> np.ndarray:
    """Full factorial grid: ``N`` evenly spaced levels of every (uniform) parameter.

    Example:
        >>> grid({"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 2]]}, 3).shape
        (9, 2)
    """
    del seed  # deterministic
    axes = [np.linspace(lo, hi, N) for lo, hi in _unit_bounds(problem)]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def latin(problem: dict[str, Any], N: int, *, seed: int | None = None) -> np.ndarray:
    """Latin hypercube of ``N`` points (SALib ``latin.sample``)."""
    from SALib.sample import latin as _latin

    return _latin.sample(problem, N, seed=seed)


def saltelli(
    problem: dict[str, Any], N: int, *, second_order: bool = True, seed: int | None = None
) -> np.ndarray:
    """Saltelli's scheme on a scrambled Sobol' sequence (SALib ``sobol.sample``).

    Rows come in blocks of ``2D + 2`` (``D + 2`` without second order), one block per base
    sample, so the first ``n * block`` rows are the design of base size ``n``.
    """
    from SALib.sample import sobol as _sobol

    return _sobol.sample(problem, N, calc_second_order=second_order, scramble=True, seed=seed)


def morris(
    problem: dict[str, Any],
    N: int,
    *,
    levels: int = 4,
    optimal_trajectories: int | None = None,
    seed: int | None = None,
) -> np.ndarray:
    """``N`` Morris trajectories of ``D + 1`` points (SALib ``morris.sample``)."""
    from SALib.sample import morris as _morris

    return _morris.sample(
        problem, N, num_levels=levels, optimal_trajectories=optimal_trajectories or None, seed=seed
    )


def simplex_lattice(q: int, degree: int) -> np.ndarray:
    """The ``{q, degree}`` simplex lattice: all shares ``k / degree`` that sum to 1.

    Example:
        >>> simplex_lattice(3, 2).tolist()[:4]
        [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.5, 0.0, 0.5], [0.0, 1.0, 0.0]]
    """
    rows = list(_compositions(degree, q))
    return np.asarray(rows, dtype=float).reshape(len(rows), q) / degree


def _compositions(total: int, parts: int):
    """Every way of writing ``total`` as ``parts`` non-negative integers, in decreasing
    lexicographic order (the first part from ``total`` down to 0), one at a time: the
    points are generated, not searched for among ``(total + 1) ** parts`` candidates."""
    c = [total] + [0] * (parts - 1)
    while True:
        yield tuple(c)
        i = next((j for j in range(parts - 2, -1, -1) if c[j] > 0), None)
        if i is None:
            return
        rest = sum(c[i + 1 :]) + 1
        c[i] -= 1
        c[i + 1 :] = [rest] + [0] * (parts - i - 2)


def simplex_centroid(q: int) -> np.ndarray:
    """The simplex centroid design: the centroid of every non-empty subset of components."""
    rows = []
    for size in range(1, q + 1):
        for subset in itertools.combinations(range(q), size):
            row = np.zeros(q)
            row[list(subset)] = 1.0 / size
            rows.append(row)
    return np.asarray(rows)


def mixture(
    problem: dict[str, Any],
    N: int,
    *,
    method: str = "lattice",
    total: float = 1.0,
    lower: float = 0.0,
    seed: int | None = None,
) -> np.ndarray:
    """Mixture points: shares of the problem's components that sum to ``total``.

    Args:
        problem: SALib-style problem; only ``num_vars`` (the components) is used.
        N: lattice degree (``lattice``), number of points (``random``); ignored by ``centroid``.
        method: ``"lattice"``, ``"centroid"`` or ``"random"`` (uniform on the simplex).
        total: what the shares sum to (e.g. staff time left after operations).
        lower: minimum share of every component (pseudo-components).
        seed: seed of ``random``.

    Returns:
        Array ``(points, q)``; every row sums to ``total``, every share >= ``lower``.
    """
    q = int(problem["num_vars"])
    if method == "lattice":
        unit = simplex_lattice(q, N)
    elif method == "centroid":
        unit = simplex_centroid(q)
    elif method == "random":
        unit = np.random.default_rng(seed).dirichlet(np.ones(q), size=N)
    else:
        raise ValueError(f"unknown mixture method {method!r}")
    return lower + (total - q * lower) * unit


def _levels(p: ParameterSpec, n_levels: int) -> list[float]:
    if p.values:
        return list(p.values)
    return list(np.linspace(p.bounds[0], p.bounds[1], n_levels))


def _linked(table: pd.DataFrame, params: Sequence[ParameterSpec]) -> pd.DataFrame:
    """Add the columns of linked parameters: each takes its leader's level."""
    for p in params:
        for name in p.link:
            table[name] = table[p.name]
    return table


def build_design(experiment: Experiment, entropy: int) -> Design:
    """The design of ``experiment``: a table of points, one column per overridden parameter.

    Args:
        experiment: a validated experiment.
        entropy: the seed entropy (the samplers' seed derives from it).

    Returns:
        The :class:`Design`.
    """
    kind = experiment.design.kind
    opt = experiment.design.option
    seed = design_seed(entropy)
    params = experiment.parameters
    if kind == "grid":
        names = [p.name for p in params]
        rows = list(itertools.product(*(_levels(p, opt("levels")) for p in params)))
        table = _linked(pd.DataFrame(rows, columns=names, dtype=float), params)
        return Design(kind, table, salib_problem(params), (), tuple(names))
    if kind == "mixture":
        return _mixture_design(experiment, seed)
    problem = salib_problem(params)
    if kind == "lhs":
        x = latin(problem, opt("n"), seed=seed)
    elif kind == "sobol":
        x = saltelli(problem, opt("n"), second_order=opt("second_order"), seed=seed)
    else:
        x = morris(
            problem,
            opt("trajectories"),
            levels=opt("levels"),
            optimal_trajectories=opt("optimal_trajectories"),
            seed=seed,
        )
    table = pd.DataFrame(x, columns=problem["names"], dtype=float)
    return Design(kind, table, problem, tuple(problem["names"]), ())


def _mixture_design(experiment: Experiment, seed: int) -> Design:
    opt = experiment.design.option
    components = list(opt("components"))
    problem = {
        "num_vars": len(components),
        "names": components,
        "bounds": [[opt("lower"), opt("total")]] * len(components),
    }
    degree_or_n = opt("degree") if opt("method") == "lattice" else opt("n")
    shares = mixture(
        problem,
        degree_or_n,
        method=opt("method"),
        total=opt("total"),
        lower=opt("lower"),
        seed=seed,
    )
    crossed = [p for p in experiment.parameters if p.crossed]
    blocks = []
    for levels in itertools.product(*(p.values for p in crossed)):
        block = pd.DataFrame(shares, columns=components)
        for p, v in zip(crossed, levels, strict=True):
            block[p.name] = v
        blocks.append(block)
    table = _linked(pd.concat(blocks, ignore_index=True).astype(float), crossed)
    if opt("complement"):
        table[opt("complement")] = 1.0 - opt("total")
    return Design("mixture", table, problem, tuple(components), tuple(p.name for p in crossed))
