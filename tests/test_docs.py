"""docs/odd.md stays in step with the code: parameters, code references, tests, mechanisms."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from concertsim import docs

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "odd.md"
MECHANISMS = [f"M{i}" for i in range(1, 16)]

CODE_REF = re.compile(r"`(concertsim(?:\.[A-Za-z_]\w*)+)`")
TEST_REF = re.compile(r"(tests/[\w/]+\.py)::(\w+)")


def _odd() -> str:
    return ODD.read_text(encoding="utf-8")


def _resolve(dotted: str) -> object:
    """Import the longest importable module prefix of ``dotted``, then getattr the rest."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)  # AttributeError: the reference is stale
        return obj
    raise ModuleNotFoundError(dotted)


def _traceability_section(text: str) -> str:
    start = text.index("## 9 Traceability")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else None]


def _test_functions(path: Path) -> set[str]:
    """Names of the module-level functions and test-class methods defined in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(
                f.name for f in node.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return names


def test_parameter_tables_match_the_code():
    text = _odd()
    assert docs.START in text and docs.END in text, "parameter markers missing in docs/odd.md"
    block = text[text.index(docs.START) + len(docs.START) : text.index(docs.END)]
    assert block == "\n" + docs.parameter_tables_markdown(), (
        "docs/odd.md parameter tables are out of date with src/concertsim/params.py: "
        "run `python -m concertsim.docs` and commit docs/odd.md"
    )


def test_every_parameter_is_in_the_tables():
    import dataclasses

    tables = docs.parameter_tables_markdown()
    for section, cls in docs.scenario_sections().items():
        for f in dataclasses.fields(cls):
            assert f"| `{section}.{f.name}` |" in tables


@pytest.mark.slow
def test_the_readme_table_of_scenario_results_is_current():
    """The README's figures come from the model as it is (regenerate: python -m concertsim.docs)."""
    readme = docs.README_PATH.read_text(encoding="utf-8")
    assert docs.scenario_table_markdown() in readme


def test_every_pattern_of_the_book_is_in_the_odd():
    """ODD section 9.1 is the book as it stands (regenerate: python -m concertsim.docs)."""
    from concertsim.patterns import load_patterns

    text = _odd()
    assert docs.pattern_book_markdown() in text
    for pattern in load_patterns():
        assert f"| `{pattern.id}` | {pattern.mechanism} |" in text


