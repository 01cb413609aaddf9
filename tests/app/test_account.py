"""The account: sentences a practitioner reads aloud, in French and English."""

from __future__ import annotations

import re

from concertsim.app.account import Account, event_label, snapshot
from concertsim.app.twin import Twin
from concertsim.params import Event


def _shocked(kind: str, level: str = "all", months: int = 20):
    twin, account = Twin(seed=5), Account()
    twin.run(months)
    before = snapshot(twin.shocked)
    account.applied(twin.shock(kind, level=level), before, snapshot(twin.shocked))
    return twin, account


def test_an_election_reads_as_the_issue_says():
    _, account = _shocked("election")
    fr = account.lines("fr")[0]
    pattern = (
        r"Mois 20 : élections municipales, (\d+) des 19 élus remplacés? ; "
        r"le leadership local passe de (0,\d\d) à (0,\d\d)\."
    )
    match = re.fullmatch(pattern, fr)
    assert match, fr
    assert 0 < int(match.group(1)) < 19
    assert match.group(2) != match.group(3)  # seats emptied: less leadership
    en = account.lines("en")[0]
    assert en.startswith("Month 20: municipal election, " + match.group(1) + " of 19 elected")


def test_every_shock_has_its_sentence_in_both_languages():
    for kind, level, fr_words in (
        ("turnover_wave", "local", "exode du personnel au palier local"),
        ("key_departure", "regional", "la personne la plus influente du palier régional"),
        ("funding_cut", "all", "coupe de financement de 30"),
    ):
        _, account = _shocked(kind, level)
        assert fr_words in account.lines("fr")[0]
        assert account.lines("en")[0].startswith("Month 20: ")
        assert account.lines("en")[0] != account.lines("fr")[0]


def test_an_exodus_counts_who_left():
    twin, account = Twin(seed=5), Account()
    twin.run(20)
    local = twin.shocked.engine.layout.posts_mask("local")
    before = snapshot(twin.shocked)
    account.applied(twin.shock("turnover_wave", level="local"), before, snapshot(twin.shocked))
    was = int((before["occupied"] & local).sum())
    left = was - int((twin.shocked.engine.state.occupied[0] & local).sum())
    assert 0 < left < was
    assert f" {left} of {was} people leave; local leadership goes from " in account.lines("en")[0]


def test_the_account_follows_the_twin_month_by_month():
    twin, account = _shocked("funding_cut", months=30)
    for _ in range(30):
        before = snapshot(twin.shocked)
        twin.step()
        account.stepped(twin, before)
    lines = account.lines("en")
    assert any(line.startswith("Month 36: scheduled municipal election") for line in lines)
    assert any("1 year after the first change, the stability index is" in x for x in lines)
    assert any("2 years after the first change" in x for x in lines)
    assert account.lines("en", last=2) == lines[:2]


def test_changes_read_as_the_controls_say_them():
    twin, account = Twin(seed=1), Account()
    before = snapshot(twin.shocked)
    for event in twin.change({"turnover.local_annual": 0.4, "recognition.enabled": True}):
        account.applied(event, before, snapshot(twin.shocked))
    assert account.lines("fr")[0] == (
        "Mois 0 : dans le jumeau choqué, roulement du personnel (local) : 40\u00a0% par an ; "
        "reconnaissance des rôles : activée."
    )
    assert event_label(Event(3, "turnover_wave", "regional", 0.5), "fr") == (
        "exode du personnel (régional)"
    )
