"""Each spider against the sample web over loopback, run as a user runs it (`clinics crawl`, own process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import sqlite_utils

from core.regions import resolve
from crawlers.profiles import sample_web_settings
from sample_web.server import DEFAULT_ROOT

CLINICS = str(Path(sys.executable).parent / "clinics")
REGION = resolve("Orange County, CA")


def crawl(web, tmp_path, *spiders, settings: dict | None = None, region: str = REGION.name):
    tmp_path.mkdir(parents=True, exist_ok=True)
    db_path = tmp_path / "clinics.db"
    args = [CLINICS, "crawl", "--profile", "sample", "--db", str(db_path), "--region", region]
    args += [f"--spider={name}" for name in spiders]
    for key, value in {**sample_web_settings(web.api_base), **(settings or {})}.items():
        args += ["--set", f"{key}={json.dumps(value) if isinstance(value, dict) else value}"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    return done, sqlite_utils.Database(db_path)


def fixture(name: str):
    return json.loads((DEFAULT_ROOT / "api" / name).read_text())


def npi2_listing_ids(record: dict) -> set[str]:
    """The listing ids an NPI-2 record gives in the region: the NPI for its primary location, NPI#n for the
    n-th practice location."""
    if record["enumeration_type"] != "NPI-2":
        return set()
    places = [a for a in record["addresses"] if a["address_purpose"] == "LOCATION"] + record.get("practiceLocations", [])
    return {record["number"] + (f"#{n}" if n > 1 else "") for n, place in enumerate(places, start=1)
            if REGION.contains_zip(place["postal_code"][:5])}


def test_npi_registry_lists_the_regions_organisations_and_drops_non_clinics(sample_web, tmp_path):
    done, db = crawl(sample_web, tmp_path, "npi_registry")
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    expected = set().union(*(npi2_listing_ids(r) for r in fixture("npi_results.json")))
    rows = {r["source_id"]: r for r in db["sources"].rows_where("source = 'npi_registry'")}
    individuals = {k: rows.pop(k) for k in list(rows) if json.loads(rows[k]["raw"])["enumeration_type"] == "NPI-1"}
    assert set(rows) == expected, "every NPI-2 practice location in the county, nothing outside it"
    # clinicians of care-giving taxonomies, asked for in ZIPs with a ketamine organisation, kept to confirm who treats
    assert set(individuals) == {"1588604318", "1666918424"}
    assert all(r["decision"] == "dropped" and "NPI-1" in r["reason"] for r in individuals.values())
    assert any("#" in source_id for source_id in rows), "a chain's practice locations are listings of their own"
    dropped = [r for r in rows.values() if r["decision"] == "dropped"]
    assert dropped and all(r["reason"] for r in dropped)
    assert all(json.loads(r["raw"])["number"] == r["npi"] == r["source_id"].split("#")[0] for r in rows.values())


def test_npi_error_answered_with_http_200_is_a_failed_fetch(sample_web, tmp_path):
    done, db = crawl(sample_web, tmp_path, "npi_registry", settings={"NPI_PAGE_LIMIT": 500})
    assert done.returncode == 3, "an Errors answer to every query is a failed run, not zero clinics"
    assert "failed_queries" in done.stdout and "no source or website answered" in done.stdout
    run = next(db["crawl_runs"].rows)
    assert run["status"] == "failed" and run["exit_code"] == 3


def test_osm_lists_clinics_inside_the_region_only(sample_web, tmp_path):
    done, db = crawl(sample_web, tmp_path, "osm")
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    rows = list(db["sources"].rows_where("source = 'osm'"))
    assert rows
    assert all(r["zip"] is None or REGION.contains_zip(r["zip"]) for r in rows)
    outside = [e for e in fixture("overpass_elements.json")
               if e.get("tags", {}).get("addr:postcode") and not REGION.contains_zip(e["tags"]["addr:postcode"])]
    assert outside and not {f"{e['type']}/{e['id']}" for e in outside} & {r["source_id"] for r in rows}
    assert any(r["decision"] == "dropped" and "not a clinic" in r["reason"] for r in rows), "dentists and the like"


def test_clinic_site_stays_on_each_host_within_its_page_budget(sample_web, tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join([*(f"{url}/" for url in sample_web.manifest["sites"].values()),
                                 "http://10.1.2.3/", "http://169.254.169.254/"]))
    done, db = crawl(sample_web, tmp_path, "seed_list", "clinic_site", settings={"SEED_LIST": str(seeds),
                                                                                "CLINIC_SITE_MAX_PAGES": 5})
    pages = list(db["pages"].rows)
    hosts = {urlparse(u).netloc for u in sample_web.manifest["sites"].values()}
    assert pages and all(urlparse(p["url"]).netloc in hosts for p in pages)
    per_site: dict[str, int] = {}
    for p in pages:  # a page that failed spends no budget: its slot goes to the next page (a dead link is no page)
        per_site[p["site"]] = per_site.get(p["site"], 0) + (p["error"] is None)
    assert max(per_site.values()) <= 5, per_site
    parsed = [p for p in pages if p["facts"]]
    assert parsed and all(p["etag"] and p["content_hash"] for p in parsed)
    stats = json.loads(next(db["crawl_runs"].rows)["stats"])
    assert stats["clinic_site/address_guard/refused"] >= 2, "private and link-local sites refused"


def test_overpass_timeout_answered_with_http_200_is_a_failed_fetch(sample_web, tmp_path):
    done, db = crawl(sample_web, tmp_path, "osm", settings={"OVERPASS_TIMEOUT": 1})
    assert done.returncode == 3, "a remark saying the query timed out is a failure, not zero clinics"
    assert "osm/source/osm/failed_queries" in done.stdout
    assert db["sources"].count == 0


def test_seed_list_that_cannot_be_read_is_a_failure_and_a_missing_one_is_not(sample_web, tmp_path):
    unreadable = tmp_path / "seeds.txt"
    unreadable.write_bytes(b"\xff\xfe not utf-8 \xff")
    done, _ = crawl(sample_web, tmp_path, "seed_list", settings={"SEED_LIST": str(unreadable)})
    assert done.returncode == 1 and "seed_list/failed_queries" in done.stdout
    done, db = crawl(sample_web, tmp_path / "none", "seed_list",
                     settings={"SEED_LIST": str(tmp_path / "no-such-{region}.txt")})
    assert done.returncode == 0, "a region without a seed list is not an error"
    assert json.loads(next(db["crawl_runs"].rows)["stats"])["seed_list/source/seed_list/no_list"] == 1


def test_seed_list_gives_each_url_as_a_listing_of_the_region(sample_web, tmp_path):
    done, db = crawl(sample_web, tmp_path, "seed_list")
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    rows = list(db["sources"].rows_where("source = 'seed_list'"))
    hosts = {urlparse(r["website"]).hostname for r in rows}
    assert hosts == {"127.0.0.4", "127.0.0.5"}, "stillwater-kap and revive-im-ketamine, from the Orange County list"
    assert all(r["region"] == "Orange County, CA" and r["decision"] == "candidate" for r in rows)


def test_directory_lists_the_countys_clinics_from_its_schema_org_data(sample_web, tmp_path):
    done, db = crawl(sample_web, tmp_path, "directory")
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    rows = list(db["sources"].rows_where("source = 'directory'"))
    assert len(rows) == 4 and all(r["decision"] != "dropped" and REGION.contains_zip(r["zip"]) for r in rows)
    assert all(r["source_id"].startswith("ketamine_clinic_finder:http") and "/clinic/" in r["source_id"] for r in rows)
    assert all(r["website"] and r["phone"].startswith("+1") and r["street"] for r in rows)


def test_directory_page_without_clinic_data_is_a_failed_fetch(web, tmp_path):
    """A directory that redesigns its page (or blocks us with a 200) has not stopped listing clinics."""
    edit, running = web
    edit.page("ketamine-clinic-finder", "us/ca/orange-county/index.html").write_text(
        "<html><body><h1>We've moved!</h1><p>Find clinics in our new app.</p></body></html>")
    done, db = crawl(running, tmp_path, "directory")
    assert done.returncode == 3 and "directory/source/directory/failed_queries" in done.stdout
    assert db["sources"].count == 0


def test_county_a_directory_does_not_cover_is_not_a_failure(sample_web, tmp_path):
    done, db = crawl(sample_web, tmp_path, "directory", region="Los Angeles County, CA")
    assert done.returncode == 0, done.stdout
    assert json.loads(next(db["crawl_runs"].rows)["stats"])["directory/source/directory/not_covered"] == 1


def test_a_sitemap_that_breaks_the_reader_still_lets_the_site_be_crawled(web, tmp_path):
    """A malformed entry (an unparsable URL) must not leave the home page waiting for the sitemap forever."""
    edit, running = web
    edit.page("sunrise-ketamine", "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>http://[broken/pricing/</loc><lastmod>2026-01-01</lastmod></url>"
        "<url><loc>{{base}}/ketamine-infusions/</loc><lastmod>2026-01-01</lastmod></url></urlset>")
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(running.manifest["sites"]["sunrise-ketamine"] + "/\n")
    done, db = crawl(running, tmp_path, "seed_list", "clinic_site", settings={"SEED_LIST": str(seeds)})
    fetched = {urlparse(p["url"]).path for p in db["pages"].rows if p["status"] == 200}
    assert "/" in fetched and "/ketamine-infusions/" in fetched, done.stdout + done.stderr[-2000:]
    stats = json.loads(next(db["crawl_runs"].rows)["stats"])
    assert stats.get("clinic_site/sites/sitemap_entries_unreadable") == 1


def test_a_robots_txt_that_breaks_the_reader_still_lets_the_home_page_be_fetched(web, tmp_path):
    edit, running = web
    edit.page("sunrise-ketamine", "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n\n"
                                                           "Sitemap: http://[broken/sitemap.xml\n")
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(running.manifest["sites"]["sunrise-ketamine"] + "/\n")
    done, db = crawl(running, tmp_path, "seed_list", "clinic_site", settings={"SEED_LIST": str(seeds)})
    fetched = {urlparse(p["url"]).path for p in db["pages"].rows if p["status"] == 200}
    assert "/" in fetched and len(fetched) > 1, "the home page, then the pages its links lead to"
    stats = json.loads(next(db["crawl_runs"].rows)["stats"])
    assert stats.get("clinic_site/sites/sitemap_unreadable") == 1
