"""What a person sees in a real browser: headless Chromium (Debian's) driven by Playwright, against Datasette
serving the demo database. Screenshots are saved under test-artifacts/screenshots/."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from clinics.publish import datasette_args

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent.parent / "test-artifacts" / "screenshots"

if not Path(CHROMIUM).exists():
    message = "browser tests need Debian's Chromium: apt-get install chromium (then run make test again)"
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError(f"CI=true and {message}")
    pytest.skip(message, allow_module_level=True)

playwright_sync = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(db_path: Path):
    """Datasette serving a database as `clinics serve` does, on a free loopback port: its base URL."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "datasette", *datasette_args(str(db_path), port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


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
    about = page.locator(".directory-about")
    assert "About this directory" in about.inner_text()
    assert "Last crawled" in about.inner_text()
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
    page.locator(".facet-info[data-column='routes'] a", has_text="intranasal_esketamine").first.click()
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


def test_compare_two_clinics_side_by_side_with_evidence_links(site, page):
    page.goto(site + "/compare?q=ketamine")
    boxes = page.locator("form.compare-pick input[type='checkbox']")
    assert boxes.count() >= 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("form.compare-pick button").click()
    page.wait_for_selector("table.compare")
    assert page.locator("table.compare thead th[scope='col']").count() == 2
    evidence = page.locator("table.compare td a[title]").first
    assert evidence.get_attribute("href").startswith("http://127.0.0.") and evidence.get_attribute("title")
    assert "Last confirmed" in page.inner_text("table.compare")
    assert "Last checked by a person" in page.inner_text("table.compare")


def test_compared_prices_say_as_of_when(demo_db, site, page):
    import sqlite3

    priced = [r[0] for r in sqlite3.connect(demo_db).execute(
        "select id from clinic_comparison where lowest_iv_price_usd is not null order by id limit 2")]
    page.goto(site + "/compare?" + "&".join(f"id={clinic}" for clinic in priced))
    page.wait_for_selector("table.compare")
    as_of = page.locator("table.compare small.price-as-of")
    assert len(priced) == 2 and as_of.count() >= 2
    assert all(re.fullmatch(r"as of \d{4}-\d{2}-\d{2}", text.strip()) for text in as_of.all_inner_texts())


def test_clinic_page_shows_every_fact_with_snippet_and_source(site, page):
    page.goto(site + "/clinics/clinics?_search=Pacific")
    page.locator("table.rows-and-columns td.col-id a").first.click()
    page.wait_for_selector("section.clinic-evidence")
    section = page.inner_text("section.clinic-evidence")
    for heading in ("Routes of administration", "Conditions treated", "Insurance and payment", "Prices"):
        assert heading in section
    assert page.locator("section.clinic-evidence q").count() >= 5
    assert page.locator("section.clinic-evidence small a[href^='http://127.0.0.']").count() >= 5


def test_clinic_page_shows_crisis_line_who_treats_access_and_how_to_report(site, page):
    """A clinic that treats suicidal ideation: the 988 notice and the correction procedure are on screen, beside who
    treats, whether it takes new patients, the date each price holds from, and when a person last checked it."""
    page.goto(site + "/clinics/clinics?_search=Pacific")
    page.locator("table.rows-and-columns td.col-id a").first.click()
    page.wait_for_selector("section.clinic-evidence")
    section = page.inner_text("section.clinic-evidence")
    assert "Suicidal ideation" in section
    crisis = page.locator("section.clinic-evidence p", has_text="988").first
    assert crisis.is_visible() and "Crisis Lifeline" in crisis.inner_text()
    report = page.locator("#report + p.report-procedure")
    assert report.is_visible() and "clinics corrections add" in report.inner_text()
    assert "Report a wrong listing" in report.inner_text()
    for heading in ("Who treats", "Before you call"):
        assert heading in section
    assert "Accepting new patients" in section and "Nurse anesthetist (CRNA)" in section
    assert "NPI Registry: authorised official" in section, "the registry's statement is shown apart"
    assert "Last confirmed by a crawl" in section and "last checked by a person" in section
    assert page.locator("small.price-as-of").count() >= 1 and "as of" in page.inner_text("small.price-as-of >> nth=0")


def test_accepted_correction_shows_on_the_clinic_page_as_checked_by_a_person(demo_db, tmp_path, page):
    """A maintainer accepts a reader's correction: the clinic's page shows the corrected fact with the reader's note,
    marked as checked by a person and linked to the correction, and the day a person checked the listing."""
    from clinics.corrections import add_correction, decide_correction

    db_path = tmp_path / "clinics.db"
    shutil.copy(demo_db, db_path)
    import sqlite3

    clinic_id = sqlite3.connect(db_path).execute("select id from clinics where name like 'Pacific Ketamine%'").fetchone()[0]
    added = add_correction(str(db_path), clinic_id, "language:Spanish", "yes",
                           "Their front desk told me on 2026-11-20 that two nurses speak Spanish", "reader@example.org")
    decide_correction(str(db_path), added.correction_id, "accept", "maintainer@example.org", "phoned the clinic")
    with served(db_path) as base:
        page.goto(f"{base}/clinics/clinics/{clinic_id}")
        page.wait_for_selector("section.clinic-evidence")
        fact = page.locator("ul.clinic-facts li", has_text="Language spoken: Spanish").first
        assert fact.is_visible() and "checked by a person" in fact.inner_text()
        assert "two nurses speak Spanish" in fact.inner_text()
        assert fact.locator(f"a[href='/clinics/corrections/{added.correction_id}']").count() == 1
        checked = page.inner_text("span.clinic-checked")
        assert "last checked by a person: never" not in checked and "2026" in checked


def test_scraped_script_in_a_clinic_name_is_shown_as_text(site, page):
    page.goto(site + "/clinics/clinics?_search=Sunrise")
    page.locator("table.rows-and-columns td.col-id a").first.click()
    page.wait_for_selector("section.clinic-evidence")
    assert '<script>alert("x")</script>' in page.inner_text("h2.clinic-name")
    assert '<script>alert("x")</script>' in page.inner_text("table.rows-and-columns")
    assert not page.dialogs


def test_map_renders_without_leaving_loopback(site, page):
    page.goto(site + "/clinics/clinics")
    page.wait_for_selector(".leaflet-container", timeout=15000)
    page.wait_for_selector(".leaflet-marker-icon, .marker-cluster", timeout=15000)  # drawn after its data loads
    assert page.locator(".leaflet-marker-icon, .marker-cluster").count() >= 1
    assert all("127.0.0.1" not in url for url in page.blocked), "only off-loopback requests are blocked"
