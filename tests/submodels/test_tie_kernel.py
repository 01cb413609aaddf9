"""Tests of the compiled tie writes (concertsim.submodels.tie_kernel)."""

from __future__ import annotations

import numpy as np

from concertsim.submodels.tie_kernel import write_rounds


def oracle(partner, hire, stamp, run, a, c, u, rounds):
    """The rules, one candidate at a time (networking's docstring)."""
    K = partner.shape[-1]
    for r in np.unique(rounds):
        seen = set()
        for i in np.flatnonzero(rounds == r):
            b, x, y = run[i], a[i], c[i]
            first = (b, x) not in seen and (b, y) not in seen
            seen |= {(b, x), (b, y)}
            if not first or y in partner[b, x]:
                continue
            for holder, other in ((x, y), (y, x)):
                free = np.flatnonzero(partner[b, holder] < 0)
                slot = free[0] if free.size else min(int(u[i] * K), K - 1)
                partner[b, holder, slot] = other
                hire[b, holder, slot] = stamp[b, other]


def test_write_rounds_follows_the_rules_one_candidate_at_a_time():
    rng = np.random.default_rng(3)
    B, P, K, n = 3, 9, 3, 120
    for _ in range(20):
        partner = np.where(rng.random((B, P, K)) < 0.5, rng.integers(0, P, (B, P, K)), -1)
        partner = partner.astype(np.int32)
        hire = rng.integers(0, 5, (B, P, K)).astype(np.int32)
        stamp = rng.integers(1, 9, (B, P)).astype(np.int32)
        run = rng.integers(0, B, n)
        a = rng.integers(0, P, n)
        c = (a + rng.integers(1, P, n)) % P  # never a itself
        u = rng.random(n)
        rounds = np.sort(rng.integers(0, 4, n))
        want_p, want_h = partner.copy(), hire.copy()
        oracle(want_p, want_h, stamp, run, a, c, u, rounds)
        write_rounds(partner, hire, stamp, run, a, c, u, rounds)
        assert np.array_equal(partner, want_p) and np.array_equal(hire, want_h)
