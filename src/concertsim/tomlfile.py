"""Reading a TOML file safely: a regular UTF-8 file of bounded size, errors in one line.

What every input file goes through (scenarios, experiments, pattern books): it must exist,
be a regular file (not a directory, FIFO, socket or device, which could hang or never end),
be at most :data:`concertsim.limits.MAX_FILE_BYTES`, decode as UTF-8 (a byte-order mark is
allowed) and parse as TOML; each failure is one :class:`~concertsim.errors.InputError`.

Example:
    >>> parse_toml('name = "x"', "f.toml")
    {'name': 'x'}
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from concertsim.errors import InputError, verbatim
from concertsim.limits import MAX_FILE_BYTES

__all__ = ["read_toml", "parse_toml", "display_path"]

_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_toml(path: str | Path, *, what: str = "scenario file") -> dict[str, Any]:
    """Read one TOML file safely: a regular UTF-8 file of at most :data:`MAX_FILE_BYTES`.

    Args:
        path: the file, named in errors as given.
        what: what the file should be, for messages (``"experiment file"``).

    Raises:
        InputError: missing, not a regular file, too large, unreadable, not UTF-8, not TOML.

    Example:
        >>> read_toml("/nonexistent.toml")
        Traceback (most recent call last):
        ...
        concertsim.errors.InputError: /nonexistent.toml: expected an existing scenario file, got no such file
    """  # noqa: E501
    file = str(path)
    try:  # non-blocking: a FIFO put in the file's place cannot hang the open
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(file, "", f"an existing {what}", verbatim("no such file")) from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise InputError(file, "", f"a readable {what}", verbatim(reason.lower())) from None
    limit = f"a {what} of at most {MAX_FILE_BYTES // (1 << 20)} MiB"
    try:
        info = os.fstat(fd)
        mode, size = info.st_mode, info.st_size
        kind = next((k for test, k in _FILE_KINDS if test(mode)), None)
        if kind or not stat.S_ISREG(mode):
            raise InputError(file, "", f"a {what}", verbatim(kind or "not a regular file"))
        if size > MAX_FILE_BYTES:
            raise InputError(file, "", limit, verbatim(f"{size:,} bytes"))
        data = os.read(fd, MAX_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(file, "", f"a readable {what}", verbatim(reason.lower())) from None
    finally:
        os.close(fd)
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark, as some editors write, is fine
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        got = verbatim(f"undecodable bytes at line {line}")
        raise InputError(file, "", "a UTF-8 TOML file", got) from None
    return parse_toml(text, file)


def parse_toml(text: str, file: str) -> dict[str, Any]:
    """Parse TOML text; every failure is an :class:`InputError` naming ``file`` and the line.

    Example:
        >>> parse_toml("a = 1", "f.toml")
        {'a': 1}
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        where = f"line {match.group(1)}" if match else "syntax"
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        if match:
            reason += f" (column {match.group(2)})"
        raise InputError(file, where, "valid TOML", verbatim(reason)) from None
    except RecursionError:
        raise InputError(file, "syntax", "valid TOML", verbatim("nesting too deep")) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        reason = " ".join(str(exc).split())[:80]
        raise InputError(file, "syntax", "valid TOML", verbatim(reason)) from None


def display_path(path: Path | str) -> str:
    """A path as short as possible for messages: relative to the working directory if inside.

    Example:
        >>> display_path(Path.cwd() / "nowhere" / "x.toml") == str(Path("nowhere/x.toml"))
        True
    """
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(p)
