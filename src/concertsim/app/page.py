"""The app's page: controls on the left; shocks, charts, account and structure on the right.

``solara run concertsim.app.page`` serves it (``concertsim app`` does, with its options in
the environment: :data:`CONFIG_ENV`). Each browser tab gets its own
:class:`~concertsim.app.session.Session`; playing steps it in a thread at the chosen speed.
"""

from __future__ import annotations

import html
import json
import os
import time

import solara
import solara.lab

from concertsim.app.controls import (
    SPEEDS,
    export_buttons,
    language_switch,
    parameter_controls,
    play_controls,
    scenario_picker,
    shock_buttons,
)
from concertsim.app.session import Session, error_line
from concertsim.errors import InputError
from concertsim.i18n import messages

I18N_DOMAIN = "app"

__all__ = ["Page", "CONFIG_ENV", "new_session"]

FRAME = 0.3
"""Seconds of simulation between two pictures when playing at full speed."""

CONFIG_ENV = "CONCERTSIM_APP"
"""The environment variable holding the app's options as JSON (scenario, seed, lang)."""


def new_session() -> Session:
    """A session on the scenario, seed and language ``concertsim app`` was given.

    A scenario that cannot be loaded leaves the session on the baseline, showing why.
    """
    config = json.loads(os.environ.get(CONFIG_ENV, "{}"))
    seed, lang = int(config.get("seed", 1)), config.get("lang", "en")
    try:
        return Session(config.get("scenario", "baseline"), seed=seed, lang=lang)
    except InputError as exc:
        session = Session("baseline", seed=seed, lang=lang)
        session.error = error_line(exc)
        return session


def _explain(msg, text: str) -> None:
    """A "what am I looking at" fold under a picture."""
    body = solara.HTML("p", html.escape(text), style={"font-size": "16px", "max-width": "70em"})
    solara.Details(summary=msg._("What am I looking at?"), children=[body])


def _charts_help(msg) -> str:
    return msg._(
        "Two copies of the same region, same seed: they live the same months until you act "
        "on the shocked twin (solid line). The dashed grey line is the reference, left "
        "untouched; the red band is the difference. Red dashed lines mark what you did. The "
        "stability index averages the regional body's credibility, legitimacy, funding and "
        "capacity and the members' participation (0 = folded)."
    )


def _structure_help(msg) -> str:
    return msg._(
        "The region as it is this month. Top: national actors (ministries, funders); then "
        "the regional body; then the sectoral tables; at the bottom the local committees. A "
        "disc's size is its number of posts, its colour its credibility. The dots around it "
        "are its seats: black when someone holds the seat, white while it is vacant. Lines "
        "are personal ties between people of two organisations. Grey: a member gone dormant "
        "or a regional body that folded; a dashed rim: a member no longer taking part."
    )


@solara.component
def Page():  # noqa: N802
    """The whole app."""
    session = solara.use_memo(new_session, [])
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive("5")

    def redraw() -> None:
        tick.set(tick.value + 1)

    def play() -> None:
        while playing.value and not session.twin.finished:
            start = time.perf_counter()
            rate = SPEEDS.get(speed.value, 0.0)
            if rate:
                session.step(1)
            else:  # full speed: a picture every FRAME seconds, as many months as fit
                session.advance(FRAME)
            redraw()
            time.sleep(max(1.0 / rate - (time.perf_counter() - start), 0.0) if rate else 0.05)
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)
    _ = tick.value  # re-render on every redraw
    msg = messages(session.lang, I18N_DOMAIN)
    twin = session.twin
    solara.Title("concertsim")
    with solara.AppLayout(title=msg._("concertsim: the shocked twin"), color="#1f5fbf"):
        with solara.Row(style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
            left = {"flex": "0 0 390px", "padding": "10px 14px", "background": "#f4f6fa"}
            with solara.Column(style=left):
                language_switch(session, redraw)
                scenario_picker(session, redraw, extra=tuple(_extra_files()))
                play_controls(session, redraw, playing, speed)
                parameter_controls(session, redraw)
            with solara.Column(style={"flex": "1 1 auto", "min-width": "0", "padding": "8px 16px"}):
                head = msg._("{scenario} · month {month} of {horizon} · seed {seed}").format(
                    scenario=twin.scenario.name,
                    month=twin.month,
                    horizon=twin.horizon,
                    seed=twin.seed,
                )
                solara.HTML("h2", html.escape(head), style={"margin": "4px 0"})
                ref, shk = twin.stability()[:, -1]
                num = messages(session.lang).number
                gap = msg._("Stability index: reference {ref} · shocked twin {shk} · gap {gap}")
                solara.HTML(
                    "div",
                    html.escape(gap.format(ref=num(ref), shk=num(shk), gap=num(shk - ref))),
                    classes=["headline"],
                    style={"font-size": "19px", "margin-bottom": "6px"},
                )
                shock_buttons(session, redraw)
                if session.error:
                    solara.Error(session.error, classes=["app-error"])
                with solara.Columns([5, 2]):
                    with solara.Column():
                        solara.Image(session.charts_png, width="100%", classes=["twin-charts"])
                        _explain(msg, _charts_help(msg))
                    with solara.Card(msg._("What happened"), margin=0, classes=["account"]):
                        lines = session.lines(14)
                        if not lines:
                            solara.Text(msg._("Nothing yet: play, or press a shock button."))
                        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
                        solara.HTML(
                            "ul", items, style={"font-size": "18px", "padding-left": "18px"}
                        )
                solara.Image(session.structure_png, width="100%", classes=["structure"])
                _explain(msg, _structure_help(msg))
                export_buttons(session)


def _extra_files() -> list[str]:
    config = json.loads(os.environ.get(CONFIG_ENV, "{}"))
    scenario = config.get("scenario")
    return [scenario] if scenario and scenario.endswith(".toml") else []
