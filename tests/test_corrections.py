"""A listing people can correct: a maintainer's accepted correction outranks the crawl until the page changes."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from clinics.corrections import add_correction, decide_correction, list_corrections
from db.build import RunContext, build_clinics
from db.corrections import CorrectionError
from db.schema import open_db
from db.store import save_listing, save_page
from parsers.extract import extract_page

SITE = "http://127.0.0.9:8000/"
PRICING = SITE + "pricing/"
REGION = "Orange County, CA"


def store(db, html: str, fetched_at: str) -> None:
    facts = extract_page(html, url=PRICING, seen_at=fetched_at)
    save_page(db, {"url": PRICING, "site": SITE, "status": 200, "fetched_at": fetched_at, "body": html.encode()},
              asdict(facts), run_id=None)


def rebuild(db, run_id: int) -> None:
    build_clinics(db, RunContext(run_id=run_id, region_name=REGION, region_zips={"92627", "92618"}))


@pytest.fixture
def built(tmp_path, page):
    """A database with one crawled clinic: (path, database, clinic id)."""
    path = str(tmp_path / "clinics.db")
    db = open_db(path)
    store(db, page("iv_clinic_pricing.html"), "2026-11-01T00:00:00Z")
    save_listing(db, {"source": "osm", "source_id": "node/1", "name": "Harbor Ketamine Center", "website": SITE,
                      "zip": "92627", "decision": "candidate", "raw": {"id": 1}}, None)
    rebuild(db, 1)
    return path, db, next(db["clinics"].rows)["id"]


def clinic(db, clinic_id: str) -> dict:
    return db["clinics"].get(clinic_id)


def accepted(path: str, clinic_id: str, field: str, value: str, note: str = "Called the clinic on 2026-11-20") -> int:
    added = add_correction(path, clinic_id, field, value, note, "reader@example.org")
    decide_correction(path, added.correction_id, "accept", "maintainer@example.org", "phoned the front desk")
    return added.correction_id


def test_unknown_clinic_field_or_value_is_refused_and_nothing_is_written(built):
    path, db, clinic_id = built
    with pytest.raises(CorrectionError, match="no clinic with id 'c000'"):
        add_correction(path, "c000", "phone", "949-555-0100", "wrong number")
    with pytest.raises(CorrectionError, match="valid fields: name, phone.*accepting_new_patients.*route:<"):
        add_correction(path, clinic_id, "parking", "yes", "there is parking")
    with pytest.raises(CorrectionError, match="takes yes, no or unknown"):
        add_correction(path, clinic_id, "accepting_new_patients", "maybe", "not sure")
    with pytest.raises(CorrectionError, match="do not parse"):
        add_correction(path, clinic_id, "opening_hours", "whenever", "hours")
    with pytest.raises(CorrectionError, match="unknown language 'Klingon'"):
        add_correction(path, clinic_id, "language:Klingon", "yes", "they speak it")
    assert db["corrections"].count == 0


def test_accepted_correction_outranks_the_crawl_and_shows_who_checked_it(built):
    path, db, clinic_id = built
    assert clinic(db, clinic_id)["accepting_new_patients"] is None
    correction = accepted(path, clinic_id, "accepting_new_patients", "no")
    accepted(path, clinic_id, "phone", "(949) 555-0199")
    accepted(path, clinic_id, "language:Spanish", "yes")
    row = clinic(db, clinic_id)
    assert row["accepting_new_patients"] == 0 and row["phone"] == "+19495550199"
    assert json.loads(row["languages"]) == ["Spanish"]
    assert row["last_checked_by_person"] == list_corrections(path)[0]["decided_at"][:10]
    fact = next(db.query("select * from clinic_care where clinic_id = ? and key = 'accepting_new_patients'",
                         [clinic_id]))
    assert fact["source"] == "correction" and fact["source_url"] == f"correction:{correction}"
    assert "reader@example.org" in fact["evidence"] and "Called the clinic" in fact["evidence"]
    changed = {r["field"]: r["new_value"] for r in db.query("select * from changes where clinic_id = ?", [clinic_id])}
    assert changed["phone"] == "+19495550199" and changed["care:accepting_new_patients"] == "false"


def test_correction_survives_unchanged_recrawls_until_its_page_changes(built, page):
    path, db, clinic_id = built
    html = page("iv_clinic_pricing.html")
    correction = accepted(path, clinic_id, "route:intranasal_esketamine", "yes", "They added Spravato in October")
    assert "intranasal_esketamine" in json.loads(clinic(db, clinic_id)["routes"])
    store(db, html, "2026-11-08T00:00:00Z")  # the same page fetched again
    rebuild(db, 2)
    assert "intranasal_esketamine" in json.loads(clinic(db, clinic_id)["routes"])
    assert db["corrections"].get(correction)["status"] == "accepted"
    store(db, html.replace("</body>", "<p>New: evening appointments.</p></body>"), "2026-11-15T00:00:00Z")
    rebuild(db, 3)
    row = db["corrections"].get(correction)
    assert row["status"] == "superseded" and PRICING in row["superseded_reason"]
    assert "intranasal_esketamine" not in json.loads(clinic(db, clinic_id)["routes"])  # the crawl's reading again
    assert clinic(db, clinic_id)["last_checked_by_person"]  # a person did check it, once


def test_rejected_correction_changes_nothing_but_the_checked_date(built):
    path, db, clinic_id = built
    before = clinic(db, clinic_id)
    added = add_correction(path, clinic_id, "superbill", "no", "I was told no superbills")
    assert clinic(db, clinic_id)["last_checked_by_person"] is None  # pending: nobody checked yet
    decide_correction(path, added.correction_id, "reject", "maintainer@example.org", "their pricing page says yes")
    after = clinic(db, clinic_id)
    assert after["superbill"] == before["superbill"] == 1 and after["last_checked_by_person"]
    with pytest.raises(CorrectionError, match="already rejected"):
        decide_correction(path, added.correction_id, "accept")


def test_accepted_removal_hides_the_clinic_and_a_recrawl_does_not_bring_it_back(built, page):
    path, db, clinic_id = built
    accepted(path, clinic_id, "listing", "remove", "The owner asked to be removed")
    assert clinic(db, clinic_id)["status"] == "removed"
    store(db, page("iv_clinic_pricing.html").replace("</body>", "<p>Changed.</p></body>"), "2026-11-15T00:00:00Z")
    rebuild(db, 4)
    assert clinic(db, clinic_id)["status"] == "removed"  # kept for history
    assert db.execute("select count(*) from clinic_comparison where id = ?", [clinic_id]).fetchone()[0] == 0


def test_cli_refuses_an_unknown_field_with_exit_2_and_lists_the_valid_ones(built):
    path, db, clinic_id = built
    clinics = Path(sys.executable).parent / "clinics"
    done = subprocess.run([str(clinics), "corrections", "add", clinic_id, "--db", path, "--field", "parking",
                           "--value", "yes", "--note", "x"], capture_output=True, text=True)
    assert done.returncode == 2 and "valid fields: name, phone" in done.stderr
    done = subprocess.run([str(clinics), "corrections", "add", clinic_id, "--db", path, "--field", "telehealth",
                           "--value", "no", "--note", "No video visits", "--by", "a@example.org"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([str(clinics), "corrections", "accept", "1", "--db", path, "--by", "m@example.org"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "accepted" in done.stdout, done.stderr
    assert clinic(db, clinic_id)["telehealth"] == 0
