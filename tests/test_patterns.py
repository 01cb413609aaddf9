"""The pattern book (issue #8): the book validates, its quotes are the seed's, the statistics
are right on hand-made examples, bad books are refused, and a reduced book runs end to end.

Whether the patterns *hold* is not asserted: the model will change; the machinery must not.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from concertsim import intervals as iv
from concertsim import patterns as pb
from concertsim.errors import InputError
from concertsim.scenario import load_scenario
from concertsim.simulate import run_scenario


def _t(d):
    return iv.mean_ci(d)[1:3]


def _w(x, n):
    return iv.wilson(x, n)[1:]


REPO = Path(__file__).resolve().parents[1]


def _seed_dir() -> Path | None:
    """``shared/seed`` beside the repository (``/work/main``) or beside its worktree folder."""
    for parent in REPO.parents:
        if (parent / "shared" / "seed").is_dir():
            return parent / "shared" / "seed"
    return None


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def book():
    return pb.load_patterns()


# --------------------------------------------------------------------------- the book


def test_book_loads_with_enough_patterns_and_every_mechanism(book):
    assert len(book) >= 18
    assert len({p.id for p in book}) == len(book)
    mechanisms = {p.mechanism for p in book}
    assert {f"M{i}" for i in range(1, 16)} <= mechanisms
    assert {"March1991", "Fang2010"} <= mechanisms
    for p in book:
        assert p.direction in pb.DIRECTIONS and p.statistic in pb.STATISTICS
        assert ("quote_fr" in p.source and "quote_en" in p.source) or "reference" in p.source


def test_every_french_quote_is_verbatim_in_the_seed(book):
    seed = _seed_dir()
    if seed is None:
        pytest.skip("shared/seed not found beside the repository (it is outside the repo)")
    text = _norm(" ".join(f.read_text(encoding="utf-8") for f in sorted(seed.glob("*.txt"))))
    quoted = [p for p in book if "quote_fr" in p.source]
    assert len(quoted) >= 15
    for p in quoted:
        assert _norm(p.source["quote_fr"]) in text, p.id


def test_arms_are_valid_scenarios(book):
    for p in book:
        c = p.contrast
        if c.kernel is None:
            assert c.base in pb.bundled_scenarios() or Path(c.base).exists()
            assert c.has_alt or c.columns is not None


# --------------------------------------------------------------------------- statistics


def test_paired_t_interval_on_a_known_example():
    # mean 3, sd sqrt(2.5), t(0.975, 4) = 2.776445: 3 -/+ 1.963243
    low, high = _t([1.0, 2.0, 3.0, 4.0, 5.0])
    assert low == pytest.approx(1.036757, abs=1e-6)
    assert high == pytest.approx(4.963243, abs=1e-6)
    assert _t([0.5, 0.5, 0.5]) == (0.5, 0.5)
    assert all(math.isnan(x) for x in _t([1.0]))


def test_wilson_interval_known_values_and_symmetry():
    z2 = 1.959964**2
    assert _w(0, 10) == pytest.approx((0.0, z2 / (10 + z2)), abs=1e-6)
    low, high = _w(7, 20)
    low2, high2 = _w(13, 20)
    assert (low, high) == pytest.approx((1 - high2, 1 - low2))
    assert low < 7 / 20 < high


def test_newcombe_interval_reduces_to_square_and_add_without_correlation():
    # 3 pairs yes/yes, 4 alt only, 1 base only, 2 no/no: ad - bc = 2 lies in [0, n/2], so
    # Newcombe's phi is 0 and the interval is the square-and-add of the two Wilson intervals.
    base = np.array([1, 1, 1, 0, 0, 0, 0, 1, 0, 0], float)
    alt = np.array([1, 1, 1, 1, 1, 1, 1, 0, 0, 0], float)
    a = int(((alt == 1) & (base == 1)).sum())
    b = int(((alt == 1) & (base == 0)).sum())
    c = int(((alt == 0) & (base == 1)).sum())
    d = int(((alt == 0) & (base == 0)).sum())
    n = a + b + c + d
    assert 0 <= a * d - b * c <= n / 2
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = _w(a + b, n)
    l2, u2 = _w(a + c, n)
    diff, low, high = iv.newcombe_paired_interval(base, alt)
    assert diff == pytest.approx(p1 - p2)
    assert low == pytest.approx(p1 - p2 - math.hypot(p1 - l1, u2 - p2))
    assert high == pytest.approx(p1 - p2 + math.hypot(u1 - p1, p2 - l2))


def test_newcombe_interval_and_mcnemar_on_a_clear_and_a_null_case():
    base = np.zeros(30)
    alt = np.r_[np.ones(12), np.zeros(18)]
    diff, low, high = iv.newcombe_paired_interval(base, alt)
    assert diff == pytest.approx(0.4) and 0 < low < 0.4 < high <= 1
    assert iv.mcnemar_exact_p(base, alt) == pytest.approx(2 * 0.5**12)
    same = np.r_[np.ones(5), np.zeros(25)]
    diff, low, high = iv.newcombe_paired_interval(same, same)
    assert diff == 0 and low < 0 < high
    assert iv.mcnemar_exact_p(same, same) == 1.0


# --------------------------------------------------------------------------- bad books

GOOD = """
[statistics.eng]
variable = "engagement"
levels = ["local"]
months = [1, 12]

