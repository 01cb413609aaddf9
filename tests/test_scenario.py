"""Scenario files: bundled ones validate; every kind of bad input is a one-line InputError."""

from __future__ import annotations

import dataclasses
import json
import math
import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concertsim.docs import defaults_toml
from concertsim.errors import InputError
from concertsim.params import ROLES, SECTIONS, Parameters, Structure
from concertsim.scenario import (
    ROLE_SUM_TOLERANCE,
    Scenario,
    bundled_scenarios,
    load_scenario,
    parameter_info,
    parameter_names,
    validate_scenario_dict,
)

BUNDLED = bundled_scenarios()
REQUIRED = (
    "baseline",
    "high_turnover",
    "imposed",
    "negotiated",
    "networking_neglected",
    "networking_first",
    "austerity",
    "role_recognition",
    "province",
)


def write(tmp_path: Path, name: str, text: str) -> str:
    """Write a scenario file and return its path as a string."""
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def error_of(path: str) -> InputError:
    """The InputError loading ``path`` raises."""
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value


# --------------------------------------------------------------------------- bundled


def test_required_scenarios_are_bundled():
    assert set(REQUIRED) <= set(BUNDLED)


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_scenario_validates(name):
    scenario = load_scenario(BUNDLED[name])
    assert scenario.name == name
    assert scenario.description, "every bundled scenario needs a description line"
    assert all(0 <= e.month < scenario.horizon for e in scenario.events)
    assert math.isclose(sum(dataclasses.astuple(scenario.params.role_mix)), 1.0, abs_tol=1e-9)
    json.dumps(scenario.to_dict())


def test_bundled_name_loads_like_the_path():
    by_name, by_path = load_scenario("baseline"), load_scenario(BUNDLED["baseline"])
    assert dataclasses.replace(by_name, source=None) == dataclasses.replace(by_path, source=None)
    assert Path(by_name.source).resolve() == BUNDLED["baseline"].resolve()


def test_baseline_makes_the_defaults_explicit():
    """baseline.toml states every knob at its default.

    If this fails after a change of defaults in params.py, regenerate the file:
    ``python -c "from concertsim.docs import defaults_toml; print(defaults_toml(), end='')"
    > scenarios/baseline.toml``.
    """
    baseline = load_scenario("baseline")
    assert baseline.params == Parameters(), "regenerate scenarios/baseline.toml (see docstring)"
    assert baseline.structure == Structure()
    assert baseline.horizon == 120 and baseline.events == ()


def test_scenarios_differ_from_baseline_as_named():
    get = load_scenario
    assert get("high_turnover").params.turnover.regional_annual == pytest.approx(0.45)
    assert get("imposed").params.role_mode.modes() == (1.0,) * len(ROLES)
    assert get("negotiated").params.role_mode.modes() == (0.0,) * len(ROLES)
    assert get("networking_neglected").params.role_mix.networking == pytest.approx(0.02)
    first = get("networking_first")
    assert first.params.role_mix.networking == pytest.approx(0.35)
    assert [e.kind for e in first.events] == ["role_mix"]
    assert dict(first.events[0].values)["networking"] < 0.35
    austerity = get("austerity")
    assert {(e.kind, e.month) for e in austerity.events} >= {("funding_cut", 36)}
    assert any(e.kind == "turnover_wave" and e.level == "regional" for e in austerity.events)
    assert get("role_recognition").params.recognition.enabled is True
    assert get("province").structure.regions == 17


# --------------------------------------------------------------------------- extends


def test_extends_overrides_key_by_key(tmp_path):
    write(
        tmp_path,
        "parent.toml",
        'name = "p"\n[turnover]\nlocal_annual = 0.3\nsectoral_annual = 0.1\n',
    )
    child = write(
        tmp_path,
        "child.toml",
        'extends = "parent.toml"\ndescription = "c"\n[turnover]\nlocal_annual = 0.4\n',
    )
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.params.turnover.local_annual == 0.4
    assert scenario.params.turnover.sectoral_annual == 0.1


