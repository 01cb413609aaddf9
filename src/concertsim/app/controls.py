"""The app's controls: scenario, play, parameters, shocks, export.

Each function draws its controls inside the page's component (its hooks are the page's),
so the whole page is drawn again, in the session's language, after every change.

Each control calls a :class:`~concertsim.app.session.Session` method and then ``redraw``;
the session checks every change by the rules of :mod:`concertsim.config`, so a control
never breaks the page: a refused change shows the error line and changes nothing.
Parameter sliders prepare changes; the trainer applies them to the shocked twin in one go.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from concertsim.app.session import SLIDERS, Session, error_line, scenario_choices
from concertsim.errors import InputError
from concertsim.i18n import LANGUAGES, messages
from concertsim.params import LEVELS, ROLES
from concertsim.vocabulary import label

I18N_DOMAIN = "app"

__all__ = [
    "language_switch",
    "scenario_picker",
    "play_controls",
    "parameter_controls",
    "shock_buttons",
    "export_buttons",
    "SPEEDS",
]

SPEEDS = {"1": 1.0, "2": 2.0, "5": 5.0, "10": 10.0, "max": 0.0}
"""Months per second a play runs at (0: as fast as the machine goes)."""


def _heading(text: str) -> None:
    solara.HTML("div", text, style={"font-weight": "bold", "margin-top": "12px"})


def language_switch(session: Session, redraw: Callable[[], None]):
    """Français / English."""

    def switch(lang: str) -> None:
        session.set_language(lang)
        redraw()

    solara.ToggleButtonsSingle(
        value=session.lang,
        on_value=switch,
        children=[
            solara.Button(lang.upper(), value=lang, classes=[f"lang-{lang}"]) for lang in LANGUAGES
        ],
    )


def scenario_picker(session: Session, redraw: Callable[[], None], extra: tuple[str, ...] = ()):
    """The bundled scenarios, the trainer's files, or a path typed in."""
    msg = messages(session.lang, I18N_DOMAIN)
    path, set_path = solara.use_state("")
    choices = scenario_choices(extra)
    if session.choice not in choices:
        choices.append(session.choice)

    def load(name: str | None) -> None:
        if name:
            session.load(name)
            redraw()

    solara.Select(
        msg._("Scenario"),
        values=choices,
        value=session.choice,
        on_value=load,
        classes=["scenario-picker"],
    )
    with solara.Row():
        solara.InputText(
            msg._("or a scenario file"), value=path, on_value=set_path, classes=["scenario-path"]
        )
        solara.Button(msg._("Open"), on_click=lambda: load(path), classes=["scenario-open"])


def play_controls(session: Session, redraw, playing: solara.Reactive, speed: solara.Reactive):
    """Play, pause, one month, back to month 0; the speed."""
    msg = messages(session.lang, I18N_DOMAIN)
    wrap = {"flex-wrap": "wrap", "gap": "6px"}

    def step() -> None:
        session.step(1)
        redraw()

    def reset() -> None:
        playing.set(False)
        session.reset()
        redraw()

    with solara.Row(style=wrap):
        if playing.value:
            solara.Button(
                msg._("Pause"),
                icon_name="mdi-pause",
                on_click=lambda: playing.set(False),
                color="warning",
                classes=["pause"],
            )
        else:
            solara.Button(
                msg._("Play"),
                icon_name="mdi-play",
                on_click=lambda: playing.set(True),
                color="success",
                classes=["play"],
                disabled=session.twin.finished,
            )
        solara.Button(
            msg._("Month +1"),
            icon_name="mdi-step-forward",
            on_click=step,
            classes=["step"],
            disabled=playing.value,
        )
        solara.Button(msg._("Reset"), icon_name="mdi-restart", on_click=reset, classes=["reset"])

    def reseed(seed: int | None) -> None:
        if seed is None or seed < 0:
            got = "none" if seed is None else seed
            session.error = error_line(InputError("seed", "", "an integer >= 0", got))
        elif seed != session.twin.seed:
            playing.set(False)
            session.reset(seed=seed)
        redraw()

    solara.InputInt(msg._("Seed (both twins)"), value=session.twin.seed, on_value=reseed,
                    classes=["seed"])  # fmt: skip
    solara.Select(
        msg._("Speed (months per second)"), values=list(SPEEDS), value=speed, classes=["speed"]
    )


