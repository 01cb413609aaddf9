"""Worlds (issue 9): a world replaces the defaults under every scenario's own settings, the
pattern book runs in a world (``concertsim patterns --set``), and the accepted worlds of
``experiments/plausible_worlds.toml`` pass the whole book again with fresh seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from concertsim import patterns as pb
from concertsim.cli import main
from concertsim.errors import InputError
from concertsim.worlds import ACCEPTED_PATH, check_world, in_world, load_worlds, world_of

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "experiments" / "worlds"
"""The robust answer's tables and figures (and links to the shipped calibration)."""

FRESH_SEEDS = (101, 202, 303)
"""Root seeds the calibration did not use (it drew its book seed from 20261202): one a world."""


def test_a_world_fills_in_what_a_scenario_leaves_at_the_defaults():
    world = {"turnover.local_annual": 0.1, "credibility.spillover": 0.05}
    assert in_world("high_turnover", world) == (("credibility.spillover", 0.05),)
    assert dict(in_world("baseline", world)) == world
    assert in_world("austerity", {}) == ()
    assert dict(in_world("imposed", {"role_mode.alignment": 0.0})) == {}


def test_a_world_is_validated_like_a_scenario():
    with pytest.raises(InputError, match="did you mean 'funding.budget'"):
        check_world({"funding.budgett": 0.9})
    with pytest.raises(InputError, match=r"\[0, 2\]"):
        check_world({"funding.budget": 3.0})


def test_the_book_runs_in_a_world():
    book = [p for p in pb.load_patterns() if p.id == "regional_credibility_lifts_local"]
    kw = dict(replicates=6, seed=3, months=36)
    default = pb.run_book(book, **kw)
    still = pb.run_book(book, **kw, world={"credibility.spillover": 0.0})
    assert still["effect"].iloc[0] != default["effect"].iloc[0]
    again = pb.run_book(book, **kw, world={})
    pd.testing.assert_frame_equal(again, default)  # the cache does not leak worlds


def test_patterns_cli_takes_a_world_and_refuses_a_bad_one(tmp_path, capsys):
    out = tmp_path / "book"
    args = ["patterns", "--only", "regional_credibility_lifts_local", "--replicates", "3",
            "--months", "12", "--out", str(out)]  # fmt: skip
    assert main([*args, "--set", "funding.rule=blok"]) == 2
    assert "did you mean 'block'" in capsys.readouterr().err and not out.exists()
    assert main([*args, "--set", "funding.rule=block"]) in (0, 1)
    assert (out / "patterns.csv").is_file() and (out / "patterns.png").is_file()


def test_the_accepted_worlds_are_shipped_with_their_calibration():
    worlds = load_worlds()
    summary = json.loads((ACCEPTED_PATH.parent / "calibration.json").read_text())
    assert len(worlds) == summary["accepted"] > 0
    assert (worlds["accepted"] == 1).all() and worlds["representative"].sum() == 1
    assert 0.05 <= summary["acceptance_rate"] <= 0.80
    for _, row in worlds.iterrows():
        check_world(world_of(row), lenient=True)


def test_the_accepted_worlds_ship_inside_the_package():
    """Issue 9: an installed concertsim has its accepted worlds (package data), and the
    repository's experiments/worlds/ links to the same files rather than keeping a copy."""
    import tomllib

    import concertsim

    package = Path(concertsim.__file__).resolve().parent
    assert ACCEPTED_PATH.resolve().is_relative_to(package / "data" / "worlds")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "data/worlds/*" in pyproject["tool"]["setuptools"]["package-data"]["concertsim"]
    for name in ("accepted.parquet", "calibration.json"):
        assert (RESULTS / name).resolve() == (ACCEPTED_PATH.parent / name).resolve()


def test_the_shipped_calibration_is_that_of_the_experiment_file_as_it_stands():
    """A change to plausible_worlds.toml (its rule, its priors, its replications) cannot be
    committed with the calibration of the old file: the recorded SHA-256 and settings must match."""
    import tomllib

    from concertsim import atomic

    summary = json.loads((ACCEPTED_PATH.parent / "calibration.json").read_text())
    experiment = ROOT / "experiments" / "plausible_worlds.toml"
    assert summary["experiment_sha256"] == atomic.sha256(experiment)
    declared = tomllib.loads(experiment.read_text())
    assert summary["replications"] == declared["model"]["replications"]
    assert summary["seed"] == declared["experiment"]["seed"]
    assert summary["complete"] and summary["worlds"] == summary["design_points"]