[[pattern]]
id = "p1"
mechanism = "M1"
claim = "a claim"
source.reference = "a publication"
contrast = { base = "baseline", overrides = { "turnover.local_annual" = 0.4 } }
outcome = "stability_mean"
direction = "decrease"
statistic = "paired_mean_difference"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "book.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key_part"),
    [
        ('claim = "a claim"', 'claim = "a claim"\ncolour = "red"', "colour"),
        ('base = "baseline"', 'base = "baselin"', "contrast base"),
        ('"turnover.local_annual"', '"turnover.local_anual"', "overrides"),
        ('"turnover.local_annual" = 0.4', '"turnover.local_annual" = 1.4', "overrides"),
        ('direction = "decrease"', 'direction = "down"', "direction"),
        ('outcome = "stability_mean"', 'outcome = "stability"', "outcome"),
        ('statistic = "paired_mean_difference"', 'statistic = "t_test"', "statistic"),
        (
            'statistic = "paired_mean_difference"',
            'statistic = "paired_proportion"\nthreshold = { min_effect = -1 }',
            "threshold",
        ),  # fmt: skip
        ('variable = "engagement"', 'variable = "happiness"', "variable"),
        ("months = [1, 12]", "months = [12, 1]", "months"),
        ("months = [1, 12]", 'months = "first_half"', "months"),
        ('claim = "a claim"', 'claim = "a claim"\nreplicate_factor = 0', "replicate_factor"),
        ('claim = "a claim"', 'claim = "a claim"\nreplicate_factor = 1.5', "replicate_factor"),
        ('claim = "a claim"', 'claim = "a claim"\nreplicate_factor = 99', "replicate_factor"),
        ('source.reference = "a publication"', 'source.quote_fr = "seul"', "source"),
        ("contrast = { base", 'contrast = { kernel = "march", args = { p9 = 1 } }\nx = { base', ""),
    ],
)
def test_bad_books_are_refused_with_file_and_key(tmp_path, old, new, key_part):
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        pb.load_patterns(path)
    assert err.value.file == str(path)
    assert key_part in err.value.key
    assert str(err.value).startswith(str(path))


def test_good_book_loads_and_other_refusals(tmp_path):
    (p,) = pb.load_patterns(_write(tmp_path, GOOD))
    assert p.contrast.overrides == (("turnover.local_annual", 0.4),)
    twice = GOOD + GOOD[GOOD.index("[[pattern]]") :]
    with pytest.raises(InputError, match="unique"):
        pb.load_patterns(_write(tmp_path, twice))
    with pytest.raises(InputError, match="TOML"):
        pb.load_patterns(_write(tmp_path, "[[pattern]\n"))
    with pytest.raises(InputError, match="an existing pattern file"):
        pb.load_patterns(tmp_path / "missing.toml")
    kernel = GOOD.replace(
        'contrast = { base = "baseline", overrides = { "turnover.local_annual" = 0.4 } }',
        'contrast = { kernel = "march", base_args = { p1 = 0.9 }, args = { p3 = 0.1, q = 2 } }',
    ).replace('"stability_mean"', '"knowledge"')
    with pytest.raises(InputError, match="an argument of march"):
        pb.load_patterns(_write(tmp_path, kernel))


# --------------------------------------------------------------------------- running


def test_identical_arms_give_exactly_zero_by_common_random_numbers(tmp_path):
    text = GOOD.replace(
        'overrides = { "turnover.local_annual" = 0.4 }', 'scenario = "negotiated"'
    )  # negotiated is the baseline written out: the same runs, pair by pair
    (p,) = pb.load_patterns(_write(tmp_path, text))
    row = pb.evaluate(p, replicates=3, seed=5, months=6)
    assert row["effect"] == 0 and row["sd"] == 0 and row["n"] == 3 and not row["holds"]


REDUCED = (
    "turnover_threatens_durability",  # two scenarios
    "heavy_turnover_can_fold_the_structure",  # paired proportion
    "regional_works_in_the_shadow",  # within-run columns
    "best_mix_has_more_roles_with_more_staff",  # interaction
    "role_recognition_pays_later",  # derived statistic of the series
    "march_turnover_helps_fast_socialisation",  # knowledge kernel
)


