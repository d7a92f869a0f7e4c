"""The front door's results page (/find): plain words become filters, a ZIP gives nearest first, every
input is data, and each card says what a person needs before calling."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlparse

import pytest
from datasette.app import Datasette

from clinics.serving import metadata_for, settings
from core.find import read_search


def site(db_path) -> Datasette:
    return Datasette([str(db_path)], metadata=metadata_for(str(db_path)), settings=settings())


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="card">(.*?)</li>', html, re.S)


def chip(html: str, words: str) -> tuple[str, bool, int | None] | None:
    """A filter chip by its words: where a tap leads, whether it is chosen, and the count it shows."""
    found = re.search(r'<a href="([^"]+)" class="(on|)"><span class="visually-hidden">(?:Remove|Add) filter: </span>'
                      + re.escape(words) + r'(?: <span class="count">\((\d+))?', html)
    if not found:
        return None
    return found.group(1).replace("&amp;", "&"), found.group(2) == "on", found.group(3) and int(found.group(3))


def test_plain_words_are_read_as_routes_conditions_insurers_cities_and_a_zip():
    found = read_search("IV for PTSD in Irvine, Aetna 92618", known_payers=["Aetna"], known_cities=["Irvine"])
    assert (found.routes, found.conditions, found.payers, found.cities, found.zip, found.words) == (
        ["iv_infusion"], ["ptsd"], ["Aetna"], ["Irvine"], "92618", [])
    assert read_search("ketamine shot").routes == ["im_injection"]
    assert read_search("ketamine therapy for depression").routes == [], '"therapy" alone is no route'
    assert read_search('harbor "mind" OR NEAR(x*').fts_query() == '"harbor"* "mind"* "or"* "x"*', "quoted terms only"


@pytest.mark.asyncio
async def test_words_become_filters_in_the_url_and_every_card_matches_them(demo_db):
    ds = site(demo_db)
    response = await ds.client.get("/find?q=IV+for+PTSD+in+Irvine")
    assert response.status_code == 302
    target = response.headers["location"]
    assert sorted(parse_qsl(urlparse(target).query)) == [("city", "Irvine"), ("condition", "ptsd"),
                                                         ("route", "iv_infusion")]
    page = (await ds.client.get(target)).text
    found = cards(page)
    assert found and all("Irvine" in card and "IV infusion" in card and "PTSD" in card for card in found)
    assert chip(page, "IV infusion")[1], "the route read from the words is a chosen filter"


@pytest.mark.asyncio
async def test_a_zip_gives_the_nearest_first_within_the_radius(demo_db):
    page = (await site(demo_db).client.get("/find?zip=92618&miles=25")).text
    miles = [float(m) for m in re.findall(r"([\d.]+) miles away", page)]
    assert miles and miles == sorted(miles) and max(miles) <= 25
    assert "nearest first" in page


@pytest.mark.asyncio
async def test_an_unknown_zip_says_so_and_suggests_the_nearest_known(demo_db):
    page = (await site(demo_db).client.get("/find?zip=99999")).text
    assert "We don&#39;t know the ZIP code 99999. The nearest we know is" in page
    assert not cards(page)


@pytest.mark.asyncio
@pytest.mark.parametrize("words", ['"', '""', "'", "*", "OR", "NEAR(a b)", "a AND NOT b", "<script>alert(1)</script>",
                                   "'; drop table clinics; --", "x" * 5000, "%00", "ketamine^2 {col}:x"])
async def test_any_search_is_data_never_an_error(demo_db, words):
    ds = site(demo_db)
    response = await ds.client.get("/find", params={"q": words})
    if response.status_code == 302:
        response = await ds.client.get(response.headers["location"])
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "clinic" in response.text.lower()


@pytest.mark.asyncio
async def test_a_card_gives_the_phone_as_a_link_confirmation_in_words_and_escapes_names(demo_db):
    page = (await site(demo_db).client.get("/find?q=sunrise")).text
    [card] = cards(page)
    assert "&lt;script&gt;" in card and "<script>" not in card, "the planted script name is shown as text"
    assert re.search(r'href="tel:\+1\d{10}">\(\d{3}\) \d{3}-\d{4}</a>', card)
    assert re.search(r"Last confirmed <time[^>]*>(today|yesterday|\d+ days ago)</time>", card)
    assert "Add to compare" in card


@pytest.mark.asyncio
async def test_each_filter_is_one_tap_to_add_or_remove(demo_db):
    ds = site(demo_db)
    page = (await ds.client.get("/find?route=iv_infusion")).text
    href, on, _ = chip(page, "IV infusion")
    assert on and "route=iv_infusion" not in href, "tapping it removes it"
    href, on, _ = chip(page, "Takes insurance")
    assert not on and "insurance=1" in href and "route=iv_infusion" in href


@pytest.mark.asyncio
async def test_the_home_page_starts_with_a_search(demo_db):
    page = (await site(demo_db).client.get("/")).text
    assert 'action="/find"' in page and 'name="zip"' in page and 'name="q"' in page


@pytest.mark.asyncio
@pytest.mark.parametrize("start", ["/find", "/find?zip=92618&miles=50", "/find?route=iv_infusion"])
async def test_the_count_beside_each_filter_is_how_many_cards_tapping_it_leaves(demo_db, start):
    ds = site(demo_db)
    page = (await ds.client.get(start)).text
    offered = re.findall(r'<a href="([^"]+)" class=""><span class="visually-hidden">Add filter: </span>([^<]+?) '
                         r'<span class="count">\((\d+)', page)
    kinds = {parse_qsl(urlparse(href.replace("&amp;", "&")).query)[-1][0] for href, _, _ in offered}
    assert {"route", "condition", "payer", "max_price", "telehealth"} <= kinds, kinds
    for href, words, count in offered:
        after = (await ds.client.get(href.replace("&amp;", "&"))).text
        assert len(cards(after)) == int(count), f"{words}: said {count}"


@pytest.mark.asyncio
async def test_language_and_price_filters_keep_only_clinics_that_say_so(demo_db):
    import sqlite3

    db = sqlite3.connect(demo_db)
    spanish = {name for name, in db.execute("select name from clinics, json_each(languages) j where status = 'active' "
                                            "and j.value = 'Spanish'")}
    page = (await site(demo_db).client.get("/find?language=Spanish")).text
    assert spanish and {re.search(r'">(.*?)</a></h2>', c).group(1) for c in cards(page)} == {
        n.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") for n in spanish}
    assert chip(page, "Speaks Spanish")[1]
    cheap = (await site(demo_db).client.get("/find?max_price=300")).text
    prices = [int(p) for p in re.findall(r"From \$(\d+) a session", cheap)]
    assert prices and max(prices) <= 300 and len(prices) == len(cards(cheap))
    assert chip(cheap, "Up to $300 a session")[1]


@pytest.mark.asyncio
async def test_a_radius_is_one_tap_to_change_or_remove(demo_db):
    page = (await site(demo_db).client.get("/find?zip=92618&miles=5")).text
    href, on, _ = chip(page, "Within 5 miles of 92618")
    assert on and "zip" not in href and "miles" not in href
    wider = re.search(r'<a href="([^"]+)">Within 50 miles</a>', page).group(1).replace("&amp;", "&")
    assert ("miles", "50") in parse_qsl(urlparse(wider).query) and ("zip", "92618") in parse_qsl(urlparse(wider).query)
    assert len(cards((await site(demo_db).client.get(wider)).text)) > len(cards(page))


@pytest.mark.asyncio
async def test_clinics_chosen_to_compare_stay_in_the_url_and_lead_to_compare(demo_db):
    ds = site(demo_db)
    url = "/find?q=ketamine"
    chosen = []
    for _ in range(3):
        page = (await ds.client.get(url)).text
        add = re.findall(r'<a class="action" href="([^"]+)" aria-label="Add (.*?) to compare">', page)[0]
        url, chosen = add[0].replace("&amp;", "&"), [*chosen, add[1]]
    page = (await ds.client.get(url)).text
    compare = re.search(r'<a href="(/compare\?[^"]+)">Compare the 3 clinics you chose</a>', page).group(1)
    ids = [v for k, v in parse_qsl(urlparse(compare.replace("&amp;", "&")).query) if k == "id"]
    assert len(ids) == 3 and len(re.findall(r"Chosen to compare", page)) == 3
    compared = (await ds.client.get(compare.replace("&amp;", "&"))).text
    assert all(name in compared for name in chosen)


@pytest.mark.asyncio
@pytest.mark.parametrize("query", ["language=%22%3E%3Cscript%3E", "max_price=-1", "max_price=abc", "miles=1e309",
                                   "miles=-5&zip=92618", "compare=%27%22%3C&compare=x", "route=nope&condition=%00",
                                   "payer=" + "x" * 3000, "zip=9261%22", "city=%3Cb%3E"])
async def test_hostile_filters_are_data(demo_db, query):
    response = await site(demo_db).client.get("/find?" + query)
    assert response.status_code == 200
    assert "\"><script>" not in response.text and "<b>" not in response.text.split("<h1>")[1]


@pytest.mark.asyncio
async def test_the_map_gets_each_card_and_the_radius_as_data_not_markup(demo_db):
    page = (await site(demo_db).client.get("/find?zip=92618&miles=10")).text
    data = json.loads(re.search(r"const data = (\{.*?\});", page).group(1))
    assert data["origin"] and data["miles"] == 10 and len(data["clinics"]) == len(cards(page))
    sunrise = (await site(demo_db).client.get("/find?q=sunrise")).text
    assert "<script>alert" not in sunrise.split('id="results-map"')[1], "the scraped name is escaped in the JSON"


@pytest.mark.asyncio
async def test_words_near_a_zip_still_give_the_nearest_first(demo_db):
    page = (await site(demo_db).client.get("/find?q=ketamine+wellness&zip=92618&miles=50")).text
    miles = [float(m) for m in re.findall(r"([\d.]+) miles away", page)]
    assert len(miles) >= 2 and miles == sorted(miles)


@pytest.mark.asyncio
async def test_a_search_that_runs_out_of_time_is_said_plainly_not_an_error_page():
    from datasette.database import QueryInterrupted

    from datasette_config.plugins.find import find_context

    class BusyDatabase:
        async def execute(self, sql, params=None, **limits):
            raise QueryInterrupted(None, sql, params)

    context = await find_context(BusyDatabase(), [("route", "iv_infusion")], read_search(""))
    assert context["too_slow"] and context["cards"] == [] and context["counts"] is None
