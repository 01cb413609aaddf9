"""Scenarios: a structure, parameters, role mix and modes, a horizon and scheduled interventions.

A scenario is read from a TOML file and validated completely before anything runs. The
validation is driven by the :class:`~concertsim.params.FieldInfo` metadata of each
parameter (type, range), not by hand-written checks, so a new parameter in
:mod:`concertsim.params` is validated as soon as it exists.

File format (all keys optional except where said)::

    name = "high_turnover"                 # defaults to the file's stem
    description = "One line for `concertsim scenarios`."
    extends = "baseline.toml"              # relative to this file; overridden key by key
    horizon = 120                          # months
    events_mode = "replace"                # or "append": add to the parent's events

    [structure]                            # organisations and posts
    local_committees = 8

    [turnover]                             # any section of concertsim.params.Parameters
    local_annual = 0.45

    [role_mix]                             # five role shares + operations, summing to 1;
    networking = 0.2                       # operations omitted = the remainder

    [role_mode]                            # "negotiate", "impose" or a number in [0, 1]
    alignment = "impose"

    [[events]]                             # scheduled interventions, 0 <= month < horizon
    month = 36
    kind = "funding_cut"                   # one of concertsim.params.EVENT_KINDS
    share = 0.6

    [[events]]
    month = 18
    kind = "set"                           # dotted parameter names
    values = { "turnover.local_annual" = 0.3 }

Every error is an :class:`~concertsim.errors.InputError` naming the file and the key.

Example:
    >>> s = load_scenario("baseline")
    >>> s.params.turnover.local_annual
    0.25
    >>> s.with_overrides({"turnover.local_annual": 0.5}).params.turnover.local_annual
    0.5
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import numbers
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from concertsim.errors import InputError, show_value, verbatim
from concertsim.params import (
    EVENT_KINDS,
    LEVELS,
    MODE_VALUES,
    ROLES,
    SECTIONS,
    Event,
    FieldInfo,
    Parameters,
    RoleMix,
    Structure,
)

__all__ = [
    "Scenario",
    "load_scenario",
    "bundled_scenarios",
    "validate_scenario_dict",
    "parameter_names",
    "parameter_info",
    "ROLE_SUM_TOLERANCE",
    "DEFAULT_HORIZON",
    "HORIZON_INFO",
    "BUNDLED_DIR",
    "defaults_toml",
]

ROLE_SUM_TOLERANCE = 1e-6
"""How far the six role-mix shares (five roles + operations) may sum from 1."""

DEFAULT_HORIZON = 120
"""Months simulated when a scenario does not say."""

HORIZON_INFO = FieldInfo("months simulated", "months", (1.0, 1200.0), True)
"""The horizon is validated like a parameter."""

BUNDLED_DIR = Path(__file__).resolve().parent / "scenarios"
"""Where the bundled scenario files live (the repository's top-level ``scenarios/``)."""

_META_KEYS = ("name", "description", "extends", "events_mode", "horizon", "events", "source")
_SECTION_CLASSES: dict[str, type] = {"structure": Structure, **SECTIONS}
_EVENT_KEYS = ("month", "kind", "level", "share", "values")

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
"""A scenario name: it becomes the default output directory, so no path separators."""
_EVENT_LEVELS = (*LEVELS, "all")
_SHARE_KINDS = ("turnover_wave", "funding_cut", "election")
_VALUE_KINDS = ("role_mix", "role_mode", "set")
_SHARE_REQUIRED = ("turnover_wave", "funding_cut")
_SHARE_INFO = FieldInfo("share of people, funding or seats", "-", (0.0, 1.0))
_MONTH_INFO = FieldInfo("month of an event", "month", (0.0, math.inf), True)
_ROLE_MIX_KEYS = (*ROLES, "operations")


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class _Spec:
    """What one field accepts: its kind (``bool``, ``int``, ``float``) and its metadata."""

    kind: str
    info: FieldInfo


def _section_specs(cls: type) -> dict[str, _Spec]:
    """The specs of every field of section class ``cls``, from its defaults and FieldInfo."""
    specs = {}
    for f in dataclasses.fields(cls):
        info = f.metadata["info"]
        if isinstance(f.default, bool):
            kind = "bool"
        elif info.integer:
            kind = "int"
        else:
            kind = "float"
        specs[f.name] = _Spec(kind, info)
    return specs


_SPECS: dict[str, dict[str, _Spec]] = {
    name: _section_specs(cls) for name, cls in _SECTION_CLASSES.items()
}


def parameter_names() -> tuple[str, ...]:
    """Every dotted name :meth:`Scenario.with_overrides` accepts (``"horizon"`` included)."""
    names = [f"{section}.{name}" for section, specs in _SPECS.items() for name in specs]
    return ("horizon", *names)


def parameter_info(dotted: str) -> FieldInfo:
    """The :class:`FieldInfo` of a dotted parameter name such as ``"turnover.local_annual"``.

    Raises:
        KeyError: the name is not a parameter.
    """
    if dotted == "horizon":
        return HORIZON_INFO
    section, _, name = dotted.partition(".")
    return _SPECS[section][name].info


# --------------------------------------------------------------------------- values


def _num(x: float) -> str:
    """A bound as a reader writes it: 0, 1, 0.25, 1200."""
    return f"{x:g}"


def _suggest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """``did you mean 'x'?`` for the closest choice, or ``None``."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None


def _expected(spec: _Spec) -> str:
    """What a valid value of this field looks like, in words."""
    if spec.kind == "bool":
        return "true or false"
    noun = "an integer" if spec.kind == "int" else "a number"
    rng = spec.info.range
    if rng is None:
        return noun
    lo, hi = rng
    if math.isinf(hi):
        return f"{noun} >= {_num(lo)}"
    return f"{noun} in [{_num(lo)}, {_num(hi)}]"


def _finite(value: Any) -> bool:
    """A number that converts to a finite float (TOML integers may be arbitrarily large)."""
    try:
        return _is_number(value) and math.isfinite(float(value))
    except OverflowError:
        return False


def _is_number(value: Any) -> bool:
    """A real number that is not a boolean (TOML ``true`` is not 1)."""
    if type(value) in (float, int):  # the common case, fast
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _coerce(spec: _Spec, value: Any, *, file: str, key: str, lenient: bool) -> bool | int | float:
    """Check one value against its field's kind and range; return it as a plain Python value.

    Args:
        spec: the field's spec.
        value: the value read.
        file: the file named in errors.
        key: the key named in errors.
        lenient: accept what programs (not people) pass: numpy numbers, 12.0 for an
            integer, 0/1 for a boolean.

    Raises:
        InputError: wrong type or out of range.
    """
    if spec.kind == "bool":
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if lenient and _is_number(value) and float(value) in (0.0, 1.0):
            return bool(value)
        raise InputError(file, key, _expected(spec), value)
    if not _finite(value):
        raise InputError(file, key, _expected(spec), value)
    if spec.kind == "int":
        integral = isinstance(value, numbers.Integral) or (lenient and float(value).is_integer())
        if not integral:
            raise InputError(file, key, _expected(spec), value)
        value = int(value)
    else:
        value = float(value)
    rng = spec.info.range
    if rng is not None and not rng[0] <= value <= rng[1]:
        raise InputError(file, key, _expected(spec), value)
    return value


def _coerce_mode(value: Any, *, file: str, key: str) -> float:
    """A role mode: ``"negotiate"`` (0), ``"impose"`` (1) or a number in [0, 1]."""
    expected = '"negotiate", "impose" or a number in [0, 1]'
    if isinstance(value, str):
        if value in MODE_VALUES:
            return float(MODE_VALUES[value])
        raise InputError(file, key, expected, value, hint=_suggest(value, tuple(MODE_VALUES)))
    if _finite(value) and 0.0 <= float(value) <= 1.0:
        return float(value)
    raise InputError(file, key, expected, value)


def _unknown(file: str, key: str, what: str, word: str, choices) -> InputError:
    """The error for an unknown key, with the closest valid one suggested."""
    shown = verbatim(f"unknown key {show_value(word)}")
    return InputError(file, key, what, shown, hint=_suggest(word, choices))


# --------------------------------------------------------------------------- sections


def _check_table(value: Any, *, file: str, key: str) -> dict:
    """``value`` must be a TOML table."""
    if not isinstance(value, dict):
        raise InputError(file, key, "a table", value)
    return value


def _check_section(section: str, table: Any, *, file: str, lenient: bool) -> dict:
    """Check one section table key by key; return the coerced values."""
    _check_table(table, file=file, key=f"[{section}]")
    specs = _SPECS[section]
    out = {}
    for name, value in table.items():
        key = f"[{section}] {name}"
        if section == "role_mode" and name in specs:
            out[name] = _coerce_mode(value, file=file, key=key)
            continue
        if name not in specs:
            raise _unknown(file, key, f"a key of [{section}]", name, tuple(specs))
        out[name] = _coerce(specs[name], value, file=file, key=key, lenient=lenient)
    return out


def _resolve_role_mix(
    values: Mapping[str, float], base: RoleMix, *, file: str, key: str
) -> RoleMix:
    """A complete role mix: ``values`` over ``base``; operations is the remainder if omitted.

    Raises:
        InputError: the six shares do not sum to 1 within :data:`ROLE_SUM_TOLERANCE`, or
            the roles leave a negative remainder for operations.
    """
    roles = {role: float(values.get(role, getattr(base, role))) for role in ROLES}
    total = math.fsum(roles.values())
    if "operations" in values:
        operations = float(values["operations"])
        shares = math.fsum((total, operations))
        if abs(shares - 1.0) > ROLE_SUM_TOLERANCE:
            raise InputError(
                file,
                key,
                f"the five role shares and operations to sum to 1 (within {ROLE_SUM_TOLERANCE:g})",
                verbatim(f"a sum of {shares:.6g}"),
            )
    else:
        operations = 1.0 - total
        if operations < -ROLE_SUM_TOLERANCE:
            raise InputError(
                file,
                key,
                f"role shares summing to at most 1 (within {ROLE_SUM_TOLERANCE:g}), "
                "operations taking the remainder",
                verbatim(f"roles summing to {total:.6g}"),
            )
        operations = max(operations, 0.0)
    return RoleMix(**roles, operations=operations)


# --------------------------------------------------------------------------- events


def _flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"turnover": {"local_annual": 0.3}}`` -> ``{"turnover.local_annual": 0.3}``."""
    flat = {}
    for name, value in values.items():
        dotted = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flatten(value, prefix=f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def _check_set_values(values: dict, *, file: str, key: str, lenient: bool) -> dict[str, Any]:
    """Values of a ``set`` event: dotted names of behavioural parameters."""
    out = {}
    settable = [
        f"{s}.{n}" for s in SECTIONS if s not in ("role_mix", "role_mode") for n in _SPECS[s]
    ]
    for dotted, value in _flatten(values).items():
        section, _, name = dotted.partition(".")
        vkey = f'{key}."{dotted}"'
        if section in ("role_mix", "role_mode") and name in _SPECS[section]:
            raise InputError(
                file, vkey, f'a "{section}" event to change the {section}', verbatim("a set event")
            )
        if section not in SECTIONS or name not in _SPECS[section]:
            raise _unknown(
                file, vkey, "a parameter such as 'turnover.local_annual'", dotted, settable
            )
        out[dotted] = _coerce(_SPECS[section][name], value, file=file, key=vkey, lenient=lenient)
    return out


def _check_event_values(kind: str, values: Any, *, file: str, key: str, lenient: bool) -> dict:
    """The ``values`` table of a ``role_mix``, ``role_mode`` or ``set`` event."""
    _check_table(values, file=file, key=key)
    if not values:
        raise InputError(file, key, f"at least one value for a {kind} event", verbatim("none"))
    if kind == "set":
        return _check_set_values(values, file=file, key=key, lenient=lenient)
    section = "role_mix" if kind == "role_mix" else "role_mode"
    return {
        name: _check_event_value(section, name, value, file=file, key=key, lenient=lenient)
        for name, value in values.items()
    }


def _check_event_value(section: str, name: str, value: Any, *, file, key, lenient) -> float:
    """One value of a ``role_mix`` or ``role_mode`` event."""
    specs = _SPECS[section]
    vkey = f"{key}.{name}"
    if name not in specs:
        raise _unknown(file, vkey, f"a key of [{section}]", name, tuple(specs))
    if section == "role_mode":
        return _coerce_mode(value, file=file, key=vkey)
    return _coerce(specs[name], value, file=file, key=vkey, lenient=lenient)


def _choice(value: Any, choices: tuple[str, ...], *, file: str, key: str) -> str:
    """``value`` must be one of ``choices``; the closest is suggested otherwise."""
    if isinstance(value, str) and value in choices:
        return value
    hint = _suggest(str(value), choices)
    raise InputError(file, key, "one of " + ", ".join(choices), value, hint=hint)


def _event_share(event: dict, kind: str, *, file: str, where: str, lenient: bool) -> dict:
    """``{"share": ...}`` if the event has (or needs) a share, else ``{}``."""
    key = f"{where} share"
    if "share" not in event:
        if kind in _SHARE_REQUIRED:
            raise InputError(file, key, f"a share in [0, 1] for a {kind} event", verbatim("none"))
        return {}
    if kind not in _SHARE_KINDS:
        raise InputError(file, key, f"no share for a {kind} event", event["share"])
    spec = _Spec("float", _SHARE_INFO)
    return {"share": _coerce(spec, event["share"], file=file, key=key, lenient=lenient)}


def _event_values(event: dict, kind: str, *, file: str, where: str, lenient: bool) -> dict:
    """``{"values": ...}`` for the kinds that take values, else ``{}``."""
    key = f"{where} values"
    if kind not in _VALUE_KINDS:
        if "values" in event:
            raise InputError(file, key, f"no values for a {kind} event", event["values"])
        return {}
    if "values" not in event:
        raise InputError(file, key, f"a table of values for a {kind} event", verbatim("none"))
    values = _check_event_values(kind, event["values"], file=file, key=key, lenient=lenient)
    return {"values": values}


def _check_event(event: Any, index: int, *, file: str, lenient: bool) -> dict:
    """Check one ``[[events]]`` table on its own (the horizon is checked later)."""
    where = f"[[events]] #{index + 1}"
    _check_table(event, file=file, key=where)
    for name in event:
        if name not in _EVENT_KEYS:
            raise _unknown(file, f"{where} {name}", "a key of an event", name, _EVENT_KEYS)
    for required in ("month", "kind"):
        if required not in event:
            raise InputError(file, f"{where} {required}", f"an event {required}", verbatim("none"))
    kind = _choice(event["kind"], EVENT_KINDS, file=file, key=f"{where} kind")
    month_spec = _Spec("int", _MONTH_INFO)
    return {
        "month": _coerce(
            month_spec, event["month"], file=file, key=f"{where} month", lenient=lenient
        ),
        "kind": kind,
        "level": _choice(event.get("level", "all"), _EVENT_LEVELS, file=file, key=f"{where} level"),
        **_event_share(event, kind, file=file, where=where, lenient=lenient),
        **_event_values(event, kind, file=file, where=where, lenient=lenient),
    }


def _check_events(events: Any, *, file: str, lenient: bool) -> list[dict]:
    """Check the ``[[events]]`` array of tables."""
    if not isinstance(events, list):
        raise InputError(file, "events", "an array of tables ([[events]])", events)
    return [_check_event(e, i, file=file, lenient=lenient) for i, e in enumerate(events)]


# --------------------------------------------------------------------------- documents


def _check_document(data: Any, *, file: str, lenient: bool = False) -> dict:
    """Check one scenario document on its own: keys, types, ranges. Returns coerced values."""
    if not isinstance(data, dict):
        raise InputError(file, "", "a table of scenario keys", data)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SECTION_CLASSES:
            out[key] = _check_section(key, value, file=file, lenient=lenient)
        elif key == "events":
            out[key] = _check_events(value, file=file, lenient=lenient)
        elif key == "horizon":
            out[key] = _coerce(
                _Spec("int", HORIZON_INFO), value, file=file, key=key, lenient=lenient
            )
        elif key in ("name", "description", "extends", "source"):
            if not isinstance(value, str) and not (key == "source" and value is None):
                raise InputError(file, key, "a string", value)
            if key == "name" and not _NAME.fullmatch(value):
                raise InputError(file, key, "a name of letters, digits, '_', '-' or '.'", value)
            out[key] = value
        elif key == "events_mode":
            if value not in ("replace", "append"):
                raise InputError(file, key, '"replace" or "append"', value)
            out[key] = value
        else:
            raise _unknown_top(file, key)
    return out


def _unknown_top(file: str, key: str) -> InputError:
    """An unknown top-level key; suggests a section, or the section holding a field of that name."""
    choices = (*_META_KEYS, *_SECTION_CLASSES)
    hint = _suggest(key, choices)
    if hint is None:
        owners = [s for s, specs in _SPECS.items() if key in specs]
        if owners:
            hint = f"did you mean '{key}' under [{owners[0]}]?"
    return InputError(
        file,
        key,
        "a scenario key or a section such as [turnover]",
        verbatim(f"unknown key {show_value(key)}"),
        hint=hint,
    )


def _merge(parent: dict, child: dict) -> dict:
    """``child`` over ``parent``, section by section; events replaced unless appended.

    The name and description are not inherited. A child ``[role_mix]`` without
    ``operations`` drops the parent's, so operations becomes the remainder.
    """
    out = {
        k: v for k, v in parent.items() if k not in ("name", "description", "source", "events_mode")
    }
    for key, value in child.items():
        if key in ("extends", "events_mode", "events"):
            continue
        if key in _SECTION_CLASSES and key in out:
            merged = {**out[key], **value}
            if key == "role_mix" and "operations" not in value:
                merged.pop("operations", None)
            out[key] = merged
        else:
            out[key] = value
    if "events" in child:
        inherited = out.get("events", []) if child.get("events_mode") == "append" else []
        out["events"] = [*inherited, *child["events"]]
    return out


def _display(path: Path | str) -> str:
    """A path as short as possible for messages: relative to the working directory if inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


def _read_toml(path: str) -> dict:
    """Parse one TOML file; every failure becomes an :class:`InputError` naming the file."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(path, "", "an existing scenario file", verbatim("no such file")) from None
    except IsADirectoryError:
        raise InputError(path, "", "a scenario file", verbatim("a directory")) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(path, "", "a readable scenario file", verbatim(reason.lower())) from None
    except UnicodeDecodeError:
        raise InputError(path, "", "a UTF-8 TOML file", verbatim("undecodable bytes")) from None
    except tomllib.TOMLDecodeError as exc:
        text = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", text)
        where = f"line {match.group(1)}" if match else "syntax"
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", text)
        if match:
            reason += f" (column {match.group(2)})"
        raise InputError(path, where, "valid TOML", verbatim(reason)) from None


def _parent_path(file: str, extends: str) -> str:
    """The file an ``extends`` names: relative to ``file``, else a bundled scenario's name."""
    candidate = os.path.normpath(os.path.join(os.path.dirname(file), extends))
    if not os.path.isfile(candidate):
        bundled = bundled_scenarios()
        name = extends.removesuffix(".toml")
        if name in bundled:
            return _display(bundled[name])
        raise InputError(
            file,
            "extends",
            "a scenario file relative to this one",
            verbatim(f"{extends!r}: no such file"),
        )
    return candidate


def _resolve(data: Any, *, file: str, chain: tuple[tuple[str, str], ...]) -> dict:
    """Check ``data`` and fold in the files it extends, detecting cycles.

    Args:
        data: the parsed document of ``file``.
        file: its path (as displayed).
        chain: ``(display, real path)`` of the files extending this one, nearest last.
    """
    doc = _check_document(data, file=file)
    if "extends" not in doc:
        return doc
    parent_file = _parent_path(file, doc["extends"])
    chain = (*chain, (file, os.path.realpath(file)))
    real = os.path.realpath(parent_file)
    if real in (r for _, r in chain):
        cycle = " -> ".join([*(d for d, _ in chain), parent_file])
        raise InputError(file, "extends", "no cycle of extends", verbatim(cycle))
    parent = _resolve(_read_toml(parent_file), file=parent_file, chain=chain)
    _build(parent, file=parent_file)  # the parent's own errors are named in the parent
    return _merge(parent, doc)


# --------------------------------------------------------------------------- Scenario


def _section_dict(section: str, values: Any) -> dict[str, Any]:
    """A section's fields as a plain dict (all scalars, so no deep copy is needed)."""
    return {name: getattr(values, name) for name in _SPECS[section]}


def _event_to_dict(event: Event) -> dict:
    """An :class:`Event` as a JSON-able dict."""
    out: dict[str, Any] = {"month": event.month, "kind": event.kind, "level": event.level}
    if event.kind in _SHARE_KINDS and event.share is not None:
        out["share"] = event.share
    if event.kind in _VALUE_KINDS:
        out["values"] = dict(event.values)
    return out


@dataclass(frozen=True)
class Scenario:
    """A validated scenario, ready to run.

    Attributes:
        name: short name (the file's stem unless the file says otherwise).
        description: one line for listings.
        structure: organisations and posts.
        params: every behavioural section, role mix and role modes included.
        events: scheduled interventions, sorted by month (file order within a month).
            ``role_mix`` events carry all six shares, resolved; ``role_mode`` events the
            modes given, as numbers; ``set`` events dotted parameter names.
        horizon: months simulated.
        source: the file it was loaded from, if any.
    """

    name: str
    description: str
    structure: Structure
    params: Parameters
    events: tuple[Event, ...]
    horizon: int
    source: str | None = None

    def with_overrides(self, values: Mapping[str, Any]) -> Scenario:
        """A copy with some parameters changed, validated like a file.

        Args:
            values: dotted names (``"turnover.local_annual"``, ``"role_mix.networking"``,
                ``"structure.local_committees"``, ``"horizon"``) to values. Integral floats
                are accepted for integer fields, 0/1 for booleans. If role shares are
                given but not ``"role_mix.operations"``, operations becomes the remainder.

        Raises:
            InputError: an unknown name (closest suggested), a wrong type, a value out of
                range, role shares over 1, or a horizon shorter than an event's month.
        """
        label = f"{self.source or self.name} (overrides)"
        data = self.to_dict()
        roles_given = operations_given = False
        for dotted, value in values.items():
            if dotted == "horizon":
                data["horizon"] = value
                continue
            section, _, name = dotted.partition(".")
            if section not in _SPECS or name not in _SPECS[section]:
                raise _unknown(label, dotted, "a parameter name", dotted, parameter_names())
            data[section][name] = value
            if section == "role_mix":
                operations_given |= name == "operations"
                roles_given |= name != "operations"
        if roles_given and not operations_given:
            del data["role_mix"]["operations"]
        return _build(data, file=label, lenient=True)

    def to_dict(self) -> dict[str, Any]:
        """The fully resolved scenario as a JSON-able dict (reloadable by
        :func:`validate_scenario_dict`)."""
        out: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "horizon": self.horizon,
            "structure": _section_dict("structure", self.structure),
        }
        for section in SECTIONS:
            out[section] = _section_dict(section, getattr(self.params, section))
        out["events"] = [_event_to_dict(e) for e in self.events]
        return out


def _build_events(
    events: list[dict], params: Parameters, horizon: int, *, file: str
) -> tuple[Event, ...]:
    """Events in month order, each checked against the horizon, role mixes resolved in turn."""
    order = sorted(range(len(events)), key=lambda i: events[i]["month"])
    mix = params.role_mix
    built = []
    for i in order:
        ev = events[i]
        where = f"[[events]] #{i + 1}"
        if ev["month"] >= horizon:
            raise InputError(
                file,
                f"{where} month",
                f"a month in [0, {horizon - 1}] (horizon {horizon})",
                ev["month"],
            )
        values = ev.get("values", {})
        if ev["kind"] == "role_mix":
            mix = _resolve_role_mix(values, mix, file=file, key=f"{where} values")
            values = {k: getattr(mix, k) for k in _ROLE_MIX_KEYS}
        # An election without a share uses the run's election_replacement when it happens
        # (so overrides and sweeps of that parameter reach it): share stays None.
        share = ev.get("share")
        built.append(Event(ev["month"], ev["kind"], ev["level"], share, tuple(values.items())))
    return tuple(built)


def _build(data: Any, *, file: str, lenient: bool = False) -> Scenario:
    """A :class:`Scenario` from a resolved document (no ``extends`` left to follow)."""
    doc = _check_document(data, file=file, lenient=lenient)
    sections = {}
    for section, cls in SECTIONS.items():
        values = doc.get(section, {})
        if section == "role_mix":
            sections[section] = _resolve_role_mix(values, RoleMix(), file=file, key="[role_mix]")
        else:
            sections[section] = cls(**values)
    params = Parameters(**sections)
    horizon = doc.get("horizon", DEFAULT_HORIZON)
    events = _build_events(doc.get("events", []), params, horizon, file=file)
    return Scenario(
        name=doc.get("name") or Path(file).stem,
        description=doc.get("description", ""),
        structure=Structure(**doc.get("structure", {})),
        params=params,
        events=events,
        horizon=horizon,
        source=doc.get("source"),
    )


def validate_scenario_dict(data: dict, *, file: str) -> Scenario:
    """Validate a parsed scenario document and build the :class:`Scenario`.

    Args:
        data: the document, as :mod:`tomllib` returns it (or :meth:`Scenario.to_dict`).
        file: the file it came from, named in errors; ``extends`` is resolved relative to it.

    Raises:
        InputError: the first problem found, naming the file and the key.
    """
    doc = _resolve(data, file=file, chain=())
    return _build(doc, file=file)


def bundled_scenarios() -> dict[str, Path]:
    """The bundled scenarios, name -> path, sorted by name."""
    if not BUNDLED_DIR.is_dir():
        return {}
    return {p.stem: p for p in sorted(BUNDLED_DIR.glob("*.toml"))}


def load_scenario(path_or_name: str | Path) -> Scenario:
    """Load and validate a scenario file, or a bundled scenario by name.

    Args:
        path_or_name: a path to a TOML file, or the name of a bundled scenario
            (``"baseline"``); a path that exists wins over a bundled name.

    Raises:
        InputError: a missing or unreadable file, a syntax error, or invalid content.
    """
    path = Path(path_or_name)
    if not path.exists():
        bundled = bundled_scenarios()
        name = str(path_or_name).removesuffix(".toml")
        if name in bundled:
            path = bundled[name]
        elif path.suffix != ".toml" and len(path.parts) == 1:
            raise InputError(
                str(path_or_name),
                "",
                "a scenario file or a bundled scenario (" + ", ".join(bundled) + ")",
                verbatim("neither"),
                hint=_suggest(name, tuple(bundled)),
            )
    file = _display(path) if path != Path(path_or_name) else str(path_or_name)
    doc = _resolve(_read_toml(file), file=file, chain=())
    doc["source"] = file
    return _build(doc, file=file)


# --------------------------------------------------------------------------- defaults file


def _toml_value(section: str, value: Any) -> str:
    """A default as TOML: booleans lower-case, role modes by name."""
    if section == "role_mode":
        names = {v: k for k, v in MODE_VALUES.items()}
        return f'"{names[value]}"' if value in names else repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _field_comment(section: str, info: FieldInfo) -> str:
    """``meaning (unit) [lo, hi]`` for a line of the defaults file."""
    unit = f" ({info.unit})" if info.unit != "-" else ""
    if section == "role_mode":
        return f'{info.doc}: "negotiate", "impose" or a number in [0, 1]'
    rng = f" [{_num(info.range[0])}, {_num(info.range[1])}]" if info.range else ""
    return f"{info.doc}{unit}{rng}"


def defaults_toml(name: str = "baseline", description: str = "") -> str:
    """A scenario file stating every parameter at its default, with its meaning and range.

    ``scenarios/baseline.toml`` is this text; regenerate it when a default changes::

        python -c "from concertsim.scenario import defaults_toml; print(defaults_toml(), end='')"
    """
    description = description or (
        "One region, default parameters made explicit: the reference every other scenario changes."
    )
    lines = [
        f'name = "{name}"',
        f'description = "{description}"',
        "",
        "# Every knob of the model, at its default. Comments give meaning, unit and valid range.",
        '# Other scenarios `extends = "baseline.toml"` and override only what they change.',
        "",
        f"horizon = {DEFAULT_HORIZON}  # months simulated",
    ]
    for section, cls in _SECTION_CLASSES.items():
        fields = dataclasses.fields(cls)
        width = max(len(f.name) for f in fields)
        lines += ["", f"[{section}]  # {(cls.__doc__ or '').splitlines()[0]}"]
        for f in fields:
            value = _toml_value(section, f.default)
            comment = _field_comment(section, f.metadata["info"])
            lines.append(f"{f.name:<{width}} = {value:<6}  # {comment}")
    return "\n".join(lines) + "\n"
