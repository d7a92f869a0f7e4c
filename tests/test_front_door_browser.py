"""The front door as a person uses it, in headless Chromium at phone and desktop sizes: search in words from
the home page, filter with one tap, see the first result on the first screen of a phone. Screenshots are
saved under test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tests.test_browser import SCREENSHOTS, browser, served  # noqa: F401 - browser is a fixture

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def site(demo_db):
    with served(demo_db) as base:
        yield base


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def page(browser, request):  # noqa: F811 - the fixture imported above
    context = browser.new_context(viewport=request.param)
    tab = context.new_page()
    tab.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    tab.size = request.param
    yield tab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=False)
    context.close()


def test_a_search_in_words_from_the_home_page_finds_clinics_nearest_first(site, page):
    page.goto(site + "/")
    box = page.locator("#find-q")
    assert box.bounding_box()["y"] + box.bounding_box()["height"] <= page.size["height"], "the search is on screen"
    box.fill("IV for PTSD")
    page.fill("#find-zip", "92618")
    page.locator(".find-form button").click()
    page.wait_for_url("**route=iv_infusion**")
    assert "condition=ptsd" in page.url and "zip=92618" in page.url
    first = page.locator(".card").first
    assert first.is_visible()
    assert first.bounding_box()["y"] < page.size["height"], "the first result is on the first screen"
    assert "miles away" in first.inner_text() and "IV infusion" in first.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.size["width"], "nothing scrolls sideways"


def test_a_filter_is_one_tap_to_remove(site, page):
    page.goto(site + "/find?route=iv_infusion&zip=92618")
    chip = page.locator(".chosen a", has_text="IV infusion")
    assert chip.bounding_box()["height"] >= 44, "a tap target a finger can hit"
    chip.click()
    page.wait_for_load_state()
    assert "route=iv_infusion" not in page.url and "zip=92618" in page.url
