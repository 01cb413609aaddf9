"""What ``concertsim run`` prints after a run, in French or English.

The stability outcomes, mean and 95% interval across replicates, one line each: the
outcome's column in ``outcomes.parquet`` first (what a script reads), then the numbers
as the reader writes them, then the outcome's name in plain words
(:func:`concertsim.vocabulary.label`). Messages are in the ``run`` catalogue
(:mod:`concertsim.i18n`), shared with the run's figure.

Example:
    >>> import pandas as pd
    >>> table = pd.DataFrame({"run": [0, 1], "survived": [1.0, 0.0]})
    >>> print(summary_table(table, "fr"))  # doctest: +NORMALIZE_WHITESPACE
    résultat  moyenne  IC à 95 %             n
    survived    0,500  [0,095 ; 0,905]       2  Survie de l’instance régionale
    (moyenne sur les n des 2 simulations où le résultat est défini)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from concertsim.i18n import Messages, messages
from concertsim.vocabulary import label

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["KEY_OUTCOMES", "summary_heading", "summary_table", "number"]

I18N_DOMAIN = "run"

KEY_OUTCOMES = (
    "survived",
    "collapsed",
    "collapse_month",
    "participation_retained",
    "stability_end",
    "credibility_end_regional",
    "knowledge_end",
    "recovery_months",
)
"""Outcomes printed first after a run, when present; the others follow."""


def summary_heading(lang: str = "en") -> str:
    """The line above the table.

    Example:
        >>> summary_heading("fr")
        'résultats de stabilité'
    """
    return messages(lang, I18N_DOMAIN)._("stability outcomes")


def number(msg: Messages, x: float) -> str:
    """A summary number: 3 decimals for shares and indices, 1 for months and counts.

    Example:
        >>> number(messages("fr"), 0.71234), number(messages("en"), 37.25)
        ('0,712', '37.2')
    """
    if math.isnan(x):
        return "-"
    return msg.number(x, 1) if abs(x) >= 10 else msg.number(x, 3)


def summary_table(outcomes: pd.DataFrame, lang: str = "en", horizon: int = 120) -> str:
    """The stability outcomes, mean and 95% CI across replicates, one line each.

    Yes/no outcomes (every run 0 or 1) get the Wilson interval, which stays within
    [0, 1]; the others a t-interval cut at the outcome's range
    (:func:`concertsim.intervals.bounded_ci`, :func:`concertsim.outcomes.outcome_range`).

    Args:
        outcomes: one row per run (``run`` and ``seed`` columns are skipped).
        lang: ``"en"`` or ``"fr"``: headings, numbers and the outcomes' names.
        horizon: months simulated (the range of month outcomes).

    Returns:
        A text table; ``n`` counts the runs where the outcome is defined (e.g. collapse
        month only for runs that collapsed).
    """
    import pandas as pd

    from concertsim.intervals import bounded_ci
    from concertsim.outcomes import outcome_range

    msg = messages(lang, I18N_DOMAIN)
    sep = " ; " if lang == "fr" else ", "  # French decimals have commas
    numeric = [
        c
        for c in outcomes.columns
        if c not in ("run", "seed") and pd.api.types.is_numeric_dtype(outcomes[c])
    ]
    ordered = [c for c in KEY_OUTCOMES if c in numeric] + [
        c for c in numeric if c not in KEY_OUTCOMES
    ]
    rows = []
    for column in ordered:
        mean, lo, hi, n = bounded_ci(outcomes[column], outcome_range(column, horizon))
        ci = "" if math.isnan(lo) else f"[{number(msg, lo)}{sep}{number(msg, hi)}]"
        rows.append((column, number(msg, mean), ci, str(n), label("outcome", column, lang)))
    head = (msg._("outcome"), msg._("mean"), msg._("95% CI"), "n")
    width = max([len(r[0]) for r in rows] + [len(head[0])])
    mean_w = max([len(r[1]) for r in rows] + [len(head[1]), 8])
    ci_w = max([len(r[2]) for r in rows] + [len(head[2]), 18])
    lines = [f"{head[0]:<{width}}  {head[1]:>{mean_w}}  {head[2]:<{ci_w}}  {head[3]:>4}"]
    for column, mean, ci, n, name in rows:
        lines.append(f"{column:<{width}}  {mean:>{mean_w}}  {ci:<{ci_w}}  {n:>4}  {name}")
    runs = len(outcomes)
    footer = msg.ngettext(
        "(mean over the n of {runs} run where the outcome is defined)",
        "(mean over the n of {runs} runs where the outcome is defined)",
        runs,
    )
    lines.append(footer.format(runs=runs))
    return "\n".join(lines)
