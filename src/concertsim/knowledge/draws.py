"""Random numbers of the kernel: trits, 31-bit uniforms, fair coins, Bernoulli masks.

Every number is a pure function of (run key, draw counter, position) through
:func:`concertsim.streams.hash_bits`; a dense draw (every position of a ``(B, P, m)``
block) and a sparse one (only the positions asked) give the same numbers, which is what
lets :mod:`concertsim.knowledge.period` draw only where a number is needed without a
run's result depending on the rest of its batch.

Example:
    >>> import numpy as np
    >>> bases = np.array([3, 4], dtype=np.uint64)
    >>> dense = u31_dense(bases, 2, 3)
    >>> dense.shape
    (2, 2, 3)
    >>> run, person, dim = np.array([1]), np.array([0]), np.array([2])
    >>> bool(u31_sparse(bases, run, person, dim, 3)[0] == dense[1, 0, 2])
    True
"""

from __future__ import annotations

import numpy as np

from concertsim.streams import hash_bits

__all__ = [
    "SPARSE_SHARE",
    "Prob",
    "bernoulli_mask",
    "coin_signs",
    "dim_index",
    "trits",
    "u31_dense",
    "u31_sparse",
]

Prob = float | np.ndarray
"""A probability: a scalar, or an array broadcasting against the batch's shape."""

SPARSE_SHARE = 0.125  # draw sparsely when fewer than this share of positions need a number
_U31 = float(2**31)
_LOW32 = np.uint64(0xFFFFFFFF)


def trits(u: np.ndarray) -> np.ndarray:
    """Uniform values in {-1, 0, +1} from uniforms in [0, 1)."""
    out = (u * 3.0).astype(np.int8)  # truncation = floor for u >= 0
    out -= 1
    return out


def _thresholds31(p: float | np.ndarray) -> np.ndarray:
    """Integer thresholds t with P(u31 < t) = p for 31-bit uniforms u31."""
    return np.round(np.asarray(p, dtype=np.float64) * _U31).astype(np.uint32)


def u31_dense(bases: np.ndarray, people: int, m: int) -> np.ndarray:
    """31-bit uniforms ``(B, P, m)``: two per 64-bit hash, laid out person by person."""
    half = (m + 1) // 2
    pos = np.arange(people * half, dtype=np.uint64)
    bits = hash_bits(bases[:, None], pos[None, :]).astype("<u8", copy=False)
    u32 = bits.view(np.uint32).reshape(bases.shape[0], people, 2 * half)[:, :, :m]
    return u32 >> np.uint32(1)


def u31_sparse(
    bases: np.ndarray, run: np.ndarray, person: np.ndarray, dim: np.ndarray, m: int
) -> np.ndarray:
    """The same numbers as :func:`u31_dense`, only at the given (run, person, dim)."""
    half = (m + 1) // 2
    pos = person.astype(np.uint64) * np.uint64(half) + (dim >> 1).astype(np.uint64)
    bits = hash_bits(bases[run], pos)
    shift = (dim & 1).astype(np.uint64) * np.uint64(32)
    return (((bits >> shift) & _LOW32) >> np.uint64(1)).astype(np.uint32)


def coin_signs(bases: np.ndarray, people: int, m: int) -> np.ndarray:
    """Fair ±1 coins ``(B, P, m)`` int8: one 64-bit hash gives 64 coins of a person."""
    words = (m + 63) // 64
    pos = np.arange(people * words, dtype=np.uint64)
    bits = hash_bits(bases[:, None], pos[None, :]).astype("<u8", copy=False)
    octets = bits.view(np.uint8).reshape(bases.shape[0], people, 8 * words)
    coins = np.unpackbits(octets, axis=-1, count=m, bitorder="little")
    coins <<= 1
    coins -= 1  # 0 -> 255 (= -1 as int8), 1 -> 1
    return coins.view(np.int8)


def bernoulli_mask(
    stream_bases: np.ndarray, candidates: np.ndarray, p: float | np.ndarray
) -> np.ndarray:
    """Bernoulli(p) at the True cells of ``candidates`` ``(B, P, m)``; False elsewhere.

    ``p`` is a scalar or broadcasts against ``(B, P, 1)``. Draws densely or sparsely
    depending on how many candidates there are; the numbers are the same either way.
    """
    B, P, m = candidates.shape
    count = int(np.count_nonzero(candidates))
    if count == 0:
        return candidates
    thr = _thresholds31(p)
    if count >= SPARSE_SHARE * candidates.size:
        u = u31_dense(stream_bases, P, m)
        hit = u < (thr if thr.ndim == 0 else thr.reshape(B, P, 1))
        hit &= candidates
        return hit
    flat = np.flatnonzero(candidates)
    run, rest = np.divmod(flat, P * m)
    person, dim = np.divmod(rest, m)
    u = u31_sparse(stream_bases, run, person, dim, m)
    t = thr if thr.ndim == 0 else np.broadcast_to(thr, (B, P))[run, person]
    out = np.zeros(candidates.size, dtype=bool)
    out[flat] = u < t
    return out.reshape(candidates.shape)


_DIM_INDEX: dict[int, np.ndarray] = {}


def dim_index(m: int) -> np.ndarray:
    """``arange(m)`` (int64, read-only, cached): the dimensions of a person's row."""
    dims = _DIM_INDEX.get(m)
    if dims is None:
        dims = np.arange(m, dtype=np.int64)
        dims.setflags(write=False)
        if len(_DIM_INDEX) < 64:
            _DIM_INDEX[m] = dims
    return dims
