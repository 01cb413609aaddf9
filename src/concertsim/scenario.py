"""Scenarios: a structure, parameters, role mix and modes, a horizon and scheduled interventions.

A scenario is read from a TOML file and validated completely before anything runs. The
validation is driven by the :class:`~concertsim.params.FieldInfo` metadata of each
parameter (type, range), not by hand-written checks, so a new parameter in
:mod:`concertsim.params` is validated as soon as it exists.

File format (all keys optional except where said)::

    name = "high_turnover"                 # a file says its name, what it extends, or both
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

A file that says neither its ``name`` nor what it ``extends`` (an empty file, say) is
refused rather than run as the defaults; the name defaults to the file's stem when the
file extends another. Files are read by :func:`concertsim.config.read_toml` (regular files
of at most 1 MiB) and chains of ``extends`` are at most
:data:`~concertsim.limits.MAX_EXTENDS_DEPTH` files deep (a set event of a parameter
read at month 0 only is refused). Every value is checked by the
rules of :mod:`concertsim.config`, derived from the parameters' metadata, and every error
is an :class:`~concertsim.errors.InputError` naming the file and the key.

Example:
    >>> s = load_scenario("baseline")
    >>> s.params.turnover.local_annual
    0.25
    >>> s.with_overrides({"turnover.local_annual": 0.5}).params.turnover.local_annual
    0.5
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from concertsim.config import (
    DEFAULT_HORIZON,
    HORIZON_INFO,
    HORIZON_RULE,
    ROLE_SUM_TOLERANCE,
    RULES,
    check_role_total,
    check_table,
    coerce,
    display_path,
    parameter_names,
    parameter_rule,
    read_toml,
    suggest,
    unknown_key,
    validate_event,
)
from concertsim.errors import InputError, show_value, verbatim
from concertsim.limits import MAX_EXTENDS_DEPTH
from concertsim.params import (
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
]

BUNDLED_DIR = Path(__file__).resolve().parent / "scenarios"
"""Where the bundled scenario files live (the repository's top-level ``scenarios/``)."""

_META_KEYS = ("name", "description", "extends", "events_mode", "horizon", "events", "source")
_SECTION_CLASSES: dict[str, type] = {"structure": Structure, **SECTIONS}
_EVENT_KEYS = ("month", "kind", "level", "share", "values")
_NAME = re.compile(r"\w[\w.-]*")  # letters of any language (coupe_démo), digits, _ . -
"""A scenario name: it becomes the default output directory, so no path separators."""
_ROLE_MIX_KEYS = (*ROLES, "operations")


def parameter_info(dotted: str) -> FieldInfo:
    """The :class:`FieldInfo` of a dotted parameter name such as ``"turnover.local_annual"``.

    Raises:
        KeyError: the name is not a parameter.
    """
    return parameter_rule(dotted).info


# --------------------------------------------------------------------------- documents


def _check_section(section: str, table: Any, *, file: str, lenient: bool) -> dict:
    """Check one section table key by key; return the coerced values."""
    check_table(table, file=file, key=f"[{section}]")
    rules = RULES[section]
    out = {}
    for name, value in table.items():
        key = f"[{section}] {name}"
        if name not in rules:
            raise unknown_key(file, key, f"a key of [{section}]", name, rules)
        out[name] = coerce(rules[name], value, file=file, key=key, lenient=lenient)
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
        check_role_total(total, file=file, key=key)
        operations = max(1.0 - total, 0.0)
    return RoleMix(**roles, operations=operations)


def _check_event(event: Any, index: int, *, file: str, lenient: bool) -> Event:
    """Check one ``[[events]]`` table on its own (the horizon is checked later)."""
    where = f"[[events]] #{index + 1}"
    if not isinstance(event, Event):
        check_table(event, file=file, key=where)
        for name in event:
            if name not in _EVENT_KEYS:
                raise unknown_key(file, f"{where} {name}", "a key of an event", name, _EVENT_KEYS)
        for required in ("month", "kind"):
            if required not in event:
                what = f"an event {required}"
                raise InputError(file, f"{where} {required}", what, verbatim("none"))
        if event.get("values", 0) == {}:
            what = f"a table of values for a {event['kind']} event"
            raise InputError(file, f"{where} values", what, verbatim("none"))
        event = Event(**{"level": "all", **event})
    return validate_event(event, file=file, where=where, lenient=lenient)


def _check_document(data: Any, *, file: str, lenient: bool = False) -> dict:
    """Check one scenario document on its own: keys, types, ranges. Returns coerced values."""
    if not isinstance(data, dict):
        raise InputError(file, "", "a table of scenario keys", data)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SECTION_CLASSES:
            out[key] = _check_section(key, value, file=file, lenient=lenient)
        elif key == "events":
            if not isinstance(value, list | tuple):
                raise InputError(file, key, "an array of tables ([[events]])", value)
            out[key] = [_check_event(e, i, file=file, lenient=lenient) for i, e in enumerate(value)]
        elif key == "horizon":
            out[key] = coerce(HORIZON_RULE, value, file=file, key=key, lenient=lenient)
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
    hint = suggest(key, (*_META_KEYS, *_SECTION_CLASSES))
    if hint is None:
        owners = [s for s, rules in RULES.items() if key in rules]
        if owners:
            hint = f"did you mean '{key}' under [{owners[0]}]?"
    got = verbatim(f"unknown key {show_value(key)}")
    return InputError(file, key, "a scenario key or a section such as [turnover]", got, hint=hint)


def _merge(parent: dict, child: dict) -> dict:
    """``child`` over ``parent``, section by section; events replaced unless appended.

    The name and description are not inherited. A child ``[role_mix]`` without
    ``operations`` drops the parent's, so operations becomes the remainder.
    """
    dropped = ("name", "description", "source", "events_mode")
    out = {k: v for k, v in parent.items() if k not in dropped}
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


def _parent_path(file: str, extends: str) -> str:
    """The file an ``extends`` names: relative to ``file``, else a bundled scenario's name."""
    candidate = os.path.normpath(os.path.join(os.path.dirname(file), extends))
    if os.path.lexists(candidate) and not os.path.isfile(candidate):
        got = verbatim(f"{extends!r}: not a regular file (a directory, a FIFO, a device?)")
        raise InputError(file, "extends", "a scenario file relative to this one", got)
    if not os.path.lexists(candidate):
        bundled = bundled_scenarios()
        name = extends.removesuffix(".toml")
        if name in bundled:
            return display_path(bundled[name])
        got = verbatim(f"{extends!r}: no such file")
        raise InputError(file, "extends", "a scenario file relative to this one", got)
    return candidate


def _resolve(data: Any, *, file: str, chain: tuple[tuple[str, str], ...]) -> dict:
    """Check ``data`` and fold in the files it extends, detecting cycles and deep chains.

    Args:
        data: the parsed document of ``file``.
        file: its path (as displayed).
        chain: ``(display, real path)`` of the files extending this one, nearest last.
    """
    doc = _check_document(data, file=file)
    if "name" not in doc and "extends" not in doc:
        got = verbatim("an empty file" if not doc else "neither")
        what = "a name or extends (a scenario says at least its name or the one it extends)"
        raise InputError(file, "name", what, got)
    if "extends" not in doc:
        return doc
    if len(chain) + 1 >= MAX_EXTENDS_DEPTH:
        what = f"at most {MAX_EXTENDS_DEPTH} files in a chain of extends"
        raise InputError(file, "extends", what, verbatim("a longer chain"))
    parent_file = _parent_path(file, doc["extends"])
    chain = (*chain, (file, os.path.realpath(file)))
    real = os.path.realpath(parent_file)
    if real in (r for _, r in chain):
        cycle = " -> ".join([*(d for d, _ in chain), parent_file])
        raise InputError(file, "extends", "no cycle of extends", verbatim(cycle))
    parent = _resolve(read_toml(parent_file), file=parent_file, chain=chain)
    _build(parent, file=parent_file)  # the parent's own errors are named in the parent
    return _merge(parent, doc)


# --------------------------------------------------------------------------- Scenario


def _section_dict(section: str, values: Any) -> dict[str, Any]:
    """A section's fields as a plain dict (all scalars, so no deep copy is needed)."""
    return {name: getattr(values, name) for name in RULES[section]}


def _event_to_dict(event: Event) -> dict:
    """An :class:`Event` as a JSON-able dict."""
    out: dict[str, Any] = {"month": event.month, "kind": event.kind, "level": event.level}
    if event.share is not None:
        out["share"] = event.share
    if event.values:
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

    def with_overrides(
        self, values: Mapping[str, Any], *, file: str | None = None, lenient: bool = True
    ) -> Scenario:
        """A copy with some parameters changed, validated like a file.

        Args:
            values: dotted names (``"turnover.local_annual"``, ``"role_mix.networking"``,
                ``"structure.local_committees"``, ``"horizon"``) to values. If role shares
                are given but not ``"role_mix.operations"``, operations becomes the remainder.
            file: named in errors (default: the scenario's file, ``(overrides)``).
            lenient: accept integral floats for integer fields and 0/1 for booleans (what
                programs pass); ``False`` for what people type (``--set``).

        Raises:
            InputError: an unknown name (closest suggested), a wrong type, a value out of
                range, role shares over 1, or a horizon shorter than an event's month.
        """
        label = file or f"{self.source or self.name} (overrides)"
        data = self.to_dict()
        roles_given = operations_given = False
        for dotted, value in values.items():
            if dotted == "horizon":
                data["horizon"] = value
                continue
            section, _, name = dotted.partition(".")
            if section not in RULES or name not in RULES[section]:
                raise unknown_key(label, dotted, "a parameter name", dotted, parameter_names())
            data[section][name] = value
            if section == "role_mix":
                operations_given |= name == "operations"
                roles_given |= name != "operations"
        if roles_given and not operations_given:
            del data["role_mix"]["operations"]
        return _build(data, file=label, lenient=lenient)

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
    events: list[Event], params: Parameters, horizon: int, *, file: str
) -> tuple[Event, ...]:
    """Events in month order, each checked against the horizon, role mixes resolved in turn."""
    order = sorted(range(len(events)), key=lambda i: events[i].month)
    mix = params.role_mix
    built = []
    for i in order:
        ev = events[i]
        where = f"[[events]] #{i + 1}"
        if ev.month >= horizon:
            what = f"a month in [0, {horizon - 1}] (horizon {horizon})"
            raise InputError(file, f"{where} month", what, ev.month)
        if ev.kind == "role_mix":
            mix = _resolve_role_mix(dict(ev.values), mix, file=file, key=f"{where} values")
            ev = dataclasses.replace(ev, values={k: getattr(mix, k) for k in _ROLE_MIX_KEYS})
        # An election without a share uses the run's election_replacement when it happens
        # (so overrides and sweeps of that parameter reach it): share stays None.
        built.append(ev)
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
    name = doc.get("name") or Path(file).stem
    if not _NAME.fullmatch(name):
        raise InputError(file, "name", "a name of letters, digits, '_', '-' or '.' (the file's "
                         "name is not one: say name = ... in the file)", name)  # fmt: skip
    return Scenario(
        name=name,
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
            (``"baseline"``); a path that exists wins over a bundled name, unless it is
            a directory (``results/baseline`` is a run's output, not a scenario).

    Raises:
        InputError: a missing, special, oversized or unreadable file, a syntax error, or
            invalid content.
    """
    path = Path(path_or_name)
    if not os.path.lexists(path) or (path.is_dir() and len(path.parts) == 1):
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
                hint=suggest(name, tuple(bundled)),
            )
    file = display_path(path) if path != Path(path_or_name) else str(path_or_name)
    doc = _resolve(read_toml(file), file=file, chain=())
    doc["source"] = file
    return _build(doc, file=file)
