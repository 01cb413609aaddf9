"""What a trainer or an analyst reads, in French and English: the message catalogues.

Messages are written in English in the code, marked with ``_()`` (or ``ngettext()`` for
plurals), and translated in gettext catalogues, one per *domain* and language:
``src/concertsim/locale/<lang>/LC_MESSAGES/<domain>.po``. English needs no catalogue (the
message ids are English); every other language in :data:`LANGUAGES` has one per domain.
A module that speaks to users declares its domain once::

    I18N_DOMAIN = "report"

and asks for its messages in the reader's language::

    msg = messages("fr", I18N_DOMAIN)
    msg._("Survival")                         # 'Survie'
    msg.number(0.712, 2)                      # '0,71'

``tests/test_i18n.py`` extracts every ``_()``/``ngettext()`` call from the package (with
Babel, the Python ecosystem's gettext toolkit) and checks that each domain's catalogues hold
exactly those messages, all translated, with the same ``{placeholders}``. To add messages,
write them in the code, then run ``python -m concertsim.i18n`` to update the catalogues
(new entries get an empty translation, which the test refuses until it is filled in).

Example:
    >>> en = messages("en")
    >>> en._("Stability index")
    'Stability index'
    >>> en.number(1234.5, 1)
    '1,234.5'
    >>> messages("fr").number(1234.5, 1)
    '1\\xa0234,5'
    >>> messages("fr").percent(0.25)
    '25\\xa0%'
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "LANGUAGES",
    "DEFAULT_DOMAIN",
    "LOCALE_DIR",
    "Messages",
    "messages",
    "default_language",
    "update_catalogues",
    "extract_messages",
    "catalogue_path",
]

LANGUAGES = ("en", "fr")
"""The languages every user-facing text exists in. English is the language of the code."""

DEFAULT_DOMAIN = "concertsim"
"""The domain of a module that declares none: words shared by the app and the reports."""

LOCALE_DIR = Path(__file__).with_name("locale")
"""Where the catalogues live: ``<lang>/LC_MESSAGES/<domain>.po``."""

_BABEL_LOCALE = {"en": "en_CA", "fr": "fr_CA"}
"""Number conventions: Quebec's, in either language."""


@dataclass(frozen=True)
class Messages:
    """The messages of one domain in one language.

    Attributes:
        lang: one of :data:`LANGUAGES`.
        domain: the catalogue's name.
        table: message id (or ``(id, plural)``) to translation(s); empty for English.
    """

    lang: str
    domain: str
    table: dict = field(default_factory=dict, repr=False, compare=False)

    def _(self, message: str) -> str:
        """The translation of ``message`` (itself in English, or when not yet translated).

        Example:
            >>> messages("fr")._("Month")
            'Mois'
        """
        text = self.table.get(message)
        return text if isinstance(text, str) and text else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for ``n``, by the language's rule (French: n ≤ 1).

        Example:
            >>> forms = {("{n} run", "{n} runs"): ("{n} simulation", "{n} simulations")}
            >>> Messages("fr", "demo", forms).ngettext("{n} run", "{n} runs", 1).format(n=1)
            '1 simulation'
        """
        forms = self.table.get((singular, plural))
        index = (0 if n <= 1 else 1) if self.lang == "fr" else (0 if n == 1 else 1)
        if forms and all(forms):
            return forms[index]
        return singular if index == 0 else plural

    def number(self, value: float, digits: int = 2) -> str:
        """A number as the reader writes it (``0,71`` in French, ``0.71`` in English).

        Example:
            >>> messages("fr").number(0.7149, 2), messages("en").number(float("nan"))
            ('0,71', '–')
        """
        from babel.numbers import format_decimal

        if value != value:  # NaN: no value
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(value, format=pattern, locale=_BABEL_LOCALE[self.lang])

    def percent(self, share: float, digits: int = 0) -> str:
        """A share in [0, 1] as a percentage (``25 %`` in French, ``25%`` in English).

        Example:
            >>> messages("en").percent(0.123, 1)
            '12.3%'
        """
        from babel.numbers import format_percent

        if share != share:
            return "–"
        sign = "\u00a0%" if self.lang == "fr" else "%"  # French sets % apart
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + sign
        return format_percent(share, format=pattern, locale=_BABEL_LOCALE[self.lang])


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")


def catalogue_path(lang: str, domain: str) -> Path:
    """Where the catalogue of ``domain`` in ``lang`` is (it may not exist yet)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


