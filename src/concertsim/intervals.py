"""Confidence intervals, one helper for the whole package.

* :func:`mean_ci`: the mean of the finite values and its Student t interval (the summary of
  ``concertsim run``, the mixture tables of ``concertsim analyze``);
* :func:`wilson`: the Wilson score interval of a proportion, always inside [0, 1] (outcomes
  that are 0 or 1, such as survival);
* :func:`clip_to`: a value or interval clipped to a range, for display only.

Example:
    >>> mean, low, high, n = mean_ci([1.0, 2.0, 3.0, 4.0])
    >>> mean, round(low, 4), round(high, 4), n
    (2.5, 0.4457, 4.5543, 4)
    >>> mean_ci([7.0])
    (7.0, nan, nan, 1)
    >>> tuple(round(v, 4) for v in wilson(0, 10))
    (0.0, 0.0, 0.2775)
    >>> clip_to((-0.1, 0.4, 1.2), (0.0, 1.0))
    (0.0, 0.4, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from statistics import NormalDist

import numpy as np

__all__ = ["mean_ci", "wilson", "proportion_ci", "clip_to", "t_quantile", "z_quantile"]
__all__ += ["newcombe_paired_interval", "mcnemar_exact_p", "bounded_ci"]

_NAN = float("nan")


def _check_conf(conf: float) -> float:
    conf = float(conf)
    if not 0.0 < conf < 1.0:
        raise ValueError(f"conf must be in (0, 1), got {conf!r}")
    return conf


def z_quantile(conf: float = 0.95) -> float:
    """The two-sided standard normal quantile of a confidence level.

    Example:
        >>> round(z_quantile(0.95), 6)
        1.959964
    """
    return NormalDist().inv_cdf(0.5 + _check_conf(conf) / 2)


def t_quantile(conf: float, df: int) -> float:
    """The two-sided Student t quantile of a confidence level with ``df`` degrees of freedom.

    Example:
        >>> round(t_quantile(0.95, 1), 4), round(t_quantile(0.95, 10), 4)
        (12.7062, 2.2281)
    """
    from scipy.stats import t

    return float(t.ppf(0.5 + _check_conf(conf) / 2, df))


def mean_ci(values: Iterable[float], conf: float = 0.95) -> tuple[float, float, float, int]:
    """The mean of the finite values and its Student t confidence interval.

    NaN and infinite values are left out (e.g. "no collapse" recorded as NaN). The interval
    is ``mean +- t(conf, n - 1) * sd / sqrt(n)`` with the sample standard deviation
    (``ddof=1``).

    Args:
        values: the values (any iterable of numbers, a pandas Series, a NumPy array).
        conf: the confidence level, in (0, 1).

    Returns:
        ``(mean, low, high, n)``: ``n`` finite values; ``n == 0`` gives NaN everywhere,
        ``n == 1`` gives the value and NaN bounds (one value says nothing of its spread).

    Example:
        >>> mean_ci([2.0, 2.0, float("nan"), 2.0])
        (2.0, 2.0, 2.0, 3)
        >>> mean_ci([])
        (nan, nan, nan, 0)
    """
    x = np.asarray(list(values) if not hasattr(values, "__array__") else values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return _NAN, _NAN, _NAN, 0
    mean = float(x.mean())
    if n == 1:
        return mean, _NAN, _NAN, 1
    half = t_quantile(conf, n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half, n


def wilson(successes: float, n: int, conf: float = 0.95) -> tuple[float, float, float]:
    """The Wilson score interval of a proportion ``successes / n``.

    Unlike the normal ("Wald") interval it stays inside [0, 1] and does not collapse to a
    point when every trial succeeds or every trial fails::

        centre = (p + z^2 / 2n) / (1 + z^2 / n)
        half   = z sqrt(p (1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n)

    Args:
        successes: the number of successes (0 <= successes <= n).
        n: the number of trials.
        conf: the confidence level, in (0, 1).

    Returns:
        ``(proportion, low, high)``; NaN everywhere when ``n == 0``.

    Raises:
        ValueError: ``successes`` outside [0, n], or ``n`` negative.

    Example:
        >>> tuple(round(v, 4) for v in wilson(10, 10))
        (1.0, 0.7225, 1.0)
        >>> tuple(round(v, 4) for v in wilson(5, 10))
        (0.5, 0.2366, 0.7634)
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"expected 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return _NAN, _NAN, _NAN
    z = z_quantile(conf)
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low, high = clip_to((centre - half, centre + half), (0.0, 1.0))
    return p, min(low, p), max(high, p)


def proportion_ci(values: Iterable[float], conf: float = 0.95) -> tuple[float, float, float, int]:
    """Like :func:`mean_ci`, with the Wilson interval when every finite value is 0 or 1.

    Example:
        >>> tuple(round(v, 4) for v in proportion_ci([1, 1, 1, 1]))
        (1.0, 0.5101, 1.0, 4)
        >>> proportion_ci([0.5, 1.5])[0]
        1.0
    """
    x = np.asarray(list(values) if not hasattr(values, "__array__") else values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size and np.isin(x, (0.0, 1.0)).all():
        return (*wilson(float(x.sum()), int(x.size), conf), int(x.size))
    return mean_ci(x, conf)


def bounded_ci(
    values: Iterable[float], bounds: tuple[float, float], conf: float = 0.95
) -> tuple[float, float, float, int]:
    """:func:`proportion_ci` kept inside the values the outcome can take.

    Yes/no outcomes (range [0, 1], every value 0 or 1) get the Wilson interval (inside
    [0, 1] by construction); for the others the t-interval is cut at ``bounds`` (e.g. a
    legitimacy in [0, 1], a collapse month in [0, horizon]), so no interval claims impossible
    values. Months that all happen to be 1 are not a proportion: the t-interval.

    Example:
        >>> mean, low, high, n = bounded_ci([0.9, 1.0, 1.0, 0.7], (0.0, 1.0))
        >>> round(mean, 3), round(low, 3), high, n
        (0.9, 0.675, 1.0, 4)
        >>> bounded_ci([1.0, 1.0, 1.0], (0.0, 120.0))
        (1.0, 1.0, 1.0, 3)
    """
    proportion = tuple(bounds) == (0.0, 1.0)
    mean, low, high, n = (proportion_ci if proportion else mean_ci)(values, conf)
    low, high = clip_to((low, high), bounds)
    return mean, low, high, n


def newcombe_paired_interval(base, alt, level: float = 0.95) -> tuple[float, float, float]:
    """(``p_alt - p_base``, low, high): paired yes/no outcomes, Newcombe's (1998) method 10."""
    b0, a1 = np.asarray(base, bool), np.asarray(alt, bool)
    n = len(b0)
    both, only_alt = int((a1 & b0).sum()), int((a1 & ~b0).sum())
    only_base, neither = int((~a1 & b0).sum()), int((~a1 & ~b0).sum())
    p1, p2 = (both + only_alt) / n, (both + only_base) / n
    (l1, u1), (l2, u2) = (wilson(x, n, level)[1:] for x in (p1 * n, p2 * n))
    margins = (both + only_alt) * (only_base + neither) * (both + only_base) * (only_alt + neither)
    cross = both * neither - only_alt * only_base
    corr = cross - n / 2 if cross > n / 2 else (cross if cross < 0 else 0.0)
    phi = corr / math.sqrt(margins) if margins > 0 else 0.0
    low = math.sqrt(max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0))
    high = math.sqrt(max((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2, 0))
    return p1 - p2, p1 - p2 - low, p1 - p2 + high


def mcnemar_exact_p(base, alt) -> float:
    """Two-sided exact McNemar p-value (binomial test on the discordant pairs)."""
    b0, a1 = np.asarray(base, bool), np.asarray(alt, bool)
    k, m = int((a1 & ~b0).sum()), int((~a1 & b0).sum())
    from scipy import stats

    return 1.0 if k + m == 0 else float(stats.binomtest(k, k + m, 0.5).pvalue)


def clip_to(values: Sequence[float] | float, bounds: tuple[float, float]) -> tuple | float:
    """Clip a value, or each value of a sequence, to ``bounds`` (NaN stays NaN).

    For display: an index estimated at -0.02 is shown as 0. Keep the raw value in tables.

    Example:
        >>> clip_to(1.3, (0.0, 1.0)), clip_to(float("nan"), (0.0, 1.0))
        (1.0, nan)
    """
    low, high = bounds

    def one(v: float) -> float:
        v = float(v)
        return v if math.isnan(v) else min(max(v, low), high)

    if isinstance(values, int | float | np.floating | np.integer):
        return one(values)
    return tuple(one(v) for v in values)
