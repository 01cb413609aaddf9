"""``concertsim app``: the workshop app in the browser, served on this machine.

Usage::

    concertsim app [SCENARIO] [--port N] [--host 127.0.0.1] [--lang fr|en] [--seed S]

The scenario, and that ``--host``/``--port`` can be listened on, are checked before the
server starts (a bad one: one line ``concertsim: error: ...``, exit 2); the server is
solara's (``solara run``, the server Mesa's SolaraViz pages run on), bound to 127.0.0.1
unless ``--host`` says otherwise. It needs the ``app`` extra (``pip install 'concertsim[app]'``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import subprocess
import sys

from concertsim.cliargs import integer_in
from concertsim.errors import InputError, verbatim
from concertsim.i18n import LANGUAGES, default_language

__all__ = ["add_parser", "check_address", "command", "server_command", "DEFAULT_PORT"]

DEFAULT_PORT = 8765
"""solara's usual port."""


def add_parser(sub) -> None:
    """Register ``concertsim app``."""
    p = sub.add_parser("app", help="the workshop app in the browser (the shocked twin)")
    p.add_argument(
        "scenario",
        nargs="?",
        default="baseline",
        metavar="SCENARIO",
        help="a scenario file or a bundled name (default: baseline)",
    )
    p.add_argument(
        "--port",
        type=integer_in(0, 65535),
        default=DEFAULT_PORT,
        help=f"port to serve on (default {DEFAULT_PORT}; 0: any free one)",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    p.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of the page (default: CONCERTSIM_LANG or the locale)",
    )
    p.add_argument(
        "--seed",
        type=integer_in(0),
        default=1,
        help="seed of both twins (replicate 0 of `concertsim run --seed`)",
    )
    p.set_defaults(func=command)


def server_command(args: argparse.Namespace) -> list[str]:
    """The ``solara run`` command line that serves the page."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "concertsim.app.page",
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--production",
        "--theme-loader",
        "plain",  # no "runs on Solara" banner over the pictures
        "--no-open",
        "--log-level",
        "warning",
    ]


def check_address(host: str, port: int) -> None:
    """Refuse a ``--host``/``--port`` this machine cannot listen on (unknown name, address
    of another machine, port taken), in one line, before the server is started.

    Example:
        >>> check_address("127.0.0.1", 0)
        >>> check_address("nosuch.invalid", 0)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        concertsim.errors.InputError: app: --host/--port: expected an address ... got nosuch...
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            probe.bind(address)
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        got = verbatim(f"{host}:{port}: {reason.lower()}")
        raise InputError(
            "app", "--host/--port", "an address of this machine free to listen on", got
        ) from None


def command(args: argparse.Namespace) -> int:
    """Check the scenario, then serve the page until interrupted."""
    from concertsim.scenario import load_scenario

    load_scenario(args.scenario)  # InputError: one line, exit 2, no server
    missing = [m for m in ("solara", "ipyvuetify") if importlib.util.find_spec(m) is None]
    if missing:
        got = verbatim(", ".join(missing) + " not installed")
        raise InputError("app", "", "the app extra (pip install 'concertsim[app]')", got)
    check_address(args.host, args.port)
    config = {"scenario": args.scenario, "seed": args.seed, "lang": args.lang or default_language()}
    env = {**os.environ, "CONCERTSIM_APP": json.dumps(config)}  # CDN files: solara-assets
    env.setdefault("SOLARA_CHECK_VERSION", "false")
    print(f"concertsim app: http://{args.host}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr)
    return subprocess.call(server_command(args), env=env)
