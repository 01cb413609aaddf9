"""Designs: sizes, bounds, simplex sums, determinism."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concertsim.experiment.designs import (
    build_design,
    grid,
    latin,
    mixture,
    morris,
    saltelli,
    simplex_centroid,
    simplex_lattice,
)
from concertsim.experiment.spec import parse_experiment

PROBLEM = {
    "num_vars": 3,
    "names": ["a", "b", "c"],
    "bounds": [[0.0, 1.0], [-2.0, 2.0], [10.0, 20.0]],
}


def _inside(x: np.ndarray) -> bool:
    lo = np.array([b[0] for b in PROBLEM["bounds"]])
    hi = np.array([b[1] for b in PROBLEM["bounds"]])
    return bool(((x >= lo) & (x <= hi)).all())


@pytest.mark.parametrize(
    ("sampler", "kwargs", "rows"),
    [
        (grid, {}, 4**3),
        (latin, {"seed": 1}, 4),
        (saltelli, {"seed": 1}, 4 * (2 * 3 + 2)),
        (saltelli, {"seed": 1, "second_order": False}, 4 * (3 + 2)),
        (morris, {"seed": 1}, 4 * (3 + 1)),
    ],
)
def test_salib_style_samplers_sizes_and_bounds(sampler, kwargs, rows):
    x = sampler(PROBLEM, 4, **kwargs)
    assert x.shape == (rows, 3)
    assert _inside(x)


def test_samplers_are_deterministic_given_a_seed():
    assert np.array_equal(saltelli(PROBLEM, 8, seed=3), saltelli(PROBLEM, 8, seed=3))
    assert np.array_equal(latin(PROBLEM, 8, seed=3), latin(PROBLEM, 8, seed=3))
    assert not np.array_equal(latin(PROBLEM, 8, seed=3), latin(PROBLEM, 8, seed=4))


@given(q=st.integers(2, 6), degree=st.integers(1, 5))
@settings(max_examples=30, deadline=None)
def test_simplex_lattice_size_and_sums(q, degree):
    x = simplex_lattice(q, degree)
    assert x.shape == (comb(q + degree - 1, degree), q)
    assert np.allclose(x.sum(axis=1), 1.0)
    assert (x >= 0).all()
    assert np.allclose(x * degree, np.round(x * degree))  # shares are k / degree
    assert len({tuple(r) for r in x}) == len(x)


@given(
    q=st.integers(2, 6),
    total=st.floats(0.1, 1.0),
    lower_frac=st.floats(0.0, 0.9),
    method=st.sampled_from(["lattice", "centroid", "random"]),
)
@settings(max_examples=40, deadline=None)
def test_mixture_points_sum_to_total_and_respect_lower_bounds(q, total, lower_frac, method):
    lower = lower_frac * total / q
    problem = {"num_vars": q}
    x = mixture(problem, 3, method=method, total=total, lower=lower, seed=5)
    assert np.allclose(x.sum(axis=1), total)
    assert (x >= lower - 1e-12).all()


def test_simplex_centroid_has_one_point_per_subset():
    assert simplex_centroid(4).shape == (2**4 - 1, 4)


ROLE_MIX = """
[experiment]
model = "concertation"
seed = 1
[design]
kind = "mixture"
components = ["role_mix.networking", "role_mix.capacity_building", "role_mix.issue_positioning",
              "role_mix.structuring", "role_mix.alignment"]
total = 0.65
complement = "role_mix.operations"
degree = 4
[parameters]
"turnover.local_annual" = { values = [0.1, 0.4] }
"""


def test_mixture_design_crossed_with_two_turnover_levels():
    design = build_design(parse_experiment(ROLE_MIX, "m.toml"), entropy=1)
    points = design.points
    assert design.size == 2 * comb(5 + 4 - 1, 4)
    shares = points[list(design.sampled)].to_numpy()
    assert np.allclose(shares.sum(axis=1), 0.65)
    assert np.allclose(points["role_mix.operations"], 0.35)
    assert sorted(points["turnover.local_annual"].unique()) == [0.1, 0.4]
    assert design.crossed == ("turnover.local_annual",)


def test_grid_design_crosses_levels_and_values():
    text = """
[experiment]
model = "ishigami"
[design]
kind = "grid"
levels = 3
[parameters]
x1 = { bounds = [0, 1] }
x2 = { values = [5, 6] }
"""
    points = build_design(parse_experiment(text, "g.toml"), entropy=1).points
    assert len(points) == 6
    assert sorted(points["x1"].unique()) == [0.0, 0.5, 1.0]
    assert sorted(points["x2"].unique()) == [5.0, 6.0]


def test_design_depends_on_the_seed_entropy_only():
    text = """
[experiment]
model = "ishigami"
[design]
kind = "sobol"
n = 16
[parameters]
x1 = { bounds = [0, 1] }
x2 = { bounds = [0, 1], dist = "unif" }
x3 = { bounds = [0, 1, 0.5], dist = "triang" }
"""
    exp = parse_experiment(text, "s.toml")
    a, b = build_design(exp, 7).points, build_design(exp, 7).points
    assert a.equals(b)
    assert not a.equals(build_design(exp, 8).points)
    assert len(a) == 16 * 8
    assert a["x3"].between(0, 1).all()
