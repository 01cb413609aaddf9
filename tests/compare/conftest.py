"""Fixtures of the comparison tests: one small comparison, run and written once per session,
and a headless Chromium for the report (a missing browser fails the test in CI)."""

from __future__ import annotations

import os
import shutil

import pytest

SCENARIOS = ["baseline", "networking_first", "networking_neglected"]
REPLICATES = 12
SEED = 3


@pytest.fixture(scope="session")
def comparison():
    """Three bundled scenarios, twelve replicates each, over their ten years (a few seconds)."""
    from concertsim.compare import run_comparison

    return run_comparison(SCENARIOS, replicates=REPLICATES, seed=SEED)


@pytest.fixture(scope="session")
def written(comparison, tmp_path_factory):
    """The comparison's directory, in English."""
    from concertsim.compare import write_comparison

    out = tmp_path_factory.mktemp("compare") / "out"
    write_comparison(comparison, out, lang="en", command=["concertsim", "compare", "(test)"])
    return out


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by playwright; skipped where absent, except in CI."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if path is None or sync_playwright is None:
        why = "chromium or playwright missing (apt-get install chromium; pip install playwright)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {why}")
        pytest.skip(why)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()
