"""Hostile input for the newer commands: compare, discover, calibrate, app (its checks),
run --lang/--no-figure, patterns --set/--book, and experiments with a ``[scenarios]`` table.

As in ``tests/test_hostile.py``: each case runs ``concertsim.cli.main`` in this process and
must exit with code 2, print exactly one line on stderr starting ``concertsim: error:``, no
traceback, within 10 s, and leave its directory as it was (nothing created, changed or
deleted). A case is ``(id, argv, files, setup)``: ``{d}`` in the arguments is the case's
directory, ``files`` maps names in it to their text (``bytes`` for raw bytes), and
``setup`` names what else is put there first (see :func:`_setup`): a copy of a result of
``run`` (``run``), ``compare`` (``cmp``), a sweep store (``ish``: a test function;
``conc``: the concertation model with two scenarios), a directory holding a file
(``keep``), a FIFO or a directory at some name (``fifo:NAME``, ``dir:NAME``).
"""

# ruff: noqa: E501  (the tables of cases read best one case a line)

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import pytest
from refusal import GOOD_EXPERIMENT, LIMIT_SECONDS, assert_refused, materialise, tree

from concertsim.cli import main

A = 'name = "a"\nextends = "baseline"\nhorizon = 2\n'
B = 'name = "b"\nextends = "baseline"\nhorizon = 2\n[turnover]\nlocal_annual = 0.4\n'

SCENARIOS = """
[experiment]
model = "concertation"
months = 2
replicates = 1
seed = 5
outcomes = ["survived", "stability_mean"]
[scenarios]
base = "baseline"
[scenarios.cut]
extends = "baseline"
[[scenarios.cut.events]]
month = 1
kind = "funding_cut"
share = 0.5
[design]
kind = "lhs"
n = 4
[parameters]
"turnover.local_annual" = { bounds = [0.05, 0.5] }
[analysis]
baseline = "base"
"""

CALIBRATION = """
[experiment]
model = "patterns"
months = 2
replicates = 1
seed = 1
batch_size = 1
[model]
replicates = 2
[design]
kind = "lhs"
n = 2
[parameters]
"funding.budget" = { bounds = [0.8, 1.0] }
"""


