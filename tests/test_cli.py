"""The command line end to end, through ``python -m concertsim`` in a subprocess."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from refusal import assert_input_error, cli

from concertsim.scenario import bundled_scenarios

HAS_SIMULATE = importlib.util.find_spec("concertsim.simulate") is not None
needs_simulate = pytest.mark.skipif(not HAS_SIMULATE, reason="concertsim.simulate not there yet")

pytestmark = pytest.mark.slow  # every test here starts a Python process (make test runs them)


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text("[turnover]\nlocal_annual = 1.5\n")
    return path


def test_scenarios_lists_every_bundled_one():
    proc = cli("scenarios")
    assert proc.returncode == 0
    lines = proc.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == sorted(bundled_scenarios())
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)


def test_validate_ok_files():
    paths = [str(p) for p in bundled_scenarios().values()]
    proc = cli("validate", "baseline", *paths)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [f"ok  {p}" for p in ["baseline", *paths]]


def test_validate_stops_at_the_first_bad_file(bad_file):
    proc = cli("validate", "baseline", str(bad_file), "austerity")
    assert_input_error(proc, str(bad_file), "[turnover] local_annual", "[0, 1]", "1.5")
    assert proc.stdout.splitlines() == ["ok  baseline"]


def test_validate_missing_file(tmp_path):
    missing = str(tmp_path / "nothere.toml")
    assert_input_error(cli("validate", missing), missing, "no such file")


def test_validate_syntax_error(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "x"\n[turnover\n')
    assert_input_error(cli("validate", str(path)), str(path), "line 2")


def test_run_bad_scenario_is_one_line(bad_file, tmp_path):
    proc = cli("run", str(bad_file), "--out", str(tmp_path / "out"))
    assert_input_error(proc, str(bad_file))
    assert not (tmp_path / "out").exists()


def test_run_bad_override_is_one_line(tmp_path):
    proc = cli("run", "baseline", "--set", "turnover.local_anual=0.3", "--out", str(tmp_path / "o"))
    assert_input_error(proc, "did you mean 'turnover.local_annual'?")


def test_argparse_errors_exit_2():
    assert cli("run").returncode == 2
    assert cli("run", "baseline", "--replicates", "0").returncode == 2
    assert cli("frobnicate").returncode == 2
    assert "Traceback" not in cli("run", "baseline", "--seed", "x").stderr


def test_existing_output_is_not_overwritten(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    proc = cli("run", "baseline", "--out", str(out), "--replicates", "1", "--months", "2")
    assert_input_error(proc, str(out), "--force")
    assert (out / "keep.txt").read_text() == "precious"
    assert "replicates" not in proc.stdout, "refused before running, not after"


@pytest.mark.parametrize("where", ["afile", "afile/inside", ""])
def test_an_unwritable_output_is_refused_before_running(tmp_path, where):
    (tmp_path / "afile").write_text("not a directory")
    out = str(tmp_path / where) if where else ""
    proc = cli("run", "baseline", "--out", out, "--replicates", "1", "--months", "2")
    assert_input_error(proc, "--out")
    assert "replicates" not in proc.stdout
    assert (tmp_path / "afile").read_text() == "not a directory"


def test_version():
    proc = cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("concertsim ")


@needs_simulate
def test_run_writes_tables_manifest_figure_and_is_reproducible(tmp_path):
    import pandas as pd

    args = ["--replicates", "2", "--months", "12", "--seed", "123", "--no-progress"]
    first, second = tmp_path / "first", tmp_path / "second"
    proc = cli("run", "baseline", "--out", str(first), *args)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for name in ("series.parquet", "outcomes.parquet", "manifest.json", "figure.png"):
        assert (first / name).is_file(), name
        assert str(first / name) in proc.stdout or name == "manifest.json"
    assert "survived" in proc.stdout and "participation_retained" in proc.stdout

    series = pd.read_parquet(first / "series.parquet")
    assert list(series.columns) == ["run", "month", "level", "variable", "value"]
    assert set(series["run"]) == {0, 1} and series["month"].max() <= 12
    outcomes = pd.read_parquet(first / "outcomes.parquet")
    assert len(outcomes) == 2 and list(outcomes.columns[:2]) == ["run", "seed"]
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["seeds"]["entropy"] == 123
    assert manifest["scenario"]["name"] == "baseline"
    assert (first / "figure.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    proc = cli("run", "baseline", "--out", str(second), *args)
    assert proc.returncode == 0, proc.stderr
    for name in ("series.parquet", "outcomes.parquet"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@needs_simulate
def test_force_replaces_a_previous_result_only(tmp_path):
    out = tmp_path / "out"
    args = ["--replicates", "1", "--months", "3", "--seed", "1"]
    assert cli("run", "baseline", "--out", str(out), *args).returncode == 0
    proc = cli("run", "baseline", "--out", str(out), *args, "--csv", "--force")
    assert proc.returncode == 0, proc.stderr
    assert not (out / "series.parquet").exists()
    assert (out / "series.csv").is_file() and (out / "outcomes.csv").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    proc = cli("run", "baseline", "--out", str(other), *args, "--force")
    assert proc.returncode == 2 and proc.stderr.startswith("concertsim: error:")
    assert (other / "notes.txt").read_text() == "mine"


@needs_simulate
def test_run_without_seed_records_fresh_entropy(tmp_path):
    out = tmp_path / "out"
    proc = cli("run", "baseline", "--out", str(out), "--replicates", "1", "--months", "2")
    assert proc.returncode == 0, proc.stderr
    entropy = json.loads((out / "manifest.json").read_text())["seeds"]["entropy"]
    assert isinstance(entropy, int) and entropy > 2**32


def test_experiment_commands_are_registered():
    proc = cli("--help")
    assert proc.returncode == 0
    assert "sweep" in proc.stdout and "analyze" in proc.stdout


def test_a_broken_experiment_package_does_not_break_the_rest(monkeypatch, capsys):
    from concertsim.cli import main

    monkeypatch.setitem(sys.modules, "concertsim.experiment.cli", None)  # import fails
    assert main(["scenarios"]) == 0
    assert main(["validate", "baseline"]) == 0
    capsys.readouterr()
    assert main(["sweep", "x.toml", "--out", "y"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("concertsim: error: sweep is unavailable") and "Traceback" not in err


def test_a_short_run_says_which_scheduled_events_it_leaves_out(tmp_path):
    proc = cli("run", "austerity", "--out", str(tmp_path / "o"), "-n", "1", "--months", "12")
    assert proc.returncode == 0, proc.stderr
    assert "leaves out 2 scheduled event(s): funding_cut at month 36" in proc.stdout


def test_set_values_are_read_as_toml_values_and_checked_strictly():
    from concertsim.cliargs import parse_assignments
    from concertsim.errors import InputError
    from concertsim.scenario import load_scenario

    items = [
        "turnover.local_annual=0.4",
        "structure.regions=2",
        "recognition.enabled=true",
        "role_mode.alignment=impose",
        "funding.base=1",
    ]
    scenario = load_scenario("baseline").with_overrides(
        parse_assignments(items), file="--set", lenient=False
    )
    assert scenario.params.turnover.local_annual == 0.4 and scenario.structure.regions == 2
    assert scenario.params.recognition.enabled is True
    assert scenario.params.role_mode.alignment == 1.0 and scenario.params.funding.base == 1.0
    for bad in ("turnover.local_annual=true", "structure.regions=2.0", "recognition.enabled=1"):
        with pytest.raises(InputError, match="^--set: "):
            load_scenario("baseline").with_overrides(
                parse_assignments([bad]), file="--set", lenient=False
            )


@pytest.mark.parametrize("command", ["run", "validate", "scenarios", "sweep", "analyze"])
def test_every_subcommand_s_argument_errors_have_the_documented_form(command, capsys):
    from concertsim.cli import main

    with pytest.raises(SystemExit) as info:
        main([command, "--no-such-option"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.startswith(f"concertsim: error: {command}: ") and err.count("\n") == 1, err


# --------------------------------------------------------------------------- --lang, --no-figure


def _run_in_process(tmp_path, *extra, capsys):
    from concertsim.cli import main

    out = tmp_path / "o"
    args = ["run", "baseline", "-n", "2", "--months", "6", "--seed", "5", "--out", str(out)]
    assert main([*args, "--no-progress", *extra]) == 0
    return out, capsys.readouterr().out


@needs_simulate
def test_no_figure_skips_drawing_and_the_manifest_lists_no_figure(tmp_path, capsys, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("drew a figure under --no-figure")

    monkeypatch.setattr("concertsim.plots.plot_series", never)
    monkeypatch.setenv("CONCERTSIM_LANG", "en")  # whatever the machine's locale
    out, stdout = _run_in_process(tmp_path, "--no-figure", capsys=capsys)
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "outcomes.parquet",
        "series.parquet",
    ]
    assert set(json.loads((out / "manifest.json").read_text())["files"]) == {"series", "outcomes"}
    assert "figure:" not in stdout and "stability outcomes" in stdout


@needs_simulate
def test_lang_fr_speaks_french_in_the_summary_and_the_figure(tmp_path, capsys, monkeypatch):
    import concertsim.plots

    seen = {}
    draw = concertsim.plots.plot_series

    def spy(series, path, **kwargs):
        seen.update(kwargs)
        return draw(series, path, **kwargs)

    monkeypatch.setattr("concertsim.plots.plot_series", spy)
    out, stdout = _run_in_process(tmp_path, "--lang", "fr", capsys=capsys)
    assert seen["lang"] == "fr" and seen["stability"].shape == (2, 7)
    assert (out / "figure.png").is_file()
    assert "résultats de stabilité" in stdout and "IC à 95 %" in stdout
    survived = next(line for line in stdout.splitlines() if line.startswith("survived "))
    assert "Survie de l’instance régionale" in survived and " ; " in survived
    assert "," in survived.split()[1], "French decimals"


@needs_simulate
def test_the_language_defaults_to_the_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CONCERTSIM_LANG", "fr")
    _, stdout = _run_in_process(tmp_path, "--no-figure", capsys=capsys)
    assert "résultats de stabilité" in stdout
    monkeypatch.setenv("CONCERTSIM_LANG", "en")
    _, stdout = _run_in_process(tmp_path, "--no-figure", "--force", capsys=capsys)
    assert "stability outcomes" in stdout and "Survival of the regional body" in stdout


def test_an_unknown_language_is_an_input_error(tmp_path, capsys):
    from concertsim.cli import main

    with pytest.raises(SystemExit) as info:
        main(["run", "baseline", "--lang", "de", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1 and "--lang" in err, err
    assert not (tmp_path / "o").exists()
