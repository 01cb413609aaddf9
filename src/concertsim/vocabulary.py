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
        "issue_positioning": N_("issue positioning"),
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
        "local_fold_share": N_("Members dormant at least once"),
        "recovered": N_("Recovered after the shock"),
        "credibility_end_local": N_("Local credibility at the horizon"),
        "credibility_end_sectoral": N_("Sectoral credibility at the horizon"),
        "credibility_end_national": N_("National credibility at the horizon"),
        "knowledge_end_local": N_("Local knowledge at the horizon"),
        "knowledge_end_sectoral": N_("Sectoral knowledge at the horizon"),
        "knowledge_end_regional": N_("Regional knowledge at the horizon"),
        "knowledge_end_national": N_("National knowledge at the horizon"),
        "legitimacy_end_local": N_("Local legitimacy at the horizon"),
        "legitimacy_end_sectoral": N_("Sectoral legitimacy at the horizon"),
        "leadership_end": N_("Leadership per person at the horizon"),
        "ties_end": N_("Ties per person at the horizon"),
        "funding_end": N_("Regional funding at the horizon"),
    },
    "event": {
        "turnover_wave": N_("staff exodus"),
        "funding_cut": N_("funding cut"),
        "election": N_("municipal election"),
        "role_mix": N_("new role mix"),
        "role_mode": N_("impose/negotiate changed"),
        "set": N_("parameters changed"),
        "key_departure": N_("key person leaves"),  # M14, a shock button of the app
    },
    "word": {
        "month": N_("Month"),
        "months": N_("months"),
        "scenario": N_("Scenario"),
        "difference": N_("Difference"),
        "calm_twin": N_("calm twin"),
        "shocked_twin": N_("shocked twin"),
        "shock": N_("Shock"),
        "share": N_("Share hit"),
        "level": N_("Level"),
        "turnover": N_("Turnover a year"),
    },
}
"""Kind (``level``, ``role``, ``variable``, ``outcome``, ``event``, ``word``) → name → English
label."""


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
