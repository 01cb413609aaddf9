"""Tests of concertsim.jit: compiled kernels draw the streams' numbers, numba loads lazily."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from concertsim import jit, streams


def test_compiled_draws_are_the_streams_numbers():
    assert jit.check_streams()
    bases = np.array([3, 2**64 - 5], dtype=np.uint64)
    positions = np.arange(50)
    numpy = streams.hash_uniform(bases[:, None], positions[None, :])
    compiled = np.array([[jit.uniform(b, p) for p in positions] for b in bases])
    assert np.array_equal(numpy.view(np.uint64), compiled.view(np.uint64))


def test_the_check_sees_a_generator_that_differs(monkeypatch):
    """What a stale numba cache looks like: streams' numbers are no longer the compiled ones."""
    real = streams.hash_uniform
    monkeypatch.setattr(jit, "hash_uniform", lambda b, p: real(b, p + 1))
    assert not jit.check_streams()


def test_numba_is_imported_at_the_first_month_not_with_concertsim():
    code = (
        "import sys, concertsim, concertsim.cli, concertsim.engine, concertsim.simulate\n"
        "assert 'numba' not in sys.modules, 'numba imported with concertsim'\n"
        "from concertsim.model import ConcertationModel\n"
        "ConcertationModel(rng=1).step()\n"
        "assert 'numba' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
