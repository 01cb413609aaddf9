"""Counter-based random streams: one per run and per submodel, batch-independent.

Every random number in concertsim is a pure function of

* the run's stream key (derived from the run's :class:`numpy.random.SeedSequence`
  and the submodel's name),
* a draw counter (how many draws this stream has made before), and
* the position of the number inside the draw.

So a run's result never depends on which other runs share its batch, nor on the
batch size, nor on the executor or the number of workers: a batch of runs is just
the stack of their keys. Two scenarios run with the same seed see the same
numbers in every submodel whose inputs are the same (common random numbers), and
adding a submodel does not shift the streams of the others, since each stream's
key depends on its name, not on the order in which streams are made.

The generator is SplitMix64 (Steele, Lea & Flood 2014) applied to a counter: each
draw starts from ``mix(key + mix(counter))`` and walks a Weyl sequence over the
positions of the draw. Because the number at a position can be computed without
the numbers before it, a submodel may draw only at the positions it needs (a
sparse draw) and stay reproducible.

Example:
    >>> import numpy as np
    >>> seeds = np.random.SeedSequence(42).spawn(3)
    >>> s = Stream.from_seeds(seeds, "turnover")
    >>> u = s.uniform((4,))
    >>> u.shape
    (3, 4)
    >>> t = Stream.from_seeds(seeds[1:2], "turnover")   # the same run, alone
    >>> bool(np.array_equal(t.uniform((4,))[0], u[1]))
    True
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Stream",
    "run_seeds",
    "derive_key",
    "derive_keys",
    "mix64",
    "mix1",
    "hash1",
    "unit1",
    "hash_uniform",
    "hash_bits",
    "dense_uniforms",
]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_U1 = np.uint64(1)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def mix1(x: np.uint64) -> np.uint64:
    """SplitMix64's finaliser of one unsigned 64-bit integer (a numpy scalar or 0-d array).

    The generator's formula, for one number; :func:`mix64` applies the same operations
    to a whole array, and :mod:`concertsim.knowledge.kernel` compiles this function
    (uint64 arithmetic wraps, as in numpy's arrays; on numpy scalars numpy warns of
    the wrap-around, so arrays go through :func:`mix64`).
    """
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def hash1(base: np.uint64, position: int) -> np.uint64:
    """:func:`hash_bits` of one position: 64 random bits, for compiled kernels."""
    return mix1((np.uint64(position) + _U1) * _GOLDEN + base)


def unit1(bits: np.uint64) -> float:
    """:func:`hash_uniform`'s conversion of 64 random bits to a uniform in [0, 1)."""
    return np.float64(np.int64(bits >> _S11)) * _TO_UNIT


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, applied in place to a uint64 array and returned.

    Args:
        x: unsigned 64-bit integers; overwritten.

    Returns:
        The same array, each element replaced by its mixed value (:func:`mix1`).
    """
    if not isinstance(x, np.ndarray) or x.ndim == 0:  # a numpy scalar: no scratch array
        return mix1(x)
    # ufuncs called directly with out= and 0-d array constants: the same operations,
    # less per-call overhead than the augmented operators with numpy scalars
    t = _rshift(x, _A30)  # one scratch array for the three shifts
    _xor(x, t, out=x)
    _mul(x, _AM1, out=x)
    _xor(x, _rshift(x, _A27, out=t), out=x)
    _mul(x, _AM2, out=x)
    _xor(x, _rshift(x, _A31, out=t), out=x)
    return x


_rshift, _xor, _mul, _add = np.right_shift, np.bitwise_xor, np.multiply, np.add
_AM1, _AM2, _A30, _A27, _A31 = (np.array(v, dtype=np.uint64) for v in (_M1, _M2, 30, 27, 31))
_A11, _A1, _AGOLDEN = (np.array(v, dtype=np.uint64) for v in (11, 1, _GOLDEN))


def _name_word(name: str) -> int:
    """A stable 32-bit word for a stream name (independent of Python's hash seed)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "little")


def run_seeds(
    seed: int | np.random.SeedSequence | None, runs: int
) -> tuple[int, list[np.random.SeedSequence]]:
    """The root entropy and one seed per run: run ``i`` gets spawn key ``(*root, i)``.

    The one seed helper of concertsim (replicates of ``concertsim run``, the
    interactive model, the March and Fang experiments, sweeps). The same as
    ``SeedSequence(seed).spawn(runs)``, except that a ``SeedSequence`` passed in
    is left untouched, so passing it twice gives the same runs twice.

    Args:
        seed: an integer >= 0, a ``SeedSequence``, or None for fresh entropy.
        runs: number of runs.

    Returns:
        The root entropy (to record) and the runs' seed sequences.

    Raises:
        ValueError: for a seed that is none of the above.

    Example:
        >>> entropy, seeds = run_seeds(7, 3)
        >>> entropy, [s.spawn_key for s in seeds]
        (7, [(0,), (1,), (2,)])
    """
    try:
        root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"seed: must be None, an integer >= 0 or a SeedSequence ({exc})") from None
    seeds = [
        np.random.SeedSequence(
            root.entropy, spawn_key=(*root.spawn_key, i), pool_size=root.pool_size
        )
        for i in range(runs)
    ]
    return int(root.entropy), seeds


