"""Test-only models: behaviour the shipped models must not have (dying, sleeping, fake series).

:class:`CrashingIshigami` is registered as ``"test-ishigami"`` by :func:`register` (the
experiment tests' ``conftest.py`` does it in the test process; ``run_cli.py`` in a CLI
subprocess). Tasks carry the model object, so pool workers unpickle this class by importing
this module: they need the tests directory on ``sys.path``, which forkserver and spawn copy
from the process that starts them.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from concertsim.experiment.models import MODELS, Ishigami, ModelContext

NAME = "test-ishigami"


class CrashingIshigami(Ishigami):
    """Ishigami plus test options.

    Options (besides Ishigami's): ``exit_above`` (a batch holding a run with ``x1`` above it
    ends its process with ``os._exit(1)``, as a segfault or the OOM killer would), ``delay``
    (seconds of sleep per run), ``months`` of fake tidy series when the experiment asks for
    series (``value = y * month``).
    """

    name = NAME
    defaults = {**Ishigami.defaults, "exit_above": math.inf, "delay": 0.0, "series_months": 3}

    def run_batch(
        self,
        context: ModelContext,
        seeds: Sequence[np.random.SeedSequence],
        overrides: Sequence[Mapping[str, float]],
        months: int,
        series: bool,
    ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        opt = {**self.defaults, **dict(context.options)}
        if any(o.get("x1", 0.0) > opt["exit_above"] for o in overrides):
            os._exit(1)
        if opt["delay"]:
            time.sleep(opt["delay"] * len(overrides))
        out, _ = super().run_batch(context, seeds, overrides, months, False)
        if not series:
            return out, None
        n, m = len(overrides), int(opt["series_months"])
        month = np.tile(np.arange(1, m + 1), n)
        run = np.repeat(np.arange(n), m)
        tidy = pd.DataFrame(
            {
                "run": run,
                "month": month,
                "level": "all",
                "variable": "y",
                "value": out["y"].to_numpy()[run] * month,
            }
        )
        return out, tidy


def register() -> None:
    """Make ``model = "test-ishigami"`` known to sweeps in this process."""
    MODELS.setdefault(NAME, CrashingIshigami())
