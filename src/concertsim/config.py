"""One set of input rules: files, values, events and sizes, all derived from the metadata.

Everything a user gives concertsim -- a scenario file, an experiment file, ``--set
KEY=VALUE``, a live :class:`~concertsim.params.Event`, a design point -- is checked here
against the :class:`~concertsim.params.FieldInfo` metadata of the parameters (kind and
range), and every problem is one :class:`~concertsim.errors.InputError` naming the file,
the key and what was expected. :mod:`concertsim.scenario` and
:mod:`concertsim.experiment.spec` read their files with :func:`read_toml` (from
:mod:`concertsim.tomlfile`, re-exported here); the live
interventions and the scheduled events share :func:`validate_event`.

The limits of sizes (files, ``extends`` chains, runs, posts, person-months) are defined
once, in :mod:`concertsim.limits`.

Example:
    >>> rule = parameter_rule("turnover.local_annual")
    >>> coerce(rule, 0.3, file="x.toml", key="[turnover] local_annual")
    0.3
    >>> coerce(rule, True, file="x.toml", key="[turnover] local_annual")
    Traceback (most recent call last):
    ...
    concertsim.errors.InputError: x.toml: [turnover] local_annual: expected a number in [0, 1], got true
"""  # noqa: E501

from __future__ import annotations

import dataclasses
import difflib
import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from concertsim.errors import InputError, show_value, verbatim
from concertsim.params import (
    EVENT_KINDS,
    FIXED_AT_START,
    LEVELS,
    MODE_VALUES,
    SECTIONS,
    Event,
    FieldInfo,
    Structure,
)
from concertsim.tomlfile import display_path, parse_toml, read_toml

__all__ = [
    "DEFAULT_HORIZON",
    "HORIZON_INFO",
    "Rule",
    "RULES",
    "HORIZON_RULE",
    "suggest",
    "unknown_key",
    "expected",
    "coerce",
    "choice",
    "check_table",
    "parameter_names",
    "parameter_rule",
    "validate_event",
    "read_toml",
    "parse_toml",
    "display_path",
]

DEFAULT_HORIZON = 120
"""Months simulated when a scenario does not say."""

HORIZON_INFO = FieldInfo("months simulated", "months", (1.0, 1200.0), True)
"""The horizon is validated like a parameter."""


