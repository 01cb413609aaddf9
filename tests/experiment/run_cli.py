"""``python tests/experiment/run_cli.py ARGS``: the concertsim command line with the test models.

For the tests that run a sweep in a subprocess. Environment variables make this process die
by SIGKILL at a chosen point, without any hook in the shipped package:

* ``CONCERTSIM_TEST_KILL_REPLACE=k``: at the k-th ``os.replace`` (a file taking its name);
* ``CONCERTSIM_TEST_KILL_FSYNC=k``: at the k-th ``os.fsync`` (a file written, not yet named);
* ``CONCERTSIM_TEST_KILL_AFTER=seconds``: after that long.
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


def arm(env: dict[str, str] | os._Environ) -> None:
    """Arm the kill that ``env`` asks for (in this process only)."""
    if env.get("CONCERTSIM_TEST_KILL_REPLACE"):
        _kill_on_call(os, "replace", int(env["CONCERTSIM_TEST_KILL_REPLACE"]))
    if env.get("CONCERTSIM_TEST_KILL_FSYNC"):
        _kill_on_call(os, "fsync", int(env["CONCERTSIM_TEST_KILL_FSYNC"]))
    if env.get("CONCERTSIM_TEST_KILL_AFTER"):
        timer = threading.Timer(float(env["CONCERTSIM_TEST_KILL_AFTER"]), _die)
        timer.daemon = True
        timer.start()


if __name__ == "__main__":  # not when a forkserver or spawned worker imports this file
    from testmodels import register  # this file's directory is sys.path[0]

    from concertsim.cli import main

    register()
    arm(os.environ)
    sys.exit(main(sys.argv[1:]))
