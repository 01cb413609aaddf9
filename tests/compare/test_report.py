"""The comparison's directory and report: files, manifest, self-contained HTML, wording."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from concertsim.compare.summary import outcome_clause, scenario_sentence
from concertsim.compare.write import COMPARE_KIND
from concertsim.resultfiles import COMPARE_FIGURES, COMPARE_TABLES


@pytest.mark.slow  # writes a comparison's directory (figures, report)
def test_the_directory_holds_tables_figures_report_and_manifest(written):
    manifest = json.loads((written / "manifest.json").read_text())
    assert manifest["kind"] == COMPARE_KIND and manifest["baseline"] == "baseline"
    assert manifest["seeds"]["entropy"] == 3 and manifest["replicates"] == 12
    listed = {f["path"] for f in manifest["files"].values()}
    expected = {f"{t}.{x}" for t in COMPARE_TABLES for x in ("csv", "parquet")}
    expected |= {f"{f}.png" for f in COMPARE_FIGURES} | {"report.html"}
    assert listed == expected
    assert {p.name for p in written.iterdir()} == expected | {"manifest.json"}
    for name in COMPARE_TABLES:
        a = pd.read_parquet(written / f"{name}.parquet")
        b = pd.read_csv(written / f"{name}.csv")
        assert len(a) == len(b) > 0 and list(a.columns) == list(b.columns)
    for name in COMPARE_FIGURES:
        assert (written / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow  # writes a comparison's directory (figures, report)
def test_the_report_is_self_contained(written):
    html = (written / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html
    assert html.count('src="data:image/png;base64,') == len(COMPARE_FIGURES)
    for section in ("summary", "tables", "figures", "outcomes", "methods", "provenance"):
        assert f'<section id="{section}">' in html
    assert "networking_first rather than baseline:" in html
    assert "@media print" in html


@pytest.mark.slow  # writes a comparison's directory (figures, report)
def test_french_report(comparison, tmp_path):
    from concertsim.compare import write_comparison

    write_comparison(comparison, tmp_path / "fr", lang="fr", command=["concertsim"])
    html = (tmp_path / "fr" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and "networking_first plutôt que baseline :" in html
    assert "Résumé" in html and "Survie de l’instance régionale" in html
    assert " rather than " not in html


ROW = {"outcome": "legitimacy_end_regional", "kind": "continuous"}


@pytest.mark.parametrize(
    ("difference", "low", "high", "words"),
    [
        (0.75, 0.74, 0.76, "regional legitimacy at the horizon is 0.75 higher [0.74, 0.76]"),
        (-0.46, -0.54, -0.37, "regional legitimacy at the horizon is 0.46 lower [0.37, 0.54]"),
        (0.02, -0.01, 0.05, "no clear difference (+0.02 [-0.01, +0.05])"),
        (0.0, 0.0, 0.0, "no clear difference (0.00 [0.00, 0.00])"),
    ],
)
def test_words_follow_the_interval(difference, low, high, words):
    """ "Higher" or "lower" only when the interval excludes 0; otherwise "no clear difference"."""
    assert words in outcome_clause({**ROW, "difference": difference, "low": low, "high": high})


def test_yes_no_outcomes_speak_in_percentage_points():
    row = {"outcome": "survived", "kind": "binary", "difference": -0.525}
    row |= {"low": -0.66, "high": -0.34}
    assert outcome_clause(row) == (
        "survival of the regional body is 52 percentage points lower [34, 66]"
    )
    row = {**row, "difference": -0.025, "low": -0.11, "high": 0.06}
    assert outcome_clause(row, "fr") == (
        "survie de l’instance régionale : pas d’écart net (-2 points de pourcentage [-11 ; +6])"
    )


def test_scenario_sentence_reads_the_paired_table(comparison):
    sentence = scenario_sentence(comparison.paired, "networking_neglected", "baseline", "en")
    assert sentence.startswith("networking_neglected rather than baseline: stability index")
    assert sentence.count(";") == 2 and sentence.endswith(".")
