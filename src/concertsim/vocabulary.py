"""The model's words as its readers say them, in French and English.

The names of levels, roles, series and outcomes appear in the app, the reports and the
figures; this module holds their user-facing labels once, marked for the catalogue
(:mod:`concertsim.i18n`, domain ``concertsim``), so that every view says the same thing.

Example:
    >>> label("level", "regional", "fr")
    'régional'
    >>> label("variable", "credibility", "en")
    'Credibility'
    >>> label("outcome", "survived", "fr")
    'Survie de l’instance régionale'
    >>> label("variable", "unknown_thing", "en")
    'Unknown thing'
"""

from __future__ import annotations

from concertsim.i18n import messages

__all__ = ["LABELS", "label", "N_"]


def N_(message: str) -> str:  # noqa: N802 - gettext's name for a deferred translation
    """Mark ``message`` for the catalogue without translating it now (gettext_noop)."""
    return message


LABELS: dict[str, dict[str, str]] = {
    "level": {
        "local": N_("local"),
        "sectoral": N_("sectoral"),
        "regional": N_("regional"),
        "national": N_("national"),
    },
    "role": {
        "networking": N_("networking"),
        "capacity_building": N_("capacity building"),
        "positioning": N_("issue positioning"),
        "structuring": N_("structuring"),
        "alignment": N_("alignment"),
        "operations": N_("operations"),
    },
    "variable": {
        "credibility": N_("Credibility"),
        "legitimacy": N_("Legitimacy (assent from below)"),
        "assent": N_("Assent"),
        "knowledge": N_("Knowledge (share of reality known)"),
        "capacity": N_("Capacity (local built, regional per post)"),
        "leadership": N_("Leadership"),
        "participation": N_("Participation (share taking part)"),
        "engagement": N_("Engagement"),
        "posts_filled": N_("Posts filled (staff / posts)"),
        "staff": N_("Staff in post"),
        "vacancies": N_("Vacant posts"),
        "ties": N_("Tie density (ties per person)"),
        "funding": N_("Funding of the regional body"),
        "stability": N_("Stability index"),
    },
    "outcome": {
        "survived": N_("Survival of the regional body"),
        "collapsed": N_("Regional body folded"),
        "collapse_month": N_("Month the regional body folded"),
        "participation_retained": N_("Participation retained"),
        "participation_mean": N_("Mean participation"),
        "stability_end": N_("Stability index at the horizon"),
        "stability_mean": N_("Mean stability index"),
        "credibility_end_regional": N_("Regional credibility at the horizon"),
        "legitimacy_end_regional": N_("Regional legitimacy at the horizon"),
        "knowledge_end": N_("Knowledge at the horizon"),
        "recovery_months": N_("Months to recover after the shock"),
        "members_dormant_end": N_("Members dormant at the horizon"),
    },
    "word": {
        "month": N_("Month"),
        "months": N_("months"),
        "scenario": N_("Scenario"),
        "difference": N_("Difference"),
    },
}
"""Kind (``level``, ``role``, ``variable``, ``outcome``, ``word``) → name → English label."""


def label(kind: str, name: str, lang: str = "en") -> str:
    """The label of ``name`` (a level, role, series or outcome) in ``lang``.

    Args:
        kind: one of the keys of :data:`LABELS`.
        name: the model's name for it; an unknown one is shown as its words, capitalised.
        lang: ``"en"`` or ``"fr"``.
    """
    english = LABELS.get(kind, {}).get(name)
    if english is None:
        return name.replace("_", " ").capitalize()
    return messages(lang)._(english)
