"""The bundled notebooks run top to bottom (their code cells, in a fresh interpreter)."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.slow  # a fresh interpreter runs every code cell
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path):
    cells = json.loads(path.read_text())["cells"]
    code = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    script = tmp_path / "notebook.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]


REQUIRED_CELL_KEYS = {"markdown": {"cell_type", "metadata", "source"}}
REQUIRED_CELL_KEYS["code"] = REQUIRED_CELL_KEYS["markdown"] | {"outputs", "execution_count"}


def _imports(code: str) -> list[tuple[str, list[str]]]:
    """(module, names) of every import statement of ``code``."""
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom):
            found.append((node.module or "", [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
    return found


def test_there_is_a_notebook():
    """The quickstart exists, is a valid nbformat-4 notebook, and uses the public API alone."""
    import concertsim

    assert "quickstart.ipynb" in [p.name for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["nbformat"] == 4 and isinstance(nb["metadata"], dict), path.name
        assert nb["cells"], path.name
        for cell in nb["cells"]:
            assert REQUIRED_CELL_KEYS[cell["cell_type"]] <= set(cell), (path.name, cell)
            assert isinstance(cell["source"], list | str)
        code = "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        for module, names in _imports(code):
            if module.split(".")[0] != "concertsim":
                continue
            assert module == "concertsim", f"{path.name} imports {module}: use `from concertsim`"
            missing = set(names) - set(concertsim.__all__)
            assert not missing, f"{path.name} imports {missing}, not in concertsim.__all__"
