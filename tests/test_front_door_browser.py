"""The front door as a person uses it, in headless Chromium at phone and desktop sizes: search in words from
the home page, filter with one tap, near a ZIP with its radius on a map, choose three clinics and compare them.
Each journey keeps a screenshot under test-artifacts/screenshots/ and is checked by axe-core."""

from __future__ import annotations

import pytest

from tests.front_door_support import SIZES, keep_screenshot, looks_right, open_tab
from tests.test_browser import browser, served  # noqa: F401 - browser is a fixture

TAPPED = ".find-form button, .find-form input, .find-form select, .filters a, .card a, .compare-bar a, summary"


@pytest.fixture(scope="module")
def site(demo_db):
    with served(demo_db) as base:
        yield base


@SIZES
def test_a_search_in_words_from_the_home_page_finds_clinics_nearest_first(site, tab, size):
    tab.goto(site + "/")
    looks_right(tab, f"home-{size['width']}", TAPPED)
    box = tab.locator("#find-q")
    assert box.bounding_box()["y"] + box.bounding_box()["height"] <= size["height"], "the search is on screen"
    box.fill("IV for PTSD")
    tab.fill("#find-zip", "92618")
    tab.locator(".find-form button").click()
    tab.wait_for_url("**route=iv_infusion**")
    assert "condition=ptsd" in tab.url and "zip=92618" in tab.url
    first = tab.locator(".card").first
    assert first.is_visible() and first.bounding_box()["y"] < size["height"], "the first result on the first screen"
    assert "miles away" in first.inner_text() and "IV infusion" in first.inner_text()
    looks_right(tab, f"results-{size['width']}", TAPPED)


@SIZES
def test_a_filter_is_one_tap_to_add_with_its_count_and_one_to_remove(site, tab, size):
    tab.goto(site + "/find?route=iv_infusion&zip=92618")
    tab.locator(".filter-panel summary").click()
    offer = tab.locator(".filter-panel a", has_text="Telehealth")
    count = int(offer.locator(".count").inner_text().strip("()").split()[0])
    offer.click()
    tab.wait_for_url("**telehealth=1**")
    assert tab.locator(".card").count() == count
    looks_right(tab, f"filtered-{size['width']}", TAPPED)
    tab.locator(".chosen a", has_text="IV infusion").click()
    tab.wait_for_load_state()
    assert "route=iv_infusion" not in tab.url and "zip=92618" in tab.url and "telehealth=1" in tab.url


@SIZES
def test_near_a_zip_the_map_draws_the_radius_and_each_clinic_links_to_its_page(site, tab, size):
    tab.goto(site + "/find?zip=92618&miles=10")
    tab.wait_for_selector("#results-map path.leaflet-interactive")
    markers = tab.locator("#results-map path.leaflet-interactive")
    assert markers.count() == tab.locator(".card").count() + 1, "one marker per card, and the radius"
    assert all("127.0.0.1" not in url for url in tab.blocked), "only map tiles, off loopback, are refused"
    looks_right(tab, f"near-zip-{size['width']}", TAPPED)
    markers.last.dispatch_event("click")
    link = tab.locator(".leaflet-popup-content a")
    assert link.get_attribute("href").startswith("/clinic/") and link.inner_text()


@SIZES
def test_choose_three_clinics_from_the_results_and_compare_them(site, tab, size):
    tab.goto(site + "/find?q=ketamine")
    names = []
    for _ in range(3):
        add = tab.locator(".card a.action", has_text="Add to compare").first
        names.append(add.get_attribute("aria-label").removeprefix("Add ").removesuffix(" to compare"))
        add.click()
        tab.wait_for_load_state()
    looks_right(tab, f"chosen-three-{size['width']}", TAPPED)
    tab.locator(".compare-bar a").click()
    tab.wait_for_url("**/compare?**")
    assert tab.url.count("id=") == 3
    text = tab.inner_text("body")
    assert all(name in text for name in names)
    keep_screenshot(tab, f"compare-three-{size['width']}")


def test_the_keyboard_alone_reaches_the_search_the_filters_and_a_clinic(site, browser):  # noqa: F811
    tab = open_tab(browser, {"width": 1280, "height": 900})
    tab.goto(site + "/find?route=iv_infusion")
    seen = []
    for _ in range(40):
        tab.keyboard.press("Tab")
        seen.append(tab.evaluate("document.activeElement.id || document.activeElement.className || "
                                 "document.activeElement.tagName"))
        if tab.evaluate("document.activeElement.closest('.card') !== null"):
            break
    assert "find-q" in seen and "on" in seen, f"the search box and the chosen filter are reached: {seen}"
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/clinic/**")
    tab.context.close()
