"""Compare (/compare): two to five clinics side by side, what to know before calling first, every value opening
onto the sentence and page it came from (a disclosure: phones have no hover), usable at phone size, every input
data, and the same few queries whatever the number of clinics compared."""

from __future__ import annotations

import html
import re
import sqlite3
from urllib.parse import parse_qsl, urlparse

import pytest
from datasette.app import Datasette

from clinics.serving import metadata_for, settings
from datasette_config.plugins.compare_columns import CLINIC_SQL, FACT_SQL
from tests.front_door_support import (
    SIZES,
    keep_screenshot,
    open_tab,
    scrolls_sideways,
    serious_violations,
    small_tap_targets,
)
from tests.test_browser import browser, playwright_sync, served  # noqa: F401 - browser is a fixture

TAPPED = ("table.compare summary, table.compare a, .compare-search input, .compare-search button, "
          ".compare-pick label, .compare-pick button")
BEFORE_YOU_CALL = ("Phone", "Who treats", "Physician-led or physician on site", "Accepting new patients",
                   "Referral required", "Consultation or screening first", "Telehealth visits",
                   "Telehealth or at-home: states served", "Certified Spravato (REMS) center", "Languages spoken",
                   "Opening hours")


def datasette_site(db_path) -> Datasette:
    """The site as `clinics serve` configures it, in this process."""
    return Datasette([str(db_path)], metadata=metadata_for(str(db_path)), settings=settings())


def active_ids(db_path, n: int, where: str = "1") -> list[str]:
    return [r[0] for r in sqlite3.connect(db_path).execute(
        f"select id from clinics where status = 'active' and {where} order by id limit {n}")]


def compare_url(ids: list[str], extra: str = "") -> str:
    return "/compare?" + "&".join(f"id={i}" for i in ids) + extra


def table_of(page: str) -> str:
    return page.split('<table class="compare"')[1].split("</table>")[0]


def row_cells(body: str, label: str) -> str:
    return re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', body, re.S).group(1)


@pytest.mark.asyncio
async def test_before_you_call_rows_come_first_each_value_opening_onto_its_sentence(demo_db):
    ids = active_ids(demo_db, 3, "id in (select clinic_id from clinic_care where key = 'consultation_required')")
    body = table_of((await datasette_site(demo_db).client.get(compare_url(ids))).text)
    rows = re.findall(r'<th scope="row">([^<]+)</th>', body)
    assert rows[:len(BEFORE_YOU_CALL)] == list(BEFORE_YOU_CALL), "before you call comes first, then the rest"
    assert body.index("Before you call") < body.index("Treatments") < body.index("Conditions treated") \
        < body.index("Insurance and payment") < body.index("Lowest listed price") < body.index("How current")
    consultation = row_cells(body, "Consultation or screening first")
    assert consultation.count("<details>") == 3 and consultation.count("<q>") == 3, "each value with its sentence"
    assert consultation.count('rel="nofollow noopener"') == 3, "and a link to the page it was read on"
    assert re.search(r'<summary class="(yes|no)">(yes|no)</summary>', consultation), "the value itself is short"
    assert not re.search(r'<(a|span|summary|td)[^>]* title="', body), "no evidence hidden in a hover title"
    assert len(re.findall(r'<a class="tel" href="tel:\+1\d{10}"><span>\(\d{3}\)</span> <span>\d{3}-\d{4}</span>',
                          body)) == 3, "the phone to dial, written as a person reads it"
    confirmed = row_cells(body, "Last confirmed by a crawl")
    assert len(re.findall(r'<time datetime="\d{4}-\d\d-\d\d[^"]*"[^>]*>(today|yesterday|\d+ (days|months) ago)</time>',
                          confirmed)) == 3


@pytest.mark.asyncio
async def test_a_route_no_compared_clinic_mentions_is_one_line_not_a_row_of_not_stated(demo_db):
    db = sqlite3.connect(demo_db)
    ids = active_ids(demo_db, 3, "id not in (select clinic_id from clinic_routes where route = 'subcutaneous')")
    body = table_of((await datasette_site(demo_db).client.get(compare_url(ids))).text)
    assert '<th scope="row">Subcutaneous ketamine</th>' not in body
    assert re.search(r"Not stated by any of these clinics: [^<]*Subcutaneous ketamine", body)
    stated = db.execute("select t.label from clinic_routes r join route_types t on t.key = r.route "
                        f"where r.clinic_id in ({','.join('?' * 3)}) limit 1", ids).fetchone()
    assert stated and f'<th scope="row">{html.escape(stated[0], quote=False)}</th>' in body