def test_replace_block_rewrites_only_the_block(tmp_path):
    doc = tmp_path / "odd.md"
    book = f"{docs.PATTERNS_START}\nold book\n{docs.PATTERNS_END}"
    doc.write_text(f"before\n{docs.START}\nstale\n{docs.END}\n{book}\nafter\n", encoding="utf-8")
    assert docs.update_odd(doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("before\n") and text.endswith(f"{docs.PATTERNS_END}\nafter\n")
    assert "stale" not in text and "| `turnover.local_annual` |" in text
    assert "old book" not in text and "| `turnover_threatens_durability` | M1 |" in text
    assert not docs.update_odd(doc)  # idempotent
    with pytest.raises(ValueError):
        docs.replace_block("no markers", "x")


CODE_REFS = sorted(set(CODE_REF.findall(_odd())))


MODEL_MODULES = (
    "concertsim.submodels.credibility",
    "concertsim.submodels.engagement",
    "concertsim.submodels.folding",
    "concertsim.submodels.funding",
    "concertsim.submodels.learning",
    "concertsim.submodels.networking",
    "concertsim.submodels.people",
    "concertsim.submodels.roles",
    "concertsim.submodels.turnover",
    "concertsim.init",
    "concertsim.outcomes",
)
"""Modules whose every public name is an equation, constant or outcome the ODD describes."""


def test_the_odd_names_code():
    """Every public name of the submodels, the initialisation and the outcomes is in the ODD."""
    named = set(CODE_REFS)
    missing = [
        f"{module}.{name}"
        for module in MODEL_MODULES
        for name in importlib.import_module(module).__all__
        if f"{module}.{name}" not in named
    ]
    assert not missing, f"public model code that docs/odd.md does not name: {missing}"


@pytest.mark.parametrize("dotted", CODE_REFS)
def test_code_reference_resolves(dotted):
    try:
        _resolve(dotted)
    except (ModuleNotFoundError, AttributeError) as exc:
        pytest.fail(f"docs/odd.md names `{dotted}`, which does not exist: {exc}")


TEST_REFS = sorted(set(TEST_REF.findall(_odd())))


@pytest.mark.parametrize(("path", "name"), TEST_REFS)
def test_named_test_exists(path, name):
    file = ROOT / path
    assert file.is_file(), f"docs/odd.md names {path}, which does not exist"
    assert name in _test_functions(file), f"docs/odd.md names {path}::{name}, not defined there"
    assert name.startswith("test_")


def test_traceability_table_covers_every_mechanism():
    section = _traceability_section(_odd())
    rows = {
        m.group(1): line
        for line in section.splitlines()
        if (m := re.match(r"\|\s*(M\d+)\s*\|", line))
    }
    missing = [m for m in MECHANISMS if m not in rows]
    assert not missing, f"mechanisms missing from the traceability table: {missing}"
    for mech, line in rows.items():
        assert CODE_REF.search(line), f"{mech}: no code named in its traceability row"
        assert TEST_REF.search(line), f"{mech}: no test named in its traceability row"


def test_all_seven_odd_elements_and_eleven_design_concepts():
    text = _odd()
    for heading in (
        "## 1 Purpose and patterns",
        "## 2 Entities, state variables and scales",
        "## 3 Process overview and scheduling",
        "## 4 Design concepts",
        "## 5 Initialisation",
        "## 6 Input data",
        "## 7 Submodels",
    ):
        assert heading in text, heading
    concepts = re.findall(r"^\*\*4\.(\d+) ", text, flags=re.M)
    assert sorted(map(int, concepts)) == list(range(1, 12))


def test_every_state_variable_is_described():
    import dataclasses

    from concertsim.state import State

    text = _odd()
    for f in dataclasses.fields(State):
        if f.name in ("month", "knowledge"):
            continue
        assert f"`{f.name}`" in text, f"State.{f.name} is not described in docs/odd.md"


def _qualified(fn) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def test_the_month_calls_the_declared_schedule_in_order(monkeypatch):
    """A month calls the functions of ``engine.SCHEDULE``, in that order and no others of them."""
    import numpy as np

    from concertsim import engine
    from concertsim.params import Parameters, Structure

    eng = engine.Engine(Structure(), [Parameters()], np.random.SeedSequence(1).spawn(1), (), 2)
    calls, depth = [], [0]

    def recorder(fn):
        def wrapped(*args, **kwargs):
            if depth[0] == 0:  # top-level calls only, not those one scheduled function makes
                calls.append(fn)
            depth[0] += 1
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1

        return wrapped

    for fn in set(engine.SCHEDULE):
        monkeypatch.setattr(importlib.import_module(fn.__module__), fn.__name__, recorder(fn))
    eng._month()
    assert [_qualified(f) for f in calls] == [_qualified(f) for f in engine.SCHEDULE]


def test_every_function_of_the_schedule_is_in_section_3():
    from concertsim import engine

    text = _odd()
    schedule = text[text.index("## 3 Process") : text.index("## 4 Design")]
    named = CODE_REF.findall(schedule)
    missing = [_qualified(f) for f in engine.SCHEDULE if _qualified(f) not in named]
    assert not missing, f"in engine.SCHEDULE but not named in docs/odd.md section 3: {missing}"
    order = [named.index(_qualified(f)) for f in dict.fromkeys(engine.SCHEDULE)]
    assert order == sorted(order), "section 3 names the schedule's functions out of order"
