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


def test_replace_block_rewrites_only_the_block(tmp_path):
    doc = tmp_path / "odd.md"
    doc.write_text(f"before\n{docs.START}\nstale\n{docs.END}\nafter\n", encoding="utf-8")
    assert docs.update_odd(doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("before\n") and text.endswith(f"{docs.END}\nafter\n")
    assert "stale" not in text and "| `turnover.local_annual` |" in text
    assert not docs.update_odd(doc)  # idempotent
    with pytest.raises(ValueError):
        docs.replace_block("no markers", "x")


CODE_REFS = sorted(set(CODE_REF.findall(_odd())))


def test_the_odd_names_code():
    assert len(CODE_REFS) > 50


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


def test_every_submodel_step_of_the_month_is_in_the_schedule():
    """Every submodel function Engine._month calls is named in section 3."""
    import inspect

    from concertsim import engine

    source = inspect.getsource(engine.Engine._month)
    aliases = {"turnover_": "turnover"}
    called = set(
        re.findall(
            r"\b(turnover_|people|networking|learning|roles|engagement|"
            r"credibility|funding)\.(\w+)\(",
            source,
        )
    )
    text = _odd()
    schedule = text[text.index("## 3 Process") : text.index("## 4 Design")]
    for module, func in called:
        name = f"concertsim.submodels.{aliases.get(module, module)}.{func}"
        assert f"`{name}`" in schedule, f"{name} is called in Engine._month but not in section 3"
