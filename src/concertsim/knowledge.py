"""Organisational knowledge: March's (1991) organisational-code model, batched.

The kernel follows the variant of March (1991) that reproduces the paper's Figure 1
(Christensen 2015, as recreated by Workiewicz): see ``shared/brief/anchors.md`` §1.
Each period, in this order:

1. turnover: each active person is replaced with probability ``p3`` (and every person
   the caller marks in ``newcomers``) by a newcomer with uniform beliefs in {-1, 0, +1};
2. turbulence: each dimension of reality flips sign with probability ``p4``;
3. act: a person acts on her beliefs, tossing a fair coin where her belief is 0;
   her performance is ``a . r``;
4. socialisation (gradual): on each dimension where the target code is non-zero and
   differs from the belief, the belief moves one step toward it with probability ``p1``;
5. code learning: the superior group of an organisation is its active people whose
   performance beats the code's score ``c . r``; on each dimension where the sign of
   the sum ``s_j`` of their actions is non-zero and differs from the code, the code
   takes that sign with probability ``1 - (1 - p2) ** |s_j|``.

The state holds many runs at once (leading batch axis ``B``), many people ``P`` and
many organisations ``G`` (each person belongs to one organisation, each organisation
has its own code). The pure March case is ``G = 1`` with everyone active and no ties.

All randomness comes from a :class:`~concertsim.streams.Stream`: every step makes
exactly :data:`DRAWS_PER_STEP` draws, whatever the state, and every random number is
a pure function of (run key, draw counter, position). Draws are dense or sparse
(only where a number is needed) with the same numbers either way, so a run's result
never depends on the other runs of its batch, on the batch size, nor on which runs
have already been dropped.

Example:
    >>> import numpy as np
    >>> k = march(0.1, 0.9, runs=20, seed=1)
    >>> k.shape
    (20,)
    >>> bool(0.8 < k.mean() <= 1.0)
    True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from concertsim.streams import Stream, hash_bits, hash_uniform, run_seeds

__all__ = [
    "DRAWS_PER_STEP",
    "MAX_PERIODS",
    "KnowledgeState",
    "MarchResult",
    "at_equilibrium",
    "belief_knowledge",
    "code_knowledge",
    "fang",
    "fang_detail",
    "march",
    "march_detail",
    "new_state",
    "step",
]

DRAWS_PER_STEP = 7
"""Number of stream draws (counter increments) made by one call of :func:`step`."""

MAX_PERIODS = 5000
"""Default cap on periods when :func:`march` runs to equilibrium."""

# Draw numbers inside one step (offsets from the stream counter at the step's start).
_D_TURNOVER, _D_NEWBELIEFS, _D_TURBULENCE, _D_COINS, _D_LINKS, _D_SOCIAL, _D_CODE = range(7)

Prob = float | np.ndarray
"""A probability: a scalar, or an array broadcasting against the batch's shape."""

_SPARSE_SHARE = 0.125  # draw sparsely when fewer than this share of positions need a number
_U31 = float(2**31)
_LOW32 = np.uint64(0xFFFFFFFF)


@dataclass
class KnowledgeState:
    """Reality, beliefs and codes of a batch of runs.

    Attributes:
        reality: ``(B, m)`` int8, values -1/+1.
        beliefs: ``(B, P, m)`` int8, values -1/0/+1 (P people over all organisations).
        code: ``(B, G, m)`` int8, values -1/0/+1 (one code per organisation).
    """

    reality: np.ndarray
    beliefs: np.ndarray
    code: np.ndarray

    @property
    def batch(self) -> int:
        """Number of runs B."""
        return int(self.reality.shape[0])

    @property
    def dims(self) -> int:
        """Number of dimensions of reality m."""
        return int(self.reality.shape[1])

    def subset(self, runs: np.ndarray) -> KnowledgeState:
        """The state of some runs only (index array or boolean mask), copied."""
        return KnowledgeState(self.reality[runs], self.beliefs[runs], self.code[runs])


# --------------------------------------------------------------------------- draws


def _trits(u: np.ndarray) -> np.ndarray:
    """Uniform values in {-1, 0, +1} from uniforms in [0, 1)."""
    trits = (u * 3.0).astype(np.int8)  # truncation = floor for u >= 0
    trits -= 1
    return trits


def _thresholds31(p: float | np.ndarray) -> np.ndarray:
    """Integer thresholds t with P(u31 < t) = p for 31-bit uniforms u31."""
    return np.round(np.asarray(p, dtype=np.float64) * _U31).astype(np.uint32)


