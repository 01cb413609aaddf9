"""`concertsim app`: its options, and a bad scenario refused before any server starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from concertsim.app.command import server_command
from concertsim.cli import build_parser, main


def test_the_server_listens_on_this_machine_unless_told():
    args = build_parser(["app"]).parse_args(["app"])
    assert (args.host, args.port, args.seed, args.scenario) == ("127.0.0.1", 8765, 1, "baseline")
    command = server_command(args)
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert "concertsim.app.page" in command
    args = build_parser(["app"]).parse_args(["app", "x.toml", "--host", "0.0.0.0", "--lang", "fr"])
    assert server_command(args)[server_command(args).index("--host") + 1] == "0.0.0.0"


def test_a_bad_scenario_is_one_line_and_no_server(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[turnover]\nlocal_annual = 2\n', encoding="utf-8")
    assert main(["app", str(bad), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"concertsim: error: {bad}: [turnover] local_annual: expected")


@pytest.mark.parametrize("option", [["--lang", "de"], ["--port", "70000"], ["--seed", "-1"]])
def test_bad_options_exit_2(option):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "concertsim", "app", *option],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert option[0] in proc.stderr and "invalid choice: 'app'" not in proc.stderr