def test_extends_role_mix_without_operations_takes_the_remainder(tmp_path):
    child = write(
        tmp_path,
        "child.toml",
        f'extends = "{BUNDLED["baseline"]}"\n[role_mix]\nnetworking = 0.25\n',
    )
    mix = load_scenario(child).params.role_mix
    assert mix.networking == 0.25
    assert mix.operations == pytest.approx(0.25)


def test_events_replace_unless_appended(tmp_path):
    event = '[[events]]\nmonth = {m}\nkind = "funding_cut"\nshare = 0.5\n'
    write(tmp_path, "parent.toml", 'name = "p"\n' + event.format(m=10))
    replace = write(tmp_path, "r.toml", 'extends = "parent.toml"\n' + event.format(m=20))
    append = write(
        tmp_path,
        "a.toml",
        'extends = "parent.toml"\nevents_mode = "append"\n' + event.format(m=5),
    )
    assert [e.month for e in load_scenario(replace).events] == [20]
    assert [e.month for e in load_scenario(append).events] == [5, 10]


def test_extends_cycle_names_the_files(tmp_path):
    a = write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    err = error_of(a)
    assert err.key == "extends"
    assert "a.toml" in str(err) and "b.toml" in str(err) and "cycle" in str(err)


def test_extends_missing_parent(tmp_path):
    err = error_of(write(tmp_path, "a.toml", 'extends = "nowhere.toml"\n'))
    assert err.key == "extends" and "nowhere.toml" in str(err)


@pytest.mark.parametrize("target", [".", ""])
def test_extends_a_directory_names_the_referring_file(tmp_path, target):
    err = error_of(write(tmp_path, "a.toml", f'extends = "{target}"\n'))
    assert err.key == "extends" and err.file.endswith("a.toml")


def test_a_bad_parent_is_reported_in_the_parent(tmp_path):
    (tmp_path / "deep").mkdir()
    write(
        tmp_path, "deep/parent.toml", 'name = "p"\n[role_mix]\nnetworking = 0.1\noperations = 0.5\n'
    )
    err = error_of(write(tmp_path, "child.toml", 'extends = "deep/parent.toml"\n'))
    assert err.file.endswith("parent.toml") and err.key == "[role_mix]"


@pytest.mark.parametrize(
    ("excess", "accepted"), [(ROLE_SUM_TOLERANCE / 2, True), (ROLE_SUM_TOLERANCE * 2, False)]
)
def test_the_role_sum_tolerance_is_the_stated_one(tmp_path, excess, accepted):
    mix = "networking = 0.2\ncapacity_building = 0.2\nissue_positioning = 0.2\n"
    mix += f"structuring = 0.1\nalignment = 0.1\noperations = {0.2 + excess!r}\n"
    path = write(tmp_path, "mix.toml", 'name = "mix"\n[role_mix]\n' + mix)
    if accepted:
        assert load_scenario(path).params.role_mix.operations > 0.2
    else:
        assert error_of(path).key == "[role_mix]"


# --------------------------------------------------------------------------- bad input


