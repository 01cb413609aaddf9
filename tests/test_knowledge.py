"""Tests of the March (1991) knowledge kernel and its extensions."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concertsim import knowledge
from concertsim.knowledge import (
    DRAWS_PER_STEP,
    KnowledgeState,
    at_equilibrium,
    belief_knowledge,
    code_knowledge,
    fang,
    fang_detail,
    march,
    march_detail,
    new_state,
    step,
)
from concertsim.streams import Stream

# Published Figure 1 cells (anchors.md §1; 10,000 runs in the public recreation).
FIGURE1 = {
    (0.1, 0.9): 0.972,
    (0.3, 0.1): 0.805,
    (0.5, 0.5): 0.811,
    (0.7, 0.5): 0.768,
    (0.9, 0.1): 0.813,
    (0.9, 0.9): 0.728,
}
PUBLISHED_RUNS = 10_000


def make(runs: int, people: int, groups: int, m: int, seed: int = 0):
    """A fresh state and its stream."""
    stream = Stream.from_seeds(np.random.SeedSequence(seed).spawn(runs), "knowledge")
    return new_state(stream, people=people, groups=groups, m=m), stream


# --------------------------------------------------------------------------- Figure 1


@pytest.mark.parametrize(("p1", "p2"), sorted(FIGURE1))
def test_figure1_cell_within_four_standard_errors(p1, p2):
    runs = 600
    k = march(p1, p2, runs=runs, seed=11)
    se = k.std(ddof=1) / np.sqrt(runs)
    tol = 4 * se * np.sqrt(1 + runs / PUBLISHED_RUNS)  # ours and the published mean's noise
    assert abs(k.mean() - FIGURE1[(p1, p2)]) < tol


def test_equilibrium_runs_report_periods_and_no_cap():
    res = march_detail(0.5, 0.5, runs=50, seed=2)
    assert not res.capped.any()
    assert (res.periods > 0).all() and (res.periods < 100).all()
    assert np.all(np.abs(res.knowledge * 30 - np.round(res.knowledge * 30)) < 1e-9)


def test_cap_is_reported_not_silent():
    with pytest.warns(RuntimeWarning, match="hit the cap of 3 periods"):
        res = march_detail(0.1, 0.1, runs=10, seed=3, max_periods=3)
    assert res.capped.all()
    assert (res.periods == 3).all()


# --------------------------------------------------------------------------- other figures


def test_figure2_heterogeneity_beats_uniform_population():
    runs = 300
    mixed = march(0.1, 0.5, fast_share=0.5, fast_p1=0.9, runs=runs, seed=21)
    uniform = march(0.5, 0.5, runs=runs, seed=22)
    se = np.hypot(mixed.std(), uniform.std()) / np.sqrt(runs)
    assert mixed.mean() - uniform.mean() > 4 * se


def test_figure4_turnover_hurts_slow_helps_fast_socialisation():
    def at20(p1, p3, seed):
        return march(p1, 0.5, p3, periods=20, runs=400, seed=seed)

    slow_none, slow_some = at20(0.1, 0.0, 41), at20(0.1, 0.2, 42)
    fast_none, fast_some = at20(0.9, 0.0, 43), at20(0.9, 0.2, 44)
    se = 0.0055 * np.sqrt(2)  # about the SE of a difference of two 400-run means
    assert slow_none.mean() - slow_some.mean() > 4 * se
    assert fast_some.mean() - fast_none.mean() > 4 * se


def test_figure5_turbulence_decays_without_turnover_and_is_sustained_with_it():
    none = march(0.5, 0.5, 0.0, 0.02, periods=100, runs=200, seed=51)
    some = march(0.5, 0.5, 0.1, 0.02, periods=100, runs=200, seed=52)
    early = march(0.5, 0.5, 0.0, 0.02, periods=10, runs=200, seed=51)
    assert none.mean() < 0.15 < 0.5 < early.mean()
    assert some.mean() > 0.45


def test_fang_moderate_linking_beats_isolation_and_full_mixing():
    runs = 100
    isolated, moderate, mixed = (fang(q, runs=runs, seed=61) for q in (0.0, 0.03, 1.0))
    se = max(isolated.std(), moderate.std(), mixed.std()) * np.sqrt(2 / runs)
    assert moderate.mean() - isolated.mean() > 4 * se
    assert moderate.mean() - mixed.mean() > 4 * se


# --------------------------------------------------------------------------- reproducibility


def test_same_seed_bit_identical_and_other_seed_different():
    a = march(0.3, 0.5, runs=20, seed=5)
    b = march(0.3, 0.5, runs=20, seed=5)
    c = march(0.3, 0.5, runs=20, seed=6)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_run_does_not_depend_on_batch_size_or_companions():
    small = march_detail(0.3, 0.5, runs=3, seed=9)
    large = march_detail(0.3, 0.5, runs=40, seed=9)
    assert np.array_equal(small.knowledge, large.knowledge[:3])
    assert np.array_equal(small.periods, large.periods[:3])


def test_step_batch_independence_with_every_extension():
    B, P, G, m = 6, 12, 3, 9
    seeds = np.random.SeedSequence(77).spawn(B)
    group = np.repeat(np.arange(G), P // G)
    mask_rng = np.random.default_rng(0)
    newcomers = mask_rng.random((20, B, P)) < 0.05
    active = mask_rng.random((20, B, P)) < 0.8
    links = np.where(mask_rng.random((20, B, P)) < 0.3, mask_rng.integers(0, G, (20, B, P)), -1)
    p1 = mask_rng.random((B, P))
    p2 = mask_rng.random((B, G))

    def run(idx):
        stream = Stream.from_seeds([seeds[i] for i in idx], "knowledge")
        state = new_state(stream, people=P, groups=G, m=m)
        for t in range(20):
            step(
                state,
                stream,
                group=group,
                p1=p1[idx],
                p2=p2[idx],
                p3=0.05,
                p4=0.05,
                newcomers=newcomers[t][idx],
                active=active[t][idx],
                link_group=links[t][idx],
                p_cross=0.5,
                link_learning=t % 2 == 0,
            )
        return state

    whole = run(list(range(B)))
    for i in (0, 4):
        alone = run([i])
        assert np.array_equal(alone.beliefs[0], whole.beliefs[i])
        assert np.array_equal(alone.code[0], whole.code[i])
        assert np.array_equal(alone.reality[0], whole.reality[i])


def test_fixed_periods_match_manual_steps():
    seed = np.random.SeedSequence(8)
    k = march(0.5, 0.5, 0.1, 0.02, periods=15, runs=5, seed=seed)
    stream = Stream.from_seeds(np.random.SeedSequence(8).spawn(5), "knowledge")
    state = new_state(stream, people=50, groups=1, m=30)
    for _ in range(15):
        step(state, stream, group=np.zeros(50, dtype=int), p1=0.5, p2=0.5, p3=0.1, p4=0.02)
    assert np.array_equal(k, code_knowledge(state)[:, 0])


# --------------------------------------------------------------------------- mechanics


def test_equilibrium_is_absorbing():
    state, stream = make(8, 10, 1, 12, seed=4)
    group = np.zeros(10, dtype=int)
    for _ in range(400):
        step(state, stream, group=group, p1=0.5, p2=0.5)
    assert at_equilibrium(state).all()
    before = (state.beliefs.copy(), state.code.copy())
    for _ in range(20):
        step(state, stream, group=group, p1=0.5, p2=0.5)
    assert np.array_equal(before[0], state.beliefs)
    assert np.array_equal(before[1], state.code)


def test_all_active_mask_equals_default():
    a, sa = make(5, 20, 1, 10, seed=1)
    b, sb = make(5, 20, 1, 10, seed=1)
    group = np.zeros(20, dtype=int)
    for _ in range(10):
        step(a, sa, group=group, p1=0.3, p2=0.5, p3=0.1)
        step(b, sb, group=group, p1=0.3, p2=0.5, p3=0.1, active=np.ones((5, 20), dtype=bool))
    assert np.array_equal(a.beliefs, b.beliefs) and np.array_equal(a.code, b.code)


def test_vacant_posts_do_not_teach_the_code():
    state, stream = make(4, 10, 1, 8, seed=2)
    for _ in range(10):
        step(
            state,
            stream,
            group=np.zeros(10, dtype=int),
            p1=0.5,
            p2=1.0,
            active=np.zeros((4, 10), dtype=bool),
        )
    assert not state.code.any()


def test_newcomers_get_fresh_beliefs_and_counter_is_fixed():
    state, stream = make(3, 6, 1, 40, seed=3)
    state.beliefs[:] = 1
    newcomers = np.zeros((3, 6), dtype=bool)
    newcomers[1, 2] = True
    start = stream.counter
    step(state, stream, group=np.zeros(6, dtype=int), p1=0.0, p2=0.0, newcomers=newcomers)
    assert stream.counter - start == DRAWS_PER_STEP
    assert (state.beliefs[1, 2] != 1).any()
    changed = (state.beliefs != 1).any(axis=2)
    assert changed.sum() == 1


def test_cross_link_socialises_toward_the_linked_code():
    state, stream = make(1, 4, 2, 6, seed=5)
    state.code[0, 1] = 1
    state.beliefs[0] = np.array([-1, 0, 1, -1, 0, 1], dtype=np.int8)
    link = np.array([[1, -1, -1, -1]])
    step(state, stream, group=np.array([0, 0, 1, 1]), p1=1.0, p2=0.0, link_group=link, p_cross=1.0)
    assert np.array_equal(state.beliefs[0, 0], [0, 1, 1, 0, 1, 1])  # one step toward +1
    assert np.array_equal(state.beliefs[0, 1], [-1, 0, 1, -1, 0, 1])  # own code is 0
    assert np.array_equal(state.beliefs[0, 2], [0, 1, 1, 0, 1, 1])  # own code is +1


def test_gradual_socialisation_single_step():
    state, stream = make(1, 3, 1, 4, seed=6)
    state.code[0, 0] = np.array([1, -1, 0, 1], dtype=np.int8)
    state.beliefs[0] = np.array([[-1, 1, 1, 0], [0, 0, -1, 1], [1, -1, 0, -1]], dtype=np.int8)
    step(state, stream, group=np.zeros(3, dtype=int), p1=1.0, p2=0.0)
    expected = np.array([[0, 0, 1, 1], [1, -1, -1, 1], [1, -1, 0, 0]])
    assert np.array_equal(state.beliefs[0], expected)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(p1=1.5, p2=0.5), "p1"),
        (dict(p1=0.5, p2=-0.1), "p2"),
        (dict(p1=0.5, p2=0.5, p3=2.0, periods=5), "p3"),
        (dict(p1=0.5, p2=0.5, m=0), "m"),
        (dict(p1=0.5, p2=0.5, n=0), "n"),
        (dict(p1=0.5, p2=0.5, runs=0), "runs"),
        (dict(p1=0.5, p2=0.5, fast_share=0.5), "fast_p1"),
        (dict(p1=0.5, p2=0.5, fast_share=1.2, fast_p1=0.9), "fast_share"),
        (dict(p1=0.5, p2=0.5, p4=0.1), "periods"),
        (dict(p1=0.5, p2=0.5, periods=-1), "periods"),
        (dict(p1="x", p2=0.5), "p1"),
        (dict(p1=0.5, p2=0.5, seed=-1), "seed"),
    ],
)
def test_invalid_arguments_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}:"):
        march(**kwargs)


def test_fang_and_step_validate_too():
    with pytest.raises(ValueError, match="^p_link:"):
        fang(1.1)
    with pytest.raises(ValueError, match="^subgroups:"):
        fang(0.1, subgroups=1)
    state, stream = make(1, 4, 1, 3)
    with pytest.raises(ValueError, match="^group:"):
        step(state, stream, group=np.zeros(3, dtype=int))


KNOWLEDGE_MODULES = [knowledge] + [
    importlib.import_module(f"concertsim.knowledge.{m.name}")
    for m in pkgutil.iter_modules(knowledge.__path__)
]


@pytest.mark.parametrize("module", KNOWLEDGE_MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# --------------------------------------------------------------------------- properties


@settings(max_examples=25, deadline=None)
@given(
    runs=st.integers(1, 4),
    size=st.integers(1, 5),
    groups=st.integers(1, 3),
    m=st.integers(1, 70),
    p=st.tuples(*[st.floats(0, 1)] * 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_state_stays_valid_and_vacant_posts_unchanged(runs, size, groups, m, p, seed):
    people = size * groups
    state, stream = make(runs, people, groups, m, seed)
    group = np.repeat(np.arange(groups), size)
    rng = np.random.default_rng(seed)
    for _ in range(4):
        active = rng.random((runs, people)) < 0.7
        links = np.where(
            rng.random((runs, people)) < 0.5, rng.integers(0, groups, (runs, people)), -1
        )
        before = state.beliefs.copy()
        start = stream.counter
        step(
            state,
            stream,
            group=group,
            p1=rng.random((runs, people)),
            p2=p[1],
            p3=p[2],
            p4=p[3],
            active=active,
            link_group=links,
            p_cross=p[4],
            link_learning=True,
        )
        assert stream.counter - start == DRAWS_PER_STEP
        assert np.array_equal(state.beliefs[~active], before[~active])
    assert isinstance(state, KnowledgeState)
    for arr in (state.beliefs, state.code):
        assert arr.dtype == np.int8 and np.isin(arr, (-1, 0, 1)).all()
    assert state.reality.dtype == np.int8 and np.isin(state.reality, (-1, 1)).all()
    for k in (code_knowledge(state), belief_knowledge(state)):
        assert ((k >= -1) & (k <= 1)).all()


@settings(max_examples=15, deadline=None)
@given(p1=st.floats(0, 1), p2=st.floats(0, 1), seed=st.integers(0, 10**6))
def test_march_knowledge_is_a_multiple_of_one_over_m_in_range(p1, p2, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # p1 = 0 may never settle
        k = march(p1, p2, m=10, n=8, runs=5, seed=seed, max_periods=300)
    assert ((k >= -1) & (k <= 1)).all()
    assert np.allclose(k * 10, np.round(k * 10))


def test_fang_detail_reports_periods_and_cap():
    res = fang_detail(0.1, runs=20, seed=4)
    assert not res.capped.any() and (res.periods > 0).all()
    assert np.array_equal(res.knowledge, fang(0.1, runs=20, seed=4))
    with pytest.warns(RuntimeWarning, match="fang: 5 of 5 runs hit the cap of 2 periods"):
        capped = fang_detail(0.1, runs=5, seed=4, max_periods=2)
    assert capped.capped.all()


def test_the_same_seed_sequence_twice_gives_the_same_runs():
    root = np.random.SeedSequence(21)
    assert np.array_equal(march(0.5, 0.5, runs=5, seed=root), march(0.5, 0.5, runs=5, seed=root))


def test_fang_without_cross_learning_reaches_rest():
    from concertsim.knowledge import fang_detail

    res = fang_detail(0.05, p_cross=0.0, runs=4, seed=2, max_periods=2000)
    assert not res.capped.any()
