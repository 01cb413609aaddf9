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


def test_each_kernel_is_compiled_once_whatever_the_callers():
    """Callers pass the kernels the same array types: one machine-code version each, so a
    fresh machine compiles each kernel once (a new version costs seconds)."""
    code = (
        "import numpy as np\n"
        "from concertsim.knowledge import fang, march, kernel\n"
        "from concertsim.model import ConcertationModel\n"
        "from concertsim.scenario import load_scenario\n"
        "from concertsim.simulate import run_scenario\n"
        "from concertsim.submodels import tie_kernel\n"
        "ConcertationModel(rng=1).step()\n"
        "run_scenario(load_scenario('province'), replicates=2, seed=1, months=3)\n"
        "run_scenario(load_scenario('turnover_wave'), replicates=3, seed=1)\n"
        "march(0.5, 0.5, runs=3, seed=1, periods=3)\n"
        "march(0.5, 0.5, 0.1, 0.1, runs=3, seed=1, periods=3, fast_share=0.5, fast_p1=0.9)\n"
        "fang(0.3, runs=3, seed=1, periods=3)\n"
        "fang(0.3, runs=3, seed=1, periods=3, link_learning=True)\n"
        "for module in (kernel, tie_kernel):\n"
        "    for name in module.__all__:\n"
        "        n = len(getattr(module, name).signatures)\n"
        "        assert n <= 1, f'{module.__name__}.{name}: {n} compiled versions'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)
