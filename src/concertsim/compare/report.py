"""The report of a comparison: one self-contained HTML file a decision-maker reads.

In order: the plain-language summary (:mod:`concertsim.compare.summary`), the tables of
headline outcomes and survival, the figures (PNG embedded as ``data:`` URIs, so the file
opens anywhere, without a network), every outcome, then the methods and the provenance
(versions, seed, command, the scenarios as resolved). French or English, from the
``report`` catalogue; a print style sheet makes it a clean PDF.

Example:
    >>> cell_interval(0.5, 0.25, 0.75, "en", digits=2)
    '0.50 [0.25, 0.75]'
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from concertsim.i18n import messages
from concertsim.vocabulary import N_, label

from .core import Comparison
from .paired import HEADLINE
from .summary import intro_sentences, scenario_sentence, survival_sentence

__all__ = ["render_report", "cell_interval", "FIGURE_CAPTIONS"]

I18N_DOMAIN = "report"


FIGURE_CAPTIONS = {
    "paired": N_("Paired differences from the baseline at the horizon, with 95% intervals."),
    "survival": N_(
        "Share of regional bodies still there, month by month (Kaplan–Meier estimate, runs "
        "still going at the horizon censored), with its 95% band."
    ),
    "series": N_(
        "The stability index and the main series: median (line) and 10–90% of the runs "
        "(band), by scenario; dashed lines mark scheduled events."
    ),
    "difference": N_(
        "The stability index of each scenario minus the baseline's, run by run, month by "
        "month: mean and 95% interval. Above 0, the scenario is more stable."
    ),
}
"""What each figure shows (English; the catalogue holds the French)."""

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 62rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom:
     2px solid #1f5fbf; padding-bottom: .2rem; }
.meta { color: #555; } .summary li { margin: .45rem 0; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .9rem; width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: .3rem .5rem; text-align: right; }
th:first-child, td:first-child, .paired th:nth-child(2), .paired td:nth-child(2),
.text th, .text td { text-align: left; }
td { white-space: nowrap; }
td:first-child, .paired td:nth-child(2), .text td { white-space: normal; }
thead th { background: #eef2f8; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { color: #444; font-size: .9rem; }
pre { background: #f5f5f5; padding: .6rem; font-size: .75rem; overflow-x: auto;
      white-space: pre-wrap; } pre.scenario { max-height: 18rem; overflow-y: auto; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; }
  h2 { break-after: avoid; } figure, table, tr { break-inside: avoid; }
  pre, pre.scenario { white-space: pre-wrap; font-size: 7pt; max-height: none; overflow: visible; }
}
"""


def cell_interval(mean: float, low: float, high: float, lang: str, *, digits: int = 2) -> str:
    """``mean [low, high]`` as the reader writes numbers (no interval when undefined)."""
    msg = messages(lang, I18N_DOMAIN)
    if math.isnan(mean):
        return "–"
    text = msg.number(mean, digits)
    if math.isnan(low) or math.isnan(high):
        return text
    bracket = msg._("[{low}, {high}]").format(
        low=msg.number(low, digits), high=msg.number(high, digits)
    )
    return f"{text} {bracket}"


def _digits(outcome: str) -> int:
    return 1 if outcome in ("collapse_month", "recovery_months") else 2


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], css: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _paired_rows(paired: pd.DataFrame, outcomes: Sequence[str], lang: str) -> list[list[str]]:
    msg = messages(lang, I18N_DOMAIN)
    rows = []
    for _, r in paired[paired["outcome"].isin(outcomes)].iterrows():
        k = _digits(r["outcome"])

        def cell(prefix: str, r=r, k=k) -> str:
            return cell_interval(
                r[f"{prefix}mean"], r[f"{prefix}low"], r[f"{prefix}high"], lang, digits=k
            )

        rows.append(
            [
                r["scenario"],
                label("outcome", r["outcome"], lang),
                cell("baseline_"),
                cell("scenario_"),
                cell_interval(r["difference"], r["low"], r["high"], lang, digits=k),
                _p_value(r["p_value"], lang),
                msg.percent(r["prob_better"]),
                str(int(r["n"])),
            ]
        )  # fmt: skip
    return rows


