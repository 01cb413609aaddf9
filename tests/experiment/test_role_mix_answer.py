"""Issue 8: ``experiments/role_mix.toml``, as shipped and with no funding override, has an
answer: between 10% and 90% of its 70 role mixes keep the regional body alive ten years (in at
least 90% of runs) at each turnover level, and the file's header states the counts it gives.

The whole file runs (14,000 runs of ten years, about 80 CPU-seconds): a change of the model
or of a default that takes the answer away, or makes the header's figures false, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from concertsim.experiment.analysis.worlds import ANSWER_BAND
from concertsim.experiment.runner import run_sweep
from concertsim.experiment.spec import load_experiment
from concertsim.experiment.store import ResultsStore

ROOT = Path(__file__).resolve().parents[2]
ROLE_MIX = ROOT / "experiments" / "role_mix.toml"


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
    run_sweep(ROLE_MIX, tmp_path / "store", executor="serial", progress=False)
    store = ResultsStore.open(tmp_path / "store")
    runs = store.read_runs()
    assert (runs["status"] == "ok").all()
    survival = runs.groupby(["point", "turnover.local_annual"])["survived"].mean()
    stable = (survival >= 0.9).groupby(level="turnover.local_annual").sum()
    mixes = runs.groupby("turnover.local_annual")["point"].nunique()
    assert (mixes == 70).all() and len(stable) == 2
    low, high = ANSWER_BAND
    for level, count in stable.items():
        assert low * mixes[level] <= count <= high * mixes[level], (level, count)  # 7 to 63
    header = " ".join(ROLE_MIX.read_text().split("[experiment]")[0].replace("#", " ").split())
    said = re.search(r"finds (\d+) of 70 mixes stable .*? at 10% turnover and (\d+) of 70", header)
    assert said, "role_mix.toml's header no longer states its counts"
    assert (int(said[1]), int(said[2])) == (stable[0.1], stable[0.4])