@pytest.mark.asyncio
async def test_each_clinic_is_one_tap_to_remove_and_its_name_opens_its_page(demo_db):
    ids = active_ids(demo_db, 3)
    page = (await datasette_site(demo_db).client.get(compare_url([*ids, "c000nothere"]))).text
    removes = re.findall(r'<a class="remove" href="([^"]+)">', page)
    assert len(removes) == 3
    for clinic_id, href in zip(ids, removes, strict=True):
        kept = [v for k, v in parse_qsl(urlparse(html.unescape(href)).query) if k == "id"]
        assert kept == [i for i in ids if i != clinic_id], "exactly that clinic goes; an unknown id is not carried"
    assert all(f'<a class="name" href="/clinic/{i}">' in page for i in ids)


@pytest.mark.asyncio
async def test_more_than_five_unknown_and_single_clinics_are_said_plainly(demo_db):
    ds = datasette_site(demo_db)
    ids = active_ids(demo_db, 7)
    page = (await ds.client.get(compare_url(ids))).text
    assert "Only 5 clinics can be compared at once: the first 5 are shown." in page
    assert re.findall(r'<th scope="col"><a class="name" href="/clinic/([^"]+)"', page) == ids[:5]
    page = (await ds.client.get(compare_url([ids[0], "c000nothere"]))).text
    assert "Not found in the directory: c000nothere." in page and "Add another clinic to compare" in page
    assert page.count('<th scope="col">') == 1
    page = (await ds.client.get("/compare")).text
    assert "No clinics chosen yet" in page and '<table class="compare"' not in page


@pytest.mark.asyncio
@pytest.mark.parametrize("query", ['q="', "q='", "q=NEAR(a", "q=NEAR(a b)", "q=*", "q=a OR b", "q=-x", "q=^",
                                   "q=%3Cscript%3Ealert(1)%3C/script%3E", "q=" + "x" * 5000,
                                   "id=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", "id=" + "y" * 5000, "id=,,,",
                                   "id=../../etc", "id='", "id=%00", "id=a&id=a&id=a"])
async def test_any_input_is_data(demo_db, query):
    response = await datasette_site(demo_db).client.get("/compare?" + query)
    assert response.status_code == 200
    assert "<script>alert" not in response.text and '"><script>' not in response.text
    assert "y" * 101 not in response.text, "a long id is named shortened, not repeated whole"


@pytest.mark.asyncio
async def test_a_search_finds_clinics_to_add_or_says_no_match(demo_db):
    ds = datasette_site(demo_db)
    keep = active_ids(demo_db, 1)[0]
    page = (await ds.client.get(f"/compare?id={keep}&q=pacific")).text
    assert re.search(r'<input type="checkbox" name="id" value="\w+"\s*(checked)?>\s*Pacific', page)
    assert f'<input type="checkbox" name="id" value="{keep}" checked>' in page \
        or f'<input type="hidden" name="id" value="{keep}">' in page, "the chosen clinic stays chosen"
    page = (await ds.client.get("/compare?q=zzzzqqq")).text
    assert 'No clinic matches "zzzzqqq".' in page


@pytest.mark.asyncio
async def test_the_page_asks_the_same_few_queries_for_two_clinics_or_five(demo_db):
    ds = datasette_site(demo_db)
    db = ds.get_database("clinics")
    asked: list[str] = []
    execute = db.execute

    async def counted(sql, *args, **kwargs):
        asked.append(sql)
        return await execute(sql, *args, **kwargs)

    db.execute = counted
    ids = active_ids(demo_db, 5)
    await ds.client.get(compare_url(ids[:2]))
    two, asked[:] = len(asked), []
    await ds.client.get(compare_url(ids))
    assert len(asked) == two <= 10


