"""The database layer: one clinic per location, idempotent rebuilds, changes recorded, nothing lost."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from db.build import RunContext, _site_health, build_clinics
from db.schema import open_db
from db.store import record_page_failure, save_listing, save_page
from parsers.extract import extract_page

REGION_ZIPS = {"92627", "92618"}


def run(run_id: int | None) -> RunContext:
    return RunContext(run_id=run_id, region_name="Orange County, CA", region_zips=REGION_ZIPS)
SITE = "http://127.0.0.9:8000/"


def _store(db, page_html: str, url: str, fetched_at: str):
    facts = extract_page(page_html, url=url, seen_at=fetched_at)
    save_page(db, {"url": url, "site": SITE, "status": 200, "fetched_at": fetched_at, "body": page_html.encode()},
              asdict(facts), run_id=None)


@pytest.fixture
def db(tmp_path, page):
    database = open_db(str(tmp_path / "clinics.db"))
    _store(database, page("iv_clinic_pricing.html"), SITE + "pricing/", "2026-11-01T00:00:00Z")
    save_listing(database, {"source": "osm", "source_id": "node/1", "name": "Harbor Ketamine Center",
                            "website": SITE, "zip": "92627", "decision": "candidate", "raw": {"id": 1}}, None)
    return database


def test_site_pages_become_one_clinic_with_evidenced_facts(db):
    result = build_clinics(db, run(None))
    assert result.clinics == 1
    clinic = next(db["clinics"].rows)
    assert clinic["name"] == "Harbor Ketamine Center" and clinic["city"] == "Costa Mesa"
    assert json.loads(clinic["routes"]) == ["iv_infusion"]
    assert clinic["lowest_iv_price_usd"] == 400.0
    rows = list(db.query("select * from clinic_routes"))
    assert {(r["route"], r["value"]) for r in rows} == {("iv_infusion", 1), ("intranasal_esketamine", 0)}
    assert all(r["evidence"] and r["source_url"] == SITE + "pricing/" and r["seen_at"] for r in rows)
    listing = next(db["sources"].rows)
    assert listing["clinic_id"] == clinic["id"] and listing["decision"] == "merged"


def test_rebuilding_is_idempotent(db):
    build_clinics(db, run(None))
    counts = {t: db[t].count for t in ("clinics", "clinic_routes", "clinic_payment", "prices", "changes")}
    again = build_clinics(db, run(None))
    assert again.changes == 0
    assert counts == {t: db[t].count for t in counts}


def test_price_change_is_recorded_with_old_and_new_value(db, page):
    build_clinics(db, run(None))
    edited = page("iv_clinic_pricing.html").replace("$450 per infusion", "$475 per infusion")
    _store(db, edited, SITE + "pricing/", "2026-11-02T00:00:00Z")
    build_clinics(db, run(7))
    change = next(db.query("select * from changes where field like 'price:iv_infusion:per_session%'"))
    assert (change["old_value"], change["new_value"], change["run_id"]) == ("450", "475", 7)


def test_failed_fetch_keeps_the_last_good_facts(db):
    build_clinics(db, run(None))
    record_page_failure(db, SITE + "pricing/", SITE, 500, "HTTP 500", run_id=2)
    build_clinics(db, run(2))
    page_row = db["pages"].get(SITE + "pricing/")
    assert page_row["status"] == 500 and page_row["facts"] and page_row["body"]
    assert db["clinic_routes"].count == 2 and db["prices"].count == 3


def test_listing_without_ketamine_evidence_is_dropped_with_a_reason(db):
    save_listing(db, {"source": "npi_registry", "source_id": "1999999999", "name": "Bright Smiles Dental",
                      "zip": "92618", "decision": "candidate"}, None)
    build_clinics(db, run(None))
    dental = db["sources"].get(("npi_registry", "1999999999"))
    assert dental["decision"] == "dropped" and "no ketamine" in dental["reason"]
    assert db["clinics"].count == 1


def test_schema_is_complete_on_a_new_file(tmp_path):
    database = open_db(str(tmp_path / "new.db"))
    for table in ("clinics", "clinic_routes", "clinic_conditions", "clinic_payment", "prices", "sources", "pages",
                  "crawl_runs", "changes", "duplicate_candidates", "identity_decisions"):
        assert database[table].exists(), table
    assert "evidence" in database["clinic_conditions"].columns_dict
    assert {"lowest_prices", "clinic_comparison", "possible_duplicates"} <= set(database.view_names())


def test_a_site_is_down_when_every_page_asked_failed_whatever_its_sitemap_vouched_for(tmp_path):
    database = open_db(str(tmp_path / "clinics.db"))
    now, before = "2026-11-22T03:00:00Z", "2026-11-20T03:00:00Z"
    vouched = {"status": 200, "last_ok_at": now, "verified_at": before, "run_id": 7}
    answered = {"status": 304, "last_ok_at": now, "verified_at": now, "run_id": 7}
    failed = {"status": 500, "error": "HTTP 500", "run_id": 7}
    database["pages"].insert_all([
        {"url": "http://a.example/", "site": "http://a.example/", **failed},
        {"url": "http://a.example/pricing/", "site": "http://a.example/", **vouched},
        {"url": "http://b.example/", "site": "http://b.example/", **failed},
        {"url": "http://b.example/pricing/", "site": "http://b.example/", **answered},
        {"url": "http://c.example/", "site": "http://c.example/", **vouched},
    ], pk="url", alter=True)
    health = _site_health(database, 7)
    assert health == {"a.example": False, "b.example": True, "c.example": True}


def test_an_implausible_per_session_price_is_kept_flagged_and_left_out_of_every_comparison(tmp_path, page):
    database = open_db(str(tmp_path / "clinics.db"))
    html = page("iv_clinic_pricing.html")
    facts = asdict(extract_page(html, url=SITE + "pricing/", seen_at="2026-11-01T00:00:00Z"))
    misread = {"amount_usd": 450.0, "unit": "package", "sessions": 45, "per_session_usd": 10.0,
               "route": "iv_infusion", "amount_max_usd": None, "qualifier": None,
               "evidence": "A 45-minute infusion, $450."}
    facts["prices"].append(misread)
    save_page(database, {"url": SITE + "pricing/", "site": SITE, "status": 200, "fetched_at": "2026-11-01T00:00:00Z",
                         "body": html.encode()}, facts, run_id=None)
    save_listing(database, {"source": "osm", "source_id": "node/1", "name": "Harbor Ketamine Center",
                            "website": SITE, "zip": "92627", "decision": "candidate", "raw": {"id": 1}}, None)
    build_clinics(database, run(None))
    flagged = list(database.query("select * from prices where per_session_usd = 10"))
    assert len(flagged) == 1 and flagged[0]["flag"] and flagged[0]["evidence"] == misread["evidence"]
    clinic = next(database["clinics"].rows)
    assert clinic["lowest_iv_price_usd"] == 400.0 and clinic["lowest_price_per_session_usd"] >= 50
    lowest = [r["lowest_per_session_usd"] for r in database.query("select * from lowest_prices")]
    assert lowest and min(lowest) >= 50


def test_a_database_from_before_the_flag_gets_its_misread_prices_flagged_at_once(tmp_path):
    import sqlite3

    path = str(tmp_path / "old.db")
    database = open_db(path)
    database["prices"].insert({"id": "p1", "clinic_id": "c1", "amount_usd": 450.0, "unit": "package", "sessions": 45,
                               "per_session_usd": 10.0})
    database.conn.close()
    raw = sqlite3.connect(path)
    for (view,) in raw.execute("select name from sqlite_master where type = 'view'").fetchall():
        raw.execute(f"drop view [{view}]")
    raw.execute("alter table prices drop column flag")
    raw.commit()
    raw.close()
    reopened = open_db(path)
    assert next(reopened.query("select flag from prices where id = 'p1'"))["flag"]
