"""Hostile input: every case is refused before anything runs or is written.

Each case runs the command line (``concertsim.cli.main`` in this process, a few in a
subprocess) and must exit with code 2, print exactly one line on stderr starting
``concertsim: error:``, print no traceback, take less than 10 s, and leave the working
directory as it was (nothing created, nothing deleted).

A case is ``(id, argv, files)``: ``{d}`` in the arguments is the case's directory, and
``files`` maps names in it to their text (``bytes`` for raw bytes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from refusal import GOOD_EXPERIMENT, LIMIT_SECONDS, assert_refused, materialise, tree

from concertsim.cli import main
from concertsim.errors import InputError
from concertsim.params import Event

BIG = (
    'name = "big"\n[structure]\nregions = 30\nlocal_committees = 60\nlocal_staff = 20\n'
    "local_elected = 20\n"
)
"""The largest structure the ranges allow: 72,549 posts."""

CONCERTATION = """
[experiment]
{extra}
seed = 1
[design]
kind = "lhs"
n = {n}
[parameters]
"structure.regions" = {{ bounds = [1, 30] }}
"""

EVENT = '[[events]]\nmonth = {month}\nkind = "{kind}"\n'


def _validate(case: str, text: str | bytes) -> tuple:
    return (f"file/{case}", ["validate", "{d}/s.toml"], {"s.toml": text})


def _run(case: str, text: str) -> tuple:
    return (
        f"run-file/{case}",
        ["run", "{d}/s.toml", "--out", "{d}/out", "-n", "1"],
        {"s.toml": text},
    )


def _set(case: str, *items: str, scenario: str = "baseline") -> tuple:
    argv = ["run", scenario, "--out", "{d}/out", "-n", "1"]
    for item in items:
        argv += ["--set", item]
    return (f"set/{case}", argv, {})


def _option(case: str, *argv: str) -> tuple:
    return (f"option/{case}", list(argv), {})


def _experiment(case: str, text: str | bytes, *extra: str) -> tuple:
    argv = ["sweep", "{d}/e.toml", "--out", "{d}/out", "--workers", "0", *extra]
    return (f"experiment/{case}", argv, {"e.toml": text})


def _exp(old: str, new: str) -> str:
    assert old in GOOD_EXPERIMENT, old
    return GOOD_EXPERIMENT.replace(old, new, 1)


def _chain(depth: int) -> dict:
    files = {f"c{i}.toml": f'name = "c{i}"\nextends = "c{i + 1}.toml"\n' for i in range(depth)}
    files[f"c{depth}.toml"] = 'name = "end"\n'
    return files


# --------------------------------------------------------------------------- scenario files

FILE_CASES = [
    _validate("empty", ""),
    _validate("whitespace only", "   \n\n\t\n"),
    _validate("comments only", "# nothing here\n# at all\n"),
    _validate("sections only, no name", "[turnover]\nlocal_annual = 0.3\n"),
    _validate("non-utf8 bytes", b'name = "x"\ndescription = "\xff\xfe\xfa"\n'),
    _validate("latin-1 text", 'name = "caf\xe9"\n'.encode("latin-1")),
    _validate("nul bytes", b'name = "x"\x00\n'),
    _validate("bom then garbage", b"\xef\xbb\xbfname = \n"),
    _validate("invalid toml", 'name = "x"\n[turnover\n'),
    _validate("duplicate key", 'name = "x"\nname = "y"\n'),
    _validate("duplicate table", 'name = "x"\n[turnover]\n[turnover]\n'),
    _validate("unterminated string", 'name = "x\n'),
    _validate("deeply nested arrays", "a = " + "[" * 5000 + "]" * 5000 + "\n"),
    _validate("deeply nested tables", "a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n"),
    _validate("integer of 5000 digits", "horizon = " + "9" * 5000 + "\n"),
    _validate("integer of 400 digits", 'name = "x"\nhorizon = ' + "9" * 400 + "\n"),
    _validate("oversized file", 'name = "x"\n' + "# padding\n" * 120_000),
    _validate("top level is an array key", 'name = "x"\nevents = 3\n'),
    _validate("name not a string", "name = 3\n"),
    _validate("name with a slash", 'name = "../../etc"\n'),
    _validate("name empty", 'name = ""\n'),
    _validate("description a table", 'name = "x"\ndescription = { a = 1 }\n'),
    _validate("extends a number", "extends = 3\n"),
    _validate("unknown top-level key", 'name = "x"\nhorizn = 12\n'),
    _validate("field at top level", 'name = "x"\nlocal_annual = 0.3\n'),
    _validate("unknown section", 'name = "x"\n[turnvoer]\nlocal_annual = 0.3\n'),
    _validate("section not a table", 'name = "x"\nturnover = 3\n'),
    _validate("unknown key", 'name = "x"\n[turnover]\nlocal_anual = 0.3\n'),
    _validate("nan", 'name = "x"\n[turnover]\nlocal_annual = nan\n'),
    _validate("inf", 'name = "x"\n[turnover]\nlocal_annual = inf\n'),
    _validate("minus inf", 'name = "x"\n[people]\nleadership_months = -inf\n'),
    _validate("negative share", 'name = "x"\n[turnover]\nlocal_annual = -0.1\n'),
    _validate("share above 1", 'name = "x"\n[turnover]\nlocal_annual = 1.5\n'),
    _validate("bool for number", 'name = "x"\n[turnover]\nlocal_annual = true\n'),
    _validate("string for number", 'name = "x"\n[funding]\nbase = "high"\n'),
    _validate("array for number", 'name = "x"\n[funding]\nbase = [1]\n'),
    _validate("date for number", 'name = "x"\n[funding]\nbase = 2024-01-01\n'),
    _validate("float for integer", 'name = "x"\n[structure]\nregions = 2.5\n'),
    _validate("zero committees", 'name = "x"\n[structure]\nlocal_committees = 0\n'),
    _validate("negative regions", 'name = "x"\n[structure]\nregions = -1\n'),
    _validate("a billion posts", 'name = "x"\n[structure]\nlocal_staff = 1000000000\n'),
    _validate("huge regions", 'name = "x"\n[structure]\nregions = 99999999999999999\n'),
    _validate("number for bool", 'name = "x"\n[recognition]\nenabled = 1\n'),
    _validate("bad mode", 'name = "x"\n[role_mode]\nalignment = "imposed"\n'),
    _validate("mode above 1", 'name = "x"\n[role_mode]\nalignment = 2\n'),
    _validate("mode nan", 'name = "x"\n[role_mode]\nalignment = nan\n'),
    _validate("roles over 1", 'name = "x"\n[role_mix]\nnetworking = 0.95\n'),
    _validate("shares not summing", 'name = "x"\n[role_mix]\nnetworking = 0.5\noperations = 0.6\n'),
    _validate("negative role share", 'name = "x"\n[role_mix]\nnetworking = -0.2\n'),
    _validate("horizon zero", 'name = "x"\nhorizon = 0\n'),
    _validate("horizon negative", 'name = "x"\nhorizon = -5\n'),
    _validate("horizon 100000", 'name = "x"\nhorizon = 100000\n'),
    _validate("horizon float", 'name = "x"\nhorizon = 12.5\n'),
    _validate("bad events_mode", 'name = "x"\nevents_mode = "merge"\n'),
    _validate("events not an array", 'name = "x"\n[events]\nmonth = 1\n'),
    _validate("event not a table", 'name = "x"\nevents = [1, 2]\n'),
    _validate(
        "event month at horizon",
        'name = "x"\nhorizon = 24\n' + EVENT.format(month=24, kind="funding_cut") + "share = 0.5\n",
    ),  # noqa: E501
    _validate(
        "event month past horizon",
        'name = "x"\n' + EVENT.format(month=10**6, kind="funding_cut") + "share = 0.5\n",
    ),  # noqa: E501
    _validate(
        "event month negative",
        'name = "x"\n' + EVENT.format(month=-1, kind="funding_cut") + "share = 0.5\n",
    ),  # noqa: E501
    _validate(
        "event month float",
        'name = "x"\n' + EVENT.format(month=1.5, kind="funding_cut") + "share = 0.5\n",
    ),  # noqa: E501
    _validate(
        "event month nan",
        'name = "x"\n' + EVENT.format(month="nan", kind="funding_cut") + "share = 0.5\n",
    ),  # noqa: E501
    _validate("event without month", 'name = "x"\n[[events]]\nkind = "election"\n'),
    _validate("event without kind", 'name = "x"\n[[events]]\nmonth = 3\n'),
    _validate(
        "bad event kind",
        'name = "x"\n' + EVENT.format(month=3, kind="fundng_cut") + "share = 0.5\n",
    ),  # noqa: E501
    _validate("event kind a number", 'name = "x"\n[[events]]\nmonth = 3\nkind = 4\n'),
    _validate(
        "bad event level",
        'name = "x"\n'
        + EVENT.format(month=3, kind="turnover_wave")
        + 'level = "locl"\nshare = 0.5\n',
    ),  # noqa: E501
    _validate(
        "unknown event key",
        'name = "x"\n' + EVENT.format(month=3, kind="election") + "shar = 0.5\n",
    ),  # noqa: E501
    _validate("missing share", 'name = "x"\n' + EVENT.format(month=3, kind="funding_cut")),
    _validate(
        "share above 1 in event",
        'name = "x"\n' + EVENT.format(month=3, kind="funding_cut") + "share = 1.5\n",
    ),  # noqa: E501
    _validate(
        "share nan in event",
        'name = "x"\n' + EVENT.format(month=3, kind="funding_cut") + "share = nan\n",
    ),  # noqa: E501
    _validate(
        "share on a set event",
        'name = "x"\n'
        + EVENT.format(month=3, kind="set")
        + 'share = 0.5\nvalues = { "credibility.decay" = 0.1 }\n',
    ),  # noqa: E501
    _validate(
        "values on a funding cut",
        'name = "x"\n'
        + EVENT.format(month=3, kind="funding_cut")
        + "share = 0.5\nvalues = { a = 1 }\n",
    ),  # noqa: E501
    _validate("set without values", 'name = "x"\n' + EVENT.format(month=3, kind="set")),
    _validate(
        "set with empty values",
        'name = "x"\n' + EVENT.format(month=3, kind="set") + "values = {}\n",
    ),  # noqa: E501
    _validate(
        "set values not a table",
        'name = "x"\n' + EVENT.format(month=3, kind="set") + "values = 3\n",
    ),  # noqa: E501
    _validate(
        "set of credibility.initial",
        'name = "x"\n'
        + EVENT.format(month=3, kind="set")
        + 'values = { "credibility.initial" = 0.9 }\n',
    ),  # noqa: E501
    _validate(
        "set of engagement.initial",
        'name = "x"\n'
        + EVENT.format(month=0, kind="set")
        + 'values = { "engagement.initial" = 0.9 }\n',
    ),  # noqa: E501
    _validate(
        "set of a role share",
        'name = "x"\n'
        + EVENT.format(month=3, kind="set")
        + 'values = { "role_mix.networking" = 0.2 }\n',
    ),  # noqa: E501
    _validate(
        "set of a structure field",
        'name = "x"\n'
        + EVENT.format(month=3, kind="set")
        + 'values = { "structure.regions" = 2 }\n',
    ),  # noqa: E501
    _validate(
        "set of unknown parameter",
        'name = "x"\n'
        + EVENT.format(month=3, kind="set")
        + 'values = { "turnover.local_anual" = 0.3 }\n',
    ),  # noqa: E501
    _validate(
        "set out of range",
        'name = "x"\n' + EVENT.format(month=3, kind="set") + 'values = { "funding.base" = 3.0 }\n',
    ),  # noqa: E501
    _validate(
        "set of a bool with a number",
        'name = "x"\n'
        + EVENT.format(month=3, kind="set")
        + 'values = { "recognition.enabled" = 1 }\n',
    ),  # noqa: E501
    _validate(
        "role_mix event over 1",
        'name = "x"\n' + EVENT.format(month=3, kind="role_mix") + "values = { networking = 0.9 }\n",
    ),  # noqa: E501
    _validate(
        "role_mix event unknown role",
        'name = "x"\n' + EVENT.format(month=3, kind="role_mix") + "values = { lobbying = 0.1 }\n",
    ),  # noqa: E501
    _validate(
        "role_mode event bad mode",
        'name = "x"\n'
        + EVENT.format(month=3, kind="role_mode")
        + 'values = { alignment = "force" }\n',
    ),  # noqa: E501
    _validate(
        "role_mode event nested",
        'name = "x"\n'
        + EVENT.format(month=3, kind="role_mode")
        + "values = { alignment = { a = 1 } }\n",
    ),  # noqa: E501
    _validate("extends missing", 'extends = "nowhere.toml"\n'),
    _validate("extends itself", 'extends = "s.toml"\n'),
    _validate("extends a directory", 'extends = "."\n'),
    _validate("extends empty", 'extends = ""\n'),
    _validate("extends /dev/zero", 'extends = "/dev/zero"\n'),
    _validate("extends /dev/null", 'extends = "/dev/null"\n'),
    _validate("extends a nul byte", 'extends = "a\\u0000b.toml"\n'),
    _validate("extends a very long name", 'extends = "' + "a" * 10000 + '.toml"\n'),
    _validate("extends a file under a file", 'extends = "s.toml/x.toml"\n'),
    (
        "file/extends an empty file",
        ["validate", "{d}/s.toml"],
        {"s.toml": 'extends = "e.toml"\n', "e.toml": ""},
    ),  # noqa: E501
    ("file/extends chain of 40", ["validate", "{d}/c0.toml"], _chain(40)),
    (
        "file/extends cycle of 3",
        ["validate", "{d}/a.toml"],
        {
            "a.toml": 'extends = "b.toml"\n',
            "b.toml": 'extends = "c.toml"\n',
            "c.toml": 'extends = "a.toml"\n',
        },
    ),  # noqa: E501
    (
        "file/bad parent",
        ["validate", "{d}/s.toml"],
        {"s.toml": 'extends = "p.toml"\n', "p.toml": 'name = "p"\n[turnover]\nlocal_annual = 2\n'},
    ),  # noqa: E501
    ("file/missing", ["validate", "{d}/nothere.toml"], {}),
    ("file/unknown bundled name", ["validate", "basline"], {}),
    ("file/a directory", ["validate", "{d}"], {}),
    ("file/dev zero", ["validate", "/dev/zero"], {}),
    ("file/dev null", ["validate", "/dev/null"], {}),
    ("file/dev stdin", ["validate", "/dev/stdin"], {}),
    ("file/proc file", ["validate", "/proc/self/status"], {}),
    ("file/second of two bad", ["validate", "baseline", "{d}/s.toml"], {"s.toml": ""}),
    _run("empty", ""),
    _run("nan horizon", 'name = "x"\nhorizon = nan\n'),
    _run(
        "set of credibility.initial",
        'name = "x"\n'
        + EVENT.format(month=3, kind="set")
        + 'values = { "credibility.initial" = 0.9 }\n',
    ),  # noqa: E501
    (
        "run-file/person-months over the limit",
        ["run", "{d}/s.toml", "--out", "{d}/out", "-n", "130"],
        {"s.toml": "horizon = 1200\n" + BIG},
    ),
    (
        "run-file/posts at once over the limit",
        ["run", "{d}/s.toml", "--out", "{d}/out", "-n", "200", "--months", "1"],
        {"s.toml": BIG},
    ),
]

# --------------------------------------------------------------------------- --set

SET_CASES = [
    _set("true on a number", "turnover.local_annual=true"),
    _set("false on a number", "turnover.local_annual=false"),
    _set("nan", "turnover.local_annual=nan"),
    _set("inf", "funding.base=inf"),
    _set("negative", "turnover.local_annual=-0.5"),
    _set("above range", "turnover.local_annual=1.01"),
    _set("a word on a number", "turnover.local_annual=high"),
    _set("an array", "turnover.local_annual=[0.3]"),
    _set("a table", "turnover.local_annual={a=1}"),
    _set("empty value", "turnover.local_annual="),
    _set("no equals sign", "turnover.local_annual"),
    _set("empty key", "=0.3"),
    _set("unknown key", "turnover.local_anual=0.3"),
    _set("unknown section", "turnvoer.local_annual=0.3"),
    _set("no section", "local_annual=0.3"),
    _set("float on integer", "structure.regions=2.5"),
    _set("a billion regions", "structure.regions=1000000000"),
    _set("zero committees", "structure.local_committees=0"),
    _set("number on a bool", "recognition.enabled=1"),
    _set("word on a bool", "recognition.enabled=yes"),
    _set("bad mode", "role_mode.alignment=imposed"),
    _set("role shares over 1", "role_mix.networking=0.9"),
    _set("operations not summing", "role_mix.operations=0.9"),
    _set("horizon zero", "horizon=0"),
    _set("horizon 100000", "horizon=100000"),
    _set("horizon before an event", "horizon=30", scenario="austerity"),
    _set("newline injection", "turnover.local_annual=0.3\nfunding.base=9"),
    _set("huge integer", "structure.regions=" + "9" * 5000),
]

# --------------------------------------------------------------------------- options

OPTION_CASES = [
    _option("no command"),
    _option("unknown command", "runn", "baseline"),
    _option("unknown option", "--frobnicate"),
    _option("run without scenario", "run"),
    _option("run unknown option", "run", "baseline", "--replicas", "3"),
    _option("replicates zero", "run", "baseline", "--replicates", "0"),
    _option("replicates negative", "run", "baseline", "--replicates", "-3"),
    _option("replicates 10^12", "run", "baseline", "--replicates", str(10**12)),
    _option("replicates not a number", "run", "baseline", "--replicates", "many"),
    _option("replicates float", "run", "baseline", "--replicates", "2.5"),
    _option("replicates 10^5000", "run", "baseline", "-n", "9" * 5000),
    _option("replicates over the posts limit", "run", "province", "-n", "100000", "--out", "{d}/o"),
    _option("months zero", "run", "baseline", "--months", "0"),
    _option("months 100000", "run", "baseline", "--months", "100000"),
    _option("months not a number", "run", "baseline", "--months", "ten"),
    _option("seed negative", "run", "baseline", "--seed", "-1"),
    _option("seed not a number", "run", "baseline", "--seed", "x"),
    _option("out empty", "run", "baseline", "--out", "", "-n", "1"),
    _option("out blank", "run", "baseline", "--out", "   ", "-n", "1"),
    _option("validate without files", "validate"),
    _option("scenarios with an argument", "scenarios", "extra"),
    _option("sweep without file", "sweep"),
    _option("sweep without out", "sweep", "e.toml"),
    _option("sweep bad executor", "sweep", "e.toml", "--out", "{d}/o", "--executor", "ray"),
    _option("sweep negative workers", "sweep", "e.toml", "--out", "{d}/o", "--workers", "-1"),
    _option("sweep a million workers", "sweep", "e.toml", "--out", "{d}/o", "--workers", "10**6"),
    _option(
        "sweep workers over the limit", "sweep", "e.toml", "--out", "{d}/o", "--workers", "5000"
    ),  # noqa: E501
    _option("sweep unknown option", "sweep", "e.toml", "--out", "{d}/o", "--fast"),
    _option("analyze without store", "analyze"),
    _option("analyze bootstrap 5", "analyze", "{d}", "--bootstrap", "5"),
    _option("analyze bootstrap 10^9", "analyze", "{d}", "--bootstrap", str(10**9)),
    _option("analyze conf level 2", "analyze", "{d}", "--conf-level", "2"),
    _option("analyze conf level nan", "analyze", "{d}", "--conf-level", "nan"),
    _option("analyze conf level 0", "analyze", "{d}", "--conf-level", "0"),
    _option("analyze unknown option", "analyze", "{d}", "--figures"),
    _option("analyze a directory without a store", "analyze", "{d}"),
    _option("analyze a missing directory", "analyze", "{d}/nothere"),
]

# --------------------------------------------------------------------------- experiment files

EXPERIMENT_CASES = [
    _experiment("empty", ""),
    _experiment("non-utf8", b'[experiment]\nname = "\xff"\n'),
    _experiment("invalid toml", "[experiment\n"),
    _experiment("oversized", GOOD_EXPERIMENT + "#" * (2 << 20) + "\n"),
    _experiment("unknown table", _exp("[design]", "[desing]")),
    _experiment("unknown key", _exp("replicates = 2", "replicate = 2")),
    _experiment("replicates zero", _exp("replicates = 2", "replicates = 0")),
    _experiment("replicates 10^12", _exp("replicates = 2", "replicates = 1000000000000")),
    _experiment(
        "replicates times points",
        _exp("n = 8", "n = 1000").replace("replicates = 2", "replicates = 5000"),
    ),  # noqa: E501
    _experiment("replicates a string", _exp("replicates = 2", 'replicates = "two"')),
    _experiment("replicates nan", _exp("replicates = 2", "replicates = nan")),
    _experiment("months 100000", _exp("replicates = 2", "replicates = 2\nmonths = 100000")),
    _experiment("months negative", _exp("replicates = 2", "replicates = 2\nmonths = -1")),
    _experiment("batch size zero", _exp("replicates = 2", "replicates = 2\nbatch_size = 0")),
    _experiment("seed negative", _exp("seed = 3", "seed = -3")),
    _experiment("seed a float", _exp("seed = 3", "seed = 3.5")),
    _experiment("series not a bool", _exp("seed = 3", "seed = 3\nseries = 1")),
    _experiment("outcomes not names", _exp("seed = 3", "seed = 3\noutcomes = [1]")),
    _experiment("unknown outcome", _exp("seed = 3", 'seed = 3\noutcomes = ["z"]')),
    _experiment("unknown model", _exp('model = "ishigami"', 'model = "ishigamy"')),
    _experiment("model option not a number", _exp("[design]", "[model]\nnoise = true\n[design]")),
    _experiment("design missing", GOOD_EXPERIMENT.replace('[design]\nkind = "lhs"\nn = 8\n', "")),
    _experiment("design kind unknown", _exp('kind = "lhs"', 'kind = "lhd"')),
    _experiment("design kind a number", _exp('kind = "lhs"', "kind = 3")),
    _experiment("lhs n zero", _exp("n = 8", "n = 0")),
    _experiment("lhs n 10^7", _exp("n = 8", "n = 10000000")),
    _experiment("lhs n 10^30", _exp("n = 8", "n = 1000000000000000000000000000000")),
    _experiment("lhs n missing", _exp("n = 8", "")),
    _experiment("sobol n 2^30", _exp('kind = "lhs"\nn = 8', 'kind = "sobol"\nn = 1073741824')),
    _experiment("sobol n not a power of 2", _exp('kind = "lhs"\nn = 8', 'kind = "sobol"\nn = 12')),
    _experiment(
        "sobol 2^19 with 3 parameters", _exp('kind = "lhs"\nn = 8', 'kind = "sobol"\nn = 524288')
    ),  # noqa: E501
    _experiment(
        "grid of 10^15 points", _exp('kind = "lhs"\nn = 8', 'kind = "grid"\nlevels = 100000')
    ),  # noqa: E501
    _experiment("grid levels 1", _exp('kind = "lhs"\nn = 8', 'kind = "grid"\nlevels = 1')),
    _experiment(
        "morris 10^7 trajectories",
        _exp('kind = "lhs"\nn = 8', 'kind = "morris"\ntrajectories = 10000000'),
    ),  # noqa: E501
    _experiment(
        "morris odd levels",
        _exp('kind = "lhs"\nn = 8', 'kind = "morris"\ntrajectories = 4\nlevels = 3'),
    ),  # noqa: E501
    _experiment(
        "morris optimal among too many",
        _exp(
            'kind = "lhs"\nn = 8', 'kind = "morris"\ntrajectories = 5000\noptimal_trajectories = 4'
        ),
    ),  # noqa: E501
    _experiment(
        "mixture lattice degree 10^6",
        _exp(
            'kind = "lhs"\nn = 8',
            'kind = "mixture"\ncomponents = ["a", "b", "c", "d", "e", "f"]\ndegree = 1000000',
        ).replace(
            "[parameters]\nx1 = { bounds = [-3, 3] }\nx2 = { bounds = [-3, 3] }\nx3 = { bounds = [-3, 3] }",  # noqa: E501
            "[parameters]",
        ),
    ),  # noqa: E501
    _experiment(
        "mixture centroid of 40",
        _exp(
            'kind = "lhs"\nn = 8',
            'kind = "mixture"\nmethod = "centroid"\ncomponents = ['
            + ", ".join(f'"c{i}"' for i in range(40))
            + "]",
        ).replace(
            "[parameters]\nx1 = { bounds = [-3, 3] }\nx2 = { bounds = [-3, 3] }\nx3 = { bounds = [-3, 3] }",  # noqa: E501
            "[parameters]",
        ),
    ),  # noqa: E501
    _experiment(
        "mixture one component", _exp('kind = "lhs"\nn = 8', 'kind = "mixture"\ncomponents = ["a"]')
    ),  # noqa: E501
    _experiment("bounds reversed", _exp("x1 = { bounds = [-3, 3] }", "x1 = { bounds = [3, -3] }")),
    _experiment("bounds nan", _exp("x1 = { bounds = [-3, 3] }", "x1 = { bounds = [nan, 3] }")),
    _experiment("bounds inf", _exp("x1 = { bounds = [-3, 3] }", "x1 = { bounds = [-inf, 3] }")),
    _experiment(
        "bounds of strings", _exp("x1 = { bounds = [-3, 3] }", 'x1 = { bounds = ["a", "b"] }')
    ),  # noqa: E501
    _experiment(
        "bounds too many", _exp("x1 = { bounds = [-3, 3] }", "x1 = { bounds = [-3, 3, 4] }")
    ),  # noqa: E501
    _experiment(
        "unknown distribution",
        _exp("x1 = { bounds = [-3, 3] }", 'x1 = { bounds = [-3, 3], dist = "gauss" }'),
    ),  # noqa: E501
    _experiment("parameter not a table", _exp("x1 = { bounds = [-3, 3] }", "x1 = 3")),
    _experiment(
        "unknown parameter", _exp("x1 = { bounds = [-3, 3] }", "x9 = { bounds = [-3, 3] }")
    ),  # noqa: E501
    _experiment("values in an lhs", _exp("x1 = { bounds = [-3, 3] }", "x1 = { values = [1, 2] }")),  # noqa: E501
    _experiment(
        "no parameters",
        _exp("x1 = { bounds = [-3, 3] }\nx2 = { bounds = [-3, 3] }\nx3 = { bounds = [-3, 3] }", ""),
    ),  # noqa: E501
    _experiment(
        "analysis bootstrap 10^9", _exp("seed = 3", "seed = 3\n[analysis]\nbootstrap = 1000000000")
    ),  # noqa: E501
    _experiment("analysis conf level 0", _exp("seed = 3", "seed = 3\n[analysis]\nconf_level = 0")),
    _experiment("analysis unknown key", _exp("seed = 3", "seed = 3\n[analysis]\nboot = 10")),
    (
        "experiment/concertation value out of range",
        ["sweep", "{d}/e.toml", "--out", "{d}/out", "--workers", "0"],
        {
            "e.toml": '[experiment]\nreplicates = 1\nseed = 1\nmonths = 3\n[design]\nkind = "lhs"\nn = 4\n[parameters]\n"turnover.local_annual" = { bounds = [0, 3] }\n'  # noqa: E501
        },  # noqa: E501
    ),
    (
        "experiment/concertation months 100000",
        ["sweep", "{d}/e.toml", "--out", "{d}/out", "--workers", "0"],
        {
            "e.toml": '[experiment]\nreplicates = 1\nseed = 1\nmonths = 100000\n[design]\nkind = "lhs"\nn = 4\n[parameters]\n"turnover.local_annual" = { bounds = [0, 1] }\n'  # noqa: E501
        },  # noqa: E501
    ),
    (
        "experiment/concertation empty base scenario",
        ["sweep", "{d}/e.toml", "--out", "{d}/out", "--workers", "0"],
        {
            "e.toml": '[experiment]\nscenario = "s.toml"\nreplicates = 1\nseed = 1\n[design]\nkind = "lhs"\nn = 4\n[parameters]\n"turnover.local_annual" = { bounds = [0, 1] }\n',  # noqa: E501
            "s.toml": "",
        },
    ),
    (
        "experiment/concertation person-months over the limit",
        ["sweep", "{d}/e.toml", "--out", "{d}/out", "--workers", "0"],
        {"e.toml": CONCERTATION.format(extra="replicates = 1000", n=1000)},
    ),
    (
        "experiment/concertation posts at once over the limit",
        ["sweep", "{d}/e.toml", "--out", "{d}/out", "--workers", "0"],
        {"e.toml": CONCERTATION.format(extra="replicates = 10\nbatch_size = 100000", n=1000)},
    ),
    (
        "experiment/base scenario dev zero",
        ["sweep", "{d}/e.toml", "--out", "{d}/out", "--workers", "0"],
        {
            "e.toml": '[experiment]\nscenario = "/dev/zero"\n'
            + CONCERTATION.format(extra="", n=4)[14:]
        },
    ),
    ("experiment/missing file", ["sweep", "{d}/nothere.toml", "--out", "{d}/out"], {}),
    ("experiment/a directory", ["sweep", "{d}", "--out", "{d}/out"], {}),
    ("experiment/dev zero", ["sweep", "/dev/zero", "--out", "{d}/out"], {}),
    (
        "experiment/scheduler without dask",
        ["sweep", "{d}/e.toml", "--out", "{d}/out", "--scheduler", "tcp://x:1"],
        {"e.toml": GOOD_EXPERIMENT},
    ),  # noqa: E501
]

CASES = FILE_CASES + SET_CASES + OPTION_CASES + EXPERIMENT_CASES

SAYS = {
    "file/empty": "got an empty file",
    "file/non-utf8 bytes": "UTF-8",
    "file/oversized file": "at most 1 MiB",
    "file/deeply nested arrays": "valid TOML",
    "file/a directory": "got a directory",
    "file/dev zero": "got a character device",
    "file/extends chain of 40": "at most 32 files in a chain of extends",
    "file/extends cycle of 3": "cycle",
    "file/set of credibility.initial": "month 0 only",
    "file/event month at horizon": "[0, 23]",
    "file/unknown key": "did you mean 'local_annual'?",
    "run-file/set of credibility.initial": "month 0 only",
    "run-file/person-months over the limit": "person-months",
    "run-file/posts at once over the limit": "posts simulated at once",
    "set/true on a number": "--set: [turnover] local_annual: expected a number in [0, 1], got true",
    "set/unknown key": "did you mean 'turnover.local_annual'?",
    "option/replicates 10^12": "expected an integer in [1, 1000000]",
    "option/months 100000": "expected an integer in [1, 1200]",
    "option/replicates over the posts limit": "posts simulated at once",
    "option/analyze bootstrap 5": "concertsim: error: analyze: argument --bootstrap",
    "experiment/grid of 10^15 points": "at most 1,000,000 design points",
    "experiment/sobol n 2^30": "[design] n",
    "experiment/replicates times points": "at most 1,000,000 runs",
    "experiment/mixture lattice degree 10^6": "design points",
    "experiment/mixture centroid of 40": "design points",
    "experiment/dev zero": "got a character device",
    "experiment/concertation person-months over the limit": "person-months",
    "experiment/concertation posts at once over the limit": "posts simulated at once",
}
"""What some cases' one line must say (the limit or rule that refuses them)."""


