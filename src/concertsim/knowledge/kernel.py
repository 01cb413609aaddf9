"""Steps 1-5 of a period, compiled: one pass over each run's people and dimensions.

:func:`concertsim.knowledge.period.step` prepares the arguments (masks, probabilities
as ``(B, P)`` arrays, the step's draw bases) and calls :func:`period`, which applies
turnover, turbulence, acting and socialisation to the state in place and writes the
vote sums of code learning; :func:`concertsim.knowledge.code_learning.learn_code` then
finds the codes' candidate cells (:func:`code_candidates`), computes their
probabilities ``1 - (1 - p2) ** |s|`` with numpy (its ``power``, as before: a compiled
one may differ in the last bit) and draws them (:func:`adopt`).

Why compiled (numba): a period touches B x P x m numbers (20 x 59 x 30 in a baseline
batch) through about a hundred numpy calls, each of which costs more in overhead than
its work; a compiled loop draws each number only where it is needed, in one pass. The
random numbers are those of :mod:`concertsim.streams` (through :mod:`concertsim.jit`),
at the same positions as the dense draws they replace, and the arithmetic is integer
or a comparison with a uniform, so results are bit for bit those of the numpy kernel
this replaced. Compiled once a machine (:data:`concertsim.jit.jit`); this module, and
numba with it, is imported at the first period, not with concertsim.

Example:
    >>> import numpy as np
    >>> beliefs = np.zeros((1, 2, 3), dtype=np.int8)
    >>> code = np.array([[[1, -1, 0]]], dtype=np.int8)
    >>> reality = np.ones((1, 3), dtype=np.int8)
    >>> sums = np.empty((1, 1, 3), dtype=np.int32)
    >>> full = np.full((1, 2), 2**31, dtype=np.uint32)  # p1 = 1
    >>> no = np.zeros((1, 2), dtype=bool)
    >>> period(beliefs, code, reality, np.zeros(2, dtype=np.int64),
    ...        np.arange(7, dtype=np.uint64)[:, None], 0.0, np.zeros(1), no, ~no,
    ...        np.full((1, 2), -1), np.zeros((1, 2)), full, False, sums)
    >>> beliefs.tolist()  # p1 = 1: every belief takes the code's non-zero signs
    [[[1, -1, 0], [1, -1, 0]]]
"""

from __future__ import annotations

import numpy as np

from concertsim.jit import jit, uniform
from concertsim.streams import hash1

__all__ = ["period", "code_candidates", "adopt"]

# draw numbers inside one step (rows of ``bases``), as in concertsim.knowledge.period
_D_TURNOVER, _D_NEWBELIEFS, _D_TURBULENCE, _D_COINS, _D_LINKS, _D_SOCIAL = range(6)
_LOW32 = np.uint64(0xFFFFFFFF)
_ONE = np.uint64(1)