BAD = [
    ("unknown key", "[turnover]\nlocal_anual = 0.3\n", "[turnover] local_anual", "local_annual"),
    ("unknown section", "[turnvoer]\nlocal_annual = 0.3\n", "turnvoer", "'turnover'"),
    ("field at top level", "local_annual = 0.3\n", "local_annual", "[turnover]"),
    (
        "bool is not a number",
        "[turnover]\nlocal_annual = true\n",
        "[turnover] local_annual",
        "true",
    ),
    ("string is not a number", '[funding]\nbase = "high"\n', "[funding] base", '"high"'),
    ("float for an integer", "[structure]\nregions = 2.5\n", "[structure] regions", "integer"),
    ("out of range", "[turnover]\nlocal_annual = 1.5\n", "[turnover] local_annual", "[0, 1]"),
    ("below range", "[structure]\nlocal_committees = 0\n", "[structure] local_committees", "[1"),
    ("not a bool", "[recognition]\nenabled = 1\n", "[recognition] enabled", "true or false"),
    ("bad mode", '[role_mode]\nalignment = "imposed"\n', "[role_mode] alignment", "'impose'"),
    (
        "shares not summing",
        'name = "m"\n[role_mix]\nnetworking = 0.5\noperations = 0.6\n',
        "[role_mix]",
        f"{ROLE_SUM_TOLERANCE:g}",
    ),
    (
        "roles over 1",
        'name = "m"\n[role_mix]\nnetworking = 0.95\n',
        "[role_mix]",
        f"{ROLE_SUM_TOLERANCE:g}",
    ),
    ("huge integer", "horizon = " + "9" * 400 + "\n", "horizon", "999"),
    ("huge mode", "[role_mode]\nalignment = " + "9" * 400 + "\n", "[role_mode] alignment", "999"),
    ("a path as name", 'name = "../elsewhere"\n', "name", "'_'"),
    (
        "event after horizon",
        'name = "h"\nhorizon = 24\n[[events]]\nmonth = 24\nkind = "funding_cut"\nshare = 0.5\n',
        "[[events]] #1 month",
        "[0, 23]",
    ),
    (
        "event before month 0",
        '[[events]]\nmonth = -1\nkind = "funding_cut"\nshare = 0.5\n',
        "[[events]] #1 month",
        "-1",
    ),
    (
        "unknown event kind",
        '[[events]]\nmonth = 1\nkind = "fundng_cut"\nshare = 0.5\n',
        "[[events]] #1 kind",
        "'funding_cut'",
    ),
    (
        "unknown level",
        '[[events]]\nmonth = 1\nkind = "turnover_wave"\nlevel = "locl"\nshare = 0.5\n',
        "[[events]] #1 level",
        "'local'",
    ),
    (
        "set of unknown parameter",
        '[[events]]\nmonth = 1\nkind = "set"\nvalues = { turnover.local_anual = 0.3 }\n',
        '[[events]] #1 values."turnover.local_anual"',
        "'turnover.local_annual'",
    ),
    (
        "set out of range",
        '[[events]]\nmonth = 1\nkind = "set"\nvalues = { "funding.base" = 3.0 }\n',
        '[[events]] #1 values."funding.base"',
        "[0, 2]",
    ),
    (
        "role_mix event over 1",
        'name = "r"\n[[events]]\nmonth = 1\nkind = "role_mix"\nvalues = { networking = 0.9 }\n',
        "[[events]] #1 values",
        "1e-06",
    ),
    ("horizon zero", "horizon = 0\n", "horizon", "[1, 1200]"),
    ("bad events_mode", 'events_mode = "merge"\n', "events_mode", '"append"'),
]


@pytest.mark.parametrize(("case", "text", "key", "detail"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_file_and_key(tmp_path, case, text, key, detail):
    path = write(tmp_path, "bad.toml", text)
    err = error_of(path)
    message = str(err)
    assert err.file == path
    assert err.key == key
    assert message.startswith(f"{path}: {key}: expected ")
    assert detail in message
    assert "\n" not in message


def test_missing_file(tmp_path):
    path = str(tmp_path / "nothere.toml")
    err = error_of(path)
    assert err.file == path and "no such file" in str(err)


def test_unknown_bundled_name_suggests_the_closest():
    err = error_of("basline")
    assert "did you mean 'baseline'?" in str(err)


def test_toml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "bad.toml", 'name = "x"\n\n[turnover\nlocal_annual = 1\n')
    err = error_of(path)
    assert err.key == "line 3"
    assert str(err).startswith(f"{path}: line 3: expected valid TOML")


def test_unreadable_file(tmp_path):
    err = error_of(str(tmp_path))
    assert err.file == str(tmp_path)


def test_error_pickles():
    err = InputError("f.toml", "[a] b", "a number", 1.5, hint="did you mean 'c'?")
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err)


