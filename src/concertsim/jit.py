"""What every compiled kernel of concertsim shares: numba's options and the streams' draws.

A few loops of the month are compiled with numba (:mod:`concertsim.knowledge.kernel`,
:mod:`concertsim.submodels.tie_kernel`): each is one pass where numpy needed a dozen
calls whose overhead outweighed their work (dense draws stay numpy's: there, numpy's
vectorised hashing is as fast as a compiled loop). They are compiled with :data:`jit`:
machine code kept on disk (``cache=True``: compiled once a machine, in ``__pycache__``
or numba's user cache directory), IEEE arithmetic (no fast-math: the same float
operations in the same order give numpy's bits). Their random numbers are those of
:mod:`concertsim.streams`, whose scalar functions (``mix1``, ``hash1``, ``unit1``) are
compiled as they are written: the generator is written once.

The kernels' modules import this one, and are imported at their first use, not with
concertsim (numba takes a few tenths of a second to import and load). On import, this
module checks that the compiled draws give the streams' numbers: numba recompiles a
function when its own file changes, not when ``streams.py`` does, so a change of the
generator with old compiled code on disk would otherwise go unnoticed.

Example:
    >>> import numpy as np
    >>> from concertsim.streams import hash_uniform
    >>> base = np.uint64(42)
    >>> bool(uniform(base, 7) == hash_uniform(np.array([base]), np.array([7]))[0])
    True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numba import njit
from numba.extending import register_jitable

from .streams import hash1, hash_uniform, mix1, unit1

__all__ = ["jit", "uniform", "check_streams"]

for _scalar in (mix1, hash1, unit1):  # callable from compiled code, unchanged in Python
    register_jitable(_scalar)

jit = njit(cache=True, nogil=True)
"""The decorator of every compiled kernel: cached on disk, IEEE arithmetic."""


@jit
def uniform(base: np.uint64, position: int) -> float:
    """The uniform at ``position`` of the draw starting at ``base``
    (:func:`concertsim.streams.hash_uniform` of one number)."""
    return unit1(hash1(base, position))


def check_streams() -> bool:
    """Whether the compiled draws give :mod:`concertsim.streams`' numbers (see above).

    Example:
        >>> check_streams()
        True
    """
    bases = np.array([0, 1, 2**63 + 12345, 2**64 - 1], dtype=np.uint64)
    positions = np.array([0, 1, 999, 2**40], dtype=np.int64)
    numpy = hash_uniform(bases[:, None], positions[None, :])
    compiled = np.array([[uniform(b, p) for p in positions] for b in bases])
    return bool(np.array_equal(numpy.view(np.uint64), compiled.view(np.uint64)))


if not check_streams():
    raise RuntimeError(
        "concertsim's compiled kernels: numba's cache holds code compiled from an older "
        "concertsim/streams.py; delete the *.nbi and *.nbc files in the __pycache__ "
        f"directories under {Path(__file__).parent} (or in numba's cache directory) "
        "and run again"
    )
