"""What every refused command must look like, shared by the hostile corpora and the CLI tests.

A refused command exits 2 with one line ``concertsim: error: ...`` on stderr, no traceback,
within :data:`LIMIT_SECONDS`, and the folder it was given is left as it was (:func:`tree`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = [
    "GOOD_EXPERIMENT",
    "LIMIT_SECONDS",
    "cli",
    "assert_input_error",
    "tree",
    "materialise",
    "assert_refused",
]

LIMIT_SECONDS = 10.0
"""A refusal comes at once: no hang, no run started."""

GOOD_EXPERIMENT = """
[experiment]
model = "ishigami"
replicates = 2
seed = 3
[design]
kind = "lhs"
n = 8
[parameters]
x1 = { bounds = [-3, 3] }
x2 = { bounds = [-3, 3] }
x3 = { bounds = [-3, 3] }
"""
"""A valid experiment (the Ishigami test function, no model runs): cases spoil one key of it."""


def tree(root: Path) -> dict[str, bytes]:
    """Every entry under ``root`` with its content (directories ``/``, FIFOs ``|``)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_fifo() or path.is_dir():
            out[str(path.relative_to(root))] = b"|" if path.is_fifo() else b"/"
        else:
            out[str(path.relative_to(root))] = path.read_bytes()
    return out


def materialise(tmp_path: Path, argv: list[str], files: dict) -> list[str]:
    """Write a case's files into ``tmp_path`` and put its path in place of ``{d}`` in argv."""
    for name, text in files.items():
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (tmp_path / name).write_bytes(data)
    return [a.replace("{d}", str(tmp_path)) for a in argv]


def assert_refused(code: int | None, err: str, seconds: float) -> None:
    """Exit 2, one ``concertsim: error:`` line, no traceback, in time."""
    assert code == 2, err
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    assert lines[0].startswith("concertsim: error: "), err
    assert seconds < LIMIT_SECONDS, f"{seconds:.1f} s"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m concertsim ARGS`` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "concertsim", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def assert_input_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit code 2, one line on stderr starting ``concertsim: error:``, no traceback."""
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("concertsim: error: ")
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]
