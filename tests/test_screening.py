"""The screening (issue #8, "No inert mechanism") cannot go stale silently.

The experiment file that ``experiments/screening/screen.py`` generates is valid and covers
every behavioural parameter of the current code; the mechanisms TOML names only existing
parameters and all of M1-M15; ``docs/screening.md`` and ``docs/mechanisms.md`` list every
behavioural parameter and every mechanism. After the parameter set changes, regenerate them:

    PYTHONPATH=src python experiments/screening/screen.py --out results/screening
    PYTHONPATH=src python experiments/screening/mechanisms.py
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENING = ROOT / "experiments" / "screening"


def _load(name: str):
    sys.path.insert(0, str(SCREENING))
    try:
        key = name if name.startswith("screening_") else f"screening_{name}"
        if key in sys.modules:
            return sys.modules[key]
        spec = importlib.util.spec_from_file_location(key, SCREENING / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(SCREENING))


@pytest.fixture(scope="module")
def common():
    return _load("screening_common")


@pytest.fixture(scope="module")
def screen():
    return _load("screen")


@pytest.fixture(scope="module")
def mechanisms():
    return _load("mechanisms")


def test_behavioural_parameters_come_from_the_code(common):
    from concertsim import params

    names = {p.name for p in common.behavioural_parameters()}
    for section, cls in params.SECTIONS.items():
        fields = {f"{section}.{f}" for f in cls.__dataclass_fields__}
        if section in common.EXCLUDED_SECTIONS:
            assert not fields & names
        else:
            assert fields <= names


def test_generated_experiment_is_valid_and_covers_every_parameter(screen, common, tmp_path):
    from concertsim.experiment import load_experiment

    path = tmp_path / "screening.toml"
    path.write_text(screen.experiment_toml(trajectories=2, replicates=2, months=12))
    exp = load_experiment(path)
    varied = {p.name for p in exp.parameters}
    expected = {p.name for p in common.behavioural_parameters() if p.kind in ("int", "float")}
    assert varied == expected
    for p in common.behavioural_parameters():
        b = screen.bounds(p)
        if b is None:
            continue
        assert b[0] < b[1]
        if p.info.range:
            assert p.info.range[0] <= b[0] and b[1] <= p.info.range[1]
        assert b[0] <= p.default <= b[1], p.name


def test_committed_experiment_file_is_the_generated_one(screen, common):
    """The committed file describes the current code (regenerate with screen.py)."""
    from concertsim.experiment import load_experiment

    committed = load_experiment(screen.EXPERIMENT)
    expected = {p.name for p in common.behavioural_parameters() if p.kind in ("int", "float")}
    assert {p.name for p in committed.parameters} == expected


def test_mechanisms_toml_names_existing_parameters_and_every_mechanism(mechanisms, common):
    contrasts = mechanisms.load_contrasts()
    assert {c["mechanism"] for c in contrasts} == set(mechanisms.MECHANISMS)
    known = common.all_parameter_names()
    for c in contrasts:
        assert c.get("reason"), c
        names = [*c.get("scale", {}), *c.get("set", {})]
        assert names, c
        missing = [n for n in names if n not in known]
        assert not missing, f"{c['mechanism']}: no such parameter {missing}"


def test_contrasts_are_valid_overrides_of_the_baseline(mechanisms):
    from concertsim.scenario import load_scenario

    base = load_scenario("baseline")
    for c in mechanisms.load_contrasts():
        overrides, text, missing = mechanisms.resolve(c, base)
        assert overrides and not missing
        base.with_overrides(overrides)  # raises when out of range


def test_screening_doc_lists_every_behavioural_parameter(common):
    doc = (ROOT / "docs" / "screening.md").read_text()
    rows = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", doc, flags=re.M))
    assert rows == {p.name for p in common.behavioural_parameters()}, (
        "docs/screening.md is stale: run experiments/screening/screen.py"
    )


def test_mechanisms_doc_lists_every_mechanism(mechanisms):
    doc = (ROOT / "docs" / "mechanisms.md").read_text()
    summary = set(re.findall(r"^\| (M\d+) \| (?:yes|\*\*no\*\*) \|", doc, flags=re.M))
    assert summary == set(mechanisms.MECHANISMS), (
        "docs/mechanisms.md is stale: run experiments/screening/mechanisms.py"
    )


def test_a_removed_parameter_is_skipped_and_named(mechanisms):
    from concertsim.scenario import load_scenario

    contrast = {
        "mechanism": "M1",
        "scale": {"turnover.local_annual": 1.25, "turnover.no_such_thing": 2.0},
        "set": {"gone.section": 1},
        "reason": "test",
    }
    overrides, text, missing = mechanisms.resolve(contrast, load_scenario("baseline"))
    assert overrides == {"turnover.local_annual": 0.3125}
    assert missing == ["turnover.no_such_thing", "gone.section"]
