"""``concertsim calibrate`` on a reduced experiment: a two-pattern book, four worlds, short runs
(five years, 8 runs per arm: worlds hold at their first seed, and some of them -- by luck --
not at their replication seed).

The machinery is checked (a world is accepted iff every required pattern holds; the files,
the acceptance rate and its interval, the representative world; a resumed calibration is the
same; bad input is refused before anything is written), not which worlds the model accepts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from concertsim import calibrate as cal
from concertsim.errors import InputError
from concertsim.intervals import wilson

BOOK = """
[[pattern]]
id = "turnover_threatens_durability"
mechanism = "M1"
claim = "Heavy staff turnover makes the regional structure less stable."
source.reference = "test book"
contrast = { base = "baseline", scenario = "high_turnover" }
outcome = "stability_mean"
direction = "decrease"

[[pattern]]
id = "regional_credibility_lifts_local"
mechanism = "M5"
claim = "Two more regional posts raise the local committees' credibility."
source.reference = "test book"
contrast = { base = "baseline", overrides = { "structure.regional_staff" = 7 } }
outcome = "credibility_end_local"
direction = "increase"
"""

EXPERIMENT = """
[experiment]
model = "patterns"
months = 60
replicates = 1
seed = 11
batch_size = 2
[model]
book = "book.toml"
replicates = 8
exempt = []
[design]
kind = "lhs"
n = 4
[parameters]
"credibility.spillover" = { bounds = [0.0, 0.2] }
"funding.fold_months" = { bounds = [9, 15] }
"""


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    d = tmp_path_factory.mktemp("calibration")
    (d / "book.toml").write_text(BOOK)
    (d / "worlds.toml").write_text(EXPERIMENT)
    return d, cal.calibrate(d / "worlds.toml", d / "out", workers=0, progress=False)


def test_a_world_is_accepted_iff_every_required_pattern_holds_at_two_seeds(calibrated):
    _, c = calibrated
    s = c.scores
    holds = s[[k for k in s if k.startswith("holds__")]]
    assert len(s) == 4 and holds.shape[1] == 2
    first = holds.min(axis=1) == 1
    assert first.any()  # else the replication below is not exercised
    assert (s["accepted"] == (first & (s["failed_1"] == 0))).all()
    assert s.loc[first, "replication_seed_1"].notna().all()  # replicated, seed recorded
    assert s.loc[~first, ["replication_seed_1", "failed_1"]].isna().all().all()
    assert (s.loc[first, "replication_seed_1"] != s.loc[first, "book_seed"]).all()
    assert (s["held"] == holds.sum(axis=1)).all()
    assert s["funding.fold_months"].apply(float.is_integer).all()
    assert s["book_seed"].nunique() == 1  # one replicate: every world uses the same streams


def test_calibration_files_and_summary(calibrated):
    _, c = calibrated
    assert [f.name for f in c.files] == list(cal.FILES) and all(f.is_file() for f in c.files)
    summary = json.loads((c.out / "calibration.json").read_text())
    n_acc = int(c.scores["accepted"].sum())
    assert summary["accepted"] == n_acc == len(pd.read_parquet(c.out / "accepted.parquet"))
    rate, low, high = wilson(n_acc, 4)
    assert summary["replications"] == 1
    assert summary["accepted_at_book_seed"] == int((c.scores["failed"] == 0).sum())
    assert summary["not_replicated"] == summary["accepted_at_book_seed"] - n_acc
    assert summary["acceptance_rate"] == rate and summary["acceptance_interval"] == [low, high]
    prior = summary["parameters"]["credibility.spillover"]["prior"]
    assert prior == [0.0, 0.2]
    if n_acc:
        rep = summary["representative"]["run_id"]
        assert rep in set(pd.read_parquet(c.out / "accepted.parquet")["run_id"])


def test_calibrating_again_resumes_and_gives_the_same_scores(calibrated):
    d, c = calibrated
    again = cal.calibrate(d / "worlds.toml", d / "out", workers=0, progress=False)
    pd.testing.assert_frame_equal(again.scores, c.scores)


def test_an_interrupted_calibration_scores_the_worlds_done_so_far(calibrated, tmp_path):
    import shutil

    d, c = calibrated
    (tmp_path / "book.toml").write_text(BOOK)
    shutil.copy(d / "worlds.toml", tmp_path / "worlds.toml")
    shutil.copytree(d / "out" / "store", tmp_path / "out" / "store")
    parts = sorted((tmp_path / "out" / "store" / "runs").iterdir())
    parts[-1].unlink()  # as if the sweep had been stopped before its last task
    part = cal.calibrate(tmp_path / "worlds.toml", tmp_path / "out", sweep=False)
    assert part.summary["complete"] is False and part.summary["design_points"] == 4
    assert 0 < part.summary["worlds"] < 4
    done = c.scores[c.scores["run_id"].isin(part.scores["run_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(part.scores, done)
    assert c.summary["complete"] is True
    with pytest.raises(InputError, match="no store yet"):
        cal.calibrate(tmp_path / "worlds.toml", tmp_path / "new", sweep=False)


def test_worlds_score_the_same_whatever_the_batch_size_and_executor(calibrated, tmp_path):
    d, c = calibrated  # in this process, batches of 2; here 2 worker processes, batches of 3
    (tmp_path / "book.toml").write_text(BOOK)
    (tmp_path / "w.toml").write_text(EXPERIMENT.replace("batch_size = 2", "batch_size = 3"))
    other = cal.calibrate(tmp_path / "w.toml", tmp_path / "out", workers=2, progress=False)
    pd.testing.assert_frame_equal(other.scores, c.scores)


@pytest.mark.parametrize(
    "change, key",
    [
        (('model = "patterns"', 'model = "ishigami"'), "[experiment] model"),
        (("exempt = []", 'exempt = ["no_such_pattern"]'), "[model] exempt"),
        (("replicates = 8", "replicates = 1"), "[model] replicates"),
        (("exempt = []", "exempt = []\nreplications = 9"), "[model] replications"),
        (("exempt = []", "exempt = []\nreplications = true"), "[model] replications"),
        (("bounds = [0.0, 0.2]", "bounds = [0.0, 2.0]"), '[parameters] "credibility.spillover"'),
        (("[model]", "[model]\ncolour = 1"), "[model] colour"),
    ],
)  # fmt: skip
def test_bad_calibrations_are_refused_before_anything_is_written(tmp_path, change, key):
    (tmp_path / "book.toml").write_text(BOOK)
    (tmp_path / "w.toml").write_text(EXPERIMENT.replace(*change))
    with pytest.raises(InputError) as err:
        cal.calibrate(tmp_path / "w.toml", tmp_path / "out", workers=0, progress=False)
    assert key in str(err.value)
    assert not (tmp_path / "out").exists()


def test_an_out_directory_of_something_else_is_refused(tmp_path):
    (tmp_path / "book.toml").write_text(BOOK)
    (tmp_path / "w.toml").write_text(EXPERIMENT)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "thesis.tex").write_text("keep me")
    with pytest.raises(InputError, match="a new or a calibration directory"):
        cal.calibrate(tmp_path / "w.toml", tmp_path / "out", workers=0, progress=False)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["thesis.tex"]


def test_cli_prints_the_acceptance_rate(calibrated, capsys):
    from concertsim.cli import main

    d, c = calibrated
    assert main(["calibrate", str(d / "worlds.toml"), "--out", str(d / "out"), "--workers", "0",
                 "--quiet"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert f"{int(c.scores['accepted'].sum())} of 4 worlds accepted" in out
    assert main(["calibrate", str(d / "nope.toml"), "--out", str(d / "x")]) == 2
    assert not Path(d / "x").exists()


def test_a_world_lucky_at_one_seed_is_rejected_at_the_replication(tmp_path, monkeypatch):
    """The book runs again at each replication seed while it holds; a world accepted at its
    first seed but failing at a replication is rejected (run_book replaced by a fake whose
    verdict depends on the seed)."""
    import numpy as np

    from concertsim import patterns
    from concertsim.experiment.context import ModelContext
    from concertsim.experiment.worldmodels import PatternBook, score_columns

    (tmp_path / "book.toml").write_text(BOOK)
    seqs = [np.random.SeedSequence(11, spawn_key=(k,)) for k in range(3)]
    words = [s.generate_state(3) for s in seqs]
    verdict = {int(words[0][0]): True, int(words[0][1]): False,  # lucky at its first seed
               int(words[1][0]): True, int(words[1][1]): True, int(words[1][2]): True,
               int(words[2][0]): False}  # fmt: skip
    calls = []

    def fake_run_book(book, *, seed, **kw):
        calls.append(seed)
        ids = [p.id for p in book]
        return pd.DataFrame({"id": ids, "holds": [verdict[seed]] * len(ids),
                             "effect": 0.1, "direction": "increase"})  # fmt: skip

    monkeypatch.setattr(patterns, "run_book", fake_run_book)
    ids = [p.id for p in patterns.load_patterns(tmp_path / "book.toml")]
    options = (("exempt", ()), ("replicates", 6), ("replications", 2))
    ctx = ModelContext("patterns", options, None, str(tmp_path / "book.toml"),
                       score_columns(ids, 2))  # fmt: skip
    rows, _ = PatternBook().run_batch(ctx, seqs, [{}, {}, {}], 12, False)
    assert rows["accepted"].tolist() == [0.0, 1.0, 0.0]
    assert rows["failed"].tolist() == [0.0, 0.0, 2.0]  # the scores are the first seed's
    assert rows["failed_1"].tolist()[:2] == [2.0, 0.0] and np.isnan(rows["failed_1"][2])
    assert np.isnan(rows["failed_2"][0]) and rows["failed_2"][1] == 0  # stopped at a failure
    assert rows["replication_seed_2"][1] == float(words[1][2])
    assert calls == [words[0][0], words[0][1], *words[1], words[2][0]]
