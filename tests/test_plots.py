"""The run figure (concertsim.plots): its headline, labelled events, languages and size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from concertsim import plots
from concertsim.intervals import proportion_ci
from concertsim.params import EVENT_KINDS, Event
from concertsim.vocabulary import label


@pytest.fixture(scope="module")
def result():
    from concertsim.scenario import load_scenario
    from concertsim.simulate import run_scenario

    scenario = load_scenario("baseline")
    return run_scenario(scenario, replicates=4, seed=11, months=40)


EVENTS = [
    Event(month=12, kind="turnover_wave", level="regional", share=0.5),
    Event(month=36, kind="election"),
]


def _figure(result, **kwargs):
    kwargs.setdefault("events", EVENTS)
    kwargs.setdefault("stability", result.stability)
    return plots.run_figure(result.series, title="baseline", **kwargs)


def _titles(fig) -> list[str]:
    return [ax.get_title(loc="left") for ax in fig.axes]


def _annotations(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_text()]


def test_the_stability_index_of_the_run_is_the_outcomes_one(result):
    """run_scenario's stability (the headline) is outcomes.stability_index, month by month."""
    assert result.stability.shape == (4, 41)
    np.testing.assert_array_equal(result.stability[:, -1], result.outcomes["stability_end"])
    np.testing.assert_allclose(
        np.nanmean(result.stability[:, 1:], axis=1), result.outcomes["stability_mean"]
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_headline_first_then_a_panel_per_variable_in_the_language(result, lang):
    titles = _titles(_figure(result, lang=lang))
    assert titles[:2] == [label("variable", "stability", lang), label("outcome", "survived", lang)]
    assert titles[2].replace("\n", " ") == label("variable", "credibility", lang)
    shown = {t.replace("\n", " ") for t in titles[2:]}
    assert label("variable", "posts_filled", lang) in shown
    assert not {label("variable", v, lang) for v in ("staff", "vacancies", "stability")} & shown


def test_events_labelled_in_the_headline_and_marked_everywhere(result):
    fig = _figure(result, lang="fr")
    wanted = ["exode du personnel (régional)", "élections municipales"]
    for ax in fig.axes[:2]:
        assert [t for t in _annotations(ax) if t in wanted] == wanted
    for ax in fig.axes:
        months = sorted(
            line.get_xdata()[0] for line in ax.lines if line.get_color() == plots.EVENT_COLOUR
        )
        assert months == [12, 36], ax.get_title()
    for ax in fig.axes[2:]:
        assert not set(wanted) & set(_annotations(ax)), "small panels: lines, no labels"


def test_headline_bands(result):
    fig = _figure(result)
    stab, surv = fig.axes[:2]
    median = stab.lines[0].get_ydata()
    np.testing.assert_allclose(median, np.quantile(result.stability, 0.5, axis=0))
    alive = result.series.query("variable == 'participation' and level == 'regional'")
    alive = alive.pivot(index="run", columns="month", values="value").to_numpy()
    band = plots.survival_band(alive)
    np.testing.assert_allclose(surv.lines[0].get_ydata(), alive.mean(axis=0))
    for t in (0, 20, 40):
        share, low, high, _ = proportion_ci(alive[:, t])
        assert tuple(band[:, t]) == pytest.approx((low, share, high))


def test_survival_band_is_wilson_for_one_region():
    alive = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [1, 1, 1]], dtype=float)
    low, share, high = plots.survival_band(alive)
    assert share.tolist() == [1.0, 0.75, 0.5]
    assert low[0] < 1.0 == high[0]  # Wilson: an interval even when every run survives
    assert all(0.0 <= lo <= s <= hi <= 1.0 for lo, s, hi in zip(low, share, high, strict=True))


def test_stability_from_the_table_when_not_given(result):
    """A ``stability`` series in the table (as series.parquet may hold) feeds the headline."""
    rows = [
        {"run": r, "month": m, "level": "regional", "variable": "stability", "value": v}
        for r in range(4)
        for m, v in enumerate(result.stability[r])
    ]
    plain = result.series[result.series["variable"] != "stability"]
    series = pd.concat([plain, pd.DataFrame(rows)], ignore_index=True)
    fig = plots.run_figure(series, title="t", lang="en")
    assert _titles(fig)[0] == "Stability index"
    np.testing.assert_allclose(
        fig.axes[0].lines[0].get_ydata(), np.quantile(result.stability, 0.5, axis=0)
    )
    without = plots.run_figure(plain, title="t")
    assert _titles(without)[0] == "Survival of the regional body", "no index: survival alone"


def test_big_screen_png(result, tmp_path):
    from PIL import Image

    path = plots.plot_series(result.series, tmp_path / "f.png", title="t", events=[12, 36])
    with Image.open(path) as image:
        width, height = image.size
    assert width == 1920 and 1000 < height < 1400


def test_event_label():
    assert plots.event_label(Event(month=3, kind="funding_cut", share=0.3), "fr") == (
        "coupe de financement"
    )
    assert plots.event_label(Event(month=3, kind="turnover_wave", share=0.3), "en") == (
        "staff exodus"
    )


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_every_event_kind_has_a_label_in_both_languages(kind):
    english, french = label("event", kind, "en"), label("event", kind, "fr")
    assert english != kind.replace("_", " ").capitalize(), "a label, not the fallback"
    assert french != english
