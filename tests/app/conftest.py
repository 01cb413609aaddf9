"""The app's browser: Debian's chromium driven by playwright (skipped off CI when missing)."""

from __future__ import annotations

import os
import shutil

import pytest


def browser_path() -> str | None:
    """The chromium to drive; in CI (CI=true) its absence fails the test run."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("chromium is missing in CI (.ci/run installs it with apt-get)")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    return path
