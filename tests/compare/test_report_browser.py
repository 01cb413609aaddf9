"""The report in a real browser (headless Chromium): summary, tables, figures, no network, PDF."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "figures" / "report.png"


def test_the_report_opens_and_shows_summary_tables_and_figures(browser, written, tmp_path):
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None,
    )
    page.goto((written / "report.html").as_uri())
    page.wait_for_load_state("load")
    summary = page.locator("#summary li")
    assert summary.count() >= 2 + 3  # two scenarios against the baseline, three survival lines
    assert "rather than baseline" in summary.first.inner_text()
    assert page.locator("#tables table").count() == 2
    assert page.locator("#tables table tbody tr").count() >= 10
    images = page.locator("#figures img")
    assert images.count() == 4
    for i in range(images.count()):
        width = images.nth(i).evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 500, f"figure {i} not decoded"
        assert images.nth(i).is_visible()
    assert outside == []
    if os.environ.get("CONCERTSIM_UPDATE_SCREENSHOT"):
        page.screenshot(path=str(SCREENSHOT))
    pdf = tmp_path / "report.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 100_000
    page.close()
