"""The engine: batch independence, reproducibility and invariants under random valid inputs."""

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concertsim.engine import VARIABLES, Engine
from concertsim.params import LEVELS, ROLES, SECTIONS, Event, Parameters, Structure, field_info

BOUNDED = ("capacity", "credibility", "legitimacy", "participation", "engagement", "leadership")


def _engine(params, seeds, structure=None, months=24, events=()):
    engine = Engine(structure or Structure(), params, seeds, events, months)
    engine.run()
    return engine


def test_a_run_is_the_same_alone_or_in_any_batch():
    seeds = np.random.SeedSequence(5).spawn(6)
    varied = [
        dataclasses.replace(
            Parameters(), turnover=dataclasses.replace(Parameters().turnover, local_annual=x)
        )
        for x in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
    ]
    batch = _engine(varied, seeds)
    for i in (0, 3, 5):
        alone = _engine([varied[i]], [seeds[i]])
        assert np.array_equal(alone.series[0], batch.series[i], equal_nan=True)


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
    present = posts > 0
    credibility = series[:, :, VARIABLES.index("credibility")]
    assert not np.isnan(credibility[..., present]).any()
