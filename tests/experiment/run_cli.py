"""``python tests/experiment/run_cli.py ARGS``: the concertsim command line with the test models.

For the tests that run a sweep in a subprocess. Environment variables make this process die
by SIGKILL at a chosen point, without any hook in the shipped package:

* ``CONCERTSIM_TEST_KILL_REPLACE=k``: at the k-th ``os.replace`` (a file taking its name);
* ``CONCERTSIM_TEST_KILL_FSYNC=k``: at the k-th ``os.fsync`` (a file written, not yet named);
* ``CONCERTSIM_TEST_KILL_AFTER=seconds``: after that long;
* ``CONCERTSIM_TEST_READONLY_AFTER=k``: no SIGKILL, but after the k-th ``os.replace`` every
  write fails with EACCES, as on a store made read-only (root, as in CI, ignores ``chmod``).

``run_cli.py --kill-matrix FILE`` runs many such sweeps fast: FILE holds a JSON list of
``{"env": {...}, "argv": [...]}``; this process imports everything once (running the first
entry, unarmed, as a warm-up), then forks one child per entry, two at a time, and prints each
child's wait status (``-9``: killed by SIGKILL) as a JSON list.
"""

from __future__ import annotations

import os
import signal
import sys
import threading


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _kill_on_call(module: object, name: str, k: int) -> None:
    original = getattr(module, name)
    calls = [0]

    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == k:
            _die()
        return original(*args, **kwargs)

    setattr(module, name, wrapper)


def _read_only_after(k: int) -> None:
    import builtins
    import errno

    replaced = [0]
    original_replace, original_open, original_os_open = os.replace, builtins.open, os.open

    def deny(path) -> None:
        if replaced[0] >= k:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    def replace(src, dst, *args, **kwargs):
        deny(dst)
        replaced[0] += 1
        return original_replace(src, dst, *args, **kwargs)

    def open_(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax+"):
            deny(file)
        return original_open(file, mode, *args, **kwargs)

    def os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            deny(path)
        return original_os_open(path, flags, *args, **kwargs)

    os.replace, builtins.open, os.open = replace, open_, os_open


def arm(env: dict[str, str] | os._Environ) -> None:
    """Arm the kill that ``env`` asks for (in this process only)."""
    if env.get("CONCERTSIM_TEST_KILL_REPLACE"):
        _kill_on_call(os, "replace", int(env["CONCERTSIM_TEST_KILL_REPLACE"]))
    if env.get("CONCERTSIM_TEST_KILL_FSYNC"):
        _kill_on_call(os, "fsync", int(env["CONCERTSIM_TEST_KILL_FSYNC"]))
    if env.get("CONCERTSIM_TEST_READONLY_AFTER"):
        _read_only_after(int(env["CONCERTSIM_TEST_READONLY_AFTER"]))
    if env.get("CONCERTSIM_TEST_KILL_AFTER"):
        timer = threading.Timer(float(env["CONCERTSIM_TEST_KILL_AFTER"]), _die)
        timer.daemon = True
        timer.start()


def _child(entry: dict, main) -> int:
    pid = os.fork()
    if pid == 0:  # the child: a sweep that dies where its entry says
        try:
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the process ends here
            arm(entry["env"])
            code = main(entry["argv"])
        finally:
            os._exit(locals().get("code", 1))
    return pid


def _status(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def kill_matrix(path: str, main) -> list[int]:
    """Run the entries of the JSON file ``path`` in forked children; their exit statuses."""
    import json

    entries = json.loads(open(path, encoding="utf-8").read())
    statuses = [main(entries[0]["argv"])]  # the reference, and the warm-up of every import
    for start in range(1, len(entries), 2):
        pids = [_child(e, main) for e in entries[start : start + 2]]
        statuses += [_status(pid) for pid in pids]
    return statuses


if __name__ == "__main__":  # not when a forkserver or spawned worker imports this file
    from testmodels import register  # this file's directory is sys.path[0]

    from concertsim.cli import main

    register()
    if sys.argv[1:2] == ["--kill-matrix"]:
        print(kill_matrix(sys.argv[2], main))
        sys.exit(0)
    arm(os.environ)
    sys.exit(main(sys.argv[1:]))
