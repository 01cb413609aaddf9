"""What a trainer takes home from a session: a scenario file, the series, the charts.

The scenario file is the session's scenario (:meth:`~concertsim.app.twin.Twin.session_scenario`)
written out in full, every section and the shocks and changes as ``[[events]]``, so that::

    concertsim run session.toml --seed SEED --replicates 1

replays the shocked twin bit for bit (replicate 0 of a run is the app's run with the same
seed). The series are a CSV of both copies, tidy as ``concertsim run --csv`` writes them,
with a ``twin`` column.

Example:
    >>> from concertsim.app.twin import Twin
    >>> twin = Twin(seed=5)
    >>> _ = twin.shock("election")
    >>> text = scenario_toml(twin)
    >>> "[[events]]" in text and 'kind = "election"' in text
    True
    >>> from concertsim.tomlfile import parse_toml
    >>> from concertsim.scenario import validate_scenario_dict
    >>> validate_scenario_dict(parse_toml(text, "s.toml"), file="s.toml").events[0].kind
    'election'
"""

from __future__ import annotations

import io
import json
import math
from typing import TYPE_CHECKING, Any

from concertsim.app.twin import SIDES
from concertsim.simulate import tidy

if TYPE_CHECKING:
    import pandas as pd

    from concertsim.app.twin import Twin

__all__ = ["scenario_toml", "series_frame", "series_csv", "toml_value", "replay_command"]


def toml_value(value: Any) -> str:
    """A scalar as TOML writes it.

    Example:
        >>> toml_value(0.1), toml_value(True), toml_value("coupe_démo"), toml_value(3)
        ('0.1', 'true', '"coupe_démo"', '3')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"no TOML for {value!r} in a scenario")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"no TOML scalar for {type(value).__name__}")


def replay_command(twin: Twin, file: str = "session.toml") -> str:
    """The command that replays the session's shocked twin (the months played so far;
    without ``--months`` the run goes on to the horizon, the same up to now).

    Example:
        >>> from concertsim.app.twin import Twin
        >>> twin = Twin(seed=3)
        >>> twin.run(2)
        >>> replay_command(twin, "s.toml")
        'concertsim run s.toml --seed 3 --replicates 1 --months 2'
    """
    months = f" --months {twin.month}" if 0 < twin.month < twin.horizon else ""
    return f"concertsim run {file} --seed {twin.seed} --replicates 1{months}"


def scenario_toml(twin: Twin, name: str | None = None, file: str = "session.toml") -> str:
    """The session as a complete scenario file (TOML text).

    Args:
        twin: the session.
        name: the scenario's name (default: the base scenario's, then ``_session``).
        file: the file name the replay command in the header names.
    """
    scenario = twin.session_scenario(name or f"{twin.scenario.name}_session")
    data = scenario.to_dict()
    lines = [
        f"# A concertsim app session: {twin.scenario.name}, seed {twin.seed}, "
        f"{len(twin.live)} live event(s) up to month {twin.month}.",
        f"# Replay it: {replay_command(twin, file)}",
        f"name = {toml_value(data['name'])}",
        f"description = {toml_value(data['description'] or 'An app session')}",
        f"horizon = {data['horizon']}",
    ]
    for section, table in data.items():
        if not isinstance(table, dict):
            continue
        lines += ["", f"[{section}]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in table.items()]
    for event in data["events"]:
        lines += ["", "[[events]]"]
        for key in ("month", "kind", "level", "share"):
            if key in event:
                lines.append(f"{key} = {toml_value(event[key])}")
        if "values" in event:
            pairs = ", ".join(
                f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}"
                for k, v in event["values"].items()
            )
            lines.append(f"values = {{ {pairs} }}")
    return "\n".join(lines) + "\n"


def series_frame(twin: Twin) -> pd.DataFrame:
    """Both copies' series so far, tidy (twin, run, month, level, variable, value)."""
    frame = tidy(twin.series(), [0, 1])
    frame.insert(0, "twin", [SIDES[i] for i in frame["run"]])
    frame["run"] = 0  # each copy is replicate 0 of its scenario
    return frame


def series_csv(twin: Twin) -> str:
    """The series as CSV text (values written with full precision)."""
    buf = io.StringIO()
    series_frame(twin).to_csv(buf, index=False, float_format="%.17g")
    return buf.getvalue()
