"""Random streams: per run, per submodel, batch-independent, sparse = dense."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concertsim.streams import Stream, dense_uniforms, derive_key, hash_uniform


def test_a_run_draws_the_same_numbers_alone_or_in_a_batch():
    seeds = np.random.SeedSequence(11).spawn(5)
    batch = Stream.from_seeds(seeds, "turnover")
    alone = Stream.from_seeds(seeds[3:4], "turnover")
    for _ in range(3):
        assert np.array_equal(batch.uniform((7, 2))[3], alone.uniform((7, 2))[0])


def test_streams_of_different_submodels_differ_and_do_not_depend_on_order():
    seed = np.random.SeedSequence(2)
    assert derive_key(seed, "turnover") != derive_key(seed, "ties")
    first = Stream.from_seeds([seed], "ties").uniform((4,))
    Stream.from_seeds([seed], "turnover").uniform((4,))  # another stream drawn meanwhile
    assert np.array_equal(Stream.from_seeds([seed], "ties").uniform((4,)), first)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 50), st.integers(0, 5))
def test_a_sparse_draw_equals_the_dense_draw_at_those_positions(batch, size, skip):
    seeds = np.random.SeedSequence(batch * 100 + size).spawn(batch)
    dense, sparse = Stream.from_seeds(seeds, "x"), Stream.from_seeds(seeds, "x")
    for _ in range(skip):
        dense.next_bases(), sparse.next_bases()
    full = dense.uniform((size,))
    run = np.arange(batch).repeat(size)
    pos = np.tile(np.arange(size), batch)
    assert np.array_equal(hash_uniform(sparse.next_bases()[run], pos), full.ravel())


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(1, 9), st.integers(0, 2**32 - 1))
def test_uniform_at_gives_the_dense_draws_numbers_and_counter(batch, rows, cols, pick):
    seeds = np.random.SeedSequence(batch * 10 + rows).spawn(batch)
    dense, sparse = Stream.from_seeds(seeds, "y"), Stream.from_seeds(seeds, "y")
    full = dense.uniform((rows, cols))
    rng = np.random.default_rng(pick)
    run = rng.integers(0, batch, (3, 2))
    row, col = rng.integers(0, rows, (3, 2)), rng.integers(0, cols, (3, 2))
    got = sparse.uniform_at(run, row * cols + col)
    assert got.shape == (3, 2)
    assert np.array_equal(got, full[run, row, col])
    assert sparse.counter == dense.counter  # one draw, made sparsely
    assert np.array_equal(sparse.uniform((2,)), dense.uniform((2,)))


def test_uniforms_look_uniform():
    u = Stream.from_seeds(np.random.SeedSequence(0).spawn(4), "x").uniform((50_000,)).ravel()
    assert np.all((u >= 0) & (u < 1))
    hist = np.histogram(u, bins=20, range=(0, 1))[0]
    expected = u.size / 20
    chi2 = ((hist - expected) ** 2 / expected).sum()
    assert chi2 < 45  # 19 dof, p ~ 0.001
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01


def test_run_seeds_leaves_a_seed_sequence_untouched():
    from concertsim.streams import run_seeds

    root = np.random.SeedSequence(12)
    first, second = run_seeds(root, 3)[1], run_seeds(root, 3)[1]
    assert [s.spawn_key for s in first] == [s.spawn_key for s in second] == [(0,), (1,), (2,)]
    fresh = np.random.SeedSequence(12).spawn(3)
    assert all(
        np.array_equal(a.generate_state(4), b.generate_state(4))
        for a, b in zip(first, fresh, strict=True)
    )


@pytest.mark.parametrize("batch", [1, 4, 5, 20])
def test_many_draw_bases_at_once_equal_one_at_a_time(batch):
    seeds = np.random.SeedSequence(8).spawn(batch)
    one, many = Stream.from_seeds(seeds, "x"), Stream.from_seeds(seeds, "x")
    one.next_bases()
    many.skip()
    rows = many.next_bases_many(7)
    assert rows.shape == (7, batch)
    assert np.array_equal(rows, np.stack([one.next_bases() for _ in range(7)]))
    assert many.counter == one.counter == 8


def test_bases_computed_ahead_equal_bases_computed_when_drawn():
    """A stream computes the bases of several draws at once; across that block's end,
    after a skip and in a subset, every draw still gets the bases of its own number."""
    from concertsim.streams import _AHEAD

    seeds = np.random.SeedSequence(5).spawn(6)
    keys = Stream.from_seeds(seeds, "x").keys

    def fresh(counter):  # the bases of draw ``counter``, computed alone
        return Stream(keys, counter, "x").next_bases_many(1)[0]

    s = Stream.from_seeds(seeds, "x")
    for counter in range(_AHEAD - 2):
        assert np.array_equal(s.next_bases(), fresh(counter))
    rows = s.next_bases_many(5)  # straddles the block's end
    assert np.array_equal(rows, np.stack([fresh(c) for c in range(_AHEAD - 2, _AHEAD + 3)]))
    s.skip(3 * _AHEAD)
    assert np.array_equal(s.next_bases(), fresh(4 * _AHEAD + 3))
    sub = s.subset(np.array([1, 4]))
    assert np.array_equal(sub.next_bases(), fresh(4 * _AHEAD + 4)[[1, 4]])
    with pytest.raises(ValueError):  # the kept bases are read-only
        s.next_bases()[0] = 0


@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(1, 6),
    shapes=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 5)), min_size=1, max_size=5),
    which=st.lists(st.integers(0, 2), min_size=5, max_size=5),
    skip=st.integers(0, 40),
)
def test_dense_draws_hashed_together_equal_the_draws_made_one_by_one(batch, shapes, which, skip):
    """dense_uniforms gives each stream's numbers and counter, whatever the mix of streams."""
    seeds = np.random.SeedSequence(4).spawn(batch)
    together = [Stream.from_seeds(seeds, name) for name in ("a", "b", "c")]
    alone = [Stream.from_seeds(seeds, name) for name in ("a", "b", "c")]
    for s in together + alone:
        s.skip(skip)
    picks = list(zip(which, shapes, strict=False))
    got = dense_uniforms(*((together[w], shape) for w, shape in picks))
    for (w, shape), u in zip(picks, got, strict=True):
        expected = alone[w].uniform(shape)
        assert u.shape == expected.shape and np.array_equal(u, expected)
    assert [s.counter for s in together] == [s.counter for s in alone]