@pytest.mark.slow  # the whole book (40 paired runs per arm, more where declared) in three worlds
def test_accepted_worlds_pass_the_whole_book_again_with_fresh_seeds():
    """Issue 9: acceptance is not luck. The committed accepted worlds (the representative, the
    first and the last by run id) pass every required pattern again at seeds the calibration
    did not use, each world at its own."""
    worlds = load_worlds().sort_values("run_id")
    summary = json.loads((ACCEPTED_PATH.parent / "calibration.json").read_text())
    exempt = set(summary["exempt"])
    used = worlds.filter(regex=r"^(book_seed|replication_seed_\d+)$").stack().astype(int)
    assert not set(FRESH_SEEDS) & set(used)  # fresh: neither a book nor a replication seed
    picked = pd.concat([worlds[worlds["representative"]], worlds.head(1), worlds.tail(1)])
    rows = picked.drop_duplicates("run_id")
    assert len(rows) >= min(3, len(worlds))
    book = pb.load_patterns()
    failures = []
    for seed, (_, row) in zip(FRESH_SEEDS, rows.iterrows(), strict=False):
        table = pb.run_book(book, replicates=summary["book_replicates"], seed=seed,
                            world=world_of(row))  # fmt: skip
        bad = table[~table["holds"] & ~table["id"].isin(exempt)]
        failures += [(int(row["run_id"]), seed, i) for i in bad["id"]]
    assert not failures, failures


def test_the_readme_states_the_robust_answer_of_the_committed_results():
    """The README's numbers are those of experiments/worlds/ (re-derived here)."""
    from concertsim.intervals import wilson

    here = RESULTS
    readme = " ".join((ROOT / "README.md").read_text().split())  # one line
    summary = json.loads((here / "calibration.json").read_text())
    rate, low, high = wilson(summary["accepted"], summary["worlds"])
    assert f"{summary['accepted']} of {summary['worlds']} parameter sets" in readme
    assert f"{rate:.1%}, 95% interval [{low:.1%}, {high:.1%}]" in readme
    robust = pd.read_csv(here / "robust.csv")
    default = robust[robust["variant"] == 0]
    most = default[default["share"] > 0.5].groupby("turnover.local_annual").size()
    assert f"{most[0.1]} of the 70 role mixes" in readme
    assert f"but only {most[0.4]} at 40%" in readme
    best = default[default["turnover.local_annual"] == 0.4].sort_values("share").iloc[-1]
    assert f"in {best['stable_worlds']:.0f} of {best['worlds']:.0f} worlds" in readme
    assert f"[{best['share_low']:.0%}, {best['share_high']:.0%}]" in readme
    corr = pd.read_csv(here / "rank_correlation.csv").set_index(["between", "b"])
    assert f"rho = {corr.loc[('turnover.local_annual', 0.4), 'spearman_rho']:.2f}" in readme
    rhos = [corr.loc[("variant", v), "spearman_rho"] for v in (1.0, 3.0, 4.0)]
    assert "rho = {:.2f}, {:.2f} and {:.2f}".format(*rhos) in readme
    at_40 = default[default["turnover.local_annual"] == 0.4]
    every = f"in {best['worlds']:.0f} of {best['worlds']:.0f} worlds"
    assert f"{(at_40['share'] == 1).sum()} mixes are stable {every}" in readme
    proportional = robust[(robust["variant"] == 4) & (robust["turnover.local_annual"] == 0.4)]
    n = (proportional["share"] > 0.5).sum()
    assert f"under proportional participation only {n} mixes are stable" in readme


