"""Datasette over the demo database, through its test client: search, facets, clinic pages, canned queries."""

from __future__ import annotations

import json

import pytest
from datasette.app import Datasette

from clinics.serving import metadata_for, settings


@pytest.fixture
def datasette(demo_db):
    return Datasette([str(demo_db)], metadata=metadata_for(str(demo_db)), settings=settings())


async def get_json(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
    return response.json()


@pytest.mark.asyncio
@pytest.mark.parametrize("term, key", [("PTSD", "ptsd"), ("Spravato", "intranasal_esketamine"),
                                       ("esketamine", "intranasal_esketamine"), ("infusion", "iv_infusion")])
async def test_full_text_search_finds_clinics_by_fact(datasette, term, key):
    rows = await get_json(datasette, f"/clinics/clinics.json?_search={term}&_shape=array&_size=max")
    assert rows, f"no clinic found for {term}"
    for row in rows:
        offered = json.loads(row["routes"]) + json.loads(row["conditions"])
        assert key in offered or term.lower() in row["name"].lower(), row["name"]


@pytest.mark.asyncio
async def test_facets_by_city_route_and_condition(datasette):
    data = await get_json(datasette, "/clinics/clinics.json?_size=0")
    facets = data["facet_results"]
    assert {"city", "routes", "condition_families"} <= set(facets)
    routes = {item["value"] for item in facets["routes"]["results"]}
    assert {"iv_infusion", "intranasal_esketamine"} <= routes
    # single conditions are a facet on request (a default facet over them cost 0.3 s at 100,000 clinics)
    detailed = (await get_json(datasette, "/clinics/clinics.json?_size=0&_facet_keys=conditions"))["facet_results"]
    assert {"ptsd", "suicidal_ideation"} <= {item["value"] for item in detailed["conditions"]["results"]}


@pytest.mark.asyncio
async def test_route_facet_counts_match_the_rows_its_link_selects(datasette):
    facet = (await get_json(datasette, "/clinics/clinics.json?_size=0"))["facet_results"]["routes"]
    assert facet["type"] == "keys"
    iv = next(item for item in facet["results"] if item["value"] == "iv_infusion")
    path = iv["toggle_url"].split("localhost", 1)[-1].replace("_size=0&", "")
    selected = await get_json(datasette, path + "&_shape=array&_size=max")
    assert len(selected) == iv["count"] and all("iv_infusion" in json.loads(r["routes"]) for r in selected)


@pytest.mark.asyncio
async def test_clinic_page_links_to_its_facts_with_evidence(datasette, demo_db):
    import sqlite3

    clinic_id, = sqlite3.connect(demo_db).execute(
        "select clinic_id from clinic_routes group by clinic_id order by count(*) desc limit 1").fetchone()
    page = await datasette.client.get(f"/clinics/clinics/{clinic_id}")
    assert page.status_code == 200 and "clinic_routes" in page.text and "prices" in page.text
    facts = await get_json(datasette, f"/clinics/clinic_routes.json?clinic_id={clinic_id}&_shape=array")
    assert facts and all(f["evidence"] and f["source_url"].startswith("http://127.0.0.") for f in facts)


@pytest.mark.asyncio
async def test_clinic_page_shows_every_source_and_its_possible_duplicate(datasette, demo_db):
    """Lone Star (Travis County) is listed by NPI, OSM and the directory, and may be Austin Ketamine Center."""
    import sqlite3

    db = sqlite3.connect(demo_db)
    clinic_id, = db.execute("select id from clinics where name like 'Lone Star Ketamine%'").fetchone()
    other_id, = db.execute("select id from clinics where name = 'Austin Ketamine Center'").fetchone()
    for path in (f"/clinic/{clinic_id}", f"/clinics/clinics/{clinic_id}"):  # the patient's page and the analysts'
        page = await datasette.client.get(path)
        text = page.text
        assert page.status_code == 200 and "Where this listing comes from" in text
        for words, source in (("NPI Registry (NPPES)", "npi_registry"), ("OpenStreetMap", "osm"),
                              ("A clinic directory", "directory")):
            assert f"<strong>{words}</strong> <small>({source} " in text, source
        assert "matched by: same phone" in text or "matched by: same website" in text
        assert "Might be the same clinic as" in text and f'href="/clinic/{other_id}"' in text
    pairs = await get_json(datasette, "/clinics/possible_duplicates.json?_shape=array")
    assert {(p["clinic_id"], p["other_id"]) for p in pairs} & {(clinic_id, other_id), (other_id, clinic_id)}
    compared = await datasette.client.get(f"/compare?id={clinic_id}&id={other_id}")
    assert compared.status_code == 200 and "Austin Ketamine Center" in compared.text, "a person compares the pair"


@pytest.mark.asyncio
@pytest.mark.parametrize("path", [
    "/clinics/clinics_for_route_and_condition.json?route=iv_infusion&condition=depression",
    "/clinics/lowest_price_per_route.json?",
    "/clinics/price_per_infusion_by_city.json?",
    "/clinics/spravato_coverage_share.json?",
    "/clinics/changes_since.json?since=2020-01-01",
    "/clinics/clinics_near_zip.json?zip=92618&miles=25",
    "/clinics/lowest_prices.json?",
    "/clinics/clinic_comparison.json?",
    "/clinics/price_history.json?",
    "/clinics/search_clinics.json?q=ptsd",
])
async def test_canned_queries_and_views_answer(datasette, path):
    rows = await get_json(datasette, path + "&_shape=array")
    assert rows, f"{path} returned no rows on the demo database"


@pytest.mark.asyncio
async def test_route_for_condition_query_returns_only_matching_clinics(datasette):
    rows = await get_json(datasette, "/clinics/clinics_for_route_and_condition.json?route=intranasal_esketamine"
                                     "&condition=depression&_shape=array")
    assert rows and all(r["route_evidence"] and r["condition_evidence"] for r in rows)


@pytest.mark.asyncio
async def test_near_zip_is_sorted_and_bounded(datasette):
    rows = await get_json(datasette, "/clinics/clinics_near_zip.json?zip=92660&miles=10&_shape=array")
    miles = [r["miles_away"] for r in rows]
    assert miles == sorted(miles) and all(m <= 10 for m in miles)


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/", "/clinics", "/clinics/clinics", "/clinics/prices", "/clinics/sources",
                                  "/clinics/clinic_comparison", "/clinics/clinics.csv"])
