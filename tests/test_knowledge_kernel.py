"""Tests of the compiled period (concertsim.knowledge.kernel): the numpy kernel's bits."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from concertsim.knowledge import kernel, new_state, step
from concertsim.knowledge.draws import thresholds31
from concertsim.streams import Stream, hash_bits

# (seed, runs, people, organisations, dimensions, periods, scalar probabilities, p3) ->
# the first 16 hex digits of the sha256 of the states after each period, as the numpy
# kernel computed them before the period was compiled (concertsim 0.1): m = 70 and 64
# need two words of coins, m = 1 an odd half of a 31-bit pair.
NUMPY_KERNEL = {
    (0, 7, 13, 3, 9, 30, False, 0.05): "8d4842fc22ff045f",
    (1, 5, 11, 1, 70, 30, True, 0.0): "6b54ee82418a9089",
    (2, 4, 20, 4, 64, 25, False, 0.1): "520c3b35a7427dd9",
    (3, 3, 6, 2, 1, 40, True, 0.2): "30e1921d86eb39ea",
}


def history(seed, runs, people, groups, m, periods, scalar, p3) -> str:
    """Periods with every extension, fresh random inputs each period; the states' digest."""
    rng = np.random.default_rng(seed)
    group = np.sort(rng.integers(0, groups, people))
    stream = Stream.from_seeds(np.random.SeedSequence(seed).spawn(runs), "knowledge")
    s = new_state(stream, people=people, groups=groups, m=m)
    digest = hashlib.sha256()
    B, P, G = runs, people, groups
    for t in range(periods):
        kw = dict(
            group=group,
            p1=0.4 if scalar else rng.random((B, P)),
            p2=0.6 if scalar else rng.random((B, G)),
            p3=p3,
            p4=0.05 if scalar else rng.random((B, 1)) * 0.05,
            newcomers=rng.random((B, P)) < 0.05,
            active=rng.random((B, P)) < 0.85,
            link_group=np.where(rng.random((B, P)) < 0.3, rng.integers(0, G, (B, P)), -1),
            p_cross=0.5 if scalar else rng.random((B, 1)),
            link_learning=t % 2 == 0,
        )
        if t % 5 == 4:
            del kw["active"], kw["newcomers"]
        if t % 7 == 6:
            del kw["link_group"]
        step(s, stream, **kw)
        for a in (s.beliefs, s.code, s.reality):
            digest.update(np.ascontiguousarray(a).tobytes())
    return digest.hexdigest()[:16]


@pytest.mark.parametrize("case", sorted(NUMPY_KERNEL))
def test_compiled_period_gives_the_numpy_kernels_bits(case):
    assert history(*case) == NUMPY_KERNEL[case]


def test_vote_sums_count_the_superior_and_tied_people():
    rng = np.random.default_rng(5)
    B, P, G, m = 3, 16, 3, 7
    beliefs = rng.choice(np.array([-1, 1], dtype=np.int8), size=(B, P, m))  # no coins
    code = rng.choice(np.array([-1, 0, 1], dtype=np.int8), size=(B, G, m))
    reality = rng.choice(np.array([-1, 1], dtype=np.int8), size=(B, m))
    group = rng.integers(0, G, P)
    active = rng.random((B, P)) < 0.8
    tie = np.where(rng.random((B, P)) < 0.5, rng.integers(0, G, (B, P)), -1)
    score = np.einsum("bgm,bm->bg", code.astype(int), reality)
    perf = np.einsum("bpm,bm->bp", beliefs.astype(int), reality)
    expected = np.zeros((B, G, m), dtype=np.int64)
    for b in range(B):
        for p in np.flatnonzero(active[b]):
            if perf[b, p] > score[b, group[p]]:
                expected[b, group[p]] += beliefs[b, p]
            if tie[b, p] >= 0 and perf[b, p] > score[b, tie[b, p]]:
                expected[b, tie[b, p]] += beliefs[b, p]
    sums = np.empty((B, G, m), dtype=np.int32)
    bases = np.arange(6 * B, dtype=np.uint64).reshape(6, B)
    no_move = np.zeros((B, P), dtype=np.uint32)  # p1 = 0: beliefs stay, actions = beliefs
    kernel.period(
        beliefs.copy(), code, reality.copy(), group, bases, 0.0, np.zeros(B),
        np.zeros((B, P), dtype=bool), active, tie, np.zeros((B, P)), no_move, True, sums,
    )  # fmt: skip
    assert np.array_equal(sums, expected)


def test_socialisation_uses_two_31_bit_uniforms_a_hash():
    """Person p's dimension j moves iff the (j % 2)-th 32-bit half of hash (p, j // 2),
    shifted right once, is below the threshold: the layout the numpy kernel drew."""
    B, P, m = 2, 5, 7
    code = np.ones((B, 1, m), dtype=np.int8)
    beliefs = np.zeros((B, P, m), dtype=np.int8)  # every belief a candidate
    base = np.array([11, 12], dtype=np.uint64)
    bases = np.zeros((6, B), dtype=np.uint64)
    bases[5] = base  # the socialisation draw
    p1 = 0.5
    kernel.period(
        beliefs, code, np.ones((B, m), dtype=np.int8), np.zeros(P, dtype=np.int64), bases,
        0.0, np.zeros(B), np.zeros((B, P), dtype=bool), np.ones((B, P), dtype=bool),
        np.full((B, P), -1), np.zeros((B, P)), np.full((B, P), thresholds31(p1)), False,
        np.empty((B, 1, m), dtype=np.int32),
    )  # fmt: skip
    half = (m + 1) // 2
    pos = np.arange(P)[:, None] * half + np.arange(m) // 2
    bits = hash_bits(base[:, None, None], pos[None])  # (B, P, m): each dimension's hash
    shift = np.where(np.arange(m) % 2 == 1, 32, 0).astype(np.uint64)
    u31 = ((bits >> shift) & np.uint64(0xFFFFFFFF)) >> np.uint64(1)
    moved = beliefs == 1
    assert moved.any() and (~moved).any()
    assert np.array_equal(moved, u31 < thresholds31(p1))