def test_the_readme_states_which_worlds_have_an_answer():
    """Issue 8: experiments/answers.toml runs the role-mix design in every accepted world; the
    README and ODD 11 state how many worlds have an answer (10-90% of the mixes stable at each
    turnover level) and the ranges of stable mixes, re-derived here from the committed table."""
    from concertsim.experiment.analysis.worlds import ANSWER_BAND

    answers = pd.read_csv(RESULTS / "answers.csv")
    assert len(answers) == 2 * len(load_worlds()) and (answers["mixes"] == 70).all()
    share = answers["stable_mixes"] / answers["mixes"]
    assert (share.between(*ANSWER_BAND) == answers["in_band"]).all()
    has = answers.groupby("world")["in_band"].all()
    at = answers.set_index("turnover.local_annual")["stable_mixes"]
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"{has.sum()} of {len(has)} plausible worlds" in readme
    assert f"{at[0.4].min()} to {at[0.4].max()} of the 70 mixes at 40%" in readme
    assert f"{at[0.1].min()} to {at[0.1].max()} at 10%" in readme
    odd = " ".join((ROOT / "docs" / "odd.md").read_text().split())
    lo, hi = at[0.1], at[0.4]
    low = f"At 10 % turnover {lo.min()} to {lo.max()} mixes are stable (median {lo.median():.0f})"
    high = f"at 40 % {hi.min()} to {hi.max()} (median {hi.median():.0f})"
    ranges = f"{low}, {high}"
    assert ranges in odd
    surely = answers.set_index("turnover.local_annual")["stable_surely_mixes"][0.4]
    possibly = answers.set_index("turnover.local_annual")["stable_possibly_mixes"][0.4]
    assert f"at 40 % at most {surely.max()} mixes are stable surely" in odd
    assert f"{possibly.min()} to {possibly.max()} (median {possibly.median():.0f})" in odd
    runs = load_worlds()["run_id"].astype(int)  # accepted.parquet's rows are the worlds
    chosen = answers[answers["in_band_everywhere"]]  # the world the defaults come from
    run = runs.iloc[int(chosen["world"].iloc[0])]
    assert len(chosen) == 2
    assert chosen.set_index("turnover.local_annual")["stable_surely_mixes"][0.4] == 0
    assert f"none in run {run}" in odd and "none of its 13 stable mixes is stable surely" in readme
    by = answers.pivot(index="world", columns="turnover.local_annual", values="stable_mixes")
    few = int((by[0.4] <= 4).sum())  # ODD 7.8: why the other worlds have no answer
    assert f"(0 to 4 in {few} of them)" in odd
    for w, row in by[(by[0.1] > 63)].iterrows():  # over the band at 10 %
        assert f"(run {runs.iloc[int(w)]}: {row[0.1]} and {row[0.4]})" in odd


def test_the_readme_states_the_robust_answer_with_100_runs_per_mix():
    """The per-mix shares of worlds from experiments/answers.toml (100 runs a mix, not the
    robust sweep's 4) that the README gives beside the robust answer, re-derived."""
    robust = pd.read_csv(RESULTS / "answers_robust.csv")
    most = robust[robust["share"] > 0.5].groupby("turnover.local_annual").size()
    readme = " ".join((ROOT / "README.md").read_text().split())
    said = f"{most[0.1]} mixes are stable in most worlds at 10% and only {most[0.4]} at 40%"
    assert said in readme
    best = robust[robust["turnover.local_annual"] == 0.4].sort_values("share").iloc[-1]
    assert f"stable in {best['stable_worlds']:.0f} of {best['worlds']:.0f} worlds" in readme
    corr = pd.read_csv(RESULTS / "answers_rank_correlation.csv")
    assert f"rho = {corr['spearman_rho'].iloc[0]:.2f}" in readme


def test_ship_picks_the_representative_among_the_worlds_with_an_answer(tmp_path):
    """experiments/worlds/ship.py --answers: the nearest-median rule applied to the worlds that
    have an answer only; the pick by the book alone is kept in calibration.json."""
    import importlib.util

    from concertsim.calibrate import representative

    spec = importlib.util.spec_from_file_location("ship", RESULTS / "ship.py")
    ship = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ship)
    worlds = load_worlds()
    summary = json.loads((ACCEPTED_PATH.parent / "calibration.json").read_text())
    chosen = [0, len(worlds) - 1]  # rows of accepted.parquet that have an answer here
    rows = [
        {"world": w, "turnover.local_annual": t, "mixes": 70, "stable_mixes": 9,
         "in_band_everywhere": w in chosen}
        for w in range(len(worlds)) for t in (0.1, 0.4)
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "answers.csv", index=False)
    out, accepted = ship.with_answers(summary, worlds, tmp_path / "answers.csv")
    bounds = {k: tuple(v["prior"]) for k, v in summary["parameters"].items()}
    want = worlds.loc[representative(worlds.iloc[chosen], bounds), "run_id"]
    assert out["representative"]["run_id"] == want and accepted["representative"].sum() == 1
    assert accepted["has_answer"].tolist() == [i in chosen for i in range(len(worlds))]
    assert out["representative_by_book"] == summary["representative"]
    assert out["answer"]["worlds_with_answer"] == 2
    pd.DataFrame(rows).assign(in_band_everywhere=False).to_csv(tmp_path / "none.csv")
    with pytest.raises(SystemExit, match="no accepted world has an answer"):
        ship.with_answers(summary, worlds, tmp_path / "none.csv")