def test_the_corpus_is_large_and_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 130
    assert set(SAYS) <= set(ids)


@pytest.mark.parametrize(("case", "argv", "files"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_refused_in_one_line(tmp_path, monkeypatch, capsys, case, argv, files):
    argv = materialise(tmp_path, argv, files)
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path)
    start = time.monotonic()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    seconds = time.monotonic() - start
    err = capsys.readouterr().err
    assert_refused(code, err, seconds)
    assert SAYS.get(case, "") in err
    assert tree(tmp_path) == before  # nothing created, nothing deleted


def test_a_refused_run_with_force_deletes_nothing(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    (tmp_path / "s.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    code = main(["run", "s.toml", "--out", str(out), "--force", "-n", "1"])
    assert_refused(code, capsys.readouterr().err, 0.0)
    assert (out / "keep.txt").read_text() == "precious"


# --------------------------------------------------------------------------- subprocess


def _subprocess(argv: list[str], cwd: Path) -> tuple[int, str, float]:
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "concertsim", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=LIMIT_SECONDS,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    return proc.returncode, proc.stderr, time.monotonic() - start


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "/dev/zero"],
        ["run", "/dev/zero"],
        ["validate", "{d}/fifo.toml"],
        ["run", "{d}/fifo.toml", "--out", "{d}/out"],
        ["run", "baseline", "--replicates", str(10**12), "--out", "{d}/out"],
        ["run", "baseline", "--months", "100000", "--out", "{d}/out"],
        ["run", "baseline", "--set", "turnover.local_annual=true", "--out", "{d}/out"],
        ["sweep", "/dev/zero", "--out", "{d}/out"],
        ["sweep", "{d}/fifo.toml", "--out", "{d}/out"],
        ["analyze", "{d}", "--bootstrap", "5"],
    ],
    ids=[
        "validate dev zero",
        "run dev zero",
        "validate fifo",
        "run fifo",
        "replicates 10^12",
        "months 100000",
        "set true on a number",
        "sweep dev zero",
        "sweep fifo",
        "analyze bad bootstrap",
    ],
)
def test_hostile_input_in_a_subprocess(tmp_path, argv):
    os.mkfifo(tmp_path / "fifo.toml")
    before = _tree_names(tmp_path)
    code, err, seconds = _subprocess([a.replace("{d}", str(tmp_path)) for a in argv], tmp_path)
    assert_refused(code, err, seconds)
    assert _tree_names(tmp_path) == before