def derive_key(seed: np.random.SeedSequence, name: str) -> np.uint64:
    """The key of the stream called ``name`` for the run seeded by ``seed``.

    Args:
        seed: the run's seed sequence.
        name: the submodel's name, e.g. ``"turnover"``.

    Returns:
        A 64-bit key.
    """
    child = np.random.SeedSequence(
        entropy=seed.entropy,
        spawn_key=tuple(seed.spawn_key) + (_name_word(name),),
        pool_size=seed.pool_size,
    )
    return child.generate_state(1, dtype=np.uint64)[0]


def derive_keys(seeds: Sequence[np.random.SeedSequence], name: str) -> np.ndarray:
    """Keys of the stream ``name`` for a batch of runs, shape ``(len(seeds),)``."""
    return np.array([derive_key(s, name) for s in seeds], dtype=np.uint64)


_MASK = (1 << 64) - 1


def _mix_int(x: int) -> int:
    """:func:`mix64` of one Python integer (cheaper than a one-element array)."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


_SMALL_BATCH = 4
"""Up to this many runs, draw bases are mixed in Python (cheaper than numpy calls)."""


def _draw_bases(keys: np.ndarray, counter: int, draws: int = 1) -> np.ndarray:
    """One independent 64-bit starting point per run for the draw numbers ``counter``,
    ``counter + 1``, ... (``draws`` of them): shape ``(draws, B)``."""
    cs = [_mix_int(((counter + j + 1) * 0x9E3779B97F4A7C15) & _MASK) for j in range(draws)]
    if keys.size <= _SMALL_BATCH:
        rows = [[_mix_int((int(k) + c) & _MASK) for k in keys] for c in cs]
        return np.array(rows, dtype=np.uint64).reshape(draws, keys.size)
    if draws == 1:  # one draw: a scalar add, no (1, B) index arrays
        return mix64(np.add(keys, np.uint64(cs[0]), dtype=np.uint64, casting="unsafe")[None, :])
    return mix64(keys.astype(np.uint64)[None, :] + np.array(cs, dtype=np.uint64)[:, None])


_AHEAD = 32
"""Draws whose bases a :class:`Stream` computes at once (see :meth:`Stream._take`)."""

_WEYL: dict[int, np.ndarray] = {}
"""Cached ``(arange(size) + 1) * golden`` of the dense draws made so far, by size."""


def _weyl(size: int) -> np.ndarray:
    """The Weyl sequence of a dense draw of ``size`` numbers (read-only, cached)."""
    seq = _WEYL.get(size)
    if seq is None:
        seq = (np.arange(size, dtype=np.uint64) + np.uint64(1)) * _GOLDEN
        seq.setflags(write=False)
        if len(_WEYL) < 256:
            _WEYL[size] = seq
    return seq


_WEYLS: dict[tuple[int, ...], np.ndarray] = {}
"""Cached concatenations of the Weyl sequences of several dense draws, by sizes."""


def _weyls(sizes: tuple[int, ...]) -> np.ndarray:
    """The Weyl sequences of dense draws of ``sizes`` numbers, end to end (read-only)."""
    seq = _WEYLS.get(sizes)
    if seq is None:
        seq = np.concatenate([_weyl(n) for n in sizes])
        seq.setflags(write=False)
        if len(_WEYLS) < 256:
            _WEYLS[sizes] = seq
    return seq


def dense_uniforms(*draws: tuple[Stream, tuple[int, ...]]) -> list[np.ndarray]:
    """Several dense draws, of one stream or of several, hashed in one pass.

    ``dense_uniforms((a, s1), (b, s2))`` gives what ``a.uniform(s1)`` then
    ``b.uniform(s2)`` would (the same numbers, the same counters: a draw's numbers
    depend only on its run key, its number and the position), with one set of numpy
    calls instead of one per draw. All streams must have the same batch of runs.

    Example:
        >>> import numpy as np
        >>> keys = np.array([1, 2], dtype=np.uint64)
        >>> a, b = Stream(keys.copy()), Stream(keys + np.uint64(9))
        >>> u, v, w = dense_uniforms((a, (3,)), (b, (2, 2)), (a, (1,)))
        >>> a2, b2 = Stream(keys.copy()), Stream(keys + np.uint64(9))
        >>> same = [np.array_equal(u, a2.uniform((3,))), np.array_equal(v, b2.uniform((2, 2)))]
        >>> same + [np.array_equal(w, a2.uniform((1,))), a.counter, b.counter]
        [True, True, True, 2, 1]
    """
    bases = np.stack([stream.next_bases() for stream, _ in draws], axis=1)  # (B, draws)
    sizes = tuple(math.prod(shape) for _, shape in draws)
    bits = np.repeat(bases, sizes, axis=1)
    _add(bits, _weyls(sizes)[None, :], out=bits)
    mix64(bits)
    _rshift(bits, _A11, out=bits)
    u = _to_unit(bits)
    out, start = [], 0
    for (_, shape), size in zip(draws, sizes, strict=True):
        out.append(u[:, start : start + size].reshape((u.shape[0], *shape)))
        start += size
    return out


def hash_bits(bases: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """64 random bits at ``positions`` of the draws that start at ``bases``.

    Args:
        bases: uint64, broadcastable against ``positions`` (e.g. shape ``(B, 1)``).
        positions: non-negative integer positions inside the draw.

    Returns:
        uint64 array of the broadcast shape.
    """
    x = np.add(positions, _A1, dtype=np.uint64, casting="unsafe")  # = astype(uint64) + 1
    _mul(x, _AGOLDEN, out=x)
    x = x + bases  # broadcast, new array
    return mix64(x)


def hash_uniform(bases: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Uniform floats in [0, 1) at ``positions`` of the draws that start at ``bases``."""
    bits = hash_bits(bases, positions)
    _rshift(bits, _A11, out=bits)
    return _to_unit(bits)