def test_reduced_book_runs_end_to_end_and_writes_csv_and_png(book, tmp_path):
    table = pb.run_book(book, replicates=4, seed=3, only=REDUCED, months=30)
    assert sorted(table["id"]) == sorted(REDUCED)
    for col in ("id", "mechanism", "claim", "effect", "low", "high", "n", "holds"):
        assert col in table
    finite = table[table["sd"] > 0]
    assert (finite["low"] <= finite["effect"]).all() and (finite["effect"] <= finite["high"]).all()
    factors = {p.id: p.replicate_factor for p in book}
    assert (table["n"] == 4 * table["id"].map(factors)).all()  # a pattern's declared runs
    assert max(factors.values()) > 1  # the reduced book takes the same path as the full one
    csv, png = pb.write_book(table, tmp_path / "out")
    assert csv.read_text().startswith("id,mechanism,claim")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = pb.format_table(table)
    assert all(pid in text for pid in REDUCED) and "patterns hold" in text


def test_command_line(tmp_path, capsys):
    out = tmp_path / "cli"
    only = ["--only", "turnover_threatens_durability", "regional_works_in_the_shadow"]
    code = pb.main([*only, "--replicates", "3", "--seed", "2", "--months", "12", "--out", str(out)])
    assert code in (0, 1)
    assert (out / "patterns.csv").exists() and (out / "patterns.png").exists()
    assert "turnover_threatens_durability" in capsys.readouterr().out
    assert pb.main(["--only", "no_such_pattern", "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith("concertsim: error: --only")
    for bad in (["--replicates", "1"], ["--replicates", "many"], ["--months", "0"]):
        with pytest.raises(SystemExit) as exc:
            pb.main([*bad, "--out", str(out)])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("concertsim: error:") and err.count("\n") == 1


def test_the_book_is_a_subcommand(tmp_path, capsys):
    from concertsim.cli import main

    out = tmp_path / "book"
    argv = ["patterns", "--only", "turnover_threatens_durability", "--replicates", "2"]
    assert main([*argv, "--months", "6", "--out", str(out)]) in (0, 1)
    assert (out / "patterns.csv").exists()
    assert main(["patterns", "--only", "nope", "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith("concertsim: error:")


def test_a_replicate_factor_adds_runs_after_the_common_ones(tmp_path):
    """A pattern's arms run replicate_factor x replicates; its first runs are those of the
    book's replicates (common random numbers), whether run first or last."""
    text = GOOD + GOOD[GOOD.index("[[pattern]]") :].replace('id = "p1"', 'id = "p3x"').replace(
        'claim = "a claim"', 'claim = "a claim"\nreplicate_factor = 3'
    )
    p1, p3 = pb.load_patterns(_write(tmp_path, text))
    assert (p1.replicate_factor, p3.replicate_factor) == (1, 3)
    kw = dict(replicates=3, seed=4, months=12)
    table = pb.run_book((p1, p3), **kw)  # p3 runs first; p1's runs: the first 3 of its 9
    assert table["id"].tolist() == ["p1", "p3x"] and table["n"].tolist() == [3, 9]
    alone = pd.concat([pb.run_book((p,), **kw) for p in (p1, p3)], ignore_index=True)
    pd.testing.assert_frame_equal(alone, table, check_exact=True)
    as_p1 = pb.run_book((dataclasses.replace(p3, replicate_factor=1),), **kw)
    cols = ["effect", "low", "high", "sd", "n"]
    pd.testing.assert_frame_equal(as_p1[cols], table[cols].iloc[[0]], check_exact=True)
    assert table["effect"].iloc[0] != table["effect"].iloc[1]  # more runs, another estimate


def test_second_half_statistic_follows_the_horizon(tmp_path):
    text = GOOD.replace("months = [1, 12]", 'months = "second_half"').replace(
        'outcome = "stability_mean"', 'outcome = "eng"'
    )
    (p,) = pb.load_patterns(_write(tmp_path, text))
    assert p.derived[0].months == pb.SECOND_HALF
    for months in (8, 30):  # the base arm is the baseline: its mean is the statistic's
        row = pb.evaluate(p, replicates=3, seed=2, months=months)
        s = run_scenario(load_scenario("baseline"), replicates=3, seed=2, months=months).series
        s = s[(s["variable"] == "engagement") & (s["level"] == "local")]
        late = s[s["month"] > months // 2].groupby("run")["value"].mean()
        assert row["n"] == 3 and row["base"] == pytest.approx(late.mean())
