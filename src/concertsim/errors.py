"""Errors in what a user gave concertsim: scenario files, experiment files, command-line values.

An :class:`InputError` always names the file and the key at fault and says what was
expected, in one line, so that the command line can print it without a traceback.

Example:
    >>> err = InputError("scenarios/x.toml", "[turnover] local_annual", "a number in [0, 1]", 1.5)
    >>> str(err)
    'scenarios/x.toml: [turnover] local_annual: expected a number in [0, 1], got 1.5'
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["InputError", "show_value", "verbatim", "writing_results"]

_MAX_SHOWN = 60
"""Longest rendering of a bad value in a message, in characters."""


def show_value(value: Any) -> str:
    """Render a value the way a TOML author would write it, shortened to one line.

    Args:
        value: any value read from a file or the command line.

    Returns:
        ``true``/``false`` for booleans, a quoted string for strings, the number for
        numbers, ``a table`` or ``an array`` for containers.
    """
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        text = repr(value)
    elif isinstance(value, int) and value.bit_length() > 10_000:  # str() refuses > 4300 digits
        digits = int(value.bit_length() * 0.30103) + 1
        text = f"{'-' if value < 0 else ''}an integer of about {digits} digits"
    elif isinstance(value, dict):
        text = "a table"
    elif isinstance(value, list | tuple):
        text = "an array"
    else:
        text = str(value)
    text = " ".join(text.split())
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 3] + "..."
    return text


class InputError(ValueError):
    """Bad user input, found before anything runs (a ``ValueError``, for callers catching those).

    Attributes:
        file: the file at fault (as the user named it), or a label such as ``"--set"``.
        key: the key at fault, e.g. ``"[turnover] local_annual"`` or ``"line 12"``.
        expected: what a valid value looks like, e.g. ``"a number in [0, 1]"``.
        got: what was found (already a value; rendered by :func:`show_value`), or ``None``.
        hint: an optional suggestion, e.g. ``"did you mean 'local_annual'?"``.
    """

    _NOTHING = object()

    def __init__(
        self,
        file: str,
        key: str,
        expected: str,
        got: Any = _NOTHING,
        *,
        hint: str | None = None,
    ) -> None:
        self.file = str(file)
        self.key = key
        self.expected = expected
        self.has_got = got is not InputError._NOTHING
        self.got = got if self.has_got else None
        self.hint = hint
        super().__init__(self.message())

    def message(self) -> str:
        """The one-line message: ``file: key: expected ..., got ...; hint``."""
        parts = [self.file]
        if self.key:
            parts.append(self.key)
        text = f"expected {self.expected}"
        if self.has_got:
            got = self.got if isinstance(self.got, _Verbatim) else show_value(self.got)
            text += f", got {got}"
        if self.hint:
            text += f"; {self.hint}"
        parts.append(text)
        return " ".join(": ".join(parts).splitlines())

    def __str__(self) -> str:
        return self.message()

    def __reduce__(self):  # keeps the error picklable across process pools
        got = self.got if self.has_got else InputError._NOTHING
        return (_rebuild, (self.file, self.key, self.expected, got, self.has_got, self.hint))


class _Verbatim(str):
    """A ``got`` text shown as is (not quoted), e.g. ``no such file``."""


def _rebuild(file, key, expected, got, has_got, hint):  # pragma: no cover - pickling helper
    if not has_got:
        return InputError(file, key, expected, hint=hint)
    return InputError(file, key, expected, got, hint=hint)


def verbatim(text: str) -> str:
    """Mark a ``got`` text to be shown without quotes (a description, not a value)."""
    return _Verbatim(text)


@contextmanager
def writing_results(out: str | Path) -> Iterator[None]:
    """Turn a failure to write a command's results into the one-line error of ``--out``.

    The results are written atomically, so nothing that existed was lost; a full disk or a
    folder without write permission is the user's to fix. ``FileExistsError`` (a concurrent
    writer) and ``BrokenPipeError`` keep their own handling upstream.

    Example:
        >>> with writing_results("/x"):
        ...     raise PermissionError("permission denied")
        Traceback (most recent call last):
        concertsim.errors.InputError: --out: /x: expected a directory the results can be \
written to, got permission denied
    """
    try:
        yield
    except (OSError, RuntimeError) as exc:
        if isinstance(exc, FileExistsError | BrokenPipeError):
            raise
        raise InputError(
            "--out", str(out), "a directory the results can be written to", verbatim(str(exc))
        ) from None
