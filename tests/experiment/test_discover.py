"""`concertsim discover`: scenario discovery with PRIM on a sweep's results store."""
# ruff: noqa: E501 -- the expected one-line messages are quoted whole

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from concertsim.cli import main
from concertsim.discover import discover_store
from concertsim.experiment.runner import run_sweep

from .helpers import ishigami_lhs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """Ishigami on 300 points: y is high where x2 is near +-pi/2."""
    root = tmp_path_factory.mktemp("discover")
    run_sweep(ishigami_lhs(root / "e.toml", n=300, replicates=1, noise=0.0), root / "out",
              executor="serial")  # fmt: skip
    return root / "out"


def test_discover_writes_the_trajectory_and_the_box(store: Path, capsys):
    args = [
        "--outcome",
        "y",
        "--threshold",
        "9",
        "--above",
        "--min-density",
        "0.25",
        "--lang",
        "en",
    ]
    assert main(["discover", str(store), *args]) == 0
    out = capsys.readouterr().out
    assert "runs have y >= 9;" in out and " of the runs with " in out and "x2 " in out
    folder = store / "discovery"
    names = {p.name for p in folder.iterdir()}
    assert {"prim_trajectory.csv", "prim_trajectory.png", "prim_box.csv", "prim_box.png"} <= names
    t = pd.read_csv(folder / "prim_trajectory.csv")
    assert t["chosen"].sum() == 1 and t["coverage"].iloc[0] == 1.0
    box = pd.read_csv(folder / "prim_box.csv")
    assert "x2" in set(box["parameter"]) and (box["density"] >= 0.25).all()
    assert (box["density"] > 2 * t["density"].iloc[0]).all()  # denser than all the runs
    x2 = box.set_index("parameter").loc["x2"]
    assert x2["min"] < x2["lower"] or x2["upper"] < x2["max"]
    chosen = t[t["chosen"]].iloc[0]
    assert chosen["density"] == pytest.approx(box["density"].iloc[0])
    index = json.loads((folder / ".concertsim-analysis.json").read_text())
    assert sorted(index) == sorted(n for n in names if not n.startswith("."))


def test_discover_from_python_by_point_and_again_without_figures(store: Path, tmp_path: Path):
    found = discover_store(store, "y", threshold=9, above=True, out=tmp_path / "d", lang="en")
    assert found.box.restricted and found.report.warnings  # no box of density 0.8: said so
    assert "no box reaches a density of 0.8" in found.report.warnings[0]
    loose = [(n, side) for n in found.box.restricted for side in ("lower", "upper")
             if found.box.quasi_p.loc[n, side] > 0.05]  # fmt: skip
    named = [w for w in found.report.warnings if w.startswith("quasi-p-value above 0.05")]
    assert loose and named and all(f"{n} ({side})" in named[0] for n, side in loose)
    cases = int((found.result.y).sum())
    assert found.summary.startswith(f"{cases} of 300 runs have y >= 9; ")
    again = discover_store(store, "y", threshold=9, above=True, out=tmp_path / "d", figures=False)
    assert not list((tmp_path / "d").glob("*.png"))  # one analysis per directory
    assert again.report.removed
    by_point = discover_store(store, "y", threshold=9, above=True, by_point=True,
                              out=tmp_path / "p", figures=False, lang="en")  # fmt: skip
    assert "design points" in by_point.summary


def test_the_sentence_and_the_figures_in_french(store: Path, tmp_path: Path):
    found = discover_store(store, "y", threshold=9, above=True, out=tmp_path / "fr", lang="fr")
    assert " simulations sur 300 ont y >= 9 ; " in found.summary
    assert (
        "\u00a0% des simulations où " in found.summary
        and "cette boîte en contient" in found.summary
    )
    assert (tmp_path / "fr" / "prim_box.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--outcome", "x1"], "--outcome: expected an outcome of these results (y), got \"x1\"; a parameter, not an outcome"),
        (["--outcome", "y", "--threshold", "-100"], "--threshold: expected a threshold some runs meet, got none of 300 runs has y <= -100"),
        (["--outcome", "y", "--scenario", "a"], "--scenario: expected a store with scenarios"),
        (["--outcome", "y", "--min-density", "2"], "argument --min-density"),
        (["--outcome", "y", "--peel-alpha", "0.7"], "argument --peel-alpha: expected a number in (0, 0.5)"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_writes_nothing(
    store: Path, tmp_path: Path, capsys, args, message
):
    out = tmp_path / "nothing"
    try:
        code = main(["discover", str(store), "--out", str(out), *args])
    except SystemExit as exc:  # argparse's own checks
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("concertsim: error: ") and message in err, err
    assert not out.exists()


def test_not_a_store_and_out_inside_the_store_are_refused(store: Path, tmp_path: Path, capsys):
    assert main(["discover", str(tmp_path / "none")]) == 2
    assert "expected a sweep's results directory, got no such directory" in capsys.readouterr().err
    assert main(["discover", str(store), "--outcome", "y", "--out", str(store / "runs" / "x")]) == 2
    assert "a path outside the store" in capsys.readouterr().err


@pytest.mark.slow
def test_discover_names_where_the_role_mix_folds(tmp_path: Path):
    """The bundled role-mix sweep, with 20 replicates: where the regional body folds in at
    least 30% of runs, turnover is high and the regional body gives issue positioning (and
    capacity building) little time, the mixes that keep the fewest positions (ODD 7.8)."""
    text = (ROOT / "experiments" / "role_mix.toml").read_text()
    fewer = re.sub(r"(?m)^replicates = \d+$", "replicates = 20", text)
    assert fewer != text  # the file's own count replaced, so the test runs 2,800 runs
    (tmp_path / "role_mix.toml").write_text(fewer)
    run_sweep(tmp_path / "role_mix.toml", tmp_path / "out", executor="local", workers=2)
    found = discover_store(
        tmp_path / "out", "survived", threshold=0.7, by_point=True, min_density=0.5, lang="en"
    )
    limits = found.box.limits
    assert {"turnover.local_annual", "role_mix.issue_positioning"} <= set(found.box.restricted)
    assert limits.loc["turnover.local_annual", "lower"] > 0.1  # the high turnover level
    assert limits.loc["role_mix.issue_positioning", "upper"] < 0.1625  # none on positioning
    assert found.box.density >= 0.5 and found.box.coverage >= 0.5, found.summary
    assert "role_mix.operations" not in found.parameters  # fixed: not searched
    assert "turnover.regional_annual" not in found.parameters  # linked: searched once
    assert "turnover.local_annual >= 0.25" in found.summary
