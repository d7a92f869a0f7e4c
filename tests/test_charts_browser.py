"""The charts as a reader sees them, in headless Chromium at phone and desktop sizes, served from a published
copy as the public site serves them: every chart drawn, no request leaving loopback, each point a link to its
clinic, and the figures one tap away as a table. Screenshots go to test-artifacts/screenshots/charts-*.png."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinics.cli import cli
from tests.front_door_support import SIZES, looks_right
from tests.servers import free_port, running
from tests.test_browser import browser  # noqa: F401 - a fixture

TAPPED = ".region-choice a, .chart-table summary"
CHARTS = ["price-per-session-by-treatment", "price-per-session-by-city", "shares-by-county", "clinics-per-crawl"]


@pytest.fixture(scope="module")
def published_site(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("charts") / "public"
    assert CliRunner().invoke(cli, ["publish", "--db", str(demo_db), str(out)]).exit_code == 0
    port = free_port()
    with running([str(Path(sys.executable).parent / "clinics"), "serve", "--published", str(out), "--port", str(port)],
                 port) as base:
        yield base


def _drawn(tab) -> None:
    for chart in CHARTS:
        tab.wait_for_selector(f"#chart-{chart}[data-drawn=yes] svg", timeout=15000)


@SIZES
def test_every_chart_draws_offline_with_points_that_open_their_clinic(published_site, tab, size):
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(published_site + "/charts")
    _drawn(tab)
    assert not tab.blocked, f"requests left loopback: {tab.blocked}"
    assert not errors
    for chart in CHARTS:
        marks = tab.locator(f"#chart-{chart} svg .mark-symbol path, #chart-{chart} svg .mark-rect path, "
                            f"#chart-{chart} svg .mark-line path")
        assert marks.count() > 0, f"{chart} drew nothing"
    points = tab.locator("#chart-price-per-session-by-treatment svg .mark-symbol path")
    labels = points.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert labels and all("url: /clinic/" in label for label in labels), "every point names its clinic's page"
    looks_right(tab, f"charts-{size['width']}", TAPPED)
    points.first.click(force=True)
    tab.wait_for_url("**/clinic/**")
    assert labels[0].split("url: ", 1)[1].split(";")[0] in tab.url, "the point opens its own clinic, in this tab"
    assert tab.locator("h1").count() == 1


@pytest.mark.parametrize("size", [{"width": 1280, "height": 900}], ids=["desktop"])
def test_the_figures_are_a_table_and_a_region_narrows_them(published_site, tab, size):
    tab.goto(published_site + "/charts")
    _drawn(tab)
    figure = tab.locator("#price-per-session-by-treatment")
    figure.locator("summary").click()
    table = figure.locator("table")
    assert table.is_visible() and "IV infusion" in table.inner_text()
    everywhere = tab.locator("#shares-by-county tbody tr").count()
    tab.locator(".region-choice a", has_text="Travis County, TX").click()
    tab.wait_for_url("**region=travis-county-tx**")
    _drawn(tab)
    assert 0 < tab.locator("#shares-by-county tbody tr").count() < everywhere
    assert "Orange" not in tab.locator("#shares-by-county tbody").inner_text()
