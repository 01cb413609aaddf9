"""The ``"worlds"`` model and the robust answer: a mixture design crossed with worlds,
structural variants and turnover, run through the sweep engine and analysed.

Small: 5 vertex mixes x 2 worlds x 2 variants x 2 turnover levels x 2 replicates of 24
months. What is checked is the machinery: each run is its world under its variant under its
own overrides, results are bit-identical whatever the batch size and executor, and the
analysis counts worlds, shares and rank correlations as stated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from concertsim.errors import InputError
from concertsim.experiment.analysis import analyze_store
from concertsim.experiment.analysis.worlds import answers, rank_correlations, share_of_worlds
from concertsim.experiment.runner import run_sweep
from concertsim.experiment.worldmodels import read_worlds
from concertsim.scenario import load_scenario
from concertsim.simulate import run_batch
from concertsim.streams import run_seeds

from .helpers import run_table

WORLDS = pd.DataFrame(
    {
        "credibility.spillover": [0.05, 0.11],
        "funding.budget": [0.8, 1.0],
        "accepted": [1.0, 1.0],  # not a parameter: ignored
    }
)

EXPERIMENT = """
[experiment]
model = "worlds"
scenario = "baseline"
months = 24
replicates = 2
seed = 3
batch_size = 16
outcomes = ["survived", "stability_mean"]
[model]
worlds = "worlds.parquet"
variants = [{}, { "funding.rule" = "block" }]
[design]
kind = "mixture"
components = ["role_mix.networking", "role_mix.capacity_building", "role_mix.issue_positioning",
              "role_mix.structuring", "role_mix.alignment"]
