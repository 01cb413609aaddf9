"""Run every notebook of this folder in a fresh Jupyter kernel and save it with its outputs.

The notebooks are committed with their outputs so they read on GitHub; after a change of
the model or of a notebook, refresh them with::

    make notebooks                    # or: python notebooks/execute.py [NOTEBOOK ...]

``tests/test_notebooks.py`` runs each notebook the same way (:func:`execute`) and compares
its text outputs with the committed ones (:func:`text_outputs`): a notebook whose numbers
no longer match the code fails the suite until it is refreshed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

__all__ = ["HERE", "notebooks", "execute", "text_outputs"]

HERE = Path(__file__).resolve().parent
"""The notebooks' folder: every ``*.ipynb`` in it is run and tested."""

WIDGET = "application/vnd.jupyter.widget-view+json"
"""A live widget's output: it holds a random model id and shows only in a running kernel."""

_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def notebooks() -> list[Path]:
    """Every notebook of the folder, by name."""
    return sorted(HERE.glob("*.ipynb"))


def execute(path: Path, timeout: int = 600):
    """Run ``path`` top to bottom in a new ``python3`` kernel, in an empty temporary folder.

    What a notebook writes (a comparison's result folder, say) goes to that folder and is
    removed after, never into the repository; notebooks read the bundled scenarios by name.
    Live widgets are kept as their text (their views hold random ids and show only in a
    running kernel), so a refresh changes a notebook only where its results change.

    Returns:
        The executed notebook (an ``nbformat.NotebookNode``); not written anywhere.

    Raises:
        nbclient.exceptions.CellExecutionError: a cell raised, with its traceback.
    """
    import tempfile

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="concertsim-notebook-") as cwd:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": cwd}},
            record_timing=False,  # no timestamps: a refresh changes only what changed
        )
        client.execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            out.get("data", {}).pop(WIDGET, None)
    return nb


def text_outputs(nb) -> list[list[str]]:
    """Per code cell, its outputs as text: streams, plain-text results and errors.

    Pictures count by their kind only (their bytes depend on the fonts and matplotlib's
    version), live widgets not at all; memory addresses are blanked.
    """
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        texts = []
        for out in cell.get("outputs", []):
            kind = out["output_type"]
            if kind == "stream":  # one print may come in several pieces: join them
                head = f"{out['name']}: "
                text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                if texts and texts[-1].startswith(head):
                    texts[-1] += text
                else:
                    texts.append(head + text)
            elif kind == "error":
                texts.append(f"error: {out['ename']}: {out['evalue']}")
            elif WIDGET not in out.get("data", {}):
                data = out.get("data", {})
                text = data.get("text/plain", "")
                text = "".join(text) if isinstance(text, list) else text
                images = sorted(k for k in data if k.startswith("image/"))
                texts.append(_ADDRESS.sub(" at 0x…", text) + "".join(f" [{k}]" for k in images))
        cells.append(texts)
    return cells


def main(argv: list[str]) -> int:
    """Execute and save the notebooks named in ``argv`` (default: all of them)."""
    import nbformat

    paths = [Path(a) for a in argv] or notebooks()
    for path in paths:
        print(f"executing {path.name} ...", flush=True)
        nb = execute(path)
        tmp = path.with_name(f".{path.name}.tmp")
        nbformat.write(nb, tmp)
        tmp.replace(path)  # whole or not at all
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