def test_each_query_reads_an_index_by_clinic_id(demo_db):
    db = sqlite3.connect(demo_db)
    for sql in (CLINIC_SQL, *FACT_SQL.values()):
        plan = [r[3] for r in db.execute("explain query plan " + sql.format(ids="?, ?, ?"), ["a", "b", "c"])]
        assert not [step for step in plan if step.startswith("SCAN")], f"{sql}\n{plan}"


@pytest.fixture(scope="module")
def site(demo_db):
    with served(demo_db) as base:
        yield base


@SIZES
def test_compare_three_on_a_phone_and_a_desktop(demo_db, site, browser, size):  # noqa: F811
    ids = active_ids(demo_db, 3, "lowest_price_per_session_usd is not null")
    tab = open_tab(browser, size)
    tab.goto(site + compare_url(ids))
    assert tab.locator("table.compare thead th[scope='col']").count() == 3
    for row in BEFORE_YOU_CALL[:4]:
        assert tab.locator("th[scope='row']", has_text=row).first.is_visible()
    summary = tab.locator("tr:has(th:text-is('Accepting new patients')) td details summary").first
    summary.click()
    opened = tab.locator("table.compare td details[open]")
    assert opened.count() == 1 and opened.locator("q").inner_text(), "the sentence it was read from"
    assert opened.locator("a").first.get_attribute("href").startswith("http://127.0.0."), "and its page"
    assert opened.locator("time").first.get_attribute("datetime"), "and when it was seen"
    prices = tab.locator("table.compare .price-as-of").all_text_contents()
    assert prices and all(re.fullmatch(r"As of \d{1,2} \w{3} \d{4}", p.strip()) for p in prices), "a price says its day"
    keep_screenshot(tab, f"compare-three-{size['width']}")
    assert not scrolls_sideways(tab), "the page never scrolls sideways"
    if size["width"] < 600:
        names = tab.locator("table.compare thead th[scope='col']").all()
        assert all(n.bounding_box()["x"] + n.bounding_box()["width"] <= size["width"] for n in names), \
            "three clinics fit side by side on a phone"
    assert not small_tap_targets(tab, TAPPED)
    assert not serious_violations(tab)
    assert not tab.dialogs, "no script in a scraped name ran"
    tab.context.close()


def test_clinics_found_by_a_word_are_checked_and_compared(site, browser):  # noqa: F811
    tab = open_tab(browser, {"width": 390, "height": 844})
    tab.goto(site + "/compare")
    tab.fill("#compare-q", "ketamine")
    tab.locator(".compare-search button").click()
    tab.wait_for_url("**q=ketamine**")
    boxes = tab.locator("form.compare-pick label")
    assert boxes.count() >= 3
    for n in range(3):
        boxes.nth(n).click()
    tab.locator(".compare-pick button").click()
    tab.wait_for_url("**id=*")
    columns = tab.locator("table.compare thead th[scope='col']")
    assert columns.count() == 3
    tab.locator("table.compare a.remove").first.click()
    playwright_sync.expect(columns).to_have_count(2)
    tab.context.close()


def test_five_clinics_on_a_phone_scroll_in_their_own_box(demo_db, site, browser):  # noqa: F811
    tab = open_tab(browser, {"width": 390, "height": 844})
    tab.goto(site + compare_url(active_ids(demo_db, 5)))
    box = tab.locator(".compare-scroll")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth"), "the table is wider than the phone"
    assert not scrolls_sideways(tab), "yet the page itself does not scroll sideways"
    label = tab.locator("th[scope='row']", has_text="Accepting new patients")
    before = label.bounding_box()["x"]
    box.evaluate("e => e.scrollLeft = 300")
    assert label.bounding_box()["x"] == before, "the row names stay at the left"
    assert not serious_violations(tab)
    tab.context.close()


def test_the_keyboard_alone_opens_a_value(demo_db, site, browser):  # noqa: F811
    tab = open_tab(browser, {"width": 390, "height": 844})
    tab.goto(site + compare_url(active_ids(demo_db, 2)))
    for _ in range(30):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    assert tab.evaluate("document.activeElement.tagName") == "SUMMARY", "Tab reaches a value"
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.parentElement.open"), "Enter opens it"
    assert tab.locator("table.compare details[open]").count() == 1
    tab.context.close()
