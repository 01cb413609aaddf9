"""Argument checks of the published models: probabilities and counts.

Example:
    >>> check_int("m", 0)
    Traceback (most recent call last):
    ...
    ValueError: m: must be an integer >= 1, got 0
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "check_int",
    "check_prob",
]


def check_prob(name: str, value: object) -> None:
    """Raise ValueError unless every value is a probability."""
    try:
        v = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be a probability in [0, 1], got {value!r}") from None
    if not np.all((v >= 0.0) & (v <= 1.0)):
        raise ValueError(f"{name}: must be a probability in [0, 1], got {value!r}")


def check_int(name: str, value: object, low: int = 1) -> None:
    """Raise ValueError unless value is an integer >= low."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name}: must be an integer >= {low}, got {value!r}")
