"""What the hostile-input tests check of every refusal, shared by tests/test_hostile*.py.

A refused command exits 2 with one line ``concertsim: error: ...`` on stderr, no traceback,
within :data:`LIMIT_SECONDS`, and the folder it was given is left as it was (:func:`tree`).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["LIMIT_SECONDS", "tree", "materialise", "assert_refused"]

LIMIT_SECONDS = 10.0
"""A refusal comes at once: no hang, no run started."""


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