def _tree_names(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.slow
def test_a_socket_is_refused(tmp_path):
    import socket

    path = tmp_path / "s.toml"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(path))
        code, err, seconds = _subprocess(["validate", str(path)], tmp_path)
    assert_refused(code, err, seconds)
    assert "socket" in err


# --------------------------------------------------------------------------- live events


def test_an_event_from_python_takes_a_dict_and_stays_hashable():
    event = Event(month=24, kind="set", values={"turnover.local_annual": 0.3})
    assert event.values == (("turnover.local_annual", 0.3),)
    assert hash(event) == hash(Event(24, "set", values=(("turnover.local_annual", 0.3),)))


def test_a_live_set_event_runs_and_a_bad_one_is_refused_alike():
    from concertsim.model import ConcertationModel
    from concertsim.scenario import load_scenario

    model = ConcertationModel(load_scenario("baseline").with_overrides({"horizon": 3}), rng=1)
    model.intervene(Event(month=1, kind="set", values={"turnover.local_annual": 0.3}))
    model.step()
    with pytest.raises(InputError, match=r"credibility\.initial.*month 0 only"):
        model.intervene(Event(month=1, kind="set", values={"credibility.initial": 0.9}))
    with pytest.raises(InputError, match=r"expected a number in \[0, 1\], got true"):
        model.intervene(Event(month=1, kind="set", values={"turnover.local_annual": True}))


