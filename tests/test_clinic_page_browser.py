"""A patient's clinic page in headless Chromium, at phone and desktop sizes: opened from the results, it shows what
to know before calling first, a fact opens onto its sentence and source, the map shows the clinic with every
off-loopback request refused, and a wrong listing is reported by email. The keyboard alone reaches the disclosures
and the report link. Each journey keeps a screenshot under test-artifacts/screenshots/ and is checked by axe-core."""

from __future__ import annotations

import shutil
import sqlite3
from urllib.parse import parse_qs, urlparse

import pytest

from tests.front_door_support import SIZES, keep_screenshot, looks_right, open_tab
from tests.test_browser import browser, served  # noqa: F401 - browser is a fixture

CONTACT = "reports@clinic-directory.example"
TAPPED = ".clinic-page a, .clinic-page summary, .clinic-page button"  # every target in the page's content


@pytest.fixture(scope="module")
def site(demo_db):
    with served(demo_db) as base:
        yield base


@pytest.fixture(scope="module")
def site_with_contact(demo_db):
    with served(demo_db, contact=CONTACT) as base:
        yield base


def clinic_id(db_path, name_like: str) -> str:
    return sqlite3.connect(db_path).execute("select id from clinics where name like ?", [name_like]).fetchone()[0]


@SIZES
def test_a_clinic_opened_from_the_results_shows_before_you_call_first_and_each_facts_source(site, tab, size):
    tab.goto(site + "/find?q=Irvine")
    card = tab.locator(".card h2 a").first
    name = card.inner_text()
    card.click()
    tab.wait_for_url("**/clinic/**")
    assert tab.locator("h1").inner_text() == name and tab.title() == name
    headings = tab.locator(".clinic-page h2").all_inner_texts()
    assert headings[:2] == ["Who treats", "Before you call"], headings
    first_fact = tab.locator(".before-you-call ul.clinic-facts > li").first
    assert first_fact.bounding_box()["y"] < size["height"], "the first fact on the first screen"
    access = tab.locator(".before-you-call h2:text-is('Before you call') + ul.clinic-facts > li")
    assert "Accepting new patients: yes" in access.all_inner_texts()[0]
    disclosure = access.first.locator("details.evidence")
    sentence = disclosure.locator("q")
    assert not sentence.is_visible()
    disclosure.locator("summary").click()
    assert sentence.is_visible() and sentence.inner_text()
    source = disclosure.locator("p.seen a")
    assert source.is_visible() and source.get_attribute("href").startswith("http")
    assert "Seen" in disclosure.inner_text()
    tab.wait_for_selector("#clinic-map path.leaflet-interactive")  # the marker, drawn though every tile is refused
    assert tab.blocked and all(urlparse(url).hostname not in ("127.0.0.1", "localhost") for url in tab.blocked)
    looks_right(tab, f"clinic-page-{size['width']}", TAPPED)


@SIZES
def test_a_wrong_listing_is_reported_by_email_to_the_operator(demo_db, site_with_contact, tab, size):
    clinic = clinic_id(demo_db, "Pacific Ketamine%")
    tab.goto(f"{site_with_contact}/clinic/{clinic}")
    report = tab.locator("#report ~ p.report-section a")
    report.scroll_into_view_if_needed()
    link = urlparse(report.get_attribute("href"))
    assert link.scheme == "mailto" and link.path == CONTACT
    assert clinic in parse_qs(link.query)["subject"][0] and "What it should say:" in parse_qs(link.query)["body"][0]
    section = tab.locator(".before-you-call p.report-section a").last
    assert "access" in parse_qs(urlparse(section.get_attribute("href")).query)["subject"][0]
    assert "clinics corrections" not in tab.inner_text("body")
    looks_right(tab, f"clinic-report-{size['width']}", TAPPED)


def test_the_keyboard_alone_opens_a_fact_and_reaches_the_report_link(demo_db, site_with_contact, browser):  # noqa: F811
    tab = open_tab(browser, {"width": 1280, "height": 900})
    tab.goto(f"{site_with_contact}/clinic/{clinic_id(demo_db, 'Pacific Ketamine%')}")
    focused = "document.activeElement"
    for _ in range(30):
        tab.keyboard.press("Tab")
        if tab.evaluate(f"{focused}.tagName") == "SUMMARY":
            break
    assert tab.evaluate(f"{focused}.tagName") == "SUMMARY", "a fact's disclosure is reached"
    tab.keyboard.press("Enter")
    assert tab.evaluate(f"{focused}.parentElement.open"), "Enter opens it"
    for _ in range(10):
        tab.keyboard.press("Tab")
        if (tab.evaluate(f"{focused}.getAttribute('href')") or "").startswith("mailto:"):
            break
    assert tab.evaluate(f"{focused}.getAttribute('href')").startswith(f"mailto:{CONTACT}?subject="), \
        "the fact's report link is reached"
    keep_screenshot(tab, "clinic-keyboard")
    tab.context.close()