def _sub(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# --------------------------------------------------------------------------- compare

_PAIR = {"a.toml": A, "b.toml": B}
_COMPARE = ["compare", "{d}/a.toml", "{d}/b.toml", "-n", "2", "--no-progress", "--out", "{d}/o"]


def _compare(case: str, *extra: str, files: dict | None = None, setup: str = "") -> tuple:
    return (f"compare/{case}", [*_COMPARE, *extra], _PAIR if files is None else files, setup)


def _compare_of(case: str, *scenarios: str, files: dict | None = None) -> tuple:
    argv = ["compare", *scenarios, "-n", "2", "--no-progress", "--out", "{d}/o"]
    return (f"compare/{case}", argv, _PAIR if files is None else files, "")


COMPARE_CASES = [
    _compare_of("same file twice", "{d}/a.toml", "{d}/a.toml"),
    _compare_of("same bundled name twice", "baseline", "baseline"),
    _compare("two files of one name", files={"a.toml": A, "b.toml": A}),
    _compare_of("one scenario", "{d}/a.toml"),
    _compare_of("unknown scenario name", "{d}/a.toml", "nosuch"),
    _compare("a scenario with a bad key", files={"a.toml": A, "b.toml": B + "bogus = 1\n"}),
    _compare("nan in a scenario", files={"a.toml": A + "[turnover]\nlocal_annual = nan\n", "b.toml": B}),
    _compare("horizons differ", files={"a.toml": A, "b.toml": B.replace("= 2", "= 3")}),
    _compare("baseline not compared", "--baseline", "zzz"),
    _compare("replicates 0", "-n", "0"),
    _compare("replicates 1", "-n", "1"),
    _compare("replicates negative", "-n", "-1"),
    _compare("replicates huge", "-n", str(10**12)),
    _compare("replicates nan", "-n", "nan"),
    _compare("seed negative", "--seed", "-1"),
    _compare("precision 0", "--precision", "0"),
    _compare("precision negative", "--precision", "-1"),
    _compare("precision nan", "--precision", "nan"),
    _compare("precision inf", "--precision", "inf"),
    _compare("max-replicates 0", "--precision", "0.1", "--max-replicates", "0"),
    _compare("max-replicates huge", "--precision", "0.1", "--max-replicates", str(10**12)),
    _compare("lang de", "--lang", "de"),
    _compare("non-utf8 file", files={"a.toml": b'name = "\xff"\n', "b.toml": B}),
    _compare("binary file", files={"a.toml": bytes(range(256)), "b.toml": B}),
    _compare("empty file", files={"a.toml": "", "b.toml": B}),
    _compare("a directory as a file", files={"b.toml": B}, setup="dir:a.toml"),
    _compare("a fifo as a file", files={"b.toml": B}, setup="fifo:a.toml"),
    _compare_of("accented name missing", "{d}/coupe_démo.toml", "{d}/b.toml"),
    _compare_of("accented name bad", "{d}/coupe_démo.toml", "{d}/b.toml", files={"coupe_démo.toml": "name = 3\n", "b.toml": B}),
    _compare("out is a file", files={**_PAIR, "o": "precious"}),
    _compare("out under a file", files={**_PAIR, "o": "precious"}) [:1] + (
        [*_COMPARE[:-1], "{d}/o/x"], {**_PAIR, "o": "precious"}, ""
    ),
    _compare("out a non-result directory", setup="keep"),
    _compare("force over a non-result directory", "--force", setup="keep"),
    _compare("force over a file", "--force", files={**_PAIR, "o": "precious"}),
    _compare("force over a run result", "--force", setup="run"),
    _compare("force over a sweep store", "--force", setup="ish"),
    _compare("over a compare result without force", setup="cmp"),
]  # fmt: skip

# --------------------------------------------------------------------------- run, patterns

_RUN = ["run", "baseline", "-n", "1", "--months", "2", "--no-progress", "--out", "{d}/o"]


def _run(case: str, *extra: str, setup: str = "") -> tuple:
    return (f"run/{case}", [*_RUN, *extra], {}, setup)


_PATTERNS = ["patterns", "--replicates", "2", "--months", "2", "--out", "{d}/o"]


def _patterns(case: str, *extra: str, files: dict | None = None, setup: str = "") -> tuple:
    return (f"patterns/{case}", [*_PATTERNS, *extra], files or {}, setup)


RUN_CASES = [
    _run("lang de", "--lang", "de"),
    _run("lang empty", "--lang", ""),
    _run("lang upper case", "--lang", "FR"),
    _run("no-figure with a value", "--no-figure=1"),
    _run("force over a compare result", "--force", setup="cmp"),
    _run("force over a sweep store", "--force", setup="ish"),
    _run("over a compare result without force", setup="cmp"),
    _patterns("set unknown key", "--set", "funding.nosuch=1"),
    _patterns("set unknown section", "--set", "nosuch.rule=1"),
    _patterns("set bad choice", "--set", "funding.rule=nosuch"),
    _patterns("set nan", "--set", "turnover.local_annual=nan"),
    _patterns("set inf", "--set", "turnover.local_annual=inf"),
    _patterns("set 1e400", "--set", "turnover.local_annual=1e400"),
    _patterns("set without equals", "--set", "funding.rule"),
    _patterns("set empty", "--set", ""),
    _patterns("set one key twice", "--set", "funding.rule=block", "--set", "funding.rule=budget"),
    _run("set one key twice", "--set", "turnover.local_annual=0.1", "--set", "turnover.local_annual=0.2"),
    _patterns("set horizon too long", "--set", "horizon=100000"),
    _patterns("set name", "--set", "name=x"),
    _patterns("set structure too big", "--set", "structure.regions=1000000"),
    _patterns("replicates 0", "--replicates", "0"),
    _patterns("replicates 1", "--replicates", "1"),
    _patterns("replicates huge", "--replicates", str(10**12)),
    _patterns("months 0", "--months", "0"),
    _patterns("months huge", "--months", "100000"),
    _patterns("only unknown", "--only", "NOPE"),
    _patterns("book missing", "--book", "{d}/nope.toml"),
    _patterns("book empty", "--book", "{d}/b.toml", files={"b.toml": ""}),
    _patterns("book binary", "--book", "{d}/b.toml", files={"b.toml": bytes(range(256))}),
    _patterns("book latin-1", "--book", "{d}/b.toml", files={"b.toml": b"# caf\xe9\n"}),
    _patterns("book a directory", "--book", "{d}"),
    _patterns("book a fifo", "--book", "{d}/f.toml", setup="fifo:f.toml"),
    _patterns("book accented", "--book", "{d}/coupe_démo.toml", files={"coupe_démo.toml": "[[pattern]]\nid = 3\n"}),
    _patterns("out is a file", files={"o": "precious"}),
    _patterns("out a run result", setup="run"),
]  # fmt: skip

# --------------------------------------------------------------------------- discover

_DISCOVER = ["discover", "{d}/store", "--no-figures", "--outcome", "y"]


def _discover(case: str, *extra: str, setup: str = "ish:store", files: dict | None = None) -> tuple:
    return (f"discover/{case}", [*_DISCOVER, *extra], files or {}, setup)


def _discover_conc(case: str, *extra: str) -> tuple:
    argv = ["discover", "{d}/store", "--no-figures", "--outcome", "survived", *extra]
    return (f"discover/{case}", argv, {}, "conc:store")


DISCOVER_CASES = [
    _discover("an empty directory", setup="dir:store"),
    _discover("a run result", setup="run:store"),
    _discover("a compare result", setup="cmp:store"),
    _discover("a file", setup="", files={"store": "x"}),
    _discover("no such directory", setup=""),
    _discover("accented no such directory", setup="") [:1] + (
        ["discover", "{d}/coupe_démo", "--no-figures"], {}, ""
    ),
    _discover("unknown outcome", "--outcome", "nope"),
    _discover("outcome of another model", "--outcome", "survived"),
    _discover("threshold nan", "--threshold", "nan"),
    _discover("threshold inf", "--threshold", "inf"),
    _discover("threshold 1e400", "--threshold", "1e400"),
    _discover("threshold no run meets", "--threshold=-1e9"),
    _discover("min-density 0", "--min-density", "0"),
    _discover("min-density 2", "--min-density", "2"),
    _discover("min-density nan", "--min-density", "nan"),
    _discover("peel-alpha 0", "--peel-alpha", "0"),
    _discover("peel-alpha 1", "--peel-alpha", "1"),
    _discover("peel-alpha negative", "--peel-alpha", "-0.1"),
    _discover("paste-alpha negative", "--paste-alpha", "-1"),
    _discover("paste-alpha nan", "--paste-alpha", "nan"),
    _discover("mass-min 0", "--mass-min", "0"),
    _discover("mass-min 1.5", "--mass-min", "1.5"),
    _discover("lang de", "--lang", "de"),
    _discover("scenario of a store without", "--scenario", "x"),
    _discover("out is a file", "--out", "{d}/f", files={"f": "precious"}),
    _discover("out a non-result directory", "--out", "{d}/o", setup="ish:store+keep"),
    _discover("out is the store", "--out", "{d}/store"),
    _discover("out a run result", "--out", "{d}/o", setup="ish:store+run"),
    _discover("manifest not utf-8", setup="ish:store+manifest:\xff\xfe"),
    _discover("manifest empty", setup="ish:store+manifest:"),
    _discover_conc("unknown scenario", "--scenario", "nosuch"),
    _discover_conc("no run meets the threshold", "--scenario", "base"),
    _discover_conc("by point, threshold nan", "--scenario", "base", "--by-point", "--threshold", "nan"),
]  # fmt: skip

# --------------------------------------------------------------------------- calibrate

_CALIBRATE = ["calibrate", "{d}/e.toml", "--out", "{d}/cal", "--workers", "0", "--quiet"]


def _calibrate(case: str, *extra: str, text: str | bytes = CALIBRATION, setup: str = "",
               files: dict | None = None) -> tuple:  # fmt: skip
    return (f"calibrate/{case}", [*_CALIBRATE, *extra], {"e.toml": text, **(files or {})}, setup)


def _cal(old: str, new: str) -> str:
    return _sub(CALIBRATION, old, new)


CALIBRATE_CASES = [
    _calibrate("not the patterns model", text=GOOD_EXPERIMENT),
    _calibrate("with scenarios", text=CALIBRATION + '[scenarios]\na = "baseline"\n'),
    _calibrate("empty file", text=""),
    _calibrate("binary file", text=bytes(range(256))),
    _calibrate("a fifo", setup="fifo:f.toml")[:1] + (["calibrate", "{d}/f.toml", "--out", "{d}/cal"], {}, "fifo:f.toml"),
    _calibrate("a directory")[:1] + (["calibrate", "{d}", "--out", "{d}/cal"], {}, ""),
    _calibrate("accented non-utf8")[:1] + (["calibrate", "{d}/coupe_démo.toml", "--out", "{d}/cal"], {"coupe_démo.toml": b"\xff"}, ""),
    _calibrate("out is a file", files={"cal": "precious"}),
    _calibrate("out a non-calibration directory", setup="keep:cal"),
    _calibrate("out a run result", setup="run:cal"),
    _calibrate("out a sweep store", setup="ish:cal"),
    _calibrate("out/store another experiment's", setup="ish:cal/store"),
    _calibrate("out/store is a file", setup="dir:cal", files={"cal/store": "precious"}),
    _calibrate("no-sweep without a store", "--no-sweep"),
    _calibrate("workers negative", "--workers", "-1"),
    _calibrate("scheduler without dask", "--scheduler", "tcp://x:1"),
    _calibrate("book replicates 0", text=_cal("replicates = 2", "replicates = 0")),
    _calibrate("book replicates huge", text=_cal("replicates = 2", "replicates = 1000000000")),
    _calibrate("exempt unknown", text=_cal("replicates = 2", 'replicates = 2\nexempt = ["nope"]')),
    _calibrate("parameter unknown", text=_cal('"funding.budget"', '"funding.nope"')),
    _calibrate("parameter out of range", text=_cal("[0.8, 1.0]", "[0.8, 5.0]")),
    _calibrate("parameter nan", text=_cal("[0.8, 1.0]", "[nan, 1.0]")),
    _calibrate("design n huge", text=_cal("n = 2", "n = 100000000")),
]  # fmt: skip

# --------------------------------------------------------------------------- [scenarios]

_SWEEP = ["sweep", "{d}/e.toml", "--out", "{d}/o", "--workers", "0"]


def _scenarios(case: str, old: str, new: str, files: dict | None = None, setup: str = "") -> tuple:
    text = _sub(SCENARIOS, old, new)
    return (f"scenarios/{case}", _SWEEP, {"e.toml": text, **(files or {})}, setup)


def _analyze(case: str, *extra: str, setup: str = "conc:store") -> tuple:
    return (f"analyze/{case}", ["analyze", "{d}/store", *extra], {}, setup)


_BASE = 'base = "baseline"'
_CUT = 'extends = "baseline"\n'
SCENARIO_CASES = [
    _scenarios("unknown bundled name", _BASE, 'base = "nosuch"'),
    _scenarios("missing file", _BASE, 'base = "nope.toml"'),
    _scenarios("file with a bad key", _BASE, 'base = "s.toml"', {"s.toml": 'name = "s"\nbogus = 1\n'}),
    _scenarios("inline bad key", _CUT, _CUT + "bogus = 1\n"),
    _scenarios("inline bad section key", _CUT, _CUT + "[scenarios.cut.turnover]\nlocal_anual = 0.3\n"),
    _scenarios("inline nan", _CUT, _CUT + "[scenarios.cut.turnover]\nlocal_annual = nan\n"),
    _scenarios("event of unknown kind", 'kind = "funding_cut"', 'kind = "nope"'),
    _scenarios("event share 2", "share = 0.5", "share = 2.0"),
    _scenarios("a number", _BASE, "base = 3"),
    _scenarios("an empty string", _BASE, 'base = ""'),
    _scenarios("a name with a space", _BASE, '"a b" = "baseline"'),
    _scenarios("analysis baseline unknown", 'baseline = "base"', 'baseline = "zzz"'),
    _scenarios("a fifo", _BASE, 'base = "f.toml"', setup="fifo:f.toml"),
    _scenarios("a directory", _BASE, 'base = "sd"', setup="dir:sd"),
    _scenarios("a binary file", _BASE, 'base = "s.toml"', {"s.toml": bytes(range(256))}),
    _scenarios("an empty file", _BASE, 'base = "s.toml"', {"s.toml": ""}),
    _scenarios("with a base scenario too", "[experiment]\n", '[experiment]\nscenario = "baseline"\n'),
    _scenarios("extends a missing file", _CUT, 'extends = "nope.toml"\n'),
    _scenarios("extends a fifo", _CUT, 'extends = "f.toml"\n', setup="fifo:f.toml"),
    _scenarios("a bound the scenarios refuse", "[0.05, 0.5]", "[0.05, 5]"),
    ("scenarios/experiment not utf-8", _SWEEP, {"e.toml": SCENARIOS.encode().replace(b"base =", b"b\xe9se =")}, ""),
    ("scenarios/out is a file", _SWEEP, {"e.toml": SCENARIOS, "o": "precious"}, ""),
    ("scenarios/out under a file", [*_SWEEP[:3], "{d}/o/x", *_SWEEP[4:]], {"e.toml": SCENARIOS, "o": "precious"}, ""),
    _analyze("baseline unknown", "--baseline", "zzz"),
    _analyze("baseline empty", "--baseline", ""),
    _analyze("baseline accented unknown", "--baseline", "démo"),
    _analyze("baseline on a store without scenarios", "--baseline", "base", setup="ish:store"),
]  # fmt: skip

# --------------------------------------------------------------------------- app

APP_CASES = [
    ("app/unknown scenario", ["app", "nosuch"], {}, ""),
    ("app/a directory", ["app", "{d}"], {}, ""),
    ("app/a fifo", ["app", "{d}/f.toml"], {}, "fifo:f.toml"),
    ("app/a binary file", ["app", "{d}/s.toml"], {"s.toml": bytes(range(256))}, ""),
    ("app/an empty file", ["app", "{d}/s.toml"], {"s.toml": ""}, ""),
    ("app/accented bad", ["app", "{d}/coupe_démo.toml"], {"coupe_démo.toml": "name = 3\n"}, ""),
    ("app/port 70000", ["app", "--port", "70000"], {}, ""),
    ("app/port negative", ["app", "--port", "-1"], {}, ""),
    ("app/lang de", ["app", "--lang", "de"], {}, ""),
    ("app/seed negative", ["app", "--seed", "-1"], {}, ""),
    ("app/host unknown", ["app", "--host", "nosuch.invalid", "--port", "0"], {}, ""),
    ("app/host of another machine", ["app", "--host", "192.0.2.1", "--port", "0"], {}, ""),
    ("app/host empty", ["app", "--host", "", "--port", "0"], {}, ""),
    ("app/port taken", ["app", "--port", "{port}"], {}, "listen"),
]

CASES = COMPARE_CASES + RUN_CASES + DISCOVER_CASES + CALIBRATE_CASES + SCENARIO_CASES + APP_CASES

SAYS = {
    "compare/same file twice": "expected scenarios of different names",
    "compare/two files of one name": "expected scenarios of different names",
    "compare/force over a run result": "a result of `concertsim compare`",
    "run/force over a compare result": "a result of `concertsim run`",
    "patterns/book a fifo": "FIFO",
    "patterns/set one key twice": "expected each key set once",
    "run/set one key twice": "expected each key set once",
    "patterns/book latin-1": "UTF-8",
    "calibrate/with scenarios": "no [scenarios] for the pattern book",
    "calibrate/out/store is a file": "got a file",
    "scenarios/out is a file": "got a file",
    "scenarios/out under a file": "a path under the file",
    "analyze/baseline empty": "a scenario of these results (base, cut)",
    "analyze/baseline on a store without scenarios": "results with [scenarios]",
    "app/host unknown": "--host/--port",
    "app/host of another machine": "--host/--port",
    "app/port taken": "address already in use",
}
"""What some cases' one line must say."""


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, Path]:
    """Tiny results of each kind, made once: run, compare, and two sweep stores."""
    root = tmp_path_factory.mktemp("results")
    (root / "a.toml").write_text(A)
    (root / "b.toml").write_text(B)
    (root / "ish.toml").write_text(GOOD_EXPERIMENT)
    (root / "conc.toml").write_text(SCENARIOS)
    commands = {
        "run": ["run", "baseline", "-n", "1", "--months", "2", "--seed", "1", "--no-figure"],
        "cmp": ["compare", str(root / "a.toml"), str(root / "b.toml"), "-n", "2", "--seed", "1"],
        "ish": ["sweep", str(root / "ish.toml"), "--workers", "0", "--quiet"],
        "conc": ["sweep", str(root / "conc.toml"), "--workers", "0", "--quiet"],
    }
    for name, argv in commands.items():
        extra = ["--no-progress"] if name in ("run", "cmp") else []
        assert main([*argv, *extra, "--out", str(root / name)]) in (0, None), name
    return {name: root / name for name in commands}


