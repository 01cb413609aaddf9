"""The app's browser: Debian's chromium driven by playwright (skipped off CI when missing)."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is missing in CI (.ci/run and make test install it)")
    pytest.skip(f"no {what} on this machine")


def browser_path() -> str:
    """The chromium to drive (and playwright to drive it); in CI (CI=true) their absence
    fails the test run instead of skipping it."""
    if importlib.util.find_spec("playwright") is None:
        _missing("playwright (pip install -e '.[dev,app]')")
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        _missing("chromium (apt-get install chromium)")
    return path