def _to_unit(bits: np.ndarray) -> np.ndarray:
    """``bits * 2**-53`` as float64, for 53-bit ``bits`` (uint64, below 2**53).

    Cast through int64 (the same numbers: exact below 2**53, and scaling by a power
    of two is exact), which numpy converts about twice as fast as uint64.
    """
    u = bits.view(np.int64).astype(np.float64)
    u *= _TO_UNIT
    return u


@dataclass
class Stream:
    """A batch of per-run random streams for one submodel.

    All runs of the batch advance their counters together (they step the same
    months); a run may be dropped from the batch with :meth:`subset` and it keeps
    the same numbers it would have had.

    Attributes:
        keys: one uint64 key per run, shape ``(B,)``.
        counter: how many draws have been made so far.
    """

    keys: np.ndarray
    counter: int = 0
    name: str = field(default="", compare=False)
    _rows: np.ndarray | None = field(default=None, compare=False, repr=False)
    _rows_from: int = field(default=0, compare=False, repr=False)

    @classmethod
    def from_seeds(cls, seeds: Sequence[np.random.SeedSequence], name: str) -> Stream:
        """Make the stream ``name`` for each run seeded by ``seeds``."""
        return cls(derive_keys(seeds, name), 0, name)

    @property
    def batch(self) -> int:
        """Number of runs in the batch."""
        return int(self.keys.shape[0])

    def subset(self, runs: np.ndarray) -> Stream:
        """The streams of some runs only (index or boolean mask), same counter."""
        return Stream(self.keys[runs], self.counter, self.name)

    def _take(self, draws: int) -> np.ndarray:
        """Bases of the draws ``counter`` .. ``counter + draws - 1``, ``(draws, B)``
        (read-only); advances the counter.

        The bases of :data:`_AHEAD` draws are computed at once and kept: a draw's
        bases depend on its key and number only, so computing them early changes
        nothing but the number of numpy calls.
        """
        start = self.counter - self._rows_from
        if self._rows is None or start < 0 or start + draws > self._rows.shape[0]:
            self._rows = _draw_bases(self.keys, self.counter, max(draws, _AHEAD))
            self._rows.setflags(write=False)
            self._rows_from, start = self.counter, 0
        self.counter += draws
        return self._rows[start : start + draws]

    def next_bases(self) -> np.ndarray:
        """Starting points of the next draw, shape ``(B,)``; advances the counter."""
        return self._take(1)[0]

    def next_bases_many(self, draws: int) -> np.ndarray:
        """Starting points of the next ``draws`` draws, shape ``(draws, B)`` (row ``j``:
        what the ``j``-th :meth:`next_bases` call would give); advances the counter."""
        return self._take(draws)

    def skip(self, draws: int = 1) -> None:
        """Advance the counter past ``draws`` draws without making them.

        A submodel that needs no numbers this month skips its draw, so its later
        draws are the ones it would have had (the draw counter is the only state).
        """
        self.counter += draws

    def uniform(self, shape: tuple[int, ...]) -> np.ndarray:
        """A dense draw: uniforms of shape ``(B, *shape)``."""
        bases = self.next_bases()
        size = math.prod(shape)
        bits = mix64(np.add(_weyl(size)[None, :], bases[:, None]))
        _rshift(bits, _A11, out=bits)
        return _to_unit(bits).reshape((self.batch, *shape))

    def uniform_at(self, runs: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """A sparse draw: what :meth:`uniform` would give at some positions only.

        Element ``i`` is ``uniform(shape)[runs[i]].flat[positions[i]]`` (``runs`` and
        ``positions`` broadcast together), for a draw that needs a few of its numbers:
        the same numbers, the same counter, less hashing.

        Example:
            >>> import numpy as np
            >>> a = Stream(np.array([1, 2], dtype=np.uint64))
            >>> b = Stream(np.array([1, 2], dtype=np.uint64))
            >>> dense = a.uniform((3, 4))
            >>> bool(b.uniform_at(np.array([1]), np.array([6]))[0] == dense[1, 1, 2])
            True
        """
        return hash_uniform(np.take(self.next_bases(), runs), positions)

    def normal(self, shape: tuple[int, ...]) -> np.ndarray:
        """Standard normal draws of shape ``(B, *shape)`` (inverse-CDF of uniforms)."""
        from scipy.special import ndtri

        u = self.uniform(shape)
        return ndtri(np.clip(u, 1e-16, 1 - 1e-16))