async def test_pages_render(datasette, path):
    response = await datasette.client.get(path)
    assert response.status_code == 200, path


@pytest.mark.asyncio
async def test_home_page_says_not_medical_advice_and_names_988(datasette):
    text = (await datasette.client.get("/")).text
    assert "not medical advice" in text.lower() and text.count("988") == 1, "said once, on every page's foot"


@pytest.mark.asyncio
async def test_scraped_markup_is_shown_as_text_on_every_page(datasette, demo_db):
    import sqlite3

    clinic_id, name = sqlite3.connect(demo_db).execute(
        "select id, name from clinics where name like '%<script>%'").fetchone()
    assert "<script>" in name, "the sample web carries an injection attempt in a clinic name"
    for path in (f"/clinic/{clinic_id}", f"/clinics/clinics/{clinic_id}", "/clinics/clinics",
                 "/clinics/clinics?_search=sunrise", "/clinics/clinic_comparison",
                 f"/clinics/clinic_routes?clinic_id={clinic_id}"):
        html = (await datasette.client.get(path)).text
        assert "<script>alert" not in html and "<img src=x onerror" not in html, path
    row_page = (await datasette.client.get(f"/clinics/clinics/{clinic_id}")).text
    assert "&lt;script&gt;alert" in row_page


CANNED_AND_VIEWS = ["clinics_for_route_and_condition?route=iv_infusion&condition=ptsd", "lowest_price_per_route?",
                    "price_per_infusion_by_city?", "spravato_coverage_share?", "changes_since?since=2020-01-01",
                    "clinics_near_zip?zip=92618&miles=25&route=&condition=", "search_clinics?q=spravato",
                    "lowest_prices?", "clinic_comparison?", "price_history?", "possible_duplicates?",
                    "source_summary?"]


@pytest.mark.asyncio
@pytest.mark.parametrize("path", CANNED_AND_VIEWS)
async def test_every_canned_query_and_view_exports_json_and_csv(datasette, path):
    name, _, query = path.partition("?")
    as_json = await datasette.client.get(f"/clinics/{name}.json?{query}&_shape=array")
    as_csv = await datasette.client.get(f"/clinics/{name}.csv?{query}")
    assert as_json.status_code == 200 and as_csv.status_code == 200
    rows = as_json.json()
    lines = [line for line in as_csv.text.splitlines() if line]
    assert rows and len(lines) >= 2, f"{name} exports rows"
    assert lines[0].split(",")[0] == list(rows[0])[0], "CSV header is the query's columns"


