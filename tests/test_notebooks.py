"""Every notebook of notebooks/ runs in a real Jupyter kernel, and its committed outputs are
the ones the current code gives.

Notebooks are committed with their outputs so that they read on GitHub. Each is run here
top to bottom in a fresh ``python3`` kernel (nbclient, as Jupyter runs it: widgets,
``display``, inline figures), in its own folder; then its text outputs (printed lines,
tables, the kinds of pictures) are compared with the committed ones. A change of the model
that moves a notebook's numbers fails here until ``make notebooks`` refreshes it.
"""

from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))


def _executor():
    """notebooks/execute.py, the script that refreshes the committed outputs."""
    spec = importlib.util.spec_from_file_location("notebook_execute", FOLDER / "execute.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXECUTE = _executor()


def test_the_bundled_notebooks_are_there():
    """The tests below run every notebook of the folder (a glob, not a list to keep up)."""
    assert {"quickstart.ipynb", "trainer.ipynb"} <= {p.name for p in NOTEBOOKS}
    assert EXECUTE.notebooks() == NOTEBOOKS, "make notebooks refreshes the ones tested"


@pytest.mark.slow  # a Jupyter kernel per notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_a_kernel_and_its_outputs_are_current(path):
    import nbformat

    committed = nbformat.read(path, as_version=4)
    executed = EXECUTE.execute(path)  # raises CellExecutionError with the cell's traceback
    fresh, saved = EXECUTE.text_outputs(executed), EXECUTE.text_outputs(committed)
    for i, (now, then) in enumerate(zip(fresh, saved, strict=True)):
        assert now == then, (
            f"{path.name}, code cell {i + 1}: the committed outputs are stale; "
            "run `make notebooks` and commit the notebooks"
        )


def test_text_outputs_see_what_a_reader_sees():
    """The comparison catches a changed number, ignores what is not the code's doing."""
    import nbformat

    def cell(*outputs):
        return nbformat.v4.new_code_cell("x", outputs=[nbformat.from_dict(o) for o in outputs])

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cell(
            {"output_type": "stream", "name": "stdout", "text": "stability 0."},
            {"output_type": "stream", "name": "stdout", "text": "52\n"},
        ),
        cell(
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"text/plain": "<Figure at 0x7f00aa>", "image/png": "AAAA"},
            },
            {
                "output_type": "execute_result",
                "execution_count": 1,
                "metadata": {},
                "data": {
                    "text/plain": "interactive(...)",
                    EXECUTE.WIDGET: {"model_id": "5f1e", "version_major": 2, "version_minor": 0},
                },
            },
        ),
    ]
    assert EXECUTE.text_outputs(nb) == [
        ["stdout: stability 0.52\n"],
        ["<Figure at 0x…> [image/png]"],
    ]
    changed = nbformat.from_dict(json.loads(json.dumps(nb)))
    changed.cells[0].outputs[1].text = "53\n"
    assert EXECUTE.text_outputs(changed) != EXECUTE.text_outputs(nb)


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_with_outputs_and_uses_the_public_api(path):
    """A valid nbformat-4 notebook, every code cell run in order, public names only.

    Public: ``concertsim.__all__``, or a name in the ``__all__`` of a public module
    (no leading underscore), such as :mod:`concertsim.plots` for the figure style.
    """
    import importlib

    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4 and isinstance(nb["metadata"], dict), path.name
    assert nb["cells"], path.name
    counts = []
    for cell in nb["cells"]:
        assert REQUIRED_CELL_KEYS[cell["cell_type"]] <= set(cell), (path.name, cell)
        assert isinstance(cell["source"], list | str)
        if cell["cell_type"] == "code" and "".join(cell["source"]).strip():
            counts.append(cell["execution_count"])
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name} is not committed as run top to bottom: run `make notebooks`"
    )
    code = "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    for module, names in _imports(code):
        parts = module.split(".")
        if parts[0] != "concertsim":
            continue
        assert not any(p.startswith("_") for p in parts), f"{path.name} imports {module}"
        exported = set(getattr(importlib.import_module(module), "__all__", ()))
        missing = set(names) - exported
        assert not missing, f"{path.name} imports {missing}, not in {module}.__all__"
