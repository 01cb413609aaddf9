"""The app in a real headless browser: what a trainer does in front of a room.

The server is ``concertsim app`` in a subprocess on a free port; the browser is Debian's
chromium driven by playwright. The test moves a slider (a bad combination first: refused,
the models unchanged), presses every shock button, sees the twins diverge and the account
grow, switches the language, exports the session and replays it with ``concertsim run``
to the same numbers. Its screenshots are the README's (docs/figures/app*.png).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from tests.app.conftest import browser_path

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "docs" / "figures"
SEED = 7


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``concertsim app`` serving the baseline, in English, seed 7."""
    port, cwd = _free_port(), tmp_path_factory.mktemp("app")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [
        sys.executable,
        "-m",
        "concertsim",
        "app",
        "baseline",
        "--port",
        str(port),
        "--seed",
        str(SEED),
        "--lang",
        "en",
    ]
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"the app server stopped: {proc.stderr.read()}")
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail("the app server did not answer within 120 s")
    yield url, cwd
    proc.terminate()
    proc.wait(timeout=20)


def _account_lines(page) -> int:
    return page.locator(".account li").count()


def _headline(page) -> str:
    return page.locator(".headline").inner_text()


def _wait_for_month(page, month: int, timeout: int = 120_000) -> None:
    page.wait_for_function(
        "m => document.querySelector('h2') && "
        "new RegExp('(month|mois) ' + m + ' ').test(document.querySelector('h2').innerText)",
        arg=month,
        timeout=timeout,
    )


def _press(page, selector: str) -> None:
    before = _account_lines(page)
    page.locator(selector).click()
    page.wait_for_function(
        f"document.querySelectorAll('.account li').length > {before}", timeout=30_000
    )


def test_a_trainer_session_in_the_browser(server):
    url, cwd = server
    path = browser_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1680, "height": 1050}, accept_downloads=True)
        page.goto(url)
        page.wait_for_selector(".twin-charts", timeout=120_000)
        for month in range(1, 13):
            page.locator(".step").click()
            _wait_for_month(page, month)
        assert "gap 0.00" in _headline(page)  # the twins are identical so far

        # a bad scenario file: validate's line, the running twins untouched
        bad = cwd / "bad.toml"
        bad.write_text('name = "bad"\n[turnover]\nlocal_annual = 1.5\n', encoding="utf-8")
        validate = subprocess.run(
            [sys.executable, "-m", "concertsim", "validate", "bad.toml"],
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            capture_output=True,
            text=True,
        )
        page.locator(".scenario-path input").fill("bad.toml")
        page.locator(".scenario-open").click()
        page.locator(".app-error").wait_for(timeout=30_000)
        assert page.locator(".app-error").inner_text().strip() == validate.stderr.strip()
        assert "month 12 of 120" in page.locator("h2").inner_text()
        page.locator(".scenario-path input").fill("")

        # a bad combination: networking pushed to 100% on top of the other roles
        slider = page.locator(".v-slider [role=slider]").nth(4)
        slider.focus()
        slider.press("End")
        page.locator(".apply").click()
        error = page.locator(".app-error")
        page.wait_for_function(
            "(document.querySelector('.app-error') || {innerText: ''}).innerText"
            ".includes('role shares')",
            timeout=30_000,
        )
        assert (
            error.inner_text()
            .strip()
            .startswith(
                "concertsim: error: event: values: expected role shares summing to at most 1"
            )
        )
        assert _account_lines(page) == 0 and "gap 0.00" in _headline(page)
        page.locator(".undo").click()

        # a good slider move: local turnover up, applied to the shocked twin
        for percent in (30, 35, 40, 45):  # one step of 5% at a time, as a hand would
            slider = page.locator(".v-slider [role=slider]").first
            slider.focus()
            slider.press("ArrowRight")
            page.get_by_text(f"local {percent}%", exact=True).wait_for(timeout=30_000)
        _press(page, ".apply")
        assert "staff turnover (local) now 45% a year" in page.locator(".account").inner_text()

        shocks = ("turnover_wave", "key_departure", "election", "funding_cut")
        for month, kind in enumerate(shocks, start=12):
            _press(page, f".shock-{kind}")  # the account gains a line
            page.locator(".step").click()
            _wait_for_month(page, month + 1)
        for _ in range(8):
            page.locator(".step").click()
        _wait_for_month(page, 24)
        gap = float(re.search(r"gap (-?[\d.]+)", _headline(page)).group(1))
        assert gap != 0.0  # the twins have diverged
        page.wait_for_function(  # month 24: a year after the first change, a line says so
            "document.querySelector('.account').innerText.includes('Month 24: 1 year after')",
            timeout=30_000,
        )
        assert _account_lines(page) >= 6  # the change, four shocks, the year
        FIGURES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(FIGURES / "app.png"), full_page=False)

        page.locator(".lang-fr").click()
        page.wait_for_function(
            "document.querySelector('.account').innerText.includes('Ce qui s’est passé')"
        )
        page.wait_for_function(
            "document.querySelector('.shock-election').innerText.toLowerCase()"
            ".includes('élections municipales')"
        )  # the controls speak French too
        text = page.locator(".account").inner_text()
        assert "Mois 14 : élections municipales, " in text
        assert "Mois 12 : exode du personnel au palier local" in text
        assert "mois 24 sur 120" in page.locator("h2").inner_text()
        page.screenshot(path=str(FIGURES / "app_fr.png"), full_page=False)
        page.locator(".structure").screenshot(path=str(FIGURES / "app_structure.png"))

        with page.expect_download() as info:
            page.locator(".export-toml").click()
        scenario = cwd / "session.toml"
        info.value.save_as(scenario)
        with page.expect_download() as info:
            page.locator(".export-csv").click()
        series = cwd / "series.csv"
        info.value.save_as(series)

        # play at full speed to the horizon, then the page stops by itself
        page.locator(".speed").click()
        page.get_by_role("option", name="max").click()
        page.locator(".play").click()
        _wait_for_month(page, 120)
        page.locator(".play").wait_for(timeout=30_000)  # the play button is back

        # another seed: both twins start over
        seed = page.locator(".seed input")
        seed.fill("8")
        seed.press("Enter")
        page.wait_for_function(
            "document.querySelector('h2').innerText.includes('mois 0 sur 120 · graine 8')"
        )
        browser.close()

    out = cwd / "replay"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "concertsim",
            "run",
            str(scenario),
            "--seed",
            str(SEED),
            "--replicates",
            "1",
            "--months",
            "24",
            "--csv",
            "--out",
            str(out),
        ],
        check=True,
        env=env,
        cwd=cwd,
        capture_output=True,
    )
    replay = pd.read_csv(out / "series.csv")
    app = pd.read_csv(series).query("twin == 'shocked'").drop(columns="twin")
    keys = ["run", "month", "level", "variable"]
    merged = app.merge(replay, on=keys, suffixes=("_app", "_run"), validate="one_to_one")
    assert len(merged) == len(app) == len(replay)
    assert (merged["value_app"] == merged["value_run"]).all()