def parameter_controls(session: Session, redraw: Callable[[], None]):
    """Sliders and switches for the shocked twin, applied together with one button."""
    msg = messages(session.lang, I18N_DOMAIN)
    pending, set_pending = solara.use_state({})
    now = session.current()
    shown = {**now, **pending}
    pct = messages(session.lang).percent

    def setter(dotted: str):
        return lambda value: set_pending({**pending, dotted: value})

    _heading(msg._("Staff turnover (share leaving per year)"))
    for dotted in SLIDERS[:4]:
        level = dotted.split(".")[1].removesuffix("_annual")
        solara.SliderFloat(
            f"{label('level', level, session.lang)} {pct(shown[dotted])}",
            value=shown[dotted],
            min=0.0,
            max=1.0,
            step=0.05,
            on_value=setter(dotted),
        )
    _heading(msg._("Role mix of the regional body (share of staff time)"))
    for role in ROLES:
        dotted = f"role_mix.{role}"
        with solara.Row(style={"align-items": "center"}):
            solara.SliderFloat(
                f"{label('role', role, session.lang)} {pct(shown[dotted])}",
                value=shown[dotted],
                min=0.0,
                max=1.0,
                step=0.05,
                on_value=setter(dotted),
            )
            solara.Switch(
                label=msg._("impose"),
                value=shown[f"role_mode.{role}"] >= 0.5,
                on_value=lambda on, r=role: setter(f"role_mode.{r}")(
                    "impose" if on else "negotiate"
                ),
            )
    roles = sum(shown[f"role_mix.{r}"] for r in ROLES)
    if roles <= 1.0 + 1e-9:
        note = msg._("Operations take the rest: {share}; the six shares sum to 100%.")
        solara.Info(
            note.format(share=messages(session.lang).percent(1.0 - roles)),
            dense=True,
            classes=["mix-note"],
        )
    else:
        note = msg._("The five roles add up to {share}, more than 100%: lower one.")
        solara.Warning(
            note.format(share=messages(session.lang).percent(roles)),
            dense=True,
            classes=["mix-note"],
        )
    solara.Switch(
        label=msg._("Role recognition phase"),
        value=bool(shown["recognition.enabled"]),
        on_value=setter("recognition.enabled"),
    )

    def apply() -> None:
        changes = {k: v for k, v in pending.items() if v != now.get(k)}
        if changes and session.apply(changes):
            set_pending({})
        redraw()

    with solara.Row():
        solara.Button(
            msg._("Apply to the shocked twin"),
            on_click=apply,
            color="primary",
            disabled=not pending,
            classes=["apply"],
        )
        solara.Button(
            msg._("Undo"),
            on_click=lambda: set_pending({}),
            disabled=not pending,
            text=True,
            classes=["undo"],
        )


def shock_buttons(session: Session, redraw: Callable[[], None]):
    """The four shocks, on the shocked twin, now."""
    msg = messages(session.lang, I18N_DOMAIN)
    level, set_level = solara.use_state("local")
    names = {label("level", lv, session.lang): lv for lv in LEVELS}

    def shock(kind: str, where: str = "all"):
        def go() -> None:
            session.shock(kind, where)
            redraw()

        return go

    done = session.twin.finished
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select(
            msg._("Level"),
            values=list(names),
            value=label("level", level, session.lang),
            on_value=lambda name: set_level(names.get(name, "local")),
            classes=["shock-level"],
            style={"max-width": "140px"},
        )
        buttons = (
            ("turnover_wave", msg._("Staff exodus"), "mdi-account-multiple-remove", level),
            ("key_departure", msg._("Most influential person leaves"), "mdi-account-star", level),
            ("election", msg._("Municipal election"), "mdi-vote", "all"),
            ("funding_cut", msg._("Funding cut"), "mdi-cash-remove", "all"),
        )
        for kind, text, icon, where in buttons:
            solara.Button(
                text,
                icon_name=icon,
                on_click=shock(kind, where),
                color="error",
                outlined=True,
                disabled=done,
                classes=[f"shock-{kind}"],
            )


def export_buttons(session: Session):
    """The session as a scenario file, the series as CSV, the charts as PNG."""
    msg = messages(session.lang, I18N_DOMAIN)
    with solara.Row(style={"flex-wrap": "wrap"}):
        items = (
            (session.scenario_file, "toml", msg._("Scenario file (replay with concertsim run)")),
            (session.series_file, "csv", msg._("Series (CSV)")),
            (lambda: session.charts_png, "png", msg._("Charts (PNG)")),
        )
        for data, ext, text in items:
            solara.FileDownload(
                data,
                filename=session.export_name(ext),
                children=[
                    solara.Button(
                        text, icon_name="mdi-download", outlined=True, classes=[f"export-{ext}"]
                    )
                ],
            )