def test_the_page_shows_who_treats_access_prices_as_of_and_no_report_address_without_one(demo_db, site, browser):  # noqa: F811
    """Pacific Ketamine treats suicidal ideation: the 988 line is on screen once, beside who treats (the clinic's words,
    and the registry's apart), whether it takes new patients, the day each price holds from, when a crawl and a person
    last checked it, and, on a copy with no contact, that there is no address for reports yet."""
    tab = open_tab(browser, {"width": 1280, "height": 900})
    tab.goto(f"{site}/clinic/{clinic_id(demo_db, 'Pacific Ketamine%')}")
    page = tab.inner_text(".clinic-page")
    for words in ("Who treats", "Before you call", "Treatments offered", "Conditions treated", "Insurance and payment",
                  "Prices", "Suicidal ideation", "Accepting new patients", "Nurse anesthetist (CRNA)",
                  "NPI Registry: authorised official", "Last confirmed", "last checked by a person"):
        assert words in page, words
    crisis = tab.locator("p.crisis-notice")
    assert crisis.count() == 1 and crisis.is_visible() and "988" in crisis.inner_text()
    assert tab.locator("details.evidence q").count() >= 20
    assert "as of" in tab.locator("small.price-as-of").first.inner_text()
    assert "This copy of the directory has no address for reports yet." in page
    assert tab.locator("a[href^='mailto:']").count() == 0
    keep_screenshot(tab, "clinic-page-no-contact")
    tab.context.close()


def test_an_accepted_correction_shows_as_checked_by_a_person(demo_db, tmp_path, browser):  # noqa: F811
    """A maintainer accepts a reader's correction: the clinic's page shows the corrected fact with the reader's note,
    marked as checked by a person and linked to the correction, and the day a person checked the listing."""
    from clinics.corrections import add_correction, decide_correction

    db_path = tmp_path / "clinics.db"
    shutil.copy(demo_db, db_path)
    clinic = clinic_id(db_path, "Pacific Ketamine%")
    added = add_correction(str(db_path), clinic, "language:Spanish", "yes",
                           "Their front desk told me on 2026-11-20 that two nurses speak Spanish", "reader@example.org")
    decide_correction(str(db_path), added.correction_id, "accept", "maintainer@example.org", "phoned the clinic")
    tab = open_tab(browser, {"width": 390, "height": 844})
    with served(db_path) as base:
        tab.goto(f"{base}/clinic/{clinic}")
        fact = tab.locator("ul.clinic-facts li", has_text="Language spoken: Spanish").first
        assert fact.is_visible() and "checked by a person" in fact.inner_text()
        fact.locator("summary").click()
        assert "two nurses speak Spanish" in fact.locator("q").inner_text()
        assert fact.locator(f"a[href='/clinics/corrections/{added.correction_id}']").is_visible()
        checked = tab.inner_text("p.clinic-checked")
        assert "last checked by a person: never" not in checked and "today" in checked.split("person:", 1)[1]
        keep_screenshot(tab, "clinic-corrected")
    tab.context.close()


def test_a_script_in_a_scraped_name_is_shown_as_text_on_both_views(demo_db, site, browser):  # noqa: F811
    tab = open_tab(browser, {"width": 1280, "height": 900})
    clinic = clinic_id(demo_db, "%<script>%")
    tab.goto(f"{site}/clinic/{clinic}")
    assert '<script>alert("x")</script>' in tab.inner_text("h1") and '<script>alert("x")</script>' in tab.title()
    tab.locator("a", has_text="All columns (for analysts)").click()
    tab.wait_for_url(f"**/clinics/clinics/{clinic}")
    assert '<script>alert("x")</script>' in tab.inner_text("p.patient-view")
    assert '<script>alert("x")</script>' in tab.inner_text("table.rows-and-columns")
    assert not tab.dialogs, "no script ran"
    tab.context.close()
