"""Structural alternatives (ODD 7.10): each rule of the funding and participation decisions
moves its outcome in the stated direction, and the rules are chosen per run."""

import numpy as np
import pytest

from concertsim.errors import InputError
from concertsim.params import FUNDING_RULES, PARTICIPATION_RULES
from concertsim.scenario import load_scenario
from concertsim.state import code
from concertsim.submodels import engagement, funding

from .sim import final, simulate

REVIEWS = np.arange(12, 121, 12)


def _awards(changes: dict, months: int = 120) -> np.ndarray:
    """(runs, reviews) the award after each national review."""
    out = []

    def record(engine):
        step = engine.step

        def stepped():
            step()
            if engine.state.month - 1 in REVIEWS:
                out.append(engine.state.award[:, 0].copy())

        engine.step = stepped

    simulate(changes, months=months, setup=record)
    return np.array(out).T


def test_incremental_awards_move_by_small_steps():
    rule = {"funding.rule": "incremental", "funding.increment": 0.05, "funding.budget": 2.0}
    steps = np.abs(np.diff(_awards(rule), axis=1))
    assert steps.max() <= 0.05 + 1e-12
    free = np.abs(np.diff(_awards({"funding.budget": 2.0}), axis=1))
    assert free.max() > 0.05  # the budget rule jumps further: the rule is what limits the step


def test_block_grants_ignore_performance():
    low = simulate({"funding.rule": "block", "funding.positioning_weight": 0.0}, months=48)
    high = simulate({"funding.rule": "block", "funding.positioning_weight": 0.6}, months=48)
    assert np.array_equal(low.state.award, high.state.award)
    budget = simulate({"funding.positioning_weight": 0.6, "funding.expectation": 0.9}, months=48)
    block = simulate({"funding.rule": "block", "funding.expectation": 0.9}, months=48)
    assert final(block, "funding", "regional") > final(budget, "funding", "regional")


@pytest.mark.parametrize("rule", FUNDING_RULES)
def test_no_funding_rule_lowers_the_claim_for_better_performance(rule):
    e = simulate({"funding.rule": rule}, months=24, runs=6)
    legit = funding.participation_share(e.state, e.layout)
    before = funding.claimed(e.state, e.layout, e.params, legit)
    e.state.positioning += 0.3
    after = funding.claimed(e.state, e.layout, e.params, legit)
    assert np.all(after >= before)
    assert (rule == "block") == np.array_equal(after, before)


def _wants(rule: str, setup) -> np.ndarray:
    e = simulate({"engagement.participation_rule": rule}, months=24, runs=8)
    setup(e.state)
    u = np.random.default_rng(0).uniform(size=e.state.engagement.shape)
    return engagement.wants(e.state, e.layout, e.params, u)[:, e.layout.is_member]


def test_imitation_members_join_when_others_take_part():
    def everyone(state):
        state.participating[:] = True

    def nobody(state):
        state.participating[:] = False

    many, few = _wants("imitation", everyone), _wants("imitation", nobody)
    assert np.all(many >= few) and many.mean() > few.mean()
    same = _wants("threshold", everyone), _wants("threshold", nobody)
    assert np.array_equal(*same)  # the default rule ignores the others


def test_proportional_participation_follows_engagement():
    def low(state):
        state.engagement[:] = 0.3

    def high(state):
        state.engagement[:] = 0.7

    lo, hi = _wants("proportional", low), _wants("proportional", high)
    assert np.all(hi >= lo)
    assert 0.2 < lo.mean() < 0.4 and 0.6 < hi.mean() < 0.8  # probability = engagement


def test_participation_rules_change_participation_per_run():
    for rule in PARTICIPATION_RULES:
        e = simulate({"engagement.participation_rule": rule}, months=36, runs=4)
        assert 0.0 < final(e, "participation", "local") <= 1.0
    imitation = simulate({"engagement.participation_rule": "imitation"}, months=36)
    default = simulate(months=36)
    assert final(imitation, "participation", "local") != final(default, "participation", "local")


def test_a_rule_is_validated_by_name_and_coded_by_index():
    base = load_scenario("baseline")
    assert base.with_overrides({"funding.rule": 2.0}).params.funding.rule == "block"
    assert code("engagement", "participation_rule", "proportional") == 2.0
    with pytest.raises(InputError, match="did you mean 'incremental'"):
        base.with_overrides({"funding.rule": "incremntal"}, lenient=False)
    with pytest.raises(InputError, match='one of "budget"'):
        base.with_overrides({"funding.rule": 1}, lenient=False)


def test_runs_of_different_rules_in_one_batch_match_their_own_batches():
    from concertsim.simulate import run_batch
    from concertsim.streams import run_seeds

    base = load_scenario("baseline")
    seeds = run_seeds(5, 3)[1]
    mixed = [{"funding.rule": 1.0}, {"engagement.participation_rule": 1.0}, {}]
    together = run_batch(base, seeds, mixed, months=36).outcomes
    for i, ov in enumerate(mixed):
        alone = run_batch(base, seeds[i : i + 1], [ov], months=36).outcomes
        assert together.iloc[[i]].reset_index(drop=True).equals(alone)
