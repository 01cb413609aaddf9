"""The message catalogues: complete, translated, in step with the code (concertsim.i18n)."""

from __future__ import annotations

import re

import pytest

from concertsim import i18n
from concertsim.vocabulary import LABELS, label

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def test_catalogues_hold_exactly_the_messages_marked_in_the_code():
    stale = i18n.update_catalogues(write=False)
    assert not stale, f"run `python -m concertsim.i18n` and translate: {stale}"


def test_no_catalogue_without_code():
    domains = set(i18n.extract_messages())
    for lang in i18n.LANGUAGES[1:]:
        found = {p.stem for p in (i18n.LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")}
        assert found == domains


@pytest.mark.parametrize("domain", sorted(i18n.extract_messages()))
def test_every_message_translated_with_the_same_placeholders(domain):
    for lang in i18n.LANGUAGES[1:]:
        table = i18n.messages(lang, domain).table
        for msgid, text in table.items():
            ids = msgid if isinstance(msgid, tuple) else (msgid,)
            texts = tuple(text) if isinstance(msgid, tuple) else (text,)
            assert all(texts), f"{lang}/{domain}: {msgid!r} has no translation"
            wanted = set(_PLACEHOLDER.findall(ids[0]))
            for t in texts:
                assert set(_PLACEHOLDER.findall(t)) == wanted, (lang, domain, msgid, t)


def test_extraction_finds_marked_messages(tmp_path):
    (tmp_path / "a.py").write_text(
        'I18N_DOMAIN = "demo"\nx = m._("Hello {name}")\ny = m.ngettext("{n} run", "{n} runs", 2)\n',
        encoding="utf-8",
    )
    (tmp_path / "b.py").write_text('z = N_("Plain")\nw = f(1)\n', encoding="utf-8")
    found = i18n.extract_messages(tmp_path)
    assert found == {"demo": ["Hello {name}", ("{n} run", "{n} runs")], "concertsim": ["Plain"]}


def test_french_differs_from_english_for_every_label():
    same_in_both = {"Engagement", "Leadership", "local", "national"}
    for kind, names in LABELS.items():
        for name, english in names.items():
            fr = label(kind, name, "fr")
            assert fr == english if english in same_in_both else fr != english, (kind, name)


def test_unknown_language_refused():
    with pytest.raises(ValueError, match="expected one of en, fr"):
        i18n.messages("de")