# --------------------------------------------------------------------------- overrides


def test_with_overrides_changes_only_what_it_names():
    base = load_scenario("baseline")
    new = base.with_overrides(
        {"turnover.local_annual": 0.5, "structure.local_committees": 12.0, "horizon": 60}
    )
    assert new.params.turnover.local_annual == 0.5
    assert new.structure.local_committees == 12 and isinstance(new.structure.local_committees, int)
    assert new.horizon == 60
    assert new.params.turnover.sectoral_annual == base.params.turnover.sectoral_annual
    assert base.params.turnover.local_annual == 0.25


def test_with_overrides_role_share_rebalances_operations():
    new = load_scenario("baseline").with_overrides({"role_mix.networking": 0.3})
    assert new.params.role_mix.operations == pytest.approx(0.2)
    with pytest.raises(InputError, match="role_mix"):
        load_scenario("baseline").with_overrides({"role_mix.networking": 0.9})


def test_with_overrides_rejects_unknown_and_bad_values():
    base = load_scenario("baseline")
    with pytest.raises(InputError, match="did you mean 'turnover.local_annual'"):
        base.with_overrides({"turnover.local_anual": 0.3})
    with pytest.raises(InputError, match=r"\[turnover\] local_annual"):
        base.with_overrides({"turnover.local_annual": 1.5})
    with pytest.raises(InputError, match=r"\[structure\] regions"):
        base.with_overrides({"structure.regions": 2.5})
    with pytest.raises(InputError, match=r"\[\[events\]\] #1 month"):
        load_scenario("austerity").with_overrides({"horizon": 30})


def test_to_dict_round_trips():
    for name in BUNDLED:
        scenario = load_scenario(name)
        again = validate_scenario_dict(json.loads(json.dumps(scenario.to_dict())), file="x.json")
        assert again == scenario


def test_parameter_names_cover_every_field():
    names = parameter_names()
    assert "horizon" in names and "turnover.local_annual" in names
    assert len(names) == 1 + sum(
        len(dataclasses.fields(c)) for c in (Structure, *SECTIONS.values())
    )
    assert parameter_info("turnover.local_annual").range == (0.0, 1.0)


# --------------------------------------------------------------------------- properties

_RANGED = [
    n
    for n in parameter_names()
    if n != "horizon" and not n.startswith(("role_mix.", "role_mode.")) and parameter_info(n).range
]


def _value(name: str, draw_fraction: float) -> float | int:
    """A value inside the range of ``name``, at ``draw_fraction`` of the way up."""
    info = parameter_info(name)
    lo, hi = info.range
    if info.integer:
        return int(lo + round(draw_fraction * (hi - lo)))
    return lo + draw_fraction * (hi - lo)


@st.composite
def valid_overrides(draw) -> dict:
    names = draw(st.lists(st.sampled_from(_RANGED), unique=True, max_size=8))
    fractions = st.floats(0.0, 1.0, allow_nan=False)
    out = {n: _value(n, draw(fractions)) for n in names}
    if draw(st.booleans()):
        weights = draw(st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6))
        weights[-1] += 1e-3  # never all zero
        total = sum(weights)
        keys = (*ROLES, "operations")
        out.update({f"role_mix.{r}": w / total for r, w in zip(keys, weights, strict=True)})
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_overrides())
def test_random_valid_overrides_make_valid_scenarios(overrides):
    scenario = load_scenario("baseline").with_overrides(overrides)
    assert isinstance(scenario, Scenario)
    for name, value in overrides.items():
        section, _, field = name.partition(".")
        holder = scenario.structure if section == "structure" else getattr(scenario.params, section)
        assert getattr(holder, field) == pytest.approx(value, abs=1e-12)
    assert math.isclose(sum(dataclasses.astuple(scenario.params.role_mix)), 1.0, abs_tol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(_RANGED),
    st.booleans(),
    st.floats(1e-3, 1e6, allow_nan=False, allow_infinity=False),
)
def test_random_out_of_range_overrides_are_rejected(name, above, distance):
    lo, hi = parameter_info(name).range
    value = hi + distance if above else lo - distance
    if parameter_info(name).integer:
        value = math.floor(value) if not above else math.ceil(value)
        if lo <= value <= hi:
            return
    with pytest.raises(InputError) as info:
        load_scenario("baseline").with_overrides({name: value})
    section, _, field = name.partition(".")
    assert f"[{section}] {field}" in str(info.value)