LIVE_AND_FILE = [
    # (the event, a fragment of the one message a file and a live intervention both give)
    (
        {"month": 1, "kind": "role_mix", "values": {"networking": 0.99, "alignment": 0.5}},
        "expected role shares summing to at most 1",
    ),
    ({"month": 1, "kind": "funding_cut", "share": 1.5}, r"in \[0, 1\], got 1.5"),
    ({"month": 1, "kind": "role_mode", "values": {"lobbying": 1.0}}, "lobbying"),
    ({"month": 5, "kind": "funding_cut", "share": 0.1}, r"a month in \[0, 2\] \(horizon 3\)"),
]


@pytest.mark.parametrize("event, message", LIVE_AND_FILE)
def test_a_live_event_and_the_same_event_in_a_file_get_the_same_message(event, message, tmp_path):
    """One validation path: ``intervene`` refuses what a scenario file refuses, in the same
    words, and changes nothing."""
    from concertsim.model import ConcertationModel
    from concertsim.scenario import load_scenario

    model = ConcertationModel(load_scenario("baseline").with_overrides({"horizon": 3}), rng=1)
    before = model.engine.state.role_mix.copy(), model.engine.state.funding.copy()
    with pytest.raises(InputError, match=message) as live:
        model.intervene(Event(**event))
    assert np.array_equal(model.engine.state.role_mix, before[0])
    assert np.array_equal(model.engine.state.funding, before[1])
    values = ", ".join(f'"{k}" = {v}' for k, v in event.get("values", {}).items())
    lines = ['extends = "baseline"', "horizon = 3", "[[events]]"]
    lines += [f"{k} = {v!r}".replace("'", '"') for k, v in event.items() if k != "values"]
    lines += [f"values = {{ {values} }}"] if values else []
    path = tmp_path / "live.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as in_file:
        load_scenario(path)
    live_text = str(live.value).split(": expected", 1)[1]
    file_text = str(in_file.value).split(": expected", 1)[1]
    assert live_text == file_text


