"""Run the ``concertsim`` command line and SIGKILL it at the K-th step of writing its output.

Usage::

    python tests/kill_at.py K [--fallback] -- run SCENARIO --out DIR ...
    python tests/kill_at.py --every CASES [--template DIR] [--fallback] -- run ... --out {out}

Steps are counted only while :func:`concertsim.outdir.check_out_dir` (recovering from
an earlier kill, if there is anything to recover) or
:func:`concertsim.output.write_results` runs. Each call of
``os.mkdir``, ``os.rename``, ``os.replace``, ``os.unlink``, ``os.rmdir``,
``shutil.rmtree`` and ``concertsim.outdir._exchange`` has two kill points, just before
and just after it; each writer (``concertsim.output._write_table``,
``concertsim.plots.plot_series``, ``concertsim.atomic.write_bytes``) has three: before,
in the middle (the file written, then cut to half its size: a write cut short) and
after. At point K the process says where on stderr (``kill point K: ...``) and sends
itself SIGKILL. ``K = 0`` kills nowhere and ends by printing ``kill points: N`` on
stderr. ``--fallback`` makes the atomic exchange unavailable, so that the two-rename
replacement is exercised.

``--every CASES`` runs the command once per kill point, each in a forked child of this
process (which has imported everything once): first with K = 0 into ``CASES/0/out``,
then K = 1 .. N into ``CASES/K/out``, ``{out}`` in the arguments standing for that
path; ``--template DIR`` is copied to ``CASES/K`` first (e.g. a previous result to
replace, as ``DIR/out``, or what an earlier killed run left beside it). It
prints ``{"points": N, "status": {K: "killed" | "exit N"}, "labels": {K: "..."}}`` as
JSON on stdout.

Nothing in concertsim knows about this script: it patches module attributes from
outside, then calls :func:`concertsim.cli.main`.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import sys
from pathlib import Path

import concertsim.atomic
import concertsim.cli
import concertsim.outdir
import concertsim.output
import concertsim.plots

KILL_AT = 0
LABELS: Path | None = None
armed = False
points = 0


def _point(label: str) -> None:
    """Count a kill point; die here if it is the K-th."""
    global points
    if not armed:
        return
    points += 1
    if points == KILL_AT:
        text = f"kill point {points}: {label}"
        if LABELS is not None:
            LABELS.write_text(text)
        os.write(2, (text + "\n").encode())
        os.kill(os.getpid(), signal.SIGKILL)


def _step(name: str, real):
    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        shown = ", ".join(os.path.basename(str(a)) for a in args[:2])
        _point(f"before {name}({shown})")
        result = real(*args, **kwargs)
        _point(f"after {name}({shown})")
        return result

    return wrapper


def _writer(name: str, real, path_arg: int):
    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        path = str(args[path_arg])
        shown = os.path.basename(path)
        _point(f"before {name}({shown})")
        result = real(*args, **kwargs)
        if armed and points + 1 == KILL_AT:  # the middle: a file cut short
            with open(path, "r+b") as fh:
                fh.truncate(os.path.getsize(path) // 2)
        _point(f"in the middle of {name}({shown}): the file cut to half")
        _point(f"after {name}({shown})")
        return result

    return wrapper


def _patch(fallback: bool) -> None:
    """Count (and kill at) every step of writing the output; see the module's notes."""
    for name in ("mkdir", "rename", "replace", "unlink", "rmdir"):
        setattr(os, name, _step(f"os.{name}", getattr(os, name)))
    shutil.rmtree = _step("shutil.rmtree", shutil.rmtree)
    output = concertsim.output
    outdir = concertsim.outdir
    exchange = (lambda a, b: False) if fallback else outdir._exchange
    outdir._exchange = _step("_exchange", exchange)
    output._write_table = _writer("_write_table", output._write_table, path_arg=1)
    concertsim.plots.plot_series = _writer("plot_series", concertsim.plots.plot_series, 1)
    concertsim.atomic.write_bytes = _writer("write_bytes", concertsim.atomic.write_bytes, 0)
    output.check_out_dir = _armed(output.check_out_dir)
    output.write_results = _armed(output.write_results)


def _armed(real):
    """``real``, counting kill points while it runs."""

    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        global armed
        armed = True
        try:
            return real(*args, **kwargs)
        finally:
            armed = False

    return wrapper


def _warm_up() -> None:
    """Import, once, what the command imports lazily, so that each child starts fast."""
    import matplotlib.pyplot  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    import scipy.stats  # noqa: F401

    import concertsim.scenario  # noqa: F401
    import concertsim.simulate  # noqa: F401

    concertsim.atomic.versions()


def _child(k: int, args: list[str], cases: Path, template: Path | None) -> int:
    """Fork a child running the command with kill point ``k``; return its pid."""
    case = cases / str(k)
    if template is not None:
        shutil.copytree(template, case, symlinks=True)
    else:
        case.mkdir(parents=True)
    pid = os.fork()
    if pid:
        return pid
    try:
        global KILL_AT, LABELS
        KILL_AT, LABELS = k, cases / f"{k}.label"
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        code = concertsim.cli.main([a.replace("{out}", str(case / "out")) for a in args])
        if k == 0:
            (cases / "0.count").write_text(str(points))
    except BaseException:  # noqa: BLE001 - a child must never return into the loop
        code = 99
    os._exit(code)


def _status(wait_status: int) -> str:
    if os.WIFSIGNALED(wait_status):
        return "killed" if os.WTERMSIG(wait_status) == signal.SIGKILL else "signal"
    return f"exit {os.WEXITSTATUS(wait_status)}"


def every(cases: Path, template: Path | None, args: list[str]) -> dict:
    """Run the command once without a kill, then once per kill point, two at a time."""
    _warm_up()
    _, first = os.waitpid(_child(0, args, cases, template), 0)
    count_file = cases / "0.count"
    total = int(count_file.read_text()) if count_file.exists() else -1
    status = {0: _status(first)}
    running: set[int] = set()
    pending = list(range(1, total + 1))
    pids: dict[int, int] = {}
    width = max(1, os.cpu_count() or 1)
    while pending or running:
        while pending and len(running) < width:
            k = pending.pop(0)
            pid = _child(k, args, cases, template)
            pids[pid] = k
            running.add(pid)
        pid, wait_status = os.waitpid(-1, 0)
        running.discard(pid)
        status[pids.pop(pid)] = _status(wait_status)
    labels = {k: (cases / f"{k}.label").read_text() for k in status if k}
    return {"points": total, "status": status, "labels": labels}


def main(argv: list[str]) -> int:
    """The command line of this script (see the module's notes)."""
    global KILL_AT
    split = argv.index("--")
    head, rest = argv[:split], argv[split + 1 :]
    _patch(fallback="--fallback" in head)
    if "--every" in head:
        cases = Path(head[head.index("--every") + 1])
        template = Path(head[head.index("--template") + 1]) if "--template" in head else None
        print(json.dumps(every(cases, template, rest)))
        return 0
    KILL_AT = int(head[0])
    code = concertsim.cli.main(rest)
    if KILL_AT == 0:
        print(f"kill points: {points}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
