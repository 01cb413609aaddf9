"""The plain-language account: what happened, in sentences a practitioner reads aloud.

An entry records facts (numbers, not text), so the account is written again in the other
language when the trainer switches. A shock's entry compares the shocked twin just before
and just after it (``Month 37: municipal election, 9 of 19 elected officials replaced;
local leadership goes from 0.71 to 0.52``); each month the account also notes the twin's
own news (a scheduled election, a member going dormant, the regional body folding) and,
every year after the first change, how far the shocked twin has drifted from its reference.

Example:
    >>> from concertsim.app.twin import Twin
    >>> twin, account = Twin(seed=4), Account()
    >>> twin.run(3)
    >>> before = snapshot(twin.shocked)
    >>> event = twin.shock("election")
    >>> account.applied(event, before, snapshot(twin.shocked))
    >>> account.lines("en")[0].startswith("Month 3: municipal election,")
    True
    >>> account.lines("fr")[0].startswith("Mois 3 : élections municipales,")
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from concertsim import plots
from concertsim.app.twin import Twin
from concertsim.i18n import messages
from concertsim.layout import LEVEL_CODE
from concertsim.model import ConcertationModel
from concertsim.params import Event
from concertsim.submodels.turnover import election_due
from concertsim.vocabulary import label

I18N_DOMAIN = "app"

__all__ = ["Account", "Entry", "snapshot", "event_label", "parameter_label"]


def snapshot(model: ConcertationModel) -> dict[str, Any]:
    """What the account compares before and after: a copy of the numbers it reads."""
    s, lay = model.engine.state, model.engine.layout
    occ = s.occupied[0]
    lead = {}  # a level's leadership per post: a vacant seat leads nobody
    for level, code in LEVEL_CODE.items():
        here = lay.post_level == code
        lead[level] = float(np.where(occ, s.leadership[0], 0.0)[here].mean()) if here.any() else 0.0
    return {
        "month": model.month,
        "election_due": bool(election_due(model.month, model.engine.params).any()),
        "leadership": lead,
        "occupied": occ.copy(),
        "hire_id": s.hire_id[0].copy(),
        "credibility": s.credibility[0].copy(),
        "funding": float(s.funding[0].mean()),
        "alive": bool(s.alive[0].all()),
        "dormant": s.dormant[0].copy(),
        "elected": lay.post_elected.copy(),
        "post_org": lay.post_org,
        "post_level": lay.post_level,
    }


@dataclass(frozen=True)
class Entry:
    """One line of the account: a kind of news, its month and its facts."""

    month: int
    kind: str
    facts: dict[str, Any] = field(default_factory=dict)


def parameter_label(dotted: str, lang: str) -> str:
    """A parameter the app's sliders change, as the room says it."""
    msg = messages(lang, I18N_DOMAIN)
    section, _, name = dotted.partition(".")
    if section == "turnover" and name.endswith("_annual") and name != "elected_annual":
        level = label("level", name.removesuffix("_annual"), lang)
        return msg._("staff turnover ({level})").format(level=level)
    if section in ("role_mix", "role_mode"):
        return label("role", name, lang)
    if dotted == "recognition.enabled":
        return msg._("role recognition")
    return dotted


def event_label(event: Event, lang: str) -> str:
    """An event's name on the charts: the run figure's (:func:`concertsim.plots.event_label`),
    or, for a change of parameters, the parameters the sliders changed."""
    if event.kind == "set":
        return ", ".join(parameter_label(name, lang) for name, _ in event.values)
    return plots.event_label(event, lang)


def _value(dotted: str, value: Any, lang: str) -> str:
    msg = messages(lang, I18N_DOMAIN)
    if isinstance(value, str):
        return msg._("impose") if value == "impose" else msg._("negotiate")
    if dotted == "recognition.enabled":
        return msg._("on") if value else msg._("off")
    if dotted.startswith("turnover."):
        return msg._("{share} a year").format(share=msg.percent(float(value)))
    if dotted.startswith("role_mode."):
        return msg.number(float(value), 2)
    return msg.percent(float(value))