@pytest.mark.asyncio
async def test_published_site_is_read_only(datasette):
    response = await datasette.client.post("/clinics/-/query", data={"sql": "delete from clinics"})
    assert response.status_code in (403, 404, 405)
    denied = await datasette.client.get("/clinics.json?sql=delete+from+clinics")
    assert denied.status_code in (400, 403) or "error" in denied.text.lower()


@pytest.mark.asyncio
async def test_a_database_under_another_name_is_served_with_the_same_pages(demo_db, tmp_path):
    """`clinics serve --db other.db` publishes it as `other`: the home and compare pages follow the name."""
    import shutil

    other = tmp_path / "other.db"
    shutil.copy(demo_db, other)
    ds = Datasette([str(other)], metadata=metadata_for(str(other)), settings=settings())
    home = await ds.client.get("/")
    assert home.status_code == 200 and 'href="/other/clinics"' in home.text
    assert (await ds.client.get("/compare?q=ketamine")).status_code == 200
    facets = (await get_json(ds, "/other/clinics.json?_size=0"))["facet_results"]
    assert facets["routes"]["type"] == "keys", "the metadata follows the database's name"


@pytest.mark.asyncio
async def test_the_stored_facet_counts_are_what_counting_the_rows_gives(datasette):
    """The unfiltered table page reads facet_counts (written by every build); a filter that keeps every row makes
    Datasette count them live: both must say the same."""
    stored = (await get_json(datasette, "/clinics/clinics.json?_size=0"))["facet_results"]
    counted = (await get_json(datasette, "/clinics/clinics.json?_size=0&id__notblank=1"))["facet_results"]
    assert set(stored) == set(counted) and len(stored) >= 9
    for name, facet in stored.items():
        as_counted = {(r["value"], r["count"]) for r in counted[name]["results"]}
        assert {(r["value"], r["count"]) for r in facet["results"]} == as_counted, name


@pytest.mark.asyncio
@pytest.mark.parametrize("query", ["", "&region=Orange+County%2C+CA"])  # the stored counts, then live ones
async def test_facets_show_words_and_select_by_key(datasette, query):
    facets = (await get_json(datasette, f"/clinics/clinics.json?_size=0{query}"))["facet_results"]
    iv = next(r for r in facets["routes"]["results"] if r["value"] == "iv_infusion")
    assert iv["label"] == "IV infusion" and "routes__arraycontains=iv_infusion" in iv["toggle_url"]
    assert {r["label"] for r in facets["spravato_rems"]["results"]} <= {"yes", "no"}
    assert {r["label"] for r in facets["condition_families"]["results"]} >= {"PTSD", "Depression"}


@pytest.mark.asyncio
@pytest.mark.parametrize("words", ['"', '""', " ", "", '" "'])
async def test_a_search_of_only_quotes_or_spaces_is_no_error(datasette, words):
    table = await datasette.client.get("/clinics/clinics", params={"_search": words})
    ranked = await datasette.client.get("/clinics/search_clinics", params={"q": words})
    assert table.status_code == 200 and "syntax error" not in table.text
    assert ranked.status_code == 200 and "syntax error" not in ranked.text


@pytest.mark.asyncio
async def test_every_canned_query_has_a_title_and_description_and_its_page_is_titled_by_them(datasette):
    """A canned query's page and browser tab say what it answers, not its SQL."""
    queries = metadata_for("clinics.db")["databases"]["clinics"]["queries"]
    for name, query in queries.items():
        assert query.get("title") and (query.get("description") or query.get("description_html")), name
        page = (await datasette.client.get(f"/clinics/{name}")).text
        title = page.split("<title>", 1)[1].split("</title>", 1)[0]
        assert title.startswith(query["title"].replace("&", "&amp;")) and "select" not in title.lower(), (name, title)


def test_metadata_yml_defines_each_key_once():
    """YAML keeps the last of two equal keys silently: a column described twice loses one description unseen."""
    from pathlib import Path

    import yaml

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        keys = [loader.construct_object(key, deep=deep) for key, _ in node.value]
        duplicates = {key for key in keys if keys.count(key) > 1}
        assert not duplicates, f"defined twice at line {node.start_mark.line + 1}: {duplicates}"
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    path = Path(__file__).parent.parent / "datasette_config" / "metadata.yml"
    assert yaml.load(path.read_text(encoding="utf-8"), Loader=Strict)["databases"]["clinics"]["queries"]
