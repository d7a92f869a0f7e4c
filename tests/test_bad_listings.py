"""Bad values from third parties are counted and skipped, never fatal and never a confirmation: a website that
is no website, a directory entry with a broken link, a site that does not answer or whose robots.txt refuses
it."""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict
from urllib.parse import urlparse

import pytest

from db.build import RunContext, build_clinics
from db.corrections import CorrectionError, Field, normalise_value
from db.schema import open_db
from db.store import save_listing, save_page
from parsers.directory import read_directory_page
from parsers.extract import extract_page
from parsers.urls import host_of, site_root, website_url
from tests.test_spiders import CLINICS, crawl

NOT_WEBSITES = ["tel:+17145550100", "http://x:80a/", "https://x:99999/", "hhtp://clinic.example/", "http://[broken/",
                "javascript:alert(1)", "mailto:front@clinic.example", "https://two words.example/", "http://nodot/"]


@pytest.mark.parametrize("value", NOT_WEBSITES)
def test_a_value_that_is_no_website_is_none_everywhere_never_an_exception(value):
    assert website_url(value) is None and host_of(value) is None and site_root(value) is None


def test_a_website_without_a_scheme_is_read_as_https():
    assert website_url("www.clinic.example/about") == "https://www.clinic.example/about"
    assert host_of("www.Clinic.example/about") == "clinic.example"
    assert site_root("http://127.0.0.10:8470/pricing/") == "http://127.0.0.10:8470/"


def test_a_directory_entry_with_a_broken_link_loses_its_link_not_the_page():
    html = """<script type="application/ld+json">{"@type": "ItemList", "itemListElement": [
      {"@type": "ListItem", "url": "http://[broken/detail", "item": {"@type": "MedicalClinic", "name": "A Ketamine",
       "url": "tel:+17145550100", "address": {"@type": "PostalAddress", "postalCode": "92618"}}},
      {"@type": "ListItem", "url": "/c/b", "item": {"@type": "MedicalClinic", "name": "B Ketamine",
       "url": "https://b.example/", "address": {"@type": "PostalAddress", "postalCode": "92618"}}}]}</script>"""
    entries = read_directory_page(html, "https://dir.example/ca/").entries
    assert [(e.clinic.name, e.clinic.website, e.detail_url) for e in entries] == [
        ("A Ketamine", None, None), ("B Ketamine", "https://b.example/", "https://dir.example/c/b")]


def test_a_correction_to_a_website_that_is_no_website_is_refused_with_the_reason():
    for value in ("hhtp://clinic.example/", "https://clinic.example:99999/", "tel:+17145550100"):
        with pytest.raises(CorrectionError, match="is not a website address"):
            normalise_value(Field("website"), value)
    assert normalise_value(Field("website"), "https://clinic.example/new/") == "https://clinic.example/"


def test_listings_with_bad_websites_are_kept_without_them_and_the_crawl_and_reparse_go_on(sample_web, tmp_path):
    db_path = tmp_path / "clinics.db"
    db = open_db(str(db_path))
    for i, website in enumerate(NOT_WEBSITES):  # as a source gave them, or an older version stored them
        assert save_listing(db, {"source": "osm", "source_id": f"node/{i}", "name": f"Ketamine Clinic {i}",
                                 "zip": "92618", "website": website, "decision": "candidate"}, None) is False
        db["sources"].update(("osm", f"node/{i}"), {"website": website})  # the raw value, as an old database has it
    done, db = crawl(sample_web, tmp_path, "seed_list", "clinic_site")
    assert done.returncode in (0, 1), done.stderr[-2000:]
    run = next(db["crawl_runs"].rows)
    assert run["status"] in ("ok", "partial") and run["finished_at"], "the run is closed, not left running"
    assert db["clinics"].count and db["pages"].count
    reparse = subprocess.run([CLINICS, "reparse", "--db", str(db_path)], capture_output=True, text=True, timeout=300)
    assert reparse.returncode == 0, reparse.stderr[-2000:]


def test_a_clinic_whose_site_did_not_answer_this_run_is_not_confirmed(tmp_path, page):
    db = open_db(str(tmp_path / "clinics.db"))
    site = "http://127.0.0.9:8000/"
    html = page("iv_clinic_pricing.html")
    save_page(db, {"url": site, "site": site, "status": 200, "fetched_at": "2026-11-01T00:00:00Z",
                   "body": html.encode()}, asdict(extract_page(html, url=site)), run_id=1)
    save_listing(db, {"source": "osm", "source_id": "node/1", "name": "Harbor Ketamine Center", "website": site,
                      "zip": "92627", "decision": "candidate"}, 1)
    context = dict(region_name="Orange County, CA", region_zips={"92627"}, complete_sources={"osm"})
    build_clinics(db, RunContext(run_id=1, **context))
    confirmed = next(db["clinics"].rows)["last_confirmed"]
    assert confirmed
    build_clinics(db, RunContext(run_id=2, **context))  # run 2 fetched nothing of the site (never asked, or refused)
    clinic = next(db["clinics"].rows)
    assert clinic["last_confirmed"] == confirmed and clinic["missed_runs"] == 1
    assert db["clinic_routes"].count, "its facts are kept"


def test_a_robots_txt_that_refuses_everything_keeps_the_facts_but_is_no_confirmation(web, tmp_path):
    edit, running = web
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(running.manifest["sites"]["sunrise-ketamine"] + "/\n")
    settings = {"SEED_LIST": str(seeds)}
    first, db = crawl(running, tmp_path, "seed_list", "clinic_site", settings=settings)
    assert first.returncode == 0, first.stdout + first.stderr[-2000:]
    before = {r["id"]: r for r in db["clinics"].rows}
    facts = db["clinic_routes"].count
    edit.page("sunrise-ketamine", "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    second, db = crawl(running, tmp_path, "seed_list", "clinic_site", settings=settings)
    assert second.returncode == 1, "a refused site is an error of the run"
    run = list(db["crawl_runs"].rows)[-1]
    assert any("robots_txt" in key for key in json.loads(run["errors"])), run["errors"]
    host = urlparse(running.manifest["sites"]["sunrise-ketamine"]).netloc
    for clinic in db["clinics"].rows:
        if host in (clinic["website"] or ""):
            assert clinic["last_confirmed"] == before[clinic["id"]]["last_confirmed"] and clinic["missed_runs"] == 1
    assert db["clinic_routes"].count == facts