total = 0.65
complement = "role_mix.operations"
method = "lattice"
degree = 1
[parameters]
"turnover.local_annual" = { values = [0.1, 0.4], link = ["turnover.regional_annual"] }
world = { values = [0, 1] }
variant = { values = [0, 1] }
[analysis]
stable_outcome = "stability_mean"
stable_min = 0.3
"""


def _write(d: Path, text: str = EXPERIMENT) -> Path:
    WORLDS.to_parquet(d / "worlds.parquet")
    (d / "robust.toml").write_text(text)
    return d / "robust.toml"


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    d = tmp_path_factory.mktemp("robust")
    run_sweep(_write(d), d / "store", executor="serial", progress=False)
    return d


def test_a_run_is_its_world_under_its_variant_under_its_overrides(swept):
    runs = run_table(swept / "store")
    row = runs[(runs["world"] == 1) & (runs["variant"] == 1)].iloc[0]
    overrides = {
        "credibility.spillover": 0.11,
        "funding.budget": 1.0,
        "funding.rule": "block",
        "turnover.local_annual": row["turnover.local_annual"],
        "turnover.regional_annual": row["turnover.local_annual"],
        **{k: row[k] for k in runs if k.startswith("role_mix.")},
    }
    seeds = run_seeds(3, 2)[1]
    alone = run_batch(load_scenario("baseline"), [seeds[int(row["replicate"])]], [overrides],
                      months=24).outcomes  # fmt: skip
    assert alone["stability_mean"].iloc[0] == row["stability_mean"]


def test_bit_identical_whatever_the_batch_size_and_executor(swept, tmp_path):
    other = _write(tmp_path, EXPERIMENT.replace("batch_size = 16", "batch_size = 7"))
    run_sweep(other, tmp_path / "store", executor="local", workers=2, progress=False)
    a, b = run_table(swept / "store"), run_table(tmp_path / "store")
    pd.testing.assert_frame_equal(a, b)


def test_analyze_reports_the_share_of_worlds_per_mix(swept):
    runs = run_table(swept / "store")
    cut = float(runs.groupby("point")["stability_mean"].mean().median())  # some stable, some not
    report = analyze_store(swept / "store", swept / "analysis", settings={"stable_min": cut})
    robust = pd.read_csv(swept / "analysis" / "robust.csv")
    assert len(robust) == 5 * 2 * 2  # mixes x variants x turnover levels
    assert (robust["worlds"] == 2).all()
    assert (robust["share_low"] <= robust["share"]).all()
    assert (robust["share"] <= robust["share_high"]).all()
    points = pd.read_csv(swept / "analysis" / "points.csv")
    keys = [*(c for c in robust if c.startswith("role_mix.")), "variant", "turnover.local_annual"]
    stable = points.groupby(keys)["stability_mean_mean"].apply(lambda m: int((m >= cut).sum()))
    mine = robust.set_index(keys)
    assert (mine["stable_worlds"] == stable.reindex(mine.index)).all()
    assert 0 < mine["stable_worlds"].sum() < len(mine) * 2  # the test tells stable from not
    corr = pd.read_csv(swept / "analysis" / "rank_correlation.csv")
    assert set(corr["between"]) == {"turnover.local_annual", "variant"}
    assert (swept / "analysis" / "robust_simplex_0.png").is_file()
    assert (swept / "analysis" / "robust_simplex_1.png").is_file()
    assert any("in most of 2 worlds" in n for n in report.notes)
    answered = pd.read_csv(swept / "analysis" / "answers.csv")
    assert len(answered) == 2 * 2 * 2  # worlds x variants x turnover levels
    per = points.groupby(["world", "variant", "turnover.local_annual"])["stability_mean_mean"]
    counted = per.apply(lambda m: int((m >= cut).sum()))
    mine = answered.set_index(counted.index.names)["stable_mixes"]
    assert (mine.reindex(counted.index) == counted).all()
    assert (answered["stable_surely_mixes"] <= answered["stable_mixes"]).all()
    assert (answered["stable_mixes"] <= answered["stable_possibly_mixes"]).all()
    assert any("worlds have an answer" in n for n in report.notes)


def test_share_and_rank_correlation_on_a_hand_made_table():
    per_world = pd.DataFrame(
        {"a": np.repeat([0.1, 0.5, 0.9], 4), "t": np.tile([0, 0, 1, 1], 3),
         "world": np.tile([0, 1], 6),
         "stable": [1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]}
    ).astype({"stable": bool})  # fmt: skip
    robust = share_of_worlds(per_world, ["a"], ["t"])
    assert robust["share"].tolist() == [1.0, 0.5, 0.5, 0.0, 0.0, 0.0]
    corr = rank_correlations(robust, ["a"], ["t"])
    assert corr["spearman_rho"].iloc[0] == pytest.approx(0.866, abs=1e-3)


def test_worlds_are_validated(tmp_path):
    bad = WORLDS.assign(**{"funding.budget": [0.8, 7.0]})
    bad.to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(InputError, match="budget"):
        read_worlds(tmp_path / "bad.parquet")
    text = EXPERIMENT.replace("world = { values = [0, 1] }", "world = { values = [0, 2] }")
    with pytest.raises(InputError, match="rows 0 to 1 of worlds"):
        run_sweep(_write(tmp_path, text), tmp_path / "s", executor="serial", progress=False)
    text = EXPERIMENT.replace('"funding.rule" = "block"', '"funding.rule" = "blok"')
    with pytest.raises(InputError, match="did you mean 'block'"):
        run_sweep(_write(tmp_path, text), tmp_path / "s", executor="serial", progress=False)
    assert not (tmp_path / "s").exists()
    assert read_worlds(tmp_path / "worlds.parquet")[1][0] == ("credibility.spillover", 0.11)


def test_a_world_has_an_answer_when_some_mixes_are_stable_not_all_under_every_condition():
    """Issue 8's band: between 10% and 90% of the mixes stable, at each turnover level."""
    stable = {(0, 0): 1, (0, 1): 9, (1, 0): 0, (1, 1): 5, (2, 0): 10, (2, 1): 4}  # of 10 mixes
    per_world = pd.DataFrame(
        [{"world": w, "t": c, "stable": i < k} for (w, c), k in stable.items() for i in range(10)]
    )
    table = answers(per_world, ["t"])
    assert table["stable_mixes"].tolist() == [1, 9, 0, 5, 10, 4]
    assert table["in_band"].tolist() == [True, True, False, True, False, True]
    assert table.groupby("world")["in_band_everywhere"].first().tolist() == [True, False, False]
