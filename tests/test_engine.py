"""The engine: batch independence, reproducibility and invariants under random valid inputs."""

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concertsim.engine import Engine
from concertsim.observe import VARIABLES
from concertsim.params import (
    LEVELS,
    ROLES,
    SECTIONS,
    Event,
    Parameters,
    Structure,
    field_info,
    replace_dotted,
)

BOUNDED = ("capacity", "credibility", "legitimacy", "participation", "engagement", "leadership")


def _engine(params, seeds, structure=None, months=24, events=()):
    engine = Engine(structure or Structure(), params, seeds, events, months)
    engine.run()
    return engine


BRANCHES = (
    {"turnover.local_annual": 0.6},
    {"knowledge.turbulence": 0.0, "knowledge.cross_learning": 0.0},
    {"recognition.enabled": True},
    {"turnover.vacancy_months": 0.0, "funding.base": 0.3},
    {"role_mix.networking": 0.5, "role_mix.structuring": 0.0, "role_mix.alignment": 0.0},
    {},
)
"""Runs whose inputs switch code branches (sparse draws, phases, refills, folding)."""


def test_a_run_is_the_same_alone_or_in_any_batch():
    seeds = np.random.SeedSequence(5).spawn(len(BRANCHES))
    varied = [replace_dotted(Parameters(), changes) for changes in BRANCHES]
    two = Structure(regions=2)
    shocks = (
        Event(month=5, kind="turnover_wave", level="regional", share=0.5),
        Event(month=9, kind="funding_cut", share=0.5),
    )
    batch = _engine(varied, seeds, two, events=shocks)
    for i in range(len(BRANCHES)):
        alone = _engine([varied[i]], [seeds[i]], two, events=shocks)
        assert np.array_equal(alone.series[0], batch.series[i], equal_nan=True), BRANCHES[i]


def test_same_seed_same_series_bit_for_bit():
    seeds = np.random.SeedSequence(9).spawn(3)
    a = _engine([Parameters()] * 3, seeds)
    b = _engine([Parameters()] * 3, np.random.SeedSequence(9).spawn(3))
    assert np.array_equal(a.series, b.series, equal_nan=True)


def test_common_random_numbers_a_change_elsewhere_leaves_turnover_draws_alone():
    seeds = np.random.SeedSequence(3).spawn(4)
    base = _engine([Parameters()] * 4, seeds, months=1)
    other = dataclasses.replace(
        Parameters(), credibility=dataclasses.replace(Parameters().credibility, spillover=0.5)
    )
    changed = _engine([other] * 4, seeds, months=1)
    assert np.array_equal(base.state.occupied, changed.state.occupied)
    assert not np.array_equal(base.state.credibility, changed.state.credibility)


def _section_strategy(cls):
    fields = {}
    for f in dataclasses.fields(cls):
        info = field_info(cls, f.name)
        if isinstance(f.default, bool):
            fields[f.name] = st.booleans()
        elif info.choices:  # a structural alternative (ODD 7.10)
            fields[f.name] = st.sampled_from(info.choices)
        elif info.integer:
            lo, hi = info.range
            fields[f.name] = st.integers(int(lo), int(min(hi, 120)))
        else:
            lo, hi = info.range
            fields[f.name] = st.floats(lo, hi, allow_nan=False)
    return st.fixed_dictionaries(fields).map(lambda kw: cls(**kw))


@st.composite
def parameters(draw):
    sections = {
        name: draw(_section_strategy(cls))
        for name, cls in SECTIONS.items()
        if name not in ("role_mix",)
    }
    raw = draw(st.lists(st.floats(0, 1), min_size=6, max_size=6))
    raw[-1] = raw[-1] if sum(raw) > 0 else 1.0
    shares = [x / sum(raw) for x in raw]
    mix = dict(zip((*ROLES, "operations"), shares, strict=True))
    sections["role_mix"] = SECTIONS["role_mix"](**mix)
    return Parameters(**sections)


structures = st.builds(
    Structure,
    regions=st.integers(1, 3),
    local_committees=st.integers(1, 5),
    sectoral_tables=st.integers(0, 3),
    national_actors=st.integers(1, 3),
    regional_staff=st.integers(1, 6),
    regional_elected=st.integers(0, 3),
    tie_slots=st.integers(1, 8),
    knowledge_dimensions=st.integers(1, 40),
)

