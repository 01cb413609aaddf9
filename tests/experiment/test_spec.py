"""Experiment files: validation before anything runs, one-line errors, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from concertsim.errors import InputError
from concertsim.experiment.cli import main
from concertsim.experiment.spec import load_experiment, parse_experiment

from .helpers import cli

GOOD = """
[experiment]
model = "ishigami"
replicates = 2
seed = 3
[design]
kind = "sobol"
n = 8
[parameters]
x1 = { bounds = [-3, 3] }
x2 = { bounds = [-3, 3] }
"""

BAD = [
    # (replace this, with that, the message must contain)
    ("[design]", "[desing]", "[desing]: expected one of"),
    ("replicates = 2", "replicate = 2", "did you mean 'replicates'?"),
    (
        "replicates = 2",
        "replicates = 0",
        "[experiment] replicates: expected an integer in [1, 1000000]",
    ),
    ("replicates = 2", 'replicates = "two"', 'got "two"'),
    ("n = 8", "n = 10", "[design] n: expected a power of 2"),
    ('kind = "sobol"', 'kind = "sobel"', "did you mean 'sobol'?"),
    ("x1 = { bounds = [-3, 3] }", "x1 = { bounds = [3, -3] }", '"x1".bounds: expected [low, high]'),
    ("x1 = { bounds = [-3, 3] }", "x1 = { bound = [-3, 3] }", "did you mean 'bounds'?"),
    ("x1 = { bounds = [-3, 3] }", 'x1 = { bounds = [-3, 3], dist = "gauss" }', '"x1".dist'),
    ("x1 = { bounds = [-3, 3] }", "x1 = { values = [1, 2] }", "grid or mixture design"),
    ("x1 = { bounds = [-3, 3] }", "x9 = { bounds = [-3, 3] }", '"x9": expected one of'),
    ('model = "ishigami"', 'model = "ishigamy"', "[experiment] model"),
    ("seed = 3", "seed = -3", "[experiment] seed"),
    ("seed = 3", 'seed = 3\noutcomes = ["z"]', "[experiment] outcomes"),
    ("[design]", "[model]\nnoise = true\n[design]", "[model] noise: expected a number"),
    ("seed = 3", "seed = 3\n[[", "expected valid TOML"),
    # triangular bounds as SALib takes them: peak in [0, 1), high >= 0
    ("x1 = { bounds = [-3, 3] }", 'x1 = { bounds = [0, 1, 1], dist = "triang" }', "in [0, 1)"),
    ("x1 = { bounds = [-3, 3] }", 'x1 = { bounds = [-3, -1, 0.5], dist = "triang" }', "high >= 0"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_malformed_experiment_exits_2_with_one_line_naming_file_and_key(
    tmp_path: Path, capsys, old, new, message
):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace(old, new, 1))
    code = main(["sweep", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert str(path) in err and message in err, err
    assert not (tmp_path / "out").exists()  # nothing ran, nothing written


@pytest.mark.parametrize("dist", ["norm", "lognorm"])
def test_morris_refuses_unbounded_distributions(tmp_path: Path, capsys, dist: str):
    path = tmp_path / "m.toml"
    path.write_text(
        GOOD.replace('kind = "sobol"\nn = 8', 'kind = "morris"\ntrajectories = 4').replace(
            "x2 = { bounds = [-3, 3] }", f'x2 = {{ bounds = [0, 1], dist = "{dist}" }}'
        )
    )
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and '[parameters] "x2".dist' in err and "Morris" in err, err
    assert not (tmp_path / "o").exists()
    bounded = 'bounds = [-3, 3, 0, 1], dist = "truncnorm"'
    path.write_text(path.read_text().replace(f'bounds = [0, 1], dist = "{dist}"', bounded))
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--workers", "0"]) == 0


def test_a_design_salib_cannot_build_exits_2_without_traceback(tmp_path: Path, monkeypatch):
    from concertsim.experiment import plan as runner

    def refuse(*args, **kw):
        raise ValueError("Triangular distribution bound error:\n  scale must be > 0")

    monkeypatch.setattr(runner, "build_design", refuse)
    path = tmp_path / "e.toml"
    path.write_text(GOOD)
    with pytest.raises(InputError) as info:
        runner.plan_sweep(load_experiment(path))
    assert str(info.value).count("\n") == 0 and "[design]: expected a design SALib" in str(
        info.value
    )
    assert "bound error: scale must be > 0" in str(info.value)


def test_missing_file_and_bad_scenario(tmp_path: Path, capsys):
    assert main(["sweep", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "no such file" in capsys.readouterr().err
    path = tmp_path / "sc.toml"
    path.write_text(GOOD.replace('model = "ishigami"', 'scenario = "no_such_scenario"'))
    path.write_text(path.read_text().replace("x1 =", '"turnover.local_annual" =', 1))
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "[experiment] scenario" in err and "no_such_scenario" in err


def test_concertation_parameter_out_of_range_is_refused(tmp_path: Path, capsys):
    path = tmp_path / "c.toml"
    path.write_text(
        GOOD.replace('model = "ishigami"', 'model = "concertation"\nmonths = 3')
        .replace("x1 = { bounds = [-3, 3] }", '"turnover.local_annual" = { bounds = [0.1, 1.5] }')
        .replace("x2 = { bounds = [-3, 3] }", '"credibility.decay" = { bounds = [0.0, 0.1] }')
    )
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert '[parameters] "turnover.local_annual"' in err and "1.5" in err, err


def test_every_design_point_is_checked_before_anything_runs(tmp_path: Path, capsys):
    # each share alone is fine at its bounds; together they pass 1 at some design points
    path = tmp_path / "c.toml"
    path.write_text(
        GOOD.replace('model = "ishigami"', 'model = "concertation"\nmonths = 1')
        .replace('kind = "sobol"\nn = 8', 'kind = "lhs"\nn = 16')
        .replace("x1 = { bounds = [-3, 3] }", '"role_mix.networking" = { bounds = [0, 0.45] }')
        .replace("x2 = { bounds = [-3, 3] }", '"role_mix.structuring" = { bounds = [0, 0.45] }')
    )
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "[design] point " in err, err
    assert "role_mix.networking = " in err and "role_mix.structuring = " in err, err
    assert "summing to at most 1" in err and not (tmp_path / "o").exists()


def test_subprocess_prints_no_traceback(tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("n = 8", "n = 12"))
    proc = cli("sweep", str(path), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"concertsim: error: {path}: [design] n: expected a power of 2 for a Sobol design, got 12"
    ]


def test_good_file_resolves_defaults(tmp_path: Path):
    path = tmp_path / "good.toml"
    path.write_text(GOOD)
    exp = load_experiment(path)
    assert exp.name == "good" and exp.batch_size == 64 and exp.design.option("second_order")
    assert exp.to_dict()["design"] == {"kind": "sobol", "n": 8, "second_order": True}


def test_mixture_rules():
    text = """
[experiment]
model = "ishigami"
[design]
kind = "mixture"
components = ["x1", "x2", "x3"]
total = 1.0
lower = 0.4
"""
    with pytest.raises(InputError, match=r"\[design\] lower: expected less than"):
        parse_experiment(text, "m.toml")
    ok = parse_experiment(text.replace("lower = 0.4", "lower = 0.1"), "m.toml")
    assert ok.design.option("components") == ["x1", "x2", "x3"]
    two = text.replace('"x1", "x2", "x3"', '"x1", "x2"').replace("lower = 0.4", "")
    two += 'complement = "x3"\n[parameters]\nx3 = { values = [0.0, 1.0] }\n'
    with pytest.raises(InputError, match=r'\[parameters\] "x3": expected each parameter set once'):
        parse_experiment(two, "m.toml")  # the complement is set by the mixture
    linked = two.replace("x3 = { values", 'a = { link = ["x3"], values')
    with pytest.raises(InputError, match="each parameter set once"):
        parse_experiment(linked, "m.toml")
    parse_experiment(two.replace("x3 = {", "a = {"), "m.toml")
