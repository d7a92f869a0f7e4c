"""What a person sees in a real browser: headless Chromium (Debian's) driven by Playwright, against Datasette
serving the demo database. Screenshots are saved under test-artifacts/screenshots/."""

from __future__ import annotations

import os
import re
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from clinics.serving import datasette_args
from tests.servers import free_port, running

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent.parent / "test-artifacts" / "screenshots"

if not Path(CHROMIUM).exists():
    message = "browser tests need Debian's Chromium: apt-get install chromium (then run make test again)"
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError(f"CI=true and {message}")
    pytest.skip(message, allow_module_level=True)

playwright_sync = pytest.importorskip("playwright.sync_api")


@contextmanager
def served(db_path: Path, contact: str | None = None):
    """Datasette serving a database as `clinics serve` does (`--contact` too, when given), on a free loopback port:
    its base URL."""
    port = free_port()
    with running([sys.executable, "-m", "datasette", *datasette_args(str(db_path), port, contact=contact)], port) as base:
        yield base


@pytest.fixture(scope="module")
def site(demo_db):
    with served(demo_db) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--disable-gpu", "--no-first-run", "--disable-background-networking"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    """A page that may only talk to loopback (map tiles and anything else are blocked), and fails on any dialog."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    blocked: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    tab.route("**/*", guard)
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.blocked, tab.dialogs = blocked, dialogs
    yield tab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    assert not dialogs, f"a script ran: {dialogs}"
    context.close()


def test_home_page_says_what_the_data_is_and_that_it_is_not_medical_advice(site, page):
    page.goto(site + "/")
    about = page.locator(".home-what").inner_text()
    assert "Orange County, CA" in about
    assert re.search(r"Last checked (today|yesterday|\d+ days ago): \d+ open clinics", about)
    assert "faults on purpose" in page.inner_text(".home-demo"), "the demo says its sample web fails on purpose"
    text = page.inner_text("body")
    assert "not medical advice" in text.lower() and "988" in text


def test_search_for_ptsd_lists_clinics_that_treat_it(site, page):
    page.goto(site + "/clinics/clinics")
    page.fill("input#_search", "PTSD")
    page.keyboard.press("Enter")
    page.wait_for_url("**_search=PTSD**")
    names = page.locator("table.rows-and-columns td.col-name").all_inner_texts()
    assert names and any("Pacific Ketamine" in n for n in names)
    conditions = page.locator("table.rows-and-columns td.col-conditions").all_inner_texts()
    assert all("ptsd" in c for c in conditions)


def test_route_facet_filters_the_table(site, page):
    page.goto(site + "/clinics/clinics")
    page.locator(".facet-info[data-column='routes'] a", has_text="Spravato (intranasal esketamine)").first.click()
    page.wait_for_url("**routes__arraycontains=intranasal_esketamine**")
    routes = page.locator("table.rows-and-columns td.col-routes").all_inner_texts()
    assert routes and all("intranasal_esketamine" in r for r in routes)


def test_zip_search_lists_nearby_clinics_nearest_first(site, page):
    page.goto(site + "/clinics/clinics_near_zip")
    page.fill("input[name='zip']", "92660")
    page.fill("input[name='miles']", "15")
    page.fill("input[name='route']", "iv_infusion")
    page.locator("form.sql input[type='submit']").click()
    page.wait_for_url("**zip=92660**")
    page.wait_for_selector("table.rows-and-columns td.col-miles_away")
    miles = [float(m) for m in page.locator("table.rows-and-columns td.col-miles_away").all_inner_texts()]
    assert miles and miles == sorted(miles) and max(miles) <= 15
    routes = page.locator("table.rows-and-columns td.col-routes").all_inner_texts()
    assert all("iv_infusion" in r for r in routes)


def test_map_renders_without_leaving_loopback(site, page):
    page.goto(site + "/clinics/clinics")
    page.wait_for_selector(".leaflet-container", timeout=15000)
    page.wait_for_selector(".leaflet-marker-icon, .marker-cluster", timeout=15000)  # drawn after its data loads
    assert page.locator(".leaflet-marker-icon, .marker-cluster").count() >= 1
    assert all("127.0.0.1" not in url for url in page.blocked), "only off-loopback requests are blocked"


def test_the_clinics_table_search_box_is_on_the_first_screen(site, page):
    page.goto(site + "/clinics/clinics")
    box = page.locator("#_search").bounding_box()
    assert box["y"] + box["height"] < 900, "above 60 column descriptions, which scroll in a box of their own"
