"""What the front door's browser tests share: a tab at phone or desktop size that may only reach loopback, a
screenshot of each journey kept under test-artifacts/screenshots/, and axe-core's serious findings."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.test_browser import SCREENSHOTS

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])


def open_tab(browser, size: dict):
    """A tab of this size; requests off loopback (map tiles) are refused and listed in ``tab.blocked``; a
    dialog (a script that ran) is listed in ``tab.dialogs``."""
    context = browser.new_context(viewport=size)
    tab = context.new_page()
    tab.size, tab.blocked, tab.dialogs = size, [], []

    def guard(route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            tab.blocked.append(route.request.url)
            route.abort()

    tab.route("**/*", guard)
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    return tab


def keep_screenshot(tab, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def serious_violations(tab) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def looks_right(tab, name: str, tapped: str) -> None:
    """What every page of the front door must be at this size: no sideways scroll, targets under ``tapped`` a
    finger can hit, no serious or critical axe-core finding. The screenshot is kept."""
    keep_screenshot(tab, name)
    assert not scrolls_sideways(tab), "nothing scrolls sideways"
    assert not small_tap_targets(tab, tapped)
    assert not serious_violations(tab)


def scrolls_sideways(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def small_tap_targets(tab, selector: str) -> list[str]:
    """Visible links and buttons under ``selector`` less than 44 px tall: too small for a finger."""
    return tab.evaluate("""sel => [...document.querySelectorAll(sel)].filter(e => e.offsetParent !== null)
        .filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML.slice(0, 80))""", selector)