@functools.cache
def _read(lang: str, domain: str) -> dict:
    from babel.messages.pofile import read_po

    path = catalogue_path(lang, domain)
    if lang == "en" or not path.is_file():
        return {}
    with path.open("rb") as f:
        catalogue = read_po(f, locale=lang, domain=domain)
    table: dict = {}
    for entry in catalogue:
        if not entry.id or entry.fuzzy:
            continue
        table[entry.id] = entry.string
    return table


def messages(lang: str, domain: str = DEFAULT_DOMAIN) -> Messages:
    """The messages of ``domain`` in ``lang`` (read once, then cached).

    Args:
        lang: ``"en"`` or ``"fr"``.
        domain: the catalogue, usually the calling module's ``I18N_DOMAIN``.

    Raises:
        ValueError: for a language not in :data:`LANGUAGES` (the CLI's ``--lang`` offers
            only those, so a user never sees this).
    """
    _check_language(lang)
    return Messages(lang, domain, _read(lang, domain))


def default_language(environ: dict | None = None) -> str:
    """The reader's language when none is asked for: ``CONCERTSIM_LANG``, else the locale.

    Example:
        >>> default_language({"LANG": "fr_CA.UTF-8"}), default_language({})
        ('fr', 'en')
    """
    env = os.environ if environ is None else environ
    wanted = env.get("CONCERTSIM_LANG") or env.get("LC_ALL") or env.get("LANG") or ""
    code = wanted.split("_")[0].split(".")[0].lower()
    return code if code in LANGUAGES else "en"


def extract_messages(package_dir: Path | None = None) -> dict[str, list]:
    """Every message marked in the package's code, by domain.

    A module's domain is its ``I18N_DOMAIN = "..."`` line (else :data:`DEFAULT_DOMAIN`);
    ``_("...")`` gives a message id, ``ngettext("...", "...", n)`` an ``(id, plural)`` pair.

    Returns:
        Domain to its message ids, sorted, each once.
    """
    import re

    from babel.messages.extract import extract_python

    root = package_dir or Path(__file__).parent
    found: dict[str, set] = {}
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "_(" not in text and "ngettext(" not in text:  # also N_(
            continue
        match = re.search(r'^I18N_DOMAIN\s*=\s*"([a-z_]+)"', text, re.MULTILINE)
        domain = match.group(1) if match else DEFAULT_DOMAIN
        with path.open("rb") as f:
            for _line, funcname, msg, _comments in extract_python(
                f, {"_": None, "N_": None, "ngettext": (1, 2)}, [], {"encoding": "utf-8"}
            ):
                if funcname == "ngettext" and isinstance(msg, tuple) and len(msg) >= 2:
                    if isinstance(msg[0], str) and isinstance(msg[1], str):
                        found.setdefault(domain, set()).add((msg[0], msg[1]))
                elif funcname in ("_", "N_") and isinstance(msg, str) and msg:
                    found.setdefault(domain, set()).add(msg)
    return {
        d: sorted(ids, key=lambda m: m if isinstance(m, str) else m[0]) for d, ids in found.items()
    }


def _entries(path: Path, lang: str, domain: str) -> dict:
    from babel.messages.pofile import read_po

    if not path.is_file():
        return {}
    with path.open("rb") as f:
        return {e.id: e.string for e in read_po(f, locale=lang, domain=domain) if e.id}


def update_catalogues(package_dir: Path | None = None, *, write: bool = True) -> list[Path]:
    """Bring every domain's catalogues in step with the messages marked in the code.

    New messages get an empty translation (to be filled in); messages no longer in the
    code are dropped; existing translations are kept. Writes only the catalogues whose
    entries change.

    Args:
        package_dir: the package to read (this one by default).
        write: ``False`` only reports which catalogues are out of step (the test's check).

    Returns:
        The catalogues written (or to write).
    """
    from io import BytesIO

    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    written = []
    for domain, ids in sorted(extract_messages(package_dir).items()):
        for lang in LANGUAGES[1:]:
            path = catalogue_path(lang, domain)
            old = _entries(path, lang, domain)
            new = Catalog(locale=lang, domain=domain, project="concertsim", charset="utf-8")
            for msgid in ids:
                empty = ("", "") if isinstance(msgid, tuple) else ""
                new.add(msgid, old.get(msgid, empty))
            if path.is_file() and {m.id: m.string for m in new if m.id} == old:
                continue
            written.append(path)
            if not write:
                continue
            buf = BytesIO()
            write_po(buf, new, sort_output=True, width=100, no_location=True, omit_header=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(buf.getvalue())
    return written


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    for p in update_catalogues():
        print(p)
