"""``concertsim compare`` end to end, through ``python -m concertsim`` in a subprocess."""

from __future__ import annotations

import json

import pytest
from refusal import assert_input_error, cli

pytestmark = pytest.mark.slow  # each test starts Python processes


def test_a_bad_scenario_among_those_compared_is_refused_before_anything_runs(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "baseline"\n[legitimacy]\nimpose_penalty = "high"\n')
    out = tmp_path / "out"
    proc = cli("compare", "baseline", "imposed", str(bad), "--replicates", "2", "--out", str(out))
    assert_input_error(proc, "bad.toml", "[legitimacy] impose_penalty", "expected")
    assert proc.stdout == "" and not out.exists()
    proc = cli("compare", "baseline", "nosuch", "--out", str(out))
    assert_input_error(proc, "nosuch", "a scenario file or a bundled scenario")
    proc = cli("compare", "baseline", "imposed", "--baseline", "austerity", "--out", str(out))
    assert_input_error(proc, "--baseline", "one of the scenarios compared")
    proc = cli("compare", "baseline", "imposed", "--precision", "0", "--out", str(out))
    assert_input_error(proc, "--precision", "expected a number in (0, 1]")
    assert not out.exists()


def test_compare_writes_its_directory_and_force_replaces_it(tmp_path):
    out = tmp_path / "cmp"
    args = ("compare", "baseline", "imposed", "--replicates", "3", "--seed", "1")
    proc = cli(*args, "--out", str(out), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "imposed rather than baseline:" in proc.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "concertsim.compare" and manifest["seeds"]["entropy"] == 1
    assert manifest["command"][:3] == ["concertsim", "compare", "baseline"]
    assert (out / "report.html").stat().st_size > 100_000
    proc = cli(*args, "--out", str(out))
    assert_input_error(proc, "already exists (use --force to replace it)")
    (out / "notes.txt").write_text("mine")  # not a file of the result: never replaced
    proc = cli(*args, "--out", str(out), "--force")
    assert_input_error(proc, "also holding notes.txt")
    (out / "notes.txt").unlink()
    before = (out / "runs.csv").read_bytes()
    proc = cli(*args, "--out", str(out), "--force", "--lang", "fr")
    assert proc.returncode == 0, proc.stderr
    assert "imposed plutôt que baseline :" in proc.stdout
    assert (out / "runs.csv").read_bytes() == before  # same seed, same runs
    assert '<html lang="fr">' in (out / "report.html").read_text(encoding="utf-8")
