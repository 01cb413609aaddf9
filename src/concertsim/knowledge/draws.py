"""Random numbers of the kernel: trits, and the thresholds of its 31-bit uniforms.

Every number is a pure function of (run key, draw counter, position) through
:mod:`concertsim.streams`; the compiled period (:mod:`concertsim.knowledge.kernel`)
draws only at the positions it needs, the same numbers a dense draw would give there,
which is what keeps a run's result independent of the rest of its batch. Its
socialisation draws are 31-bit uniforms, two to a 64-bit hash (the low then the high
half, each shifted right by one), compared with :func:`thresholds31`.

Example:
    >>> import numpy as np
    >>> trits(np.array([0.1, 0.5, 0.9])).tolist()
    [-1, 0, 1]
    >>> int(thresholds31(0.5))
    1073741824
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "Prob",
    "thresholds31",
    "trits",
]

Prob = float | np.ndarray
"""A probability: a scalar, or an array broadcasting against the batch's shape."""

_U31 = float(2**31)


def trits(u: np.ndarray) -> np.ndarray:
    """Uniform values in {-1, 0, +1} from uniforms in [0, 1)."""
    out = (u * 3.0).astype(np.int8)  # truncation = floor for u >= 0
    out -= 1
    return out


def thresholds31(p: float | np.ndarray) -> np.ndarray:
    """Integer thresholds t with P(u31 < t) = p for 31-bit uniforms u31."""
    return np.round(np.asarray(p, dtype=np.float64) * _U31).astype(np.uint32)