def test_a_file_with_a_byte_order_mark_is_read(tmp_path):
    """Some editors start UTF-8 files with a BOM: not an error."""
    from concertsim.scenario import load_scenario

    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbfextends = "baseline"\nhorizon = 6\n')
    assert load_scenario(path).horizon == 6


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_extends_naming_a_special_file_says_so_in_the_referring_file(tmp_path, kind, capsys):
    target = tmp_path / "p.toml"
    os.mkfifo(target) if kind == "fifo" else target.mkdir()
    (tmp_path / "child.toml").write_text('extends = "p.toml"\n', encoding="utf-8")
    assert main(["validate", str(tmp_path / "child.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "child.toml: extends:" in err[0] and "not a regular file" in err[0]


@pytest.mark.parametrize("what", ["/dev/null", "a file", "a run result", "a link"])
def test_patterns_refuses_an_out_it_must_not_write_into(tmp_path, what, capsys):
    out = {"/dev/null": Path("/dev/null"), "a file": tmp_path / "f.txt"}.get(what)
    if what == "a file":
        out.write_text("mine")
    elif what == "a run result":
        out = tmp_path / "run"
        out.mkdir()
        (out / "manifest.json").write_text('{"kind": "concertsim.run"}')
    elif what == "a link":
        (tmp_path / "real").mkdir()
        out = tmp_path / "link"
        out.symlink_to(tmp_path / "real")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    argv = ["patterns", "--only", "turnover_threatens_durability", "--out", str(out)]
    assert main([*argv, "--replicates", "2", "--months", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("concertsim: error: --out:")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_sweep_from_python_is_held_to_the_same_workload_limits(tmp_path):
    """The limit lives in the model's preparation, not only in the command line."""
    from concertsim.experiment import load_experiment, run_sweep

    path = tmp_path / "e.toml"
    path.write_text(CONCERTATION.format(extra="replicates = 1000", n=1000), encoding="utf-8")
    with pytest.raises(InputError, match="person-months"):
        run_sweep(load_experiment(path), tmp_path / "out", workers=0)
    assert not (tmp_path / "out").exists()
