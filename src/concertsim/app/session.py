"""One trainer's session, without a browser: the twin, its account and its pictures.

The page (:mod:`concertsim.app.page`) only calls these methods and shows what they
return, so everything the room sees can be tested here. Every change goes through the
twin (events checked by :mod:`concertsim.config`'s rules); a refused one leaves the
session as it was and sets :attr:`Session.error` to the one line ``concertsim validate``
prints (``concertsim: error: FILE: KEY: expected ..., got ...``).

Example:
    >>> s = Session("baseline", seed=3, lang="fr")
    >>> s.step(2)
    >>> s.shock("funding_cut")
    True
    >>> s.apply({"role_mix.networking": 0.9})  # 0.9 + the other roles' 0.5 > 1
    False
    >>> s.error.startswith("concertsim: error: event: values: expected role shares")
    True
    >>> s.month, len(s.twin.live)
    (2, 1)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from concertsim.app.account import Account, snapshot
from concertsim.app.charts import TwinCharts
from concertsim.app.export import scenario_toml, series_csv
from concertsim.app.structure import StructurePicture
from concertsim.app.twin import Twin
from concertsim.errors import InputError
from concertsim.i18n import LANGUAGES
from concertsim.params import ROLES
from concertsim.scenario import Scenario, bundled_scenarios, load_scenario

__all__ = ["Session", "scenario_choices", "error_line", "SLIDERS"]

SLIDERS: tuple[str, ...] = (
    "turnover.local_annual",
    "turnover.sectoral_annual",
    "turnover.regional_annual",
    "turnover.national_annual",
    *(f"role_mix.{r}" for r in ROLES),
)
"""The parameters the sliders change (role modes and recognition are switches)."""


def error_line(exc: InputError) -> str:
    """The one line ``concertsim validate`` prints for ``exc``."""
    return f"concertsim: error: {exc}"


def scenario_choices(extra: tuple[str, ...] = (), folder: str | Path = ".") -> list[str]:
    """The scenarios offered: the bundled ones by name, then ``extra`` and the TOML files
    of ``folder`` (the trainer's own), each once."""
    names = list(bundled_scenarios())
    for path in [*extra, *(str(p) for p in sorted(Path(folder).glob("*.toml")))]:
        if path not in names:
            names.append(path)
    return names


class Session:
    """The twin of a scenario, its account, charts and structure picture, in one language.

    Args:
        scenario: a bundled scenario's name, a file path, or a :class:`Scenario`.
        seed: both copies' seed.
        lang: ``"en"`` or ``"fr"``.

    Raises:
        InputError: the scenario cannot be loaded (the page starts on the baseline then).
    """

    def __init__(self, scenario: str | Scenario = "baseline", *, seed: int = 1, lang: str = "en"):
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}")
        loaded = load_scenario(scenario) if isinstance(scenario, str) else scenario
        self.lang = lang
        self.lock = threading.RLock()
        self.error: str | None = None
        self.choice = scenario if isinstance(scenario, str) else loaded.name
        self._start(loaded, seed)

    def _start(self, scenario: Scenario, seed: int) -> None:
        self.twin = Twin(scenario, seed=seed)
        self.account = Account()
        self._draw_new()

    def _draw_new(self) -> None:
        self.charts = TwinCharts(self.twin.horizon, self.lang)
        self.picture = StructurePicture(self.twin, self.lang)
        self.refresh()

    def refresh(self) -> None:
        """Draw the charts and the structure at the current month (PNG bytes)."""
        self.charts_png = self.charts.png(self.twin)
        self.structure_png = self.picture.png(self.twin)

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.twin.month

    # ------------------------------------------------------------------ the controls

    def step(self, months: int = 1) -> None:
        """Step the twin ``months`` months (to the horizon at most), then redraw once
        (a previous error line goes: the trainer has moved on)."""
        with self.lock:
            self.error = None
            for _ in range(months):
                before = snapshot(self.twin.shocked)
                if not self.twin.step():
                    break
                self.account.stepped(self.twin, before)
            self.refresh()

    def advance(self, budget: float) -> int:
        """Step month after month for about ``budget`` seconds, then draw once.

        Full-speed play: the pictures are drawn as often as the room can see them, not
        every month. Returns the months stepped (at least one unless at the horizon).
        """
        start, months = time.perf_counter(), 0
        with self.lock:
            while not self.twin.finished:
                before = snapshot(self.twin.shocked)
                self.twin.step()
                self.account.stepped(self.twin, before)
                months += 1
                if time.perf_counter() - start >= budget:
                    break
            self.refresh()
        return months

    def reset(self, seed: int | None = None) -> None:
        """Back to month 0, same scenario (and seed unless given); the account is cleared."""
        with self.lock:
            self.error = None
            self._start(self.twin.scenario, self.twin.seed if seed is None else seed)

    def load(self, scenario: str) -> bool:
        """Start over on another scenario (a bundled name or a file); False if refused."""
        with self.lock:
            try:
                loaded = load_scenario(scenario)
            except InputError as exc:
                self.error = error_line(exc)
                return False
            self.error, self.choice = None, scenario
            self._start(loaded, self.twin.seed)
            return True

    def set_language(self, lang: str) -> None:
        """Speak ``lang`` from now on: labels, account and charts are written again."""
        with self.lock:
            if lang not in LANGUAGES or lang == self.lang:
                return
            self.lang = lang
            self._draw_new()

    def _intervene(self, action, *args: Any, **kwargs: Any) -> bool:
        with self.lock:
            before = snapshot(self.twin.shocked)
            try:
                events = action(*args, **kwargs)
            except InputError as exc:
                self.error = error_line(exc)
                return False
            self.error = None
            for event in events if isinstance(events, list) else [events]:
                self.account.applied(event, before, snapshot(self.twin.shocked))
            self.refresh()
            return True

    def shock(self, kind: str, level: str = "all") -> bool:
        """A shock button; False (with :attr:`error` set) if refused."""
        return self._intervene(self.twin.shock, kind, level=level)

    def apply(self, values: Mapping[str, Any]) -> bool:
        """Change parameters of the shocked twin now; False (nothing changed) if refused."""
        return self._intervene(self.twin.change, values)

    def current(self) -> dict[str, Any]:
        """The shocked twin's parameters the controls show (as in force now)."""
        engine = self.twin.shocked.engine
        out: dict[str, Any] = {}
        for dotted in SLIDERS:
            if dotted.startswith("role_mix."):
                role = dotted.split(".")[1]
                out[dotted] = float(engine.state.role_mix[0, 0, ROLES.index(role)])
            else:
                section, name = dotted.split(".")
                out[dotted] = float(getattr(getattr(engine.params, section), name)[0, 0])
        for i, role in enumerate(ROLES):
            out[f"role_mode.{role}"] = float(engine.state.role_mode[0, 0, i])
        out["recognition.enabled"] = bool(engine.params.recognition.enabled[0, 0])
        return out

    # ------------------------------------------------------------------ what is shown

    def lines(self, last: int | None = None) -> list[str]:
        """The account, newest first, in the session's language."""
        return self.account.lines(self.lang, last)

    def scenario_file(self) -> str:
        """The session as a scenario file (TOML text)."""
        with self.lock:
            return scenario_toml(self.twin, file=self.export_name("toml"))

    def series_file(self) -> str:
        """Both copies' series as CSV text."""
        with self.lock:
            return series_csv(self.twin)

    def export_name(self, ext: str) -> str:
        """The file name offered for an export."""
        return f"{self.twin.scenario.name}_session_m{self.month}.{ext}"