@jit
def period(
    beliefs: np.ndarray,
    code: np.ndarray,
    reality: np.ndarray,
    group: np.ndarray,
    bases: np.ndarray,
    p3: float,
    p4: np.ndarray,
    newcomers: np.ndarray,
    active: np.ndarray,
    link_group: np.ndarray,
    p_cross: np.ndarray,
    thr1: np.ndarray,
    link_learning: bool,
    sums: np.ndarray,
) -> None:
    """Steps 1-4 in place and step 5's vote sums, for every run of the batch.

    Args:
        beliefs: ``(B, P, m)`` int8, changed in place (turnover, socialisation).
        code: ``(B, G, m)`` int8, read.
        reality: ``(B, m)`` int8, changed in place (turbulence).
        group: ``(P,)`` int64 organisation of each person.
        bases: ``(>= 6, B)`` uint64, the step's draws (rows ``_D_*`` of period).
        p3: built-in turnover probability.
        p4: ``(B,)`` turbulence probability.
        newcomers: ``(B, P)`` bool.
        active: ``(B, P)`` bool.
        link_group: ``(B, P)`` int64, -1 for no tie.
        p_cross: ``(B, P)`` cross-learning probability.
        thr1: ``(B, P)`` uint32 socialisation thresholds on 31-bit uniforms.
        link_learning: tied people also count in their link organisation's superior group.
        sums: ``(B, G, m)`` int32, overwritten with the vote sums of step 5.
    """
    B, P, m = beliefs.shape
    G = code.shape[1]
    words = (m + 63) // 64  # fair coins: 64 a hash, person by person
    half = (m + 1) // 2  # 31-bit uniforms: two a hash, person by person
    actions = np.empty((P, m), dtype=np.int8)
    score = np.empty(G, dtype=np.int64)
    for b in range(B):
        real = reality[b]
        # 1. turnover: built-in (active posts, p3) and the caller's newcomers
        for p in range(P):
            leave = newcomers[b, p]
            if p3 > 0.0 and active[b, p] and uniform(bases[_D_TURNOVER, b], p) < p3:
                leave = True
            if leave:
                for j in range(m):
                    u = uniform(bases[_D_NEWBELIEFS, b], p * m + j)
                    beliefs[b, p, j] = np.int8(np.int64(u * 3.0) - 1)
        # 2. turbulence: each dimension of reality flips with probability p4
        if p4[b] > 0.0:
            for j in range(m):
                if uniform(bases[_D_TURBULENCE, b], j) < p4[b]:
                    real[j] = -real[j]
        # 3. act: beliefs, a fair coin where the belief is 0 (64 coins a hash); vacant
        # posts neither act, socialise nor vote
        for p in range(P):
            if not active[b, p]:
                continue
            bel = beliefs[b, p]
            for w in range(words):
                bits = hash1(bases[_D_COINS, b], p * words + w)
                for j in range(64 * w, min(m, 64 * w + 64)):
                    coin = np.int64((bits >> np.uint64(j - 64 * w)) & _ONE) * 2 - 1
                    actions[p, j] = bel[j] + (bel[j] == 0) * coin
        for g in range(G):  # the codes' scores, before any learning
            s = 0
            for j in range(m):
                s += code[b, g, j] * real[j]
            score[g] = s
        # 4. socialisation toward the own code, or per dimension the tied one's;
        # branch-free (draws are cheap, mispredicted branches are not)
        for p in range(P):
            if not active[b, p]:
                continue
            bel, tie = beliefs[b, p], link_group[b, p]
            mine, theirs = code[b, group[p]], code[b, max(tie, 0)]
            pc, thr = p_cross[b, p], thr1[b, p]
            if tie < 0:  # nothing to draw where the person already holds her code
                moves = 0
                for j in range(m):
                    moves += (mine[j] != 0) & (bel[j] != mine[j])
                if moves == 0:
                    continue
            for j in range(m):
                target = mine[j]
                if tie >= 0:
                    cross = uniform(bases[_D_LINKS, b], p * m + j) < pc
                    target = theirs[j] if cross else target
                bits = hash1(bases[_D_SOCIAL, b], p * half + (j >> 1))
                u31 = ((bits >> np.uint64(32 * (j & 1))) & _LOW32) >> _ONE
                bel[j] += target * ((target != 0) & (bel[j] != target) & (u31 < thr))
        # 5. the superior groups (beating their code's score) sum their actions (step 3's)
        sums[b] = 0
        for p in range(P):
            if not active[b, p]:
                continue
            perf = 0
            for j in range(m):
                perf += actions[p, j] * real[j]
            own, tie = group[p], link_group[b, p]
            if perf > score[own]:
                for j in range(m):
                    sums[b, own, j] += actions[p, j]
            if link_learning and tie >= 0 and perf > score[tie]:
                for j in range(m):
                    sums[b, tie, j] += actions[p, j]


@jit
def code_candidates(code: np.ndarray, sums: np.ndarray, out: np.ndarray) -> int:
    """Step 5's candidates: the cells where the sign of the vote sum is not 0 and differs
    from the code, as flat indices of ``code`` written to ``out``; returns their number."""
    n = 0
    flat_code, flat_sums = code.reshape(code.size), sums.reshape(sums.size)  # views
    for f in range(flat_code.size):
        sign = np.sign(flat_sums[f])
        if sign != 0 and sign != flat_code[f]:
            out[n] = f
            n += 1
    return n


@jit
def adopt(
    code: np.ndarray, sums: np.ndarray, flat: np.ndarray, prob: np.ndarray, bases: np.ndarray
) -> None:
    """Step 5's draws: candidate cell ``flat[i]`` of run ``r`` takes the sign of its sum when
    the uniform at its (organisation, dimension) position of draw ``bases[r]`` is below
    ``prob[i]``."""
    per_run = code.shape[1] * code.shape[2]
    flat_code, flat_sums = code.reshape(code.size), sums.reshape(sums.size)  # views
    for i in range(flat.size):
        run = flat[i] // per_run
        if uniform(bases[run], flat[i] - run * per_run) < prob[i]:
            flat_code[flat[i]] = np.sign(flat_sums[flat[i]])