events = st.lists(
    st.builds(
        Event,
        month=st.integers(0, 17),
        kind=st.sampled_from(("turnover_wave", "funding_cut", "election")),
        level=st.sampled_from((*LEVELS, "all")),
        share=st.floats(0, 1),
    ),
    max_size=3,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=st.lists(parameters(), min_size=1, max_size=3), structure=structures, events=events)
def test_invariants_hold_under_random_valid_inputs(params, structure, events):
    seeds = np.random.SeedSequence(1).spawn(len(params))
    e = _engine(params, seeds, structure, months=18, events=events)
    s, lay = e.state, e.layout
    for name in ("credibility", "assent", "engagement", "capacity"):
        x = getattr(s, name)
        assert np.all(np.isfinite(x)) and np.all((x >= 0) & (x <= 1)), name
    for name in ("structuring", "alignment", "positioning"):
        x = getattr(s, name)
        assert np.all((x >= 0) & (x <= 1)), name
    assert np.all(s.funding >= 0) and np.all(np.isfinite(s.funding))
    assert np.all((s.leadership >= 0) & (s.leadership <= 1))
    assert np.all((s.energy >= 0) & (s.energy <= 1))
    assert np.all(s.tenure[~s.occupied] == 0)
    series = e.series
    for name in BOUNDED:
        x = series[:, :, VARIABLES.index(name)]
        x = x[~np.isnan(x)]
        assert np.all((x >= 0) & (x <= 1 + 1e-12)), name
    staff = series[:, :, VARIABLES.index("staff")]
    vacancies = series[:, :, VARIABLES.index("vacancies")]
    posts = np.array([lay.org_posts[lay.level_slice[n]].sum() for n in LEVELS])
    assert np.all(staff + vacancies == posts)
    empty = np.stack([(~s.occupied[:, lay.posts_mask(n)]).sum(-1) for n in LEVELS], axis=1)
    assert np.array_equal(vacancies[:, -1], empty)
    present = posts > 0
    credibility = series[:, :, VARIABLES.index("credibility")]
    assert not np.isnan(credibility[..., present]).any()


def test_stepping_past_the_horizon_is_refused_and_changes_nothing():
    e = _engine([Parameters()], np.random.SeedSequence(1).spawn(1), months=3)
    before = e.series.copy()
    with pytest.raises(ValueError, match="horizon"):
        e.step()
    assert e.month == 3 and np.array_equal(e.series, before, equal_nan=True)


@pytest.mark.parametrize(
    "event, message",
    [
        (Event(0, "role_mix", values=(("networking", 0.9),)), "summing to at most 1"),
        (Event(0, "turnover_wave", level="provincial", share=0.5), "unknown level"),
        (Event(0, "funding_cut", share=1.5), r"in \[0, 1\], got 1.5"),
        (Event(0, "set", values=(("role_mix.networking", 0.5),)), "month 0 only"),
        (Event(0, "set", values=(("turnover.local_anual", 0.5),)), "unknown parameter"),
        (Event(0, "role_mode", values=(("lobbying", 1.0),)), "unknown role"),
    ],
)
def test_a_bad_live_intervention_is_refused_and_changes_nothing(event, message):
    e = _engine([Parameters()] * 2, np.random.SeedSequence(1).spawn(2), months=2)
    mix, ops, occupied = e.state.role_mix.copy(), e.state.operations.copy(), e.state.occupied.copy()
    with pytest.raises(ValueError, match=message):
        e.intervene(event)
    assert np.array_equal(e.state.role_mix, mix) and np.array_equal(e.state.operations, ops)
    assert np.array_equal(e.state.occupied, occupied)


def test_batch_params_are_typed_columns_of_every_parameter():
    import dataclasses as dc

    from concertsim.state import BatchParams

    runs = [Parameters(), replace_dotted(Parameters(), {"turnover.local_annual": 0.5})]
    bp = BatchParams.stack(runs)
    for section, cls in SECTIONS.items():
        columns = getattr(bp, section)
        assert [f.name for f in dc.fields(columns)] == [f.name for f in dc.fields(cls)]
        for f in dc.fields(cls):
            assert getattr(columns, f.name).shape == (2, 1), f"{section}.{f.name}"
    assert bp.turnover.local_annual[:, 0].tolist() == [0.25, 0.5]
    with pytest.raises(AttributeError):
        bp.set("turnover.local_anual", 0.1)  # a misspelt field is refused, not added
    with pytest.raises(AttributeError):
        bp.turnover.local_anual = np.zeros((2, 1))
