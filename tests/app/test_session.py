"""The session the page drives: bad input shows validate's line and changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

from concertsim.app.session import Session, scenario_choices
from concertsim.cli import main


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('name = "bad"\n[turnover]\nlocal_annual = 1.5\n', encoding="utf-8")
    return path


def test_a_bad_scenario_file_shows_what_validate_says(bad_file, capsys):
    session = Session("baseline", seed=2)
    session.step(3)
    series = session.twin.series().copy()
    assert not session.load(str(bad_file))
    assert main(["validate", str(bad_file)]) == 2
    assert session.error == capsys.readouterr().err.strip()
    assert session.twin.month == 3 and session.choice == "baseline"
    assert np.array_equal(session.twin.series(), series, equal_nan=True)


def test_a_bad_slider_combination_is_refused_and_the_next_good_one_works():
    session = Session("baseline", seed=2, lang="fr")
    session.step(2)
    assert not session.apply({"role_mix.networking": 0.7, "role_mix.alignment": 0.5})
    assert session.error.startswith("concertsim: error: event: values: expected role shares")
    assert session.twin.live == [] and session.lines() == []
    assert session.apply({"role_mix.networking": 0.3})
    assert session.error is None
    assert session.current()["role_mix.networking"] == 0.3
    assert session.lines()[0].startswith("Mois 2 : dans le jumeau choqué, réseautage : 30")


def test_switching_language_rewrites_the_account_and_keeps_the_run():
    session = Session("baseline", seed=3, lang="en")
    session.step(5)
    session.shock("election")
    english, png = session.lines(), session.charts_png
    session.set_language("fr")
    assert session.lines()[0].startswith("Mois 5 : élections municipales")
    assert session.lines() != english and session.charts_png != png
    assert session.month == 5 and len(session.twin.live) == 1


def test_reset_and_scenario_choices(tmp_path):
    (tmp_path / "mine.toml").write_text('extends = "baseline"\n', encoding="utf-8")
    choices = scenario_choices(folder=tmp_path)
    assert choices[0] == "austerity" and "baseline" in choices
    assert choices[-1] == str(tmp_path / "mine.toml")
    session = Session("baseline", seed=3)
    session.step(4)
    session.shock("funding_cut")
    session.reset()
    assert session.month == 0 and session.twin.live == [] and session.lines() == []
    assert session.load(str(tmp_path / "mine.toml")) and session.twin.scenario.name == "mine"


def test_full_speed_steps_many_months_per_picture_and_stops_at_the_horizon():
    session = Session("baseline", seed=4)
    months = session.advance(0.0)
    assert months == 1 and session.month == 1
    png = session.charts_png
    while not session.twin.finished:
        assert session.advance(0.2) >= 1
    assert session.month == 120 and session.charts_png != png
    assert session.advance(0.2) == 0


def test_the_page_starts_on_the_baseline_when_its_scenario_is_bad(bad_file, monkeypatch):
    from concertsim.app.page import CONFIG_ENV, new_session

    monkeypatch.setenv(CONFIG_ENV, f'{{"scenario": "{bad_file}", "seed": 5, "lang": "fr"}}')
    session = new_session()
    assert session.twin.scenario.name == "baseline" and session.twin.seed == 5
    assert session.error.startswith(f"concertsim: error: {bad_file}: [turnover] local_annual")
