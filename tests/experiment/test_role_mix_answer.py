"""Issue 8: ``experiments/role_mix.toml``, as shipped and with no funding override, has an
answer: between 10% and 90% of its 70 role mixes keep the regional body alive ten years (in at
least 90% of runs) at each turnover level, and the file's header states the counts it gives.

The whole file runs (14,000 runs of ten years, about 60 CPU-seconds a sweep): a change of the
model or of a default that takes the answer away, or makes the figures the docs give false,
fails here. Besides the file as it is: the same design at seed 777, where the count at 40% sits
at the band's lower edge, and with ``funding.expectation`` back at its hand-set 0.6, the
contrast ODD 7.8 gives for what carries the answer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from concertsim.experiment.analysis.mixture import mixture_table
from concertsim.experiment.analysis.worlds import ANSWER_BAND
from concertsim.experiment.runner import run_sweep
from concertsim.experiment.spec import load_experiment
from concertsim.experiment.store import ResultsStore

ROOT = Path(__file__).resolve().parents[2]
ROLE_MIX = ROOT / "experiments" / "role_mix.toml"
TURNOVER = "turnover.local_annual"


def _flat(text: str) -> str:
    """Prose on one line (comment marks and line breaks removed)."""
    return " ".join(text.replace("#", " ").split())


HEADER = _flat(ROLE_MIX.read_text().split("[experiment]")[0])
ODD = _flat((ROOT / "docs" / "odd.md").read_text())


def _stable_mixes(tmp_path: Path, text: str) -> pd.Series:
    """Stable mixes per turnover level of the experiment ``text``, by analyze's own rule
    (:func:`~concertsim.experiment.analysis.mixture.mixture_table`, the file's settings)."""
    path = tmp_path / "role_mix.toml"
    path.write_text(text)
    exp = load_experiment(path)
    run_sweep(path, tmp_path / "store", executor="serial", progress=False)
    store = ResultsStore.open(tmp_path / "store")
    runs = store.read_runs()
    assert (runs["status"] == "ok").all()
    rule = exp.analysis
    table = mixture_table(
        runs,
        store.read_design(),
        rule.stable_outcome,
        conf=rule.conf_level,
        stable_min=rule.stable_min,
    )
    assert (table.groupby(TURNOVER).size() == 70).all()
    return table.groupby(TURNOVER)["stable"].sum().astype(int)


def test_the_role_mix_file_sets_no_funding_parameter():
    """The answer must come from the baseline's own funding (issue 8: "without any funding
    override"): the file varies the role mix and turnover only."""
    exp = load_experiment(ROLE_MIX)
    assert exp.scenario == "baseline" and not exp.scenarios and not exp.model_options
    varied = {p.name for p in exp.parameters} | set(exp.design.option("components"))
    varied |= {name for p in exp.parameters for name in p.link}
    assert not [name for name in varied if name.startswith("funding.")], varied
    assert exp.replicates == 100


@pytest.mark.slow  # the whole file: 70 mixes x 2 turnover levels x 100 replicates
def test_role_mix_has_an_answer_at_each_turnover_level(tmp_path):
    stable = _stable_mixes(tmp_path, ROLE_MIX.read_text())
    low, high = ANSWER_BAND
    assert len(stable) == 2
    for level, count in stable.items():
        assert low * 70 <= count <= high * 70, (level, count)  # 7 to 63 of the 70 mixes
    said = re.search(r"finds (\d+) of 70 mixes stable .*? at 10% turnover and (\d+) of 70", HEADER)
    assert said, "role_mix.toml's header no longer states its counts"
    assert (int(said[1]), int(said[2])) == (stable[0.1], stable[0.4])


@pytest.mark.slow  # the whole file again, at another seed
def test_role_mix_keeps_its_answer_at_seed_777(tmp_path):
    """The world was picked at the file's seed; at seed 777 the answer holds, at the band's
    lower edge at 40%, with the counts the header and ODD 7.8 give."""
    text = re.sub(r"(?m)^seed = \d+$", "seed = 777", ROLE_MIX.read_text())
    stable = _stable_mixes(tmp_path, text)
    low, high = ANSWER_BAND
    assert all(low * 70 <= count <= high * 70 for count in stable), stable.to_dict()
    assert f"{stable[0.1]} / {stable[0.4]} at seed 777" in HEADER
    assert f"{stable[0.1]} / {stable[0.4]} (seed 777)" in ODD


@pytest.mark.slow  # the whole file with the national actors' hand-set expectation
def test_the_low_funding_expectation_carries_the_answer(tmp_path):
    """ODD 7.8: with funding.expectation back at 0.6 no mix is stable at 40% turnover, so the
    answer rests on national actors funding fully at a lower performance."""
    text = ROLE_MIX.read_text().replace(
        "\n[analysis]", '"funding.expectation" = { values = [0.6] }\n\n[analysis]'
    )
    stable = _stable_mixes(tmp_path, text)
    assert stable[0.4] < ANSWER_BAND[0] * 70 <= stable[0.1]  # no answer at 40% any more
    assert f"with `expectation` back at 0.6, {stable[0.1]} and {stable[0.4]} of 70" in ODD