class Account:
    """The running account of a session."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._reported_year = 0

    def applied(self, event: Event, before: dict, after: dict) -> None:
        """Note an intervention, with the shocked twin's snapshots around it."""
        facts: dict[str, Any] = {"event": event}
        if event.kind == "election":
            seats = before["elected"]
            changed = (after["hire_id"] != before["hire_id"]) | ~after["occupied"]
            facts["replaced"] = int((seats & before["occupied"] & changed).sum())
            facts["seats"] = int(seats.sum())
            facts["from"], facts["to"] = before["leadership"]["local"], after["leadership"]["local"]
        elif event.kind in ("turnover_wave", "key_departure"):
            level = "local" if event.level == "all" else event.level
            here = (
                np.ones_like(before["occupied"])
                if event.level == "all"
                else before["post_level"] == LEVEL_CODE[level]
            )
            gone = before["occupied"] & ~after["occupied"] & here
            facts["left"], facts["people"] = int(gone.sum()), int((before["occupied"] & here).sum())
            facts["level"] = level
            facts["from"], facts["to"] = before["leadership"][level], after["leadership"][level]
            if event.kind == "key_departure" and gone.any():
                org = int(before["post_org"][np.flatnonzero(gone)[0]])
                facts["from"], facts["to"] = before["credibility"][org], after["credibility"][org]
        elif event.kind == "funding_cut":
            facts["from"], facts["to"] = before["funding"], after["funding"]
        self.entries.append(Entry(event.month, "event", facts))

    def stepped(self, twin: Twin, before: dict) -> None:
        """Note the shocked twin's own news of the month just simulated."""
        after = snapshot(twin.shocked)
        month = before["month"]
        seats = before["elected"]
        if before["election_due"]:  # the scenario's own municipal election, this month
            replaced = int((seats & (after["hire_id"] != before["hire_id"])).sum())
            facts = {"replaced": replaced, "seats": int(seats.sum())}
            facts["from"], facts["to"] = before["leadership"]["local"], after["leadership"]["local"]
            self.entries.append(Entry(month, "scheduled_election", facts))
        slept = int((after["dormant"] & ~before["dormant"]).sum())
        if slept:
            self.entries.append(Entry(month, "dormant", {"n": slept}))
        if before["alive"] and not after["alive"]:
            self.entries.append(Entry(month, "folded", {}))
        first = min((e.month for e in twin.live), default=None)
        if first is not None and twin.month > first and (twin.month - first) % 12 == 0:
            years = (twin.month - first) // 12
            if years > self._reported_year:
                self._reported_year = years
                ref, shk = twin.stability()[:, -1]
                facts = {"years": years, "reference": float(ref), "shocked": float(shk)}
                self.entries.append(Entry(twin.month, "gap", facts))

    def lines(self, lang: str, last: int | None = None) -> list[str]:
        """The account's sentences in ``lang``, newest first (the ``last`` ones only)."""
        entries = self.entries[::-1][:last] if last else self.entries[::-1]
        return [sentence(e, lang) for e in entries]


def sentence(entry: Entry, lang: str) -> str:
    """One entry as a sentence a practitioner reads aloud."""
    msg = messages(lang, I18N_DOMAIN)
    f = entry.facts
    num = msg.number
    head = msg._("Month {month}: ").format(month=entry.month)
    if entry.kind in ("event", "scheduled_election"):
        event = f.get("event")
        kind = event.kind if event else "election"
        if kind == "election":
            what = msg._("municipal election") if event else msg._("scheduled municipal election")
            body = msg.ngettext(
                "{what}, {n} of {seats} elected official replaced; "
                "local leadership goes from {a} to {b}.",
                "{what}, {n} of {seats} elected officials replaced; "
                "local leadership goes from {a} to {b}.",
                f["seats"],
            ).format(what=what, n=f["replaced"], seats=f["seats"], a=num(f["from"]), b=num(f["to"]))
            return head + body
        level = label("level", f.get("level", "local"), lang)
        if kind == "turnover_wave":
            body = msg._(
                "staff exodus at the {level} level, {n} of {people} people leave; "
                "{level} leadership goes from {a} to {b}."
            ).format(level=level, n=f["left"], people=f["people"], a=num(f["from"]), b=num(f["to"]))
        elif kind == "key_departure":
            body = msg._(
                "the most influential person at the {level} level leaves; "
                "the credibility of their organisation goes from {a} to {b}."
            ).format(level=level, a=num(f["from"]), b=num(f["to"]))
        elif kind == "funding_cut":
            body = msg._(
                "funding cut of {share}; the regional body's funding goes from {a} to {b}."
            ).format(share=msg.percent(event.share), a=num(f["from"]), b=num(f["to"]))
        else:
            parts = [
                msg._("{what} now {value}").format(
                    what=parameter_label(_dotted(event, name), lang),
                    value=_value(_dotted(event, name), value, lang),
                )
                for name, value in event.values
                if name != "operations"
            ]
            body = msg._("in the shocked twin, {changes}.").format(changes=msg._("; ").join(parts))
        return head + body
    if entry.kind == "dormant":
        return head + msg.ngettext(
            "{n} member of the shocked twin goes dormant.",
            "{n} members of the shocked twin go dormant.",
            f["n"],
        ).format(n=f["n"])
    if entry.kind == "folded":
        return head + msg._("the regional body of the shocked twin folds.")
    return head + msg.ngettext(
        "{years} year after the first change, the stability index is {shocked} "
        "against {reference} without it.",
        "{years} years after the first change, the stability index is {shocked} "
        "against {reference} without it.",
        f["years"],
    ).format(years=f["years"], shocked=num(f["shocked"]), reference=num(f["reference"]))


def _dotted(event: Event, name: str) -> str:
    """A value's parameter name: ``role_mix.x`` / ``role_mode.x`` for those events."""
    return name if event.kind == "set" else f"{event.kind}.{name}"