# --------------------------------------------------------------------------- words


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for the closest of ``choices``, or ``None``.

    Example:
        >>> suggest("local_anual", ["local_annual", "burnout"])
        "did you mean 'local_annual'?"
        >>> suggest("zzz", ["local_annual"]) is None
        True
    """
    match = difflib.get_close_matches(str(word)[:200], list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None


def unknown_key(
    file: str, key: str, what: str, word: Any, choices: Iterable[str], noun: str = "key"
) -> InputError:
    """The error for an unknown key (``noun``), with the closest valid one suggested.

    Example:
        >>> print(unknown_key("f.toml", "[t] local_anual", "a key of [t]", "local_anual",
        ...                   ["local_annual"]))
        f.toml: [t] local_anual: expected a key of [t], got unknown key "local_anual"; did you mean 'local_annual'?
    """  # noqa: E501
    shown = verbatim(f"unknown {noun} {show_value(word)}")
    return InputError(file, key, what, shown, hint=suggest(str(word), choices))


def _num(x: float) -> str:
    """A bound as a reader writes it: 0, 1, 0.25, 1200, 1000000."""
    if float(x).is_integer() and abs(x) < 1e16:
        return str(int(x))
    return f"{x:g}"


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """What one value accepts: its kind (``bool``, ``int``, ``float``, ``mode``, ``choice``)
    and metadata.

    A ``mode`` is ``"negotiate"`` (0), ``"impose"`` (1) or a number in [0, 1]. A ``choice``
    is one of the field's ``choices`` by name (a program may pass its index).

    Example:
        >>> RULES["structure"]["regions"].kind, RULES["role_mode"]["alignment"].kind
        ('int', 'mode')
    """

    kind: str
    info: FieldInfo


def _rule_of(field: dataclasses.Field, section: str) -> Rule:
    info = field.metadata["info"]
    if section == "role_mode":
        return Rule("mode", info)
    if info.choices:
        return Rule("choice", info)
    if isinstance(field.default, bool):
        return Rule("bool", info)
    return Rule("int" if info.integer else "float", info)


RULES: dict[str, dict[str, Rule]] = {
    section: {f.name: _rule_of(f, section) for f in dataclasses.fields(cls)}
    for section, cls in {"structure": Structure, **SECTIONS}.items()
}
"""Section -> field -> :class:`Rule`, for the structure and every parameter section."""

HORIZON_RULE = Rule("int", HORIZON_INFO)
"""The rule of ``horizon`` and ``--months``."""

_SHARE_RULE = Rule("float", FieldInfo("share of people, funding or seats", "-", (0.0, 1.0)))
_MONTH_RULE = Rule("int", FieldInfo("month of an event", "month", (0.0, math.inf), True))


def expected(rule: Rule) -> str:
    """What a valid value of ``rule`` looks like, in words.

    Example:
        >>> expected(parameter_rule("structure.regions"))
        'an integer in [1, 30]'
    """
    if rule.kind == "bool":
        return "true or false"
    if rule.kind == "mode":
        return '"negotiate", "impose" or a number in [0, 1]'
    if rule.kind == "choice":
        return "one of " + ", ".join(f'"{c}"' for c in rule.info.choices)
    noun = "an integer" if rule.kind == "int" else "a number"
    if rule.info.range is None:
        return noun
    lo, hi = rule.info.range
    if math.isinf(hi):
        return f"{noun} >= {_num(lo)}"
    return f"{noun} in [{_num(lo)}, {_num(hi)}]"


def _is_number(value: Any) -> bool:
    """A real number that is not a boolean (TOML ``true`` is not 1)."""
    if type(value) in (float, int):
        return True
    return isinstance(value, numbers.Real) and not _is_bool(value)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or type(value).__name__ == "bool_"


def _finite(value: Any) -> bool:
    """A number that converts to a finite float (TOML integers may be arbitrarily large)."""
    try:
        return _is_number(value) and math.isfinite(float(value))
    except (OverflowError, ValueError):
        return False


def coerce(rule: Rule, value: Any, *, file: str, key: str, lenient: bool = False) -> Any:
    """Check one value against its rule; return it as a plain Python value.

    Args:
        rule: the value's rule.
        value: the value read.
        file: the file (or label, such as ``--set``) named in errors.
        key: the key named in errors.
        lenient: accept what programs (not people) pass: numpy numbers, 12.0 for an
            integer, 0/1 for a boolean, a choice's index.

    Raises:
        InputError: wrong type, not finite, or out of range.

    Example:
        >>> coerce(parameter_rule("structure.regions"), 3.0, file="f", key="k", lenient=True)
        3
        >>> coerce(parameter_rule("role_mode.alignment"), "impose", file="f", key="k")
        1.0
        >>> coerce(parameter_rule("funding.rule"), 1.0, file="f", key="k", lenient=True)
        'incremental'
    """
    if rule.kind == "bool":
        if _is_bool(value):
            return bool(value)
        if lenient and _finite(value) and float(value) in (0.0, 1.0):
            return bool(value)
        raise InputError(file, key, expected(rule), value)
    if rule.kind == "choice":
        names = rule.info.choices
        if isinstance(value, str) and value in names:
            return value
        if lenient and _finite(value) and float(value) in range(len(names)):
            return names[int(value)]  # a sweep's design passes the index
        hint = suggest(value, names) if isinstance(value, str) else None
        raise InputError(file, key, expected(rule), value, hint=hint)
    if rule.kind == "mode" and isinstance(value, str):
        if value in MODE_VALUES:
            return float(MODE_VALUES[value])
        raise InputError(file, key, expected(rule), value, hint=suggest(value, MODE_VALUES))
    if not _finite(value):
        raise InputError(file, key, expected(rule), value)
    if rule.kind == "int":
        if not (isinstance(value, numbers.Integral) or (lenient and float(value).is_integer())):
            raise InputError(file, key, expected(rule), value)
        value = int(value)
    else:
        value = float(value)
    rng = rule.info.range if rule.kind != "mode" else (0.0, 1.0)
    if rng is not None and not rng[0] <= value <= rng[1]:
        raise InputError(file, key, expected(rule), value)
    return value


def choice(value: Any, choices: Sequence[str], *, file: str, key: str, noun: str = "") -> str:
    """``value`` must be one of ``choices``; the closest is suggested otherwise.

    Example:
        >>> choice("grid", ("grid", "lhs"), file="e.toml", key="[design] kind")
        'grid'
    """
    if isinstance(value, str) and value in choices:
        return value
    got = verbatim(f"unknown {noun} {show_value(value)}") if noun else value
    hint = suggest(str(value), choices)
    raise InputError(file, key, "one of " + ", ".join(choices), got, hint=hint)


def check_table(value: Any, *, file: str, key: str) -> dict:
    """``value`` must be a table (a dict); return it.

    Example:
        >>> check_table([1], file="f.toml", key="[turnover]")
        Traceback (most recent call last):
        ...
        concertsim.errors.InputError: f.toml: [turnover]: expected a table, got an array
    """
    if not isinstance(value, dict):
        raise InputError(file, key, "a table", value)
    return value


def parameter_names() -> tuple[str, ...]:
    """Every dotted name a scenario can be overridden with (``"horizon"`` included).

    Example:
        >>> "turnover.local_annual" in parameter_names()
        True
    """
    names = [f"{section}.{name}" for section, rules in RULES.items() for name in rules]
    return ("horizon", *names)


def parameter_rule(dotted: str) -> Rule:
    """The :class:`Rule` of a dotted name such as ``"turnover.local_annual"`` or ``"horizon"``.

    Raises:
        KeyError: the name is not a parameter.

    Example:
        >>> parameter_rule("horizon").kind
        'int'
    """
    if dotted == "horizon":
        return HORIZON_RULE
    section, _, name = dotted.partition(".")
    return RULES[section][name]


# --------------------------------------------------------------------------- events

_EVENT_LEVELS = (*LEVELS, "all")
_SHARE_KINDS = ("turnover_wave", "funding_cut", "election")
_SHARE_REQUIRED = ("turnover_wave", "funding_cut")
_VALUE_KINDS = ("role_mix", "role_mode", "set")
_PARAMETERS = tuple(f"{s}.{n}" for s, rules in RULES.items() if s in SECTIONS for n in rules)
_FIXED = tuple(n for n in _PARAMETERS if n.startswith(FIXED_AT_START))
_SETTABLE = tuple(n for n in _PARAMETERS if n not in _FIXED)


def _event_values(event: Event, *, file: str, key: str, lenient: bool) -> tuple:
    """The checked ``values`` of a ``role_mix``, ``role_mode`` or ``set`` event."""
    if not isinstance(event.values, tuple) or not all(
        isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in event.values
    ):
        raise InputError(file, key, "a table of names to values", event.values)
    if not event.values:
        raise InputError(file, key, f"a table of values for a {event.kind} event", verbatim("none"))
    out = []
    for name, value in event.values:
        if event.kind == "set":
            vkey = f'{key}."{name}"'
            if name in _FIXED:
                raise InputError(
                    file,
                    vkey,
                    "a parameter that can change after month 0 (role_mix and role_mode "
                    "events change the role mix and modes)",
                    verbatim(f"{show_value(name)}, read at month 0 only"),
                )
            if name not in _SETTABLE:
                what = "a parameter such as 'turnover.local_annual'"
                raise unknown_key(file, vkey, what, name, _SETTABLE, noun="parameter")
            rule = parameter_rule(name)
        else:
            vkey = f"{key}.{name}"
            section = "role_mix" if event.kind == "role_mix" else "role_mode"
            if name not in RULES[section]:
                what = f"a key of [{section}]"
                raise unknown_key(file, vkey, what, name, RULES[section], noun="role")
            rule = RULES[section][name]
        out.append((name, coerce(rule, value, file=file, key=vkey, lenient=lenient)))
    return tuple(out)


ROLE_SUM_TOLERANCE = 1e-6
"""How far from 1 the role shares and operations may sum (rounding in a file)."""


def check_role_total(total: float, *, file: str, key: str) -> None:
    """Refuse role shares that sum to more than 1 (operations take the remainder).

    The one rule for a scenario's ``[role_mix]``, a ``role_mix`` event in a file, and a live
    ``role_mix`` intervention (checked against the mix in force when it is applied).

    Example:
        >>> check_role_total(0.65, file="f.toml", key="[role_mix]")
        >>> check_role_total(1.89, file="event", key="values")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        concertsim.errors.InputError: event: values: expected role shares summing to at most 1 ...
    """
    if total > 1.0 + ROLE_SUM_TOLERANCE:
        raise InputError(
            file,
            key,
            f"role shares summing to at most 1 (within {ROLE_SUM_TOLERANCE:g}), "
            "operations taking the remainder",
            verbatim(f"roles summing to {total:.6g}"),
        )


def validate_event(
    event: Event,
    *,
    file: str = "event",
    where: str = "",
    horizon: int | None = None,
    lenient: bool = True,
) -> Event:
    """Check a scheduled or live intervention; return it with its values coerced.

    Args:
        event: the event (its ``values`` already normalised by :class:`Event`).
        file: the file (or label) named in errors.
        where: prefix of the keys named in errors, e.g. ``"[[events]] #2"``.
        horizon: if given, the month must be below it.
        lenient: see :func:`coerce`.

    Raises:
        InputError: an unknown kind, level, role or parameter (closest suggested), a
            missing or superfluous share or values, a value out of range, a ``set`` of a
            parameter read at month 0 only, or a month outside the horizon.

    Example:
        >>> validate_event(Event(24, "set", values={"turnover.local_annual": 0.3})).values
        (('turnover.local_annual', 0.3),)
    """

    def k(name: str) -> str:
        return f"{where} {name}".strip()

    kind = choice(event.kind, EVENT_KINDS, file=file, key=k("kind"), noun="kind")
    month = coerce(_MONTH_RULE, event.month, file=file, key=k("month"), lenient=lenient)
    if horizon is not None and month >= horizon:
        what = f"a month in [0, {horizon - 1}] (horizon {horizon})"
        raise InputError(file, k("month"), what, month)
    level = choice(event.level, _EVENT_LEVELS, file=file, key=k("level"), noun="level")
    share = event.share
    if share is None and kind in _SHARE_REQUIRED:
        what = f"a share in [0, 1] for a {kind} event"
        raise InputError(file, k("share"), what, verbatim("none"))
    if share is not None:
        if kind not in _SHARE_KINDS:
            raise InputError(file, k("share"), f"no share for a {kind} event", share)
        share = coerce(_SHARE_RULE, share, file=file, key=k("share"), lenient=lenient)
    values: tuple = ()
    if kind in _VALUE_KINDS:
        values = _event_values(event, file=file, key=k("values"), lenient=lenient)
    elif event.values:
        raise InputError(file, k("values"), f"no values for a {kind} event", verbatim("values"))
    return Event(month, kind, level, share, values)


# --------------------------------------------------------------------------- files
