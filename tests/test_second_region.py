"""A second region, Travis County, TX, crawled from the sample web as a user would, then checked against labels:
every source, identity across sources, geography, and a database that holds two regions at once."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from core.regions import resolve
from sample_web.server import DEFAULT_ROOT
from tests.sample_web_expectations import HOSTS, compare, summary
from tests.test_recrawl import CLINICS, query

REGION = "Travis County, TX"
IDENTITY = json.loads((DEFAULT_ROOT / "expected_identity.json").read_text())[REGION]


@pytest.fixture(scope="module")
def travis_db(tmp_path_factory, sample_web) -> Path:
    db_path = tmp_path_factory.mktemp("travis") / "clinics.db"
    done = run_crawl(sample_web, db_path, REGION)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return db_path


def run_crawl(web, db_path: Path, region: str, *args: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([CLINICS, "crawl", "--region", region, "--db", str(db_path), *args], capture_output=True,
                          text=True, timeout=300, check=False, env={**os.environ, "CLINICS_SAMPLE_WEB": web.api_base})


def source_ids(db_path: Path, clinic_id: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in query(db_path, "select source, source_id, source_url from sources where clinic_id = ?", (clinic_id,)):
        out.setdefault(row["source"], set()).add(row["source_id"])
    return out


def test_facts_of_the_second_region_match_its_labels(travis_db):
    report = compare(str(travis_db), region=REGION)
    text = summary(report)
    for kind in ("clinic", "routes", "conditions", "services", "payment", "prices"):
        tp = report["tp"].get(kind, 0)
        fp = len(report["fp"].get(kind, [])) + len(report["wrong"].get(kind, []))
        fn = len(report["fn"].get(kind, [])) + len(report["wrong"].get(kind, []))
        assert tp + fp == 0 or tp / (tp + fp) >= 0.9, text
        assert tp + fn == 0 or tp / (tp + fn) >= 0.9, text


def test_each_clinic_is_one_row_with_every_source_that_lists_it(travis_db):
    clinics = query(travis_db, "select * from clinics where status = 'active'")
    assert len(clinics) == len(IDENTITY["clinics"]), [c["name"] for c in clinics]
    for expected in IDENTITY["clinics"]:
        matches = [c for c in clinics if c["zip"] == expected["zip"]
                   and (c["suite"] or "") == (expected.get("suite") or "").replace("Suite ", "")
                   and c["street"].split()[0] == expected["street"].split()[0]]
        assert len(matches) == 1, (expected["key"], matches)
        linked = source_ids(travis_db, matches[0]["id"])
        for source, ids in expected["sources"].items():
            for wanted in ids:
                assert any(_same_source_id(source, wanted, got) for got in linked.get(source, ())), \
                    (expected["key"], source, wanted, linked)


def _same_source_id(source: str, labelled: str, stored: str) -> bool:
    """Labels write a directory entry as its page path and a seed as {{site:SLUG}}/; stored ids are full URLs."""
    if source == "directory":
        return stored.startswith("ketamine_clinic_finder:http") and stored.endswith(labelled)
    if source == "seed_list":
        slug = labelled.removeprefix("{{site:").split("}}")[0]
        return f"//{HOSTS[slug]}:" in stored
    return stored == labelled


def test_the_unsure_pair_is_listed_not_merged(travis_db):
    pairs = query(travis_db, "select * from possible_duplicates")
    names = [{p["clinic_name"], p["other_name"]} for p in pairs]
    assert len(pairs) == len(IDENTITY["possible_duplicates"]), names
    assert all(p["reasons"] and p["score"] >= 2 for p in pairs)


def test_non_ketamine_providers_are_dropped_by_their_own_pages_with_a_count(travis_db):
    dropped = {r["source_id"]: r["reason"] for r in query(travis_db, "select * from sources where decision = 'dropped'")}
    capitol = [reason for sid, reason in dropped.items() if sid in IDENTITY["dropped"].get("osm", {})]
    assert "website shows no ketamine care" in capitol, dropped
    stats = json.loads(query(travis_db, "select stats from crawl_runs")[0]["stats"])
    assert stats["build/dropped"]["website shows no ketamine care"] >= 1
    assert stats["directory/source/directory/outside_region"] >= 1, "the Williamson County entry"


def test_directory_pages_are_followed_and_read_in_both_formats(travis_db):
    stats = json.loads(query(travis_db, "select stats from crawl_runs")[0]["stats"])
    assert stats["directory/source/directory/pages_jsonld"] >= 1
    assert stats["directory/source/directory/pages_microdata"] >= 1, "page 2, reached through rel=next"
    only_directory = [c for c in IDENTITY["clinics"] if set(c["sources"]) == {"directory"}]
    assert only_directory, "a clinic only the directory lists"
    for expected in only_directory:
        rows = query(travis_db, "select c.* from clinics c join sources s on s.clinic_id = c.id "
                                "where s.source = 'directory' and c.zip = ?", (expected["zip"],))
        assert rows and rows[0]["status"] == "active"


def test_every_clinic_is_placed_with_precision_county_and_e164_phone(travis_db):
    for clinic in query(travis_db, "select * from clinics where status = 'active'"):
        assert clinic["latitude"] and clinic["longitude"] and clinic["geo_precision"] in ("source", "zip_centroid")
        assert clinic["geo_source"], clinic["name"]
        assert clinic["county"] == "Travis County" and clinic["region"] == REGION
        assert clinic["phone"] is None or (clinic["phone"].startswith("+1") and len(clinic["phone"]) == 12)
        assert "." not in clinic["street"] and "Street" not in clinic["street"], "USPS form"


def test_a_chain_is_one_row_per_location_in_the_region_sharing_its_organisation(travis_db):
    chain = [c for c in IDENTITY["clinics"] if "hill" in c["key"]]
    rows = query(travis_db, "select * from clinics where organization_id in (select organization_id from clinics "
                            "group by organization_id having count(*) > 1)")
    assert len(rows) == len(chain) >= 2, rows
    assert len({r["organization_id"] for r in rows}) == 1
    assert all(r["city"] != "Round Rock" for r in query(travis_db, "select city from clinics"))


def test_the_demo_holds_both_sample_regions(demo_db):
    runs = query(demo_db, "select region, exit_code from crawl_runs order by id")
    assert [r["region"] for r in runs] == ["Orange County, CA", REGION], "one run per region, as cron would"
    regions = {r["region"] for r in query(demo_db, "select distinct region from clinics")}
    assert regions == {"Orange County, CA", REGION}


def test_two_regions_share_one_database_without_touching_each_other(travis_db, tmp_path, sample_web):
    """Crawling one region again leaves another region's clinics exactly as they were, and fetches none of
    its sites."""
    copy = tmp_path / "clinics.db"
    shutil.copy(travis_db, copy)
    assert run_crawl(sample_web, copy, "Orange County, CA").returncode == 1, "its 500 site makes it partial"
    before = query(copy, "select id, status, missed_runs, last_confirmed from clinics where region = 'Orange County, CA'")
    done = run_crawl(sample_web, copy, REGION)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    after = query(copy, "select id, status, missed_runs, last_confirmed from clinics where region = 'Orange County, CA'")
    assert before == after, "a Travis crawl neither ages nor confirms Orange County clinics"
    travis = resolve(REGION)
    fetched = {r["site"] for r in query(copy, "select distinct site from pages where run_id = "
                                              "(select max(id) from crawl_runs)")}
    sites = {r["website"]: r["zip"] for r in query(copy, "select website, zip from clinics where website is not null")}
    assert fetched and all(sites.get(s) is None or travis.contains_zip(sites[s]) for s in fetched), \
        "only the region's own sites are fetched"


def test_the_same_region_as_a_list_of_zip_codes_finds_the_same_clinics(tmp_path, sample_web, travis_db):
    zips = sorted({r["zip"] for r in query(travis_db, "select zip from clinics")})
    db_path = tmp_path / "zips.db"
    seeds = f"SEED_LIST={sample_web.api_base}/seeds/travis-county-tx.txt"  # a ZIP list has no seed list of its own
    done = run_crawl(sample_web, db_path, ", ".join(zips), "--set", seeds)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    names = lambda p: sorted(r["name"] for r in query(p, "select name from clinics"))  # noqa: E731
    assert names(db_path) == names(travis_db)


def test_database_is_consistent(travis_db):
    db = sqlite3.connect(travis_db)
    assert db.execute("pragma foreign_key_check").fetchall() == []
    assert db.execute("select count(*) from sources where decision = 'merged' and clinic_id is null").fetchone()[0] == 0


def test_a_page_only_the_sitemap_names_is_found_through_the_sitemap(web, tmp_path):
    """Eastside's fees page is linked from nowhere once its nav link goes; its sitemap still names it."""
    edit, running = web
    for page in (edit.root / "sites" / "eastside-ketamine-collective").rglob("*.html"):
        page.write_text(page.read_text().replace('href="/investment/"', 'href="#"'))
    spiders = ("--spider", "directory", "--spider", "clinic_site")
    with_sitemap, without = tmp_path / "with.db", tmp_path / "without.db"
    assert run_crawl(running, with_sitemap, REGION, *spiders).returncode == 0
    assert run_crawl(running, without, REGION, *spiders, "--set", "CLINIC_SITE_USE_SITEMAPS=False").returncode == 0
    fees = "select count(*) as n from pages where url like '%/investment/'"
    assert query(with_sitemap, fees)[0]["n"] == 1 and query(without, fees)[0]["n"] == 0
    prices = "select p.amount_usd from prices p join clinics c on c.id = p.clinic_id where c.name like 'Eastside%'"
    assert {r["amount_usd"] for r in query(with_sitemap, prices)} >= {350.0, 900.0}
    stats = json.loads(query(with_sitemap, "select stats from crawl_runs")[0]["stats"])
    assert stats["clinic_site/pages/found_by_sitemap"] >= 1
