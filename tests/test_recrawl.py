"""Re-crawls on a schedule, against a copy of the sample web that each test edits between runs."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.sample_web_expectations import HOSTS

CLINICS = str(Path(sys.executable).parent / "clinics")


def crawl(running, db_path, *args, wait=True):
    env = {**os.environ, "CLINICS_SAMPLE_WEB": running.api_base}
    command = [CLINICS, "crawl", "--region", "Orange County, CA", "--db", str(db_path), *args]
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)


def query(db_path, sql, params=()):
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(sql, params)]
    finally:
        db.close()


def clinic_of(db_path, slug):
    rows = query(db_path, "select * from clinics where website like ?", (f"%//{HOSTS[slug]}:%",))
    assert len(rows) == 1, rows
    return rows[0]


def last_run(db_path):
    return query(db_path, "select * from crawl_runs order by id desc limit 1")[0]


def test_unchanged_recrawl_parses_and_writes_nothing_again(web, tmp_path):
    _, running = web
    db_path = tmp_path / "clinics.db"
    first = crawl(running, db_path)
    assert first.returncode == 1, "the sample web has one site that answers 500"
    run1 = last_run(db_path)
    second = crawl(running, db_path)
    run2 = last_run(db_path)
    assert second.returncode == 1
    assert run2["pages_changed"] == 0 and run2["changes"] == 0
    assert run2["pages_not_modified"] + run2["pages_not_requested"] == run1["pages_changed"] > 0, \
        "every page answered 304 or was vouched for by its sitemap"
    assert run2["pages_not_requested"] > 0, "sitemaps with an old <lastmod> spare their pages a request"
    stats = json.loads(run2["stats"])
    assert stats["clinic_site/downloader/response_status_count/304"] == run2["pages_not_modified"]
    assert run2["requests"] <= run1["requests"] - run2["pages_not_requested"]
    assert run2["bytes_received"] < run1["bytes_received"] / 3


def test_a_sitemap_that_hides_a_change_delays_it_by_the_trust_window_at_most(web, tmp_path):
    edit, running = web
    db_path = tmp_path / "clinics.db"
    crawl(running, db_path)
    pricing = "pricing/index.html"
    edit.edit("pacific-ketamine", pricing, "$450 per infusion", "$475 per infusion", touch_sitemap=False)
    url = query(db_path, "select url from pages where url like ?", (f"%//{HOSTS['pacific-ketamine']}:%/pricing/",))[0]["url"]

    crawl(running, db_path)
    assert last_run(db_path)["pages_changed"] == 0, "within the trust window the sitemap's word is taken"
    page = query(db_path, "select verified_at, last_ok_at from pages where url = ?", (url,))[0]
    assert page["verified_at"] < page["last_ok_at"], "vouched for, not verified"

    db = sqlite3.connect(db_path)
    db.execute("update pages set verified_at = strftime('%Y-%m-%dT%H:%M:%SZ', verified_at, '-8 days') where url = ?",
               (url,))
    db.commit()
    db.close()
    crawl(running, db_path)
    run = last_run(db_path)
    assert run["pages_changed"] == 1, "after 7 days the page is asked again and the change is found"
    changes = query(db_path, "select old_value, new_value from changes where run_id = ? and field like 'price:%'",
                    (run["id"],))
    assert ("450", "475") in {(c["old_value"], c["new_value"]) for c in changes}

    edit.edit("pacific-ketamine", pricing, "$475 per infusion", "$500 per infusion", touch_sitemap=False)
    crawl(running, db_path, "--set", "CLINIC_SITE_SITEMAP_TRUST_DAYS=0")
    assert last_run(db_path)["pages_changed"] == 1, "with the trust turned off every page is asked"


def test_price_change_and_an_added_then_dropped_route_are_recorded(web, tmp_path):
    edit, running = web
    db_path = tmp_path / "clinics.db"
    crawl(running, db_path)
    pricing = "pricing/index.html"
    edit.edit("pacific-ketamine", pricing, "$450 per infusion", "$475 per infusion")
    edit.edit("pacific-ketamine", pricing, "</main>",
              "<p>We now also offer IM ketamine injections for $300 per injection.</p></main>")
    crawl(running, db_path)
    clinic = clinic_of(db_path, "pacific-ketamine")
    run2 = last_run(db_path)
    changes = {c["field"]: c for c in query(db_path, "select * from changes where run_id = ?", (run2["id"],))}
    assert (changes["price:iv_infusion:per_session"]["old_value"], changes["price:iv_infusion:per_session"]["new_value"]) \
        == ("450", "475")
    assert changes["route:im_injection"]["old_value"] is None and changes["route:im_injection"]["new_value"] == "true"
    assert all(c["clinic_id"] == clinic["id"] for c in changes.values())
    assert run2["pages_changed"] == 1, "only the edited page is parsed again"

    edit.edit("pacific-ketamine", pricing, "<p>We now also offer IM ketamine injections for $300 per injection.</p>", "")
    crawl(running, db_path)
    dropped = query(db_path, "select * from changes where field = 'route:im_injection' and run_id = ?",
                    (last_run(db_path)["id"],))
    assert dropped and dropped[0]["old_value"] == "true" and dropped[0]["new_value"] is None
    history = query(db_path, "select * from price_history where clinic_id = ? and price_key = 'iv_infusion:per_session'",
                    (clinic["id"],))
    assert {(h["old_amount_usd"], h["new_amount_usd"]) for h in history} >= {("450", "475")}
    since = query(db_path, "select * from changes where changed_at >= ?", (run2["started_at"][:10],))
    assert len(since) >= 3


def test_site_down_keeps_its_clinic_then_stale_then_gone_never_deleted(web, tmp_path):
    edit, running = web
    db_path = tmp_path / "clinics.db"
    crawl(running, db_path)
    before = clinic_of(db_path, "pacific-ketamine")
    facts_before = query(db_path, "select route, value, evidence from clinic_routes where clinic_id = ?", (before["id"],))
    edit.take_down("pacific-ketamine")
    thresholds = ("--stale-after-runs", "2", "--gone-after-runs", "3")
    statuses = []
    for _ in range(3):
        done = crawl(running, db_path, *thresholds)
        assert done.returncode == 1 and "503" in done.stdout
        clinic = clinic_of(db_path, "pacific-ketamine")
        statuses.append(clinic["status"])
        assert clinic["last_confirmed"] == before["last_confirmed"], "not confirmed while down"
        facts = query(db_path, "select route, value, evidence from clinic_routes where clinic_id = ?", (clinic["id"],))
        assert facts == facts_before, "an outage loses no fact"
    assert statuses == ["active", "stale", "gone"]
    assert "website failed" in clinic["status_reason"]
    edit.bring_up("pacific-ketamine")
    crawl(running, db_path, *thresholds)
    assert clinic_of(db_path, "pacific-ketamine")["status"] == "active"
    status_changes = query(db_path, "select old_value, new_value from changes where clinic_id = ? and field = 'status'",
                           (before["id"],))
    assert [(c["old_value"], c["new_value"]) for c in status_changes][-3:] == [
        ("active", "stale"), ("stale", "gone"), ("gone", "active")]


def test_clinic_removed_from_every_source_is_marked_gone(web, tmp_path):
    edit, running = web
    db_path = tmp_path / "clinics.db"
    crawl(running, db_path)
    assert clinic_of(db_path, "revive-im-ketamine")["status"] == "active"
    edit.remove_from_every_source("revive-im-ketamine")
    crawl(running, db_path, "--stale-after-runs", "1", "--gone-after-runs", "2")
    assert clinic_of(db_path, "revive-im-ketamine")["status"] == "stale"
    crawl(running, db_path, "--stale-after-runs", "1", "--gone-after-runs", "2")
    gone = clinic_of(db_path, "revive-im-ketamine")
    assert gone["status"] == "gone" and "no source lists it" in gone["status_reason"]
    assert clinic_of(db_path, "pacific-ketamine")["status"] == "active", "others are untouched"


def test_crawl_killed_midway_leaves_a_consistent_database_and_the_next_run_completes(web, tmp_path):
    _, running = web
    db_path = tmp_path / "clinics.db"
    process = crawl(running, db_path, wait=False)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if query(db_path, "select count(*) as n from pages where facts is not null")[0]["n"] >= 5:
                break
        except sqlite3.OperationalError:  # the crawl has not created its tables yet
            pass
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert query(db_path, "pragma integrity_check")[0]["integrity_check"] == "ok"
    done = crawl(running, db_path)
    assert done.returncode == 1, done.stdout + done.stderr[-2000:]
    runs = query(db_path, "select * from crawl_runs order by id")
    assert [r["status"] for r in runs] == ["interrupted", "partial"]
    assert query(db_path, "select count(*) as n from clinics")[0]["n"] >= 12


def test_second_concurrent_run_does_not_write_and_says_why(web, tmp_path):
    _, running = web
    db_path = tmp_path / "clinics.db"
    first = crawl(running, db_path, wait=False)
    lock = Path(f"{db_path}.lock")
    deadline = time.time() + 30
    while time.time() < deadline and not (lock.exists() and lock.read_text().strip()):
        time.sleep(0.05)
    second = crawl(running, db_path)
    first.communicate(timeout=300)
    assert second.returncode == 2
    assert "another crawl is writing" in second.stderr
    assert len(query(db_path, "select * from crawl_runs")) == 1, "the second run recorded nothing"


def test_quiet_crawl_prints_nothing_on_success_and_logs_to_a_rotating_file(web, tmp_path):
    edit, running = web
    (edit.root / "sites" / "bright-horizon-ketamine" / "_site.json").unlink()  # every site healthy
    db_path = tmp_path / "clinics.db"
    log = tmp_path / "logs" / "crawl.log"
    done = crawl(running, db_path, "--quiet", "--log-file", str(log))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "" and done.stderr == ""
    assert "Spider closed" in log.read_text()
    edit.take_down("pacific-ketamine")
    failed = crawl(running, db_path, "--quiet", "--log-file", str(log))
    assert failed.returncode == 1 and "partial failure" in failed.stdout and "503" in failed.stdout


def test_sitemap_lastmod_vouches_only_for_an_older_change_and_a_recent_answer():
    from datetime import UTC, datetime, timedelta

    from crawlers.freshness import unchanged_since

    now, week = datetime(2026, 11, 22, 12, 0, tzinfo=UTC), timedelta(days=7)
    answered = "2026-11-20T08:00:00Z"
    assert unchanged_since("2026-11-18", answered, week, now)
    assert unchanged_since("2026-11-20T07:59:59+00:00", answered, week, now)
    assert unchanged_since("2026-11-20T01:00:00-06:00", answered, week, now), "07:00 UTC, before the answer"
    assert not unchanged_since("2026-11-19", answered, week, now), "the 19th ends at 12:00 UTC on the 20th in UTC-12"
    assert not unchanged_since("2026-11-19T23:00:00", answered, week, now), "no offset: as late as it can mean"
    assert not unchanged_since("2026-11-20T08:00:00Z", answered, week, now), "the same second proves nothing"
    assert not unchanged_since("2026-11-21T10:00:00Z", answered, week, now), "changed after our visit"
    assert not unchanged_since("2027-01-01", answered, week, now), "a lastmod in the future is not believed"
    assert not unchanged_since("20261101", answered, week, now), "not a W3C datetime"
    assert not unchanged_since("last tuesday", answered, week, now)
    assert not unchanged_since("2026-11-01", None, week, now), "never answered: ask"
    assert not unchanged_since("2026-11-01", "2026-11-15T11:59:00Z", week, now), "trust lapses after 7 days"


def test_a_redirected_request_is_not_vouched_for_by_the_date_of_the_url_it_left(tmp_path):
    """The sitemap dated /old-pricing/; it now redirects to /pricing/, a page that may have changed since."""
    from scrapy import Request

    from crawlers.middlewares import ConditionalRequestMiddleware
    from crawlers.page_store import DatabasePages
    from db.schema import open_db

    db_path = str(tmp_path / "clinics.db")
    db = open_db(db_path)
    answered = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    db["pages"].insert({"url": "http://127.0.0.9:8000/pricing/", "site": "http://127.0.0.9:8000/", "status": 200,
                        "verified_at": answered, "last_ok_at": answered, "links": "[]"})
    db.close()
    stored = DatabasePages(open_db(db_path))
    middleware = ConditionalRequestMiddleware(lambda site: stored, sitemap_trust_days=7)
    meta = {"conditional": True, "sitemap_lastmod": "2025-01-01"}
    direct = Request("http://127.0.0.9:8000/pricing/", meta=dict(meta))
    assert "not_requested" in middleware.process_request(direct).flags
    redirected = Request("http://127.0.0.9:8000/pricing/",
                         meta={**meta, "redirect_urls": ["http://127.0.0.9:8000/old-pricing/"]})
    assert middleware.process_request(redirected) is None, "asked for, conditionally"


NPI_ONLY_CLINIC = {
    "enumeration_type": "NPI-2", "number": "1992000017", "last_updated_epoch": "1730764800000",
    "addresses": [{"country_code": "US", "address_purpose": "LOCATION", "address_1": "2 PARK PLAZA",
                   "city": "IRVINE", "state": "CA", "postal_code": "926140000", "telephone_number": "949-555-0177"}],
    "practiceLocations": [], "other_names": [], "identifiers": [], "endpoints": [],
    "basic": {"organization_name": "PARK PLAZA KETAMINE INFUSIONS INC", "status": "A"},
    "taxonomies": [{"code": "261QM0801X", "desc": "Clinic/Center, Mental Health", "primary": True}],
}


def test_a_source_that_failed_confirms_nothing(web, tmp_path):
    edit, running = web
    edit.add_npi_record(NPI_ONLY_CLINIC)
    db_path = tmp_path / "clinics.db"
    crawl(running, db_path)  # partial already: one sample site answers 500
    sql = "select * from clinics where npi = '1992000017'"
    [before] = query(db_path, sql)
    assert before["status"] == "active" and before["website"] is None, "known from the NPI Registry only"
    edit.fail_api("npi")
    time.sleep(1)  # a later second, so a confirmation this run would show
    done = crawl(running, db_path)
    assert done.returncode == 1 and re.search(r"npi_registry: \d+ queries failed, for example:", done.stdout)
    assert "postal_code=" in done.stdout, "the summary shows which queries failed"
    assert "1 clinic(s) known only from sources that failed were left as they were" in done.stdout
    [after] = query(db_path, sql)
    assert after["last_confirmed"] == before["last_confirmed"], "no source answered for it: not confirmed"
    assert (after["status"], after["missed_runs"]) == ("active", 0), "nor aged: nothing said it went away"
    pacific = clinic_of(db_path, "pacific-ketamine")
    assert pacific["last_confirmed"] > before["last_confirmed"], "its own site answered: confirmed"