def _p_value(p: float, lang: str) -> str:
    msg = messages(lang, I18N_DOMAIN)
    if p < 0.001:
        return "< " + msg.number(0.001, 3)
    return msg.number(p, 3)


def _paired_headers(lang: str, baseline: str) -> list[str]:
    msg = messages(lang, I18N_DOMAIN)
    return [
        label("word", "scenario", lang),
        msg._("Outcome"),
        msg._("Baseline ({baseline})").format(baseline=baseline),
        msg._("Scenario"),
        msg._("Paired difference"),
        msg._("p (paired t or exact McNemar)"),
        msg._("Runs doing better"),
        msg._("Pairs"),
    ]


def _survival_table(comp: Comparison, lang: str) -> str:
    msg = messages(lang, I18N_DOMAIN)
    rows = []
    for name, c in comp.curves.items():
        median = msg._("not reached") if math.isnan(c.median) else msg.number(c.median, 0)
        rows.append(
            [
                name,
                f"{c.events} / {c.runs}",
                cell_interval(c.survival[-1], c.low[-1], c.high[-1], lang),
                median,
                cell_interval(c.rmst, c.rmst_low, c.rmst_high, lang, digits=1),
            ]
        )
    headers = [
        label("word", "scenario", lang),
        msg._("Folded / runs"),
        msg._("Still there at the horizon"),
        msg._("Median survival (months)"),
        msg._("Restricted mean survival (months)"),
    ]
    return _table(headers, rows)


def _all_outcomes_table(comp: Comparison, lang: str) -> str:
    wide = {}
    for _, r in comp.summary.iterrows():
        cell = cell_interval(r["mean"], r["low"], r["high"], lang, digits=_digits(r["outcome"]))
        wide.setdefault(r["outcome"], {})[r["scenario"]] = cell
    names = list(comp.scenarios)
    rows = [
        [label("outcome", o, lang)] + [cells.get(n, "–") for n in names]
        for o, cells in wide.items()
    ]
    return _table([messages(lang, I18N_DOMAIN)._("Outcome"), *names], rows)  # fmt: skip


def _figure(name: str, path: Path, lang: str) -> str:
    msg = messages(lang, I18N_DOMAIN)
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    caption = html.escape(msg._(FIGURE_CAPTIONS[name]))
    return (
        f'<figure id="figure-{name}"><img src="data:image/png;base64,{data}" alt="{caption}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _provenance(comp: Comparison, manifest: Mapping, lang: str) -> str:
    msg = messages(lang, I18N_DOMAIN)
    versions = ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items())
    rows = [
        [msg._("concertsim version"), manifest.get("concertsim_version", "")],
        [msg._("Libraries"), versions],
        [msg._("Command"), " ".join(manifest.get("command", []))],
        [msg._("Root seed"), str(comp.seed)],
        [msg._("Replicates per round"), ", ".join(str(n) for n in comp.rounds)],
        [msg._("Created"), manifest.get("created", "")],
    ]
    parts = [_table([msg._("Item"), msg._("Value")], rows, "text")]
    for name, sc in comp.scenarios.items():
        resolved = json.dumps(sc.to_dict(), indent=1, ensure_ascii=False)
        title = msg._("Scenario {name} as run (file {source})").format(
            name=name, source=sc.source or "–"
        )
        parts.append(
            f'<h3>{html.escape(title)}</h3><pre class="scenario">{html.escape(resolved)}</pre>'
        )
    return "\n".join(parts)