def _u31_dense(bases: np.ndarray, people: int, m: int) -> np.ndarray:
    """31-bit uniforms ``(B, P, m)``: two per 64-bit hash, laid out person by person."""
    half = (m + 1) // 2
    pos = np.arange(people * half, dtype=np.uint64)
    bits = hash_bits(bases[:, None], pos[None, :]).astype("<u8", copy=False)
    u32 = bits.view(np.uint32).reshape(bases.shape[0], people, 2 * half)[:, :, :m]
    return u32 >> np.uint32(1)


def _u31_sparse(
    bases: np.ndarray, run: np.ndarray, person: np.ndarray, dim: np.ndarray, m: int
) -> np.ndarray:
    """The same numbers as :func:`_u31_dense`, only at the given (run, person, dim)."""
    half = (m + 1) // 2
    pos = person.astype(np.uint64) * np.uint64(half) + (dim >> 1).astype(np.uint64)
    bits = hash_bits(bases[run], pos)
    shift = (dim & 1).astype(np.uint64) * np.uint64(32)
    return (((bits >> shift) & _LOW32) >> np.uint64(1)).astype(np.uint32)


def _coin_signs(bases: np.ndarray, people: int, m: int) -> np.ndarray:
    """Fair ±1 coins ``(B, P, m)`` int8: one 64-bit hash gives 64 coins of a person."""
    words = (m + 63) // 64
    pos = np.arange(people * words, dtype=np.uint64)
    bits = hash_bits(bases[:, None], pos[None, :]).astype("<u8", copy=False)
    octets = bits.view(np.uint8).reshape(bases.shape[0], people, 8 * words)
    coins = np.unpackbits(octets, axis=-1, count=m, bitorder="little")
    coins <<= 1
    coins -= 1  # 0 -> 255 (= -1 as int8), 1 -> 1
    return coins.view(np.int8)


