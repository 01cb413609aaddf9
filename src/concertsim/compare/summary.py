"""The plain-language summary of a comparison, sentence by sentence, in French or English.

The words follow the statistics: an outcome is "higher" or "lower" only when its paired 95%
interval excludes 0; otherwise the sentence says that no clear difference was found, and
gives the interval (a difference too small to see is not shown to be absent).

Example:
    >>> row = {"outcome": "legitimacy_end_regional", "kind": "continuous",
    ...        "difference": 0.75, "low": 0.74, "high": 0.76}
    >>> outcome_clause(row, "en")
    'regional legitimacy at the horizon is 0.75 higher [0.74, 0.76]'
    >>> outcome_clause({**row, "low": -0.01}, "en")
    'regional legitimacy at the horizon: no clear difference (+0.75 [-0.01, +0.76])'
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from concertsim.i18n import Messages, messages
from concertsim.vocabulary import label

from .survival import SurvivalCurve

__all__ = ["outcome_clause", "scenario_sentence", "survival_sentence", "intro_sentences"]

I18N_DOMAIN = "report"

SUMMARY_OUTCOMES = ("stability_end", "legitimacy_end_regional", "survived")
"""The outcomes each scenario's sentence speaks of."""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _interval(msg: Messages, low: str, high: str) -> str:
    return msg._("[{low}, {high}]").format(low=low, high=high)


def _signed(msg: Messages, value: float, digits: int) -> str:
    text = msg.number(abs(value), digits)
    if text.strip("0.,") == "":  # rounds to zero: no sign
        return text
    return ("+" if value > 0 else "-") + text


def outcome_clause(row: Mapping, lang: str = "en") -> str:
    """One outcome's paired difference in words (a row of the paired table).

    Yes/no outcomes speak in percentage points of runs, the others in the outcome's units.
    """
    msg = messages(lang, I18N_DOMAIN)
    name = _lower_first(label("outcome", row["outcome"], lang))
    d, low, high = float(row["difference"]), float(row["low"]), float(row["high"])
    binary = row["kind"] == "binary"
    scale, digits = (100.0, 0) if binary else (1.0, 2)
    if any(math.isnan(v) for v in (d, low, high)):
        return msg._("{outcome}: not enough runs to compare").format(outcome=name)
    if low > 0 or high < 0:
        a, b = sorted((abs(low) * scale, abs(high) * scale))
        if binary and d > 0:
            text = msg._("{outcome} is {amount} percentage points higher {interval}")
        elif binary:
            text = msg._("{outcome} is {amount} percentage points lower {interval}")
        elif d > 0:
            text = msg._("{outcome} is {amount} higher {interval}")
        else:
            text = msg._("{outcome} is {amount} lower {interval}")
        interval = _interval(msg, msg.number(a, digits), msg.number(b, digits))
        return text.format(
            outcome=name, amount=msg.number(abs(d) * scale, digits), interval=interval
        )
    interval = _interval(msg, _signed(msg, low * scale, digits), _signed(msg, high * scale, digits))
    if binary:
        text = msg._("{outcome}: no clear difference ({amount} percentage points {interval})")
    else:
        text = msg._("{outcome}: no clear difference ({amount} {interval})")
    return text.format(outcome=name, amount=_signed(msg, d * scale, digits), interval=interval)


def scenario_sentence(paired: pd.DataFrame, scenario: str, baseline: str, lang: str) -> str:
    """``<scenario> rather than <baseline>: <clause>; <clause>; <clause>.``"""
    msg = messages(lang, I18N_DOMAIN)
    rows = paired[paired["scenario"] == scenario].set_index("outcome")
    clauses = [
        outcome_clause({**rows.loc[o].to_dict(), "outcome": o}, lang)
        for o in SUMMARY_OUTCOMES
        if o in rows.index
    ]
    lead = msg._("{scenario} rather than {baseline}:").format(scenario=scenario, baseline=baseline)
    return f"{lead} " + msg._("; ").join(clauses) + "."


def survival_sentence(name: str, curve: SurvivalCurve, horizon: int, lang: str) -> str:
    """The scenario's survival curve in words: at the horizon, median, restricted mean."""
    msg = messages(lang, I18N_DOMAIN)
    end = curve.survival[-1]
    if math.isnan(curve.median):
        median = msg._("median survival not reached within {months} months").format(months=horizon)
    else:
        median = msg._("half of them gone by month {month}").format(month=int(curve.median))
    text = msg._(
        "{scenario}: the regional body is still there after {months} months in {share} of "
        "runs {interval}; {median}; on average it lasts {rmst} of the {months} months "
        "{rmst_interval}."
    )
    return text.format(
        scenario=name,
        months=horizon,
        share=msg.percent(end),
        interval=_interval(msg, msg.percent(curve.low[-1]), msg.percent(curve.high[-1])),
        median=median,
        rmst=msg.number(curve.rmst, 1),
        rmst_interval=_interval(msg, msg.number(curve.rmst_low, 1), msg.number(curve.rmst_high, 1)),
    )


def intro_sentences(
    *,
    scenarios: int,
    replicates: int,
    horizon: int,
    precision: float | None,
    reached: float,
    cap_reached: bool,
    lang: str,
) -> list[str]:
    """What was run, and (with ``--precision``) how many replicates the precision needed."""
    msg = messages(lang, I18N_DOMAIN)
    out = [
        msg._(
            "Each of the {k} scenarios was run {n} times over {months} months; run r of every "
            "scenario used the same random numbers, so the scenarios are compared run by run "
            "(paired). Intervals are 95% confidence intervals."
        ).format(k=scenarios, n=replicates, months=horizon)
    ]
    if precision is not None:
        if cap_reached and not reached <= precision:
            text = msg._(
                "The precision asked for (half-width {h}) was not reached: at the cap of {n} "
                "replicates the widest headline interval is ±{w}."
            )
        else:
            text = msg._(
                "Replicates were added until every headline interval had a half-width of at "
                "most {h}: {n} replicates were needed (widest ±{w})."
            )
        out.append(text.format(h=msg.number(precision, 3), n=replicates, w=msg.number(reached, 3)))
    return out