def _methods(lang: str) -> str:
    msg = messages(lang, I18N_DOMAIN)
    items = [
        msg._(
            "Common random numbers: run r of every scenario draws from the same random "
            "streams (spawn key r of the root seed), so each scenario is compared with the "
            "baseline pair by pair."
        ),
        msg._(
            "Continuous outcomes: mean of the paired differences with its Student t "
            "interval, and a paired t-test. Yes/no outcomes (survived, folded): each "
            "proportion with its Wilson interval, the paired difference with Newcombe's "
            "interval (1998, method 10), and the exact McNemar test on the discordant pairs."
        ),
        msg._(
            "No interval leaves the values an outcome can take: shares and indices stay in "
            "[0, 1], months in [0, horizon]."
        ),
        msg._(
            "Runs doing better: the share of pairs in which the scenario's run does better "
            "than the baseline's (ties count half; for folding, dormancy and recovery time, "
            "less is better)."
        ),
        msg._(
            "Survival: Kaplan–Meier estimate of the time to the first folding of a regional "
            "body, runs still going at the horizon censored, with Greenwood's log-log 95% "
            "band (scipy.stats.ecdf); median survival, and the restricted mean survival time "
            "to the horizon with its interval."
        ),
    ]
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def render_report(
    comp: Comparison, figures: Mapping[str, Path], manifest: Mapping, *, lang: str = "en"
) -> str:
    """The report as one HTML document (figures embedded).

    Args:
        comp: the comparison.
        figures: figure name (:data:`FIGURE_CAPTIONS`) -> PNG file.
        manifest: the provenance record (versions, command, created).
        lang: ``"en"`` or ``"fr"``.
    """
    msg = messages(lang, I18N_DOMAIN)
    base = comp.baseline
    intro = intro_sentences(
        scenarios=len(comp.scenarios),
        replicates=comp.replicates,
        horizon=comp.horizon,
        precision=comp.precision,
        reached=comp.reached,
        cap_reached=comp.precision is not None and not comp.reached <= comp.precision,
        lang=lang,
    )
    findings = [scenario_sentence(comp.paired, n, base, lang) for n in comp.alternatives]
    survival = [survival_sentence(n, c, comp.horizon, lang) for n, c in comp.curves.items()]
    li = "".join(f"<li>{html.escape(s)}</li>" for s in findings)
    li_surv = "".join(f"<li>{html.escape(s)}</li>" for s in survival)
    title = msg._("Comparison of scenarios: {names}").format(names=", ".join(comp.scenarios))
    headline = [o for o in HEADLINE if o in set(comp.paired["outcome"])]
    paired = _table(
        _paired_headers(lang, base), _paired_rows(comp.paired, headline, lang), "paired"
    )
    every = _table(
        _paired_headers(lang, base),
        _paired_rows(comp.paired, [o for o in pd.unique(comp.paired["outcome"])], lang),
        "paired",
    )
    figs = "\n".join(_figure(n, p, lang) for n, p in figures.items())
    h = {
        "summary": msg._("Summary"),
        "survival": msg._("Survival of the regional body"),
        "headline": msg._("Headline outcomes"),
        "figures": msg._("Figures"),
        "every": msg._("Every outcome, scenario by scenario"),
        "every_paired": msg._("Every outcome, paired with the baseline"),
        "methods": msg._("Methods"),
        "provenance": msg._("Provenance"),
    }
    h = {k: html.escape(v) for k, v in h.items()}
    meta = html.escape(msg._("Baseline: {baseline}").format(baseline=base))
    body = f"""
<header><h1>{html.escape(title)}</h1><p class="meta">{meta}</p></header>
<section id="summary"><h2>{h["summary"]}</h2>
{"".join(f"<p>{html.escape(s)}</p>" for s in intro)}
<ul class="summary">{li}</ul>
<h3>{h["survival"]}</h3><ul class="summary">{li_surv}</ul></section>
<section id="tables"><h2>{h["headline"]}</h2>{paired}
<h2>{h["survival"]}</h2>{_survival_table(comp, lang)}</section>
<section id="figures"><h2>{h["figures"]}</h2>{figs}</section>
<section id="outcomes"><h2>{h["every"]}</h2>{_all_outcomes_table(comp, lang)}
<h2>{h["every_paired"]}</h2>{every}</section>
<section id="methods"><h2>{h["methods"]}</h2>{_methods(lang)}</section>
<section id="provenance"><h2>{h["provenance"]}</h2>{_provenance(comp, manifest, lang)}</section>
"""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )
