"""numpy ufuncs called directly, for the small arrays of a month's submodels.

``np.clip(x, lo, hi)`` on an array goes through two Python wrappers before it calls
the ``clip`` ufunc; on arrays of a few hundred numbers the wrappers cost more than
the work. :data:`clip` is that ufunc itself: the same numbers (NaN and -0.0
included), for arrays only, with ``out=`` to reuse a temporary.

Example:
    >>> import numpy as np
    >>> x = np.array([-0.5, 0.25, 2.0])
    >>> bool(np.array_equal(clip(x, 0.0, 1.0), np.clip(x, 0.0, 1.0)))
    True
"""

from __future__ import annotations

try:  # numpy >= 2
    from numpy._core.umath import clip
except ImportError:  # pragma: no cover - numpy 1.26
    from numpy.core.umath import clip

__all__ = ["clip"]