def _bernoulli_mask(
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
    if count >= _SPARSE_SHARE * candidates.size:
        u = _u31_dense(stream_bases, P, m)
        hit = u < (thr if thr.ndim == 0 else thr.reshape(B, P, 1))
        hit &= candidates
        return hit
    flat = np.flatnonzero(candidates)
    run, rest = np.divmod(flat, P * m)
    person, dim = np.divmod(rest, m)
    u = _u31_sparse(stream_bases, run, person, dim, m)
    t = thr if thr.ndim == 0 else np.broadcast_to(thr, (B, P))[run, person]
    out = np.zeros(candidates.size, dtype=bool)
    out[flat] = u < t
    return out.reshape(candidates.shape)


# --------------------------------------------------------------------------- state


def new_state(stream: Stream, *, people: int, groups: int, m: int) -> KnowledgeState:
    """A fresh batch: uniform reality and beliefs, neutral codes.

    Makes two draws from ``stream`` (reality, then beliefs).

    Args:
        stream: one key per run.
        people: number of people (posts) P over all organisations.
        groups: number of organisations G.
        m: number of dimensions of reality.

    Returns:
        The state, reality ±1 with probability 1/2 each, beliefs -1/0/+1 with
        probability 1/3 each, codes all 0.
    """
    _check_int("people", people)
    _check_int("groups", groups)
    _check_int("m", m)
    B = stream.batch
    reality = np.where(stream.uniform((m,)) < 0.5, 1, -1).astype(np.int8)
    beliefs = _trits(stream.uniform((people, m)))
    code = np.zeros((B, groups, m), dtype=np.int8)
    return KnowledgeState(reality, beliefs, code)


def code_knowledge(state: KnowledgeState) -> np.ndarray:
    """Knowledge of each code, ``c . r / m``, shape ``(B, G)``."""
    return _scores(state.code, state.reality) / state.dims


def belief_knowledge(state: KnowledgeState) -> np.ndarray:
    """Knowledge of each person, ``b . r / m``, shape ``(B, P)``."""
    return _scores(state.beliefs, state.reality) / state.dims


def _scores(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Dot products over the last axis, as int32 ``(B, K)``.

    ``x`` is ``(B, K, m)`` and ``y`` is ``(B, m)`` (shared by the K rows) or
    ``(B, K, m)``; entries are in {-1, 0, 1}, so int8 accumulation is exact for
    ``m <= 127`` (and much faster).
    """
    acc = np.int8 if x.shape[-1] <= 127 else np.int32
    spec = "bkm,bm->bk" if y.ndim == 2 else "bkm,bkm->bk"
    return np.einsum(spec, x, y, dtype=acc).astype(np.int32)


# --------------------------------------------------------------------------- step


def step(
    state: KnowledgeState,
    stream: Stream,
    *,
    group: np.ndarray,
    p1: float | np.ndarray = 0.1,
    p2: float | np.ndarray = 0.5,
    p3: float = 0.0,
    p4: float | np.ndarray = 0.0,
    newcomers: np.ndarray | None = None,
    active: np.ndarray | None = None,
    link_group: np.ndarray | None = None,
    p_cross: float | np.ndarray = 0.0,
    link_learning: bool = False,
) -> None:
    """Advance every run of the batch by one period, in place.

    Makes exactly :data:`DRAWS_PER_STEP` draws from ``stream``.

    Args:
        state: the batch, modified in place.
        stream: the runs' streams (same batch order as ``state``).
        group: ``(P,)`` int, the organisation of each person, in ``[0, G)``.
        p1: socialisation probability, scalar or ``(B, P)``.
        p2: code-learning probability, scalar or ``(B, G)``.
        p3: built-in turnover probability (active people only).
        p4: turbulence probability, scalar or ``(B, 1)``.
        newcomers: ``(B, P)`` bool, people replaced this period by newcomers with
            fresh uniform beliefs (applied whether or not the post is active).
        active: ``(B, P)`` bool; inactive (vacant) posts neither act, socialise, nor
            count in the superior group, and their beliefs only change if they are
            listed in ``newcomers``. Default: everyone active.
        link_group: ``(B, P)`` int, another organisation each person is tied to this
            period, -1 for none.
        p_cross: probability, per dimension, that a linked person socialises toward
            her link organisation's code instead of her own organisation's.
        link_learning: if True, a linked person also counts in the superior group of
            her link organisation (its code observes her) when she beats its score.
    """
    B, P, m = state.beliefs.shape
    group = np.asarray(group, dtype=np.intp)
    if group.shape != (P,):
        raise ValueError(f"group: expected shape ({P},), got {group.shape}")
    bases = stream.next_bases_many(DRAWS_PER_STEP)  # one row per draw
    _turnover(state, bases[_D_TURNOVER], bases[_D_NEWBELIEFS], p3, newcomers, active)
    _turbulence(state, bases[_D_TURBULENCE], p4)
    actions = _act(state.beliefs, bases[_D_COINS])
    own_score = _scores(state.code, state.reality)  # (B, G) before any learning
    target = _targets(state.code, group, link_group, p_cross, bases[_D_LINKS])
    _socialise(state.beliefs, target, p1, active, bases[_D_SOCIAL])
    sup, extra = _superior(
        actions, state.reality, own_score, group, active, link_group, link_learning
    )
    sums = _vote_sums(actions, sup, group, extra, state.code.shape[1])
    _learn_code(state.code, sums, p2, bases[_D_CODE])


def _turnover(
    state: KnowledgeState,
    sel_bases: np.ndarray,
    new_bases: np.ndarray,
    p3: float,
    newcomers: np.ndarray | None,
    active: np.ndarray | None,
) -> None:
    """Step 1: built-in turnover (prob. p3, active posts) and caller's newcomers."""
    B, P, m = state.beliefs.shape
    leave = np.zeros((B, P), dtype=bool)
    if p3 > 0.0:
        pos = np.arange(P, dtype=np.uint64)
        leave = hash_uniform(sel_bases[:, None], pos[None, :]) < p3
        if active is not None:
            leave &= active
    if newcomers is not None:
        leave |= newcomers
    run, person = np.nonzero(leave)
    if run.size == 0:
        return
    pos = person.astype(np.uint64)[:, None] * np.uint64(m) + np.arange(m, dtype=np.uint64)
    state.beliefs[run, person] = _trits(hash_uniform(new_bases[run][:, None], pos))


def _turbulence(state: KnowledgeState, bases: np.ndarray, p4: Prob) -> None:
    """Step 2: each dimension of reality flips with probability p4."""
    if np.all(np.asarray(p4) == 0.0):
        return
    u = hash_uniform(bases[:, None], _dims(state.dims))
    np.negative(state.reality, out=state.reality, where=u < p4)


def _act(beliefs: np.ndarray, bases: np.ndarray) -> np.ndarray:
    """Step 3: actions, the beliefs with a fair coin wherever the belief is 0."""
    B, P, m = beliefs.shape
    actions = _coin_signs(bases, P, m)
    actions *= (beliefs == 0).view(np.int8)
    actions += beliefs
    return actions


def _targets(
    code: np.ndarray,
    group: np.ndarray,
    link_group: np.ndarray | None,
    p_cross: Prob,
    bases: np.ndarray,
) -> np.ndarray:
    """The code each person socialises toward, per dimension: ``(B, P|1, m)``."""
    B, G, m = code.shape
    if G == 1 and link_group is None:
        return code  # broadcasts over people
    target = np.take(code, group, axis=1)
    if link_group is None or np.all(np.asarray(p_cross) == 0.0):
        return target
    # flat (run * P + person) indices of the linked people: one gather, one scatter
    flat = np.flatnonzero(link_group >= 0)
    if flat.size == 0:
        return target
    P = link_group.shape[1]
    run = flat // P
    pos = (flat - run * P)[:, None] * m + _dims(m)  # the person's row of a (P, m) draw
    u = hash_uniform(np.take(bases, run)[:, None], pos)
    pc = np.asarray(p_cross, dtype=np.float64)
    if pc.shape == (B, 1):  # one probability per run
        pc = np.take(pc, run, axis=0)
    elif pc.ndim:
        pc = np.broadcast_to(pc, link_group.shape).reshape(-1)[flat][:, None]
    cross = u < pc
    linked = np.take(code.reshape(B * G, m), run * G + np.take(link_group, flat), axis=0)
    rows = target.reshape(B * target.shape[1], m)
    rows[flat] = np.where(cross, linked, np.take(rows, flat, axis=0))
    return target


_DIMS: dict[int, np.ndarray] = {}


def _dims(m: int) -> np.ndarray:
    """``arange(m)`` (int64, read-only, cached): the dimensions of a person's row."""
    dims = _DIMS.get(m)
    if dims is None:
        dims = np.arange(m, dtype=np.int64)
        dims.setflags(write=False)
        if len(_DIMS) < 64:
            _DIMS[m] = dims
    return dims


def _socialise(
    beliefs: np.ndarray,
    target: np.ndarray,
    p1: Prob,
    active: np.ndarray | None,
    bases: np.ndarray,
) -> None:
    """Step 4: gradual socialisation toward the (non-zero) target code."""
    cand = target != 0
    cand = cand & (beliefs != target)
    if active is not None:
        cand &= active[:, :, None]
    p = p1
    if isinstance(p, np.ndarray) and p.ndim and p.shape != beliefs.shape[:2]:
        p = np.broadcast_to(p, beliefs.shape[:2])
    move = _bernoulli_mask(bases, cand, p).view(np.int8)
    move *= target  # one step toward the target where it moves, 0 elsewhere (no masked add)
    beliefs += move


def _superior(
    actions: np.ndarray,
    reality: np.ndarray,
    score: np.ndarray,
    group: np.ndarray,
    active: np.ndarray | None,
    link_group: np.ndarray | None,
    link_learning: bool,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray] | None]:
    """The superior groups: who beats her organisation's code, and tied people.

    Returns:
        ``sup``, ``(B, P)`` bool: the person's performance beats her own code's score
        (active people only); and, with ``link_learning``, ``(run, person, org)``
        index arrays of tied people who beat the score of their link organisation's
        code (they count in its superior group too), else None.
    """
    perf = _scores(actions, reality)
    sup = perf > score[:, group]
    if active is not None:
        sup &= active
    if not link_learning or link_group is None:
        return sup, None
    linked = link_group >= 0 if active is None else (link_group >= 0) & active
    lrun, lperson = np.nonzero(linked)
    lorg = link_group[lrun, lperson]
    beat = perf[lrun, lperson] > score[lrun, lorg]
    return sup, (lrun[beat], lperson[beat], lorg[beat])


def _vote_sums(
    actions: np.ndarray,
    sup: np.ndarray,
    group: np.ndarray,
    extra: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    G: int,
) -> np.ndarray:
    """``s_j`` per organisation: sums of the superior members' actions, ``(B, G, m)``."""
    k = int(np.count_nonzero(sup))
    if k < _SPARSE_SHARE * sup.size:  # the tied people's rows summed in the same pass
        return _vote_sums_sparse(actions, sup, group, G, extra)
    if G == 1:
        sums = np.einsum("bp,bpm->bm", sup.view(np.int8), actions, dtype=np.int32)[:, None]
    else:
        sums = _vote_sums_grouped(actions, sup, group, G)
    if extra is not None and extra[0].size:
        run, person, org = extra
        np.add.at(sums, (run, org), actions[run, person])
    return sums


def _vote_sums_sparse(
    actions: np.ndarray,
    sup: np.ndarray,
    group: np.ndarray,
    G: int,
    extra: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """:func:`_vote_sums` from the superior people's rows only (few superiors).

    The rows of ``extra`` (run, person, org) count too, in the same sums (integer
    sums: the order of the terms does not matter).
    """
    B, P, m = actions.shape
    sums = np.zeros((B * G, m), dtype=np.int32)
    row = np.flatnonzero(sup)  # run * P + person
    key = (row // P) * G + np.take(group, row % P)
    if extra is not None and extra[0].size:
        run, person, org = extra
        row = np.concatenate([row, run * P + person])
        key = np.concatenate([key, run * G + org])
    if row.size == 0:
        return sums.reshape(B, G, m)
    if np.any(key[1:] < key[:-1]):
        order = np.argsort(key, kind="stable")
        row, key = row[order], key[order]
    starts = np.flatnonzero(key[1:] != key[:-1])
    starts += 1
    starts = np.concatenate([_ZERO, starts])
    rows = np.take(actions.reshape(B * P, m), row, axis=0)
    sums[key[starts]] = np.add.reduceat(rows, starts, axis=0, dtype=np.int32)
    return sums.reshape(B, G, m)


_ZERO = np.zeros(1, dtype=np.intp)


def _vote_sums_grouped(
    actions: np.ndarray, sup: np.ndarray, group: np.ndarray, G: int
) -> np.ndarray:
    """:func:`_vote_sums` by a dense pass over people sorted by organisation."""
    B, P, m = actions.shape
    masked = actions * sup.view(np.int8)[:, :, None]
    if np.any(np.diff(group) < 0):
        order = np.argsort(group, kind="stable")
        masked, group = masked[:, order], group[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sums = np.zeros((B, G, m), dtype=np.int32)
    sums[:, group[starts]] = np.add.reduceat(masked, starts, axis=1, dtype=np.int32)
    return sums


def _learn_code(code: np.ndarray, sums: np.ndarray, p2: Prob, bases: np.ndarray) -> None:
    """Step 5: each code moves toward the majority action of its superior group."""
    B, G, m = code.shape
    sign = np.sign(sums).astype(np.int8)
    cand = sign != 0
    cand &= sign != code
    flat = np.flatnonzero(cand)
    if flat.size == 0:
        return
    run_org = flat // m  # flat = (run G + org) m + dim
    run = run_org // G
    pr = np.asarray(p2, dtype=np.float64)
    if pr.ndim:  # one probability per (run, organisation), gathered at the candidates
        pr = np.take(pr if pr.shape == (B, G) else np.broadcast_to(pr, (B, G)), run_org)
    prob = 1.0 - (1.0 - pr) ** np.abs(np.take(sums.reshape(-1), flat))
    learn = hash_uniform(np.take(bases, run), flat - run * (G * m)) < prob  # at org m + dim
    hit = flat[learn]
    np.put(code, hit, np.take(sign.reshape(-1), hit))


# --------------------------------------------------------------------------- equilibrium


def at_equilibrium(
    state: KnowledgeState, *, group: np.ndarray | None = None, active: np.ndarray | None = None
) -> np.ndarray:
    """Which runs can no longer change (without turnover, turbulence or ties).

    A run is at equilibrium when no active person could still beat her code's score
    (``b . r + #zeros <= c . r``) and no active person differs from her code on a
    dimension where the code is non-zero (anchors.md §1, step 6).

    Args:
        state: the batch.
        group: ``(P,)`` organisation of each person; default all in organisation 0.
        active: ``(B, P)`` bool; default everyone active.

    Returns:
        ``(B,)`` bool.
    """
    b = state.beliefs
    scores = _scores(state.code, state.reality)  # (B, G)
    if group is None:
        own_code, score = state.code[:, 0, :], scores[:, :1]
        nonzero = _scores(state.code, state.code)[:, :1]
    else:
        own_code, score = np.take(state.code, group, axis=1), scores[:, group]
        nonzero = _scores(state.code, state.code)[:, group]
    open_ = _scores(b, own_code) < nonzero  # b_j != c_j on some j with c_j != 0
    if active is not None:
        open_ &= active
    rest = ~open_.any(axis=1)
    if rest.any():  # only these runs need the dearer test: could anyone beat the code?
        idx = np.flatnonzero(rest)
        sub = b[idx]
        best = _scores(sub, state.reality[idx]) + state.dims - _scores(sub, sub)
        beat = best > score[idx]  # best = b.r + number of zeros
        if active is not None:
            beat &= active[idx]
        rest[idx] = ~beat.any(axis=1)
    return rest


# --------------------------------------------------------------------------- March (1991)


@dataclass
class MarchResult:
    """Outcome of :func:`march_detail` (and :func:`fang_detail`).

    Attributes:
        knowledge: ``(runs,)`` knowledge of the code ``c . r / m`` at the end.
        periods: ``(runs,)`` periods run (to equilibrium, or the requested number).
        capped: ``(runs,)`` bool, runs stopped by the cap before reaching equilibrium.
    """

    knowledge: np.ndarray
    periods: np.ndarray
    capped: np.ndarray


def march_detail(
    p1: float,
    p2: float,
    p3: float = 0.0,
    p4: float = 0.0,
    *,
    m: int = 30,
    n: int = 50,
    runs: int = 80,
    periods: int | None = None,
    fast_share: float = 0.0,
    fast_p1: float | None = None,
    seed: int | np.random.SeedSequence | None = None,
    max_periods: int = MAX_PERIODS,
) -> MarchResult:
    """:func:`march` with the periods run and the runs that hit the cap.

    Args: as :func:`march`.

    Returns:
        A :class:`MarchResult`.
    """
    _check_march_args(p1, p2, p3, p4, m, n, runs, periods, fast_share, fast_p1, max_periods)
    seeds = run_seeds(seed, runs)[1]
    stream = Stream.from_seeds(seeds, "knowledge")
    state = new_state(stream, people=n, groups=1, m=m)
    p1_people = _p1_people(p1, n, fast_share, fast_p1)
    horizon = max_periods if periods is None else periods
    stop_at_rest = p3 == 0.0 and p4 == 0.0
    return _run_march(state, stream, p1_people, p2, p3, p4, horizon, stop_at_rest, periods)


def march(
    p1: float,
    p2: float,
    p3: float = 0.0,
    p4: float = 0.0,
    *,
    m: int = 30,
    n: int = 50,
    runs: int = 80,
    periods: int | None = None,
    fast_share: float = 0.0,
    fast_p1: float | None = None,
    seed: int | np.random.SeedSequence | None = None,
    max_periods: int = MAX_PERIODS,
) -> np.ndarray:
    """Knowledge of the organisational code in March's (1991) model, one value per run.

    One organisation of ``n`` people, ``m`` dimensions; see the module docstring for
    the rules. Each run has its own random stream, ``SeedSequence(seed).spawn(runs)``.

    Args:
        p1: socialisation rate (learning of individuals from the code).
        p2: code-learning rate (learning of the code from the superior group).
        p3: turnover: probability per period that a person is replaced.
        p4: turbulence: probability per period that a dimension of reality flips.
        m: number of dimensions of reality.
        n: number of people.
        runs: number of independent runs.
        periods: number of periods; ``None`` runs to equilibrium, which needs
            ``p3 == p4 == 0``, capped at ``max_periods`` periods.
        fast_share: share of people (the first ``round(fast_share * n)``) who
            socialise at ``fast_p1`` instead of ``p1`` (March's Figure 2).
        fast_p1: socialisation rate of the fast people; required if
            ``fast_share > 0``.
        seed: int, ``None`` (fresh entropy) or a :class:`numpy.random.SeedSequence`.
        max_periods: cap on periods when running to equilibrium. Runs that hit it are
            reported by a :class:`RuntimeWarning`; :func:`march_detail` says which.

    Returns:
        ``(runs,)`` float array, ``c . r / m`` at equilibrium or after ``periods``.

    Raises:
        ValueError: an argument is out of range (the message names it).

    Example:
        >>> k = march(0.1, 0.5, runs=40, seed=7)
        >>> bool(0.9 < k.mean() < 1.0)
        True
        >>> march(1.5, 0.5)
        Traceback (most recent call last):
        ...
        ValueError: p1: must be a probability in [0, 1], got 1.5
    """
    return march_detail(
        p1,
        p2,
        p3,
        p4,
        m=m,
        n=n,
        runs=runs,
        periods=periods,
        fast_share=fast_share,
        fast_p1=fast_p1,
        seed=seed,
        max_periods=max_periods,
    ).knowledge


def _run_march(
    state: KnowledgeState,
    stream: Stream,
    p1_people: np.ndarray | float,
    p2: float,
    p3: float,
    p4: float,
    horizon: int,
    stop_at_rest: bool,
    periods: int | None,
) -> MarchResult:
    """Step all runs, dropping those at equilibrium, and collect the results."""
    runs, P, m = state.beliefs.shape
    knowledge = np.empty(runs)
    ran = np.full(runs, horizon, dtype=np.int64)
    ids = np.arange(runs)
    group = np.zeros(P, dtype=np.intp)
    p1_b = p1_people if np.ndim(p1_people) == 0 else p1_people[None, :]
    for t in range(horizon):
        if stop_at_rest:
            done = at_equilibrium(state)
            if done.any():
                knowledge[ids[done]] = code_knowledge(state)[done, 0]
                ran[ids[done]] = t
                keep = ~done
                ids, state, stream = ids[keep], state.subset(keep), stream.subset(keep)
                if ids.size == 0:
                    break
        step(state, stream, group=group, p1=p1_b, p2=p2, p3=p3, p4=p4)
    capped = np.zeros(runs, dtype=bool)
    if ids.size:
        if stop_at_rest:
            done = at_equilibrium(state)
            ran[ids[done]] = horizon
            capped[ids[~done]] = periods is None
        knowledge[ids] = code_knowledge(state)[:, 0]
    if capped.any():
        warnings.warn(
            f"march: {int(capped.sum())} of {runs} runs hit the cap of {horizon} periods "
            "before equilibrium (see march_detail(...).capped)",
            RuntimeWarning,
            stacklevel=3,
        )
    return MarchResult(knowledge, ran, capped)


def _p1_people(p1: float, n: int, fast_share: float, fast_p1: float | None) -> np.ndarray | float:
    """Per-person socialisation rates: the first round(fast_share * n) are fast."""
    fast = int(round(fast_share * n))
    if fast == 0 or fast_p1 is None:
        return float(p1)
    rates = np.full(n, float(p1))
    rates[:fast] = fast_p1
    return rates


# --------------------------------------------------------------------------- validation


def _check_prob(name: str, value: object) -> None:
    """Raise ValueError unless every value is a probability."""
    try:
        v = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be a probability in [0, 1], got {value!r}") from None
    if not np.all((v >= 0.0) & (v <= 1.0)):
        raise ValueError(f"{name}: must be a probability in [0, 1], got {value!r}")


def _check_int(name: str, value: object, low: int = 1) -> None:
    """Raise ValueError unless value is an integer >= low."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name}: must be an integer >= {low}, got {value!r}")


def _check_march_args(
    p1: float,
    p2: float,
    p3: float,
    p4: float,
    m: int,
    n: int,
    runs: int,
    periods: int | None,
    fast_share: float,
    fast_p1: float | None,
    max_periods: int,
) -> None:
    """Validate the arguments of :func:`march`."""
    for name, value in (("p1", p1), ("p2", p2), ("p3", p3), ("p4", p4)):
        _check_prob(name, value)
        if np.ndim(value) != 0:
            raise ValueError(f"{name}: must be a scalar, got shape {np.shape(value)}")
    _check_int("m", m)
    _check_int("n", n)
    _check_int("runs", runs)
    _check_int("max_periods", max_periods)
    if periods is not None:
        _check_int("periods", periods, low=0)
    elif p3 > 0.0 or p4 > 0.0:
        raise ValueError("periods: must be given when p3 or p4 > 0 (no equilibrium)")
    _check_prob("fast_share", fast_share)
    if fast_share > 0.0 and fast_p1 is None:
        raise ValueError("fast_p1: required when fast_share > 0")
    if fast_p1 is not None:
        _check_prob("fast_p1", fast_p1)


# --------------------------------------------------------------------------- Fang et al. (2010)


def fang(
    p_link: float,
    *,
    p1: float = 0.9,
    p2: float = 0.5,
    subgroups: int = 5,
    size: int = 10,
    m: int = 30,
    p_cross: float = 1.0,
    link_learning: bool = False,
    runs: int = 80,
    periods: int | None = None,
    seed: int | np.random.SeedSequence | None = None,
    max_periods: int = MAX_PERIODS,
) -> np.ndarray:
    """Semi-isolated subgroups with cross-links (Fang, Lee & Schilling 2010).

    ``subgroups`` groups of ``size`` people; each group has its own code, which its
    members socialise toward (``p1``) and which learns from the group's superior
    members (``p2``), exactly as in :func:`march`. Each period, each person is tied
    with probability ``p_link`` to one other group, drawn uniformly; a tied person
    socialises toward that group's code instead of her own on each dimension with
    probability ``p_cross`` (and, with ``link_learning``, counts in its superior
    group). ``p_link = 0`` is full isolation; ``p_link = 1`` is full mixing.

    Args:
        p_link: probability per period that a person is tied to another group.
        p1: socialisation rate.
        p2: code-learning rate.
        subgroups: number of groups (at least 2).
        size: people per group.
        m: number of dimensions.
        p_cross: per-dimension probability that a tied person learns from the other
            group's code.
        link_learning: whether tied people also count in the other group's superior
            group.
        runs: number of runs.
        periods: number of periods; ``None`` runs to equilibrium (no belief and no
            code can change any more, whatever the ties), capped at ``max_periods``.
        seed: int, ``None`` or a :class:`numpy.random.SeedSequence`.
        max_periods: cap on periods when running to equilibrium (runs that hit it
            are reported by a :class:`RuntimeWarning`; :func:`fang_detail` says
            which).

    Returns:
        ``(runs,)`` mean knowledge of the groups' codes, ``mean_g c_g . r / m``.

    Example:
        >>> k = fang(0.1, runs=10, seed=3)
        >>> bool(k.mean() > 0.9)
        True
    """
    return fang_detail(
        p_link,
        p1=p1,
        p2=p2,
        subgroups=subgroups,
        size=size,
        m=m,
        p_cross=p_cross,
        link_learning=link_learning,
        runs=runs,
        periods=periods,
        seed=seed,
        max_periods=max_periods,
    ).knowledge


def fang_detail(
    p_link: float,
    *,
    p1: float = 0.9,
    p2: float = 0.5,
    subgroups: int = 5,
    size: int = 10,
    m: int = 30,
    p_cross: float = 1.0,
    link_learning: bool = False,
    runs: int = 80,
    periods: int | None = None,
    seed: int | np.random.SeedSequence | None = None,
    max_periods: int = MAX_PERIODS,
) -> MarchResult:
    """:func:`fang` with the periods run and the runs that hit the cap.

    Args: as :func:`fang`.

    Returns:
        A :class:`MarchResult` whose ``knowledge`` is the mean over the groups' codes.
    """
    for name, value in (("p_link", p_link), ("p1", p1), ("p2", p2), ("p_cross", p_cross)):
        _check_prob(name, value)
    _check_int("subgroups", subgroups, low=2)
    for name, value in (("size", size), ("m", m), ("runs", runs), ("max_periods", max_periods)):
        _check_int(name, value)
    if periods is not None:
        _check_int("periods", periods, low=0)
    seeds = run_seeds(seed, runs)[1]
    stream = Stream.from_seeds(seeds, "knowledge")
    ties = Stream.from_seeds(seeds, "ties")
    state = new_state(stream, people=subgroups * size, groups=subgroups, m=m)
    group = np.repeat(np.arange(subgroups), size)
    horizon = max_periods if periods is None else periods
    knowledge = np.empty(runs)
    ran = np.full(runs, horizon, dtype=np.int64)
    capped = np.zeros(runs, dtype=bool)
    ids = np.arange(runs)
    for t in range(horizon + 1):
        linked = p_link > 0.0 and (p_cross > 0.0 or link_learning)
        done = _fang_at_rest(state, group, linked, link_learning)
        if t == horizon:
            capped[ids[~done]] = periods is None
            done[:] = True
        if done.any():
            knowledge[ids[done]] = code_knowledge(state)[done].mean(axis=1)
            ran[ids[done]] = t
            ids, state = ids[~done], state.subset(~done)
            stream, ties = stream.subset(~done), ties.subset(~done)
            if ids.size == 0:
                break
        link_group = _draw_ties(ties, group, subgroups, p_link)
        step(
            state,
            stream,
            group=group,
            p1=p1,
            p2=p2,
            link_group=link_group,
            p_cross=p_cross,
            link_learning=link_learning,
        )
    if capped.any():
        warnings.warn(
            f"fang: {int(capped.sum())} of {runs} runs hit the cap of {horizon} periods "
            "(see fang_detail(...).capped)",
            RuntimeWarning,
            stacklevel=3,
        )
    return MarchResult(knowledge, ran, capped)


def _fang_at_rest(
    state: KnowledgeState, group: np.ndarray, linked: bool, link_learning: bool
) -> np.ndarray:
    """Runs that can no longer change.

    Each group is at rest with its own code and, if there are ties, nobody differs
    from any code on a dimension where that code is non-zero (and, with
    ``link_learning``, nobody could beat any code's score).
    """
    rest = at_equilibrium(state, group=group)
    if not linked or not rest.any():
        return rest
    b = state.beliefs
    nonzero = _scores(state.code, state.code)  # (B, G)
    for g in range(state.code.shape[1]):
        rest &= (_scores(b, state.code[:, g, :]) >= nonzero[:, g : g + 1]).all(axis=1)
    if link_learning:
        best = _scores(b, state.reality) + state.dims - _scores(b, b)  # (B, P)
        scores = _scores(state.code, state.reality)  # (B, G)
        for g in range(state.code.shape[1]):
            rest &= (best <= scores[:, g : g + 1]).all(axis=1)
    return rest


def _draw_ties(ties: Stream, group: np.ndarray, groups: int, p_link: float) -> np.ndarray:
    """Each person's tie this period: another group with prob. p_link, else -1."""
    u = ties.uniform((group.size,))
    if p_link == 0.0:
        return np.full(u.shape, -1, dtype=np.intp)
    other = np.minimum((u / p_link * (groups - 1)).astype(np.intp), groups - 2)
    other += other >= group[None, :]
    return np.where(u < p_link, other, -1)