def test_defaults_toml_is_a_valid_scenario_of_the_defaults(tmp_path):
    path = write(tmp_path, "defaults.toml", defaults_toml())
    scenario = load_scenario(path)
    assert scenario.params == Parameters() and scenario.structure == Structure()


def test_an_election_without_a_share_follows_the_run_s_replacement_rate(tmp_path):
    from concertsim.simulate import run_scenario

    path = tmp_path / "vote.toml"
    path.write_text(
        'name = "vote"\nextends = "baseline"\n[turnover]\nelection_first = 0\n'
        '[[events]]\nmonth = 12\nkind = "election"\n'
    )
    scenario = load_scenario(path)
    assert scenario.events[0].share is None
    assert "share" not in scenario.to_dict()["events"][0]

    def tenure_reset(rate):
        run = run_scenario(
            scenario.with_overrides({"turnover.election_replacement": rate}),
            replicates=3,
            seed=1,
            months=14,
        )
        lead = run.series[(run.series.variable == "leadership") & (run.series.level == "local")]
        by_month = lead.groupby("month")["value"].mean()
        return by_month[12] - by_month[13]

    assert tenure_reset(1.0) > tenure_reset(0.0) + 0.1


def test_a_set_event_of_a_parameter_read_at_month_0_only_is_refused_when_loaded(tmp_path):
    path = write(
        tmp_path,
        "s.toml",
        'name = "s"\n[[events]]\nmonth = 12\nkind = "set"\n'
        'values = { "credibility.initial" = 0.9 }\n',
    )
    err = error_of(path)
    assert err.key == '[[events]] #1 values."credibility.initial"' and "month 0 only" in str(err)


def test_an_event_takes_a_dict_of_values_and_is_checked_like_a_file():
    from concertsim.config import validate_event
    from concertsim.params import Event

    event = Event(month=24, kind="set", values={"turnover.local_annual": 0.3})
    assert validate_event(event) == event and hash(event) == hash(validate_event(event))
    with pytest.raises(InputError, match=r"did you mean 'turnover.local_annual'"):
        validate_event(Event(24, "set", values={"turnover.local_anual": 0.3}))


def test_an_empty_scenario_file_is_refused(tmp_path):
    err = error_of(write(tmp_path, "empty.toml", ""))
    assert err.key == "name" and "an empty file" in str(err)


def test_a_name_from_the_file_name_is_checked_like_a_written_one(tmp_path):
    """``..toml`` would name its results ``.`` (the results folder itself): refused."""
    bad = tmp_path / "..toml"
    bad.write_text('extends = "baseline"\n')
    with pytest.raises(InputError, match="name: expected a name"):
        load_scenario(bad)
    accented = tmp_path / "coupe_démo.toml"
    accented.write_text('extends = "baseline"\n')
    assert load_scenario(accented).name == "coupe_démo"


def test_a_folder_named_like_a_bundled_scenario_does_not_hide_it(tmp_path, monkeypatch):
    """In ``results/``, ``concertsim run baseline`` still means the bundled scenario."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").mkdir()
    assert load_scenario("baseline").name == "baseline"