def _setup(d: Path, setup: str, results: dict[str, Path], stack) -> dict[str, str]:
    """Put what ``setup`` names into ``d``; the values for ``{...}`` in the arguments."""
    values = {"d": str(d)}
    for item in filter(None, setup.split("+")):
        what, _, where = item.partition(":")
        if what in results:
            shutil.copytree(results[what], d / (where or "o"))
        elif what == "dir":
            (d / where).mkdir(parents=True, exist_ok=True)
        elif what == "fifo":
            os.mkfifo(d / where)
        elif what == "keep":
            (d / (where or "o")).mkdir(parents=True)
            (d / (where or "o") / "keep.txt").write_text("precious")
        elif what == "manifest":
            (d / "store" / "manifest.json").write_bytes(where.encode("latin-1"))
        elif what == "listen":
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            values["port"] = str(sock.getsockname()[1])
    return values


def test_the_corpus_is_large_and_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 150
    assert set(SAYS) <= set(ids)


@pytest.mark.parametrize(("case", "argv", "files", "setup"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_to_the_new_commands_is_refused_in_one_line(
    tmp_path, monkeypatch, capsys, results, case, argv, files, setup
):
    import contextlib
    import subprocess

    monkeypatch.setattr(subprocess, "call", lambda *a, **k: pytest.fail("the app server started"))
    with contextlib.ExitStack() as stack:
        values = _setup(tmp_path, setup, results, stack)
        argv = materialise(tmp_path, argv, files)
        for key, value in values.items():
            argv = [a.replace(f"{{{key}}}", value) for a in argv]
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
    assert seconds < LIMIT_SECONDS
    assert SAYS.get(case, "") in err, err
    assert tree(tmp_path) == before  # nothing created, changed or deleted
