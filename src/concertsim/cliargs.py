"""What every ``concertsim`` subcommand shares on the command line: the parser class and types.

Both :mod:`concertsim.cli` and :mod:`concertsim.experiment.cli` import this module (and not
each other), so that a bad option of any subcommand is one line
``concertsim: error: ...`` on stderr and exit code 2.

Example:
    >>> parse = integer_in(1, 10)
    >>> parse("3")
    3
    >>> parse("11")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected an integer in [1, 10], got 11
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Callable, Sequence
from typing import Any

from concertsim.errors import InputError

__all__ = ["EXIT_INPUT", "Parser", "integer_in", "share", "parse_value", "parse_assignments"]

EXIT_INPUT = 2
"""Exit code for bad input (as argparse uses for bad options)."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line ``concertsim: error: ...``, exit code 2.

    Pass it to ``add_subparsers(parser_class=Parser)`` so that subcommands say the same.
    """

    def error(self, message: str):
        text = " ".join(str(message).split())
        command = self.prog.split(" ", 1)[1] if " " in self.prog else ""
        where = f"{command}: " if command else ""
        self.exit(EXIT_INPUT, f"concertsim: error: {where}{text}\n")


def integer_in(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer in ``[minimum, maximum]`` (no maximum if ``None``).

    Example:
        >>> integer_in(0)("12")
        12
    """
    span = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an integer {span}, got {text[:40]!r}"
            ) from None
        if value < minimum or (maximum is not None and value > maximum):
            shown = str(value) if value.bit_length() < 128 else f"{text[:20]}..."
            raise argparse.ArgumentTypeError(f"expected an integer {span}, got {shown}")
        return value

    return parse


def share(text: str) -> float:
    """An argparse type: a number in (0, 1].

    Example:
        >>> share("0.9")
        0.9
    """
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text[:40]!r}")
    return value


def parse_value(text: str) -> Any:
    """A command-line value as TOML reads it; text that is not a TOML value stays text.

    Example:
        >>> parse_value("0.4"), parse_value("8"), parse_value("true"), parse_value("impose")
        (0.4, 8, True, 'impose')
    """
    if "\n" not in text and "\r" not in text and text.strip():
        try:
            doc = tomllib.loads(f"v = {text}")
        except (tomllib.TOMLDecodeError, RecursionError, ValueError):
            return text
        if list(doc) == ["v"]:
            return doc["v"]
    return text


def parse_assignments(items: Sequence[str], *, file: str = "--set") -> dict[str, Any]:
    """``["turnover.local_annual=0.4", ...]`` -> ``{"turnover.local_annual": 0.4, ...}``.

    Raises:
        InputError: an item is not ``KEY=VALUE``, or sets a key an earlier item set.

    Example:
        >>> parse_assignments(["turnover.local_annual=0.4", "recognition.enabled=true"])
        {'turnover.local_annual': 0.4, 'recognition.enabled': True}
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            expected_form = "KEY=VALUE, e.g. turnover.local_annual=0.4"
            raise InputError(file, item[:40], expected_form, item)
        if key.strip() in out:  # which would win is a guess: say so
            raise InputError(file, key.strip(), "each key set once", item)
        out[key.strip()] = parse_value(text.strip())
    return out
