"""Compare: two to five clinics side by side, what to know before calling first, every value opening onto the
sentence and page it came from (a disclosure: phones have no hover), usable at phone size, every input data."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import parse_qsl, urlparse

import pytest

from tests.front_door_support import SIZES, keep_screenshot, open_tab, scrolls_sideways, serious_violations
from tests.test_browser import browser, served  # noqa: F401 - browser is a fixture
from tests.test_find import site as datasette_site

TAPPED = "table.compare summary, table.compare a.tel, table.compare a.remove, table.compare thead a.name"


def active_ids(db_path, n: int, where: str = "1") -> list[str]:
    return [r[0] for r in sqlite3.connect(db_path).execute(
        f"select id from clinics where status = 'active' and {where} order by id limit {n}")]


@pytest.mark.asyncio
async def test_before_you_call_rows_come_first_with_their_sentences(demo_db):
    ids = active_ids(demo_db, 3, "id in (select clinic_id from clinic_care where key = 'consultation_required')")
    page = (await datasette_site(demo_db).client.get("/compare?" + "&".join(f"id={i}" for i in ids))).text
    body = page.split('<table class="compare">')[1].split("</table>")[0]
    assert body.index("Before you call") < body.index("Treatments") < body.index("Conditions treated")
    for row in ("Phone", "Who treats", "Accepting new patients", "Referral required", "Telehealth visits",
                "Languages spoken", "Opening hours", "Certified Spravato (REMS) center"):
        assert f'<th scope="row">{row}</th>' in body
    consultation = re.search(r'<th scope="row">Consultation or screening first</th>(.*?)</tr>', body, re.S).group(1)
    assert consultation.count("<details>") == 3 and consultation.count("<q>") == 3, "each value with its sentence"
    assert not re.search(r'<(a|span|summary|td)[^>]* title="', body), "no evidence hidden in a hover title"
    assert len(re.findall(r'href="tel:\+1\d{10}"', body)) == 3


@pytest.mark.asyncio
async def test_each_clinic_is_one_tap_to_remove_and_links_to_its_page(demo_db):
    ids = active_ids(demo_db, 3)
    page = (await datasette_site(demo_db).client.get("/compare?" + "&".join(f"id={i}" for i in ids))).text
    removes = re.findall(r'<a class="remove" href="([^"]+)">', page)
    assert len(removes) == 3
    for clinic_id, href in zip(ids, removes, strict=True):
        kept = [v for k, v in parse_qsl(urlparse(href.replace("&amp;", "&")).query) if k == "id"]
        assert kept == [i for i in ids if i != clinic_id]
    assert all(f'href="/clinic/{i}"' in page for i in ids)


@pytest.mark.asyncio
async def test_more_than_five_unknown_and_single_clinics_are_said_plainly(demo_db):
    ds = datasette_site(demo_db)
    ids = active_ids(demo_db, 7)
    page = (await ds.client.get("/compare?" + "&".join(f"id={i}" for i in ids))).text
    assert "Only 5 clinics can be compared at once" in page and page.count('<th scope="col">') == 5
    page = (await ds.client.get(f"/compare?id={ids[0]}&id=c000nothere")).text
    assert "Not in the directory: c000nothere." in page and "Add another clinic to compare" in page


@pytest.mark.asyncio
@pytest.mark.parametrize("query", ['q="', "q='", "q=NEAR(a", "q=*", "q=%3Cscript%3Ealert(1)%3C/script%3E", "q=" + "x" * 5000,
                                   "id=%22%3E%3Cscript%3E", "id=" + "y" * 5000, "id=,,,", "id=../../etc"])
async def test_any_input_is_data(demo_db, query):
    response = await datasette_site(demo_db).client.get("/compare?" + query)
    assert response.status_code == 200
    assert "<script>alert" not in response.text and '"><script>' not in response.text


@pytest.mark.asyncio
async def test_a_search_with_no_match_says_so(demo_db):
    page = (await datasette_site(demo_db).client.get("/compare?q=zzzzqqq")).text
    assert "No clinic matches" in page


@pytest.fixture(scope="module")
def site(demo_db):
    with served(demo_db) as base:
        yield base


@SIZES
def test_compare_three_on_a_phone_and_a_desktop(demo_db, site, browser, size):  # noqa: F811
    ids = active_ids(demo_db, 3, "lowest_price_per_session_usd is not null")
    tab = open_tab(browser, size)
    tab.goto(site + "/compare?" + "&".join(f"id={i}" for i in ids))
    assert tab.locator("table.compare thead th[scope='col']").count() == 3
    assert tab.locator("th[scope='row']", has_text="Accepting new patients").is_visible()
    value = tab.locator("table.compare td details summary").first
    value.click()
    opened = tab.locator("table.compare td details[open]").first
    assert opened.locator("q").first.inner_text()
    assert opened.locator("a").first.get_attribute("href").startswith("http://127.0.0.")
    price = tab.locator("table.compare .price-as-of").first
    assert re.match(r"As of \d{1,2} \w{3} \d{4}; seen", price.text_content().strip()), "a price says which day it holds for"
    keep_screenshot(tab, f"compare-{size['width']}")
    assert not scrolls_sideways(tab), "the table scrolls in its own box; the page does not"
    small = tab.evaluate("""sel => [...document.querySelectorAll(sel)].filter(e => e.offsetParent !== null)
        .filter(e => e.getBoundingClientRect().height < 44).length""", TAPPED)
    assert small == 0
    assert not serious_violations(tab)
    tab.context.close()


def test_the_keyboard_alone_opens_a_value(demo_db, site, browser):  # noqa: F811
    tab = open_tab(browser, {"width": 390, "height": 844})
    tab.goto(site + "/compare?" + "&".join(f"id={i}" for i in active_ids(demo_db, 2)))
    for _ in range(30):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    tab.keyboard.press("Enter")
    assert tab.locator("table.compare details[open]").count() == 1
    tab.context.close()
