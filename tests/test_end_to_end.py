"""The demo as a user runs it: sample web over loopback -> spiders -> parsers -> SQLite, checked against labels."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sample_web_expectations import EXPECTED, HOSTS, compare, summary

CLINICS = str(Path(sys.executable).parent / "clinics")


def rows(db_path, sql, params=()):
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    return [dict(r) for r in db.execute(sql, params)]


def test_demo_finds_the_labelled_clinics_and_their_facts(demo_db):
    report = compare(str(demo_db))
    text = summary(report)
    for kind in ("clinic", "routes", "conditions", "services", "payment", "prices", "care"):
        tp = report["tp"].get(kind, 0)
        fp = len(report["fp"].get(kind, [])) + len(report["wrong"].get(kind, []))
        fn = len(report["fn"].get(kind, [])) + len(report["wrong"].get(kind, []))
        assert tp / (tp + fp) >= 0.95 if tp + fp else True, text
        assert tp / (tp + fn) >= 0.90 if tp + fn else True, text


def test_every_fact_has_evidence_from_the_clinics_own_site(demo_db):
    for table in ("clinic_routes", "clinic_conditions", "clinic_payment", "prices"):
        facts = rows(demo_db, f"select f.*, c.website from {table} f join clinics c on c.id = f.clinic_id")
        assert facts, table
        for fact in facts:
            assert fact["evidence"] and fact["seen_at"], (table, fact)
            assert fact["source_url"].startswith(fact["website"].rstrip("/")), (table, fact)


def test_providers_that_are_not_ketamine_clinics_are_dropped_with_reasons(demo_db):
    mesa = EXPECTED["mesa-verde-psychiatry"]["listings"]
    for source, source_id in [("npi_registry", i) for i in mesa["npi"]] + [("osm", i) for i in mesa["osm"]]:
        listing, = rows(demo_db, "select * from sources where source = ? and source_id = ?", (source, source_id))
        assert listing["decision"] == "dropped" and listing["reason"], listing
    dropped = rows(demo_db, "select reason, count(*) as n from sources where decision = 'dropped' group by reason")
    assert sum(r["n"] for r in dropped) >= 10 and all(r["reason"] for r in dropped)
    assert not rows(demo_db, "select * from clinics where website like ?", (f"%//{HOSTS['mesa-verde-psychiatry']}:%",))


def test_robots_txt_is_obeyed_and_a_failing_site_is_recorded(demo_db):
    foothill = HOSTS["foothill-ketamine"]
    assert not rows(demo_db, "select url from pages where url like ?", (f"%//{foothill}:%/pricing/%",))
    assert rows(demo_db, "select url from pages where url like ?", (f"%//{foothill}:%",)), "the rest of the site is read"
    broken = rows(demo_db, "select * from pages where url like ?", (f"%//{HOSTS['bright-horizon-ketamine']}:%",))
    assert broken and all(p["status"] == 500 and p["error"] for p in broken)
    run, = rows(demo_db, "select * from crawl_runs where region = 'Orange County, CA'")
    assert run["exit_code"] == 1 and "500" in run["errors"] and run["finished_at"]


def test_closed_clinic_is_kept_as_gone_not_deleted(demo_db):
    serenity = HOSTS["serenity-ketamine-fullerton"]
    clinic, = rows(demo_db, "select * from clinics where website like ?", (f"%//{serenity}:%",))
    assert clinic["status"] == "gone"


def test_multi_location_clinic_is_one_row_per_location(demo_db):
    coastal = rows(demo_db, "select * from clinics where website like ?", (f"%//{HOSTS['coastal-ketamine-centers']}:%",))
    assert {c["zip"] for c in coastal} == {loc["zip"] for loc in EXPECTED["coastal-ketamine-centers"]["locations"]}
    assert len({c["id"] for c in coastal}) == len(coastal)


def test_second_crawl_gives_the_same_clinics_not_duplicates(demo_db, tmp_path):
    copy = tmp_path / "clinics.db"
    shutil.copy(demo_db, copy)
    before = {t: rows(copy, f"select count(*) as n from {t}")[0]["n"]
              for t in ("clinics", "clinic_routes", "clinic_conditions", "clinic_payment", "prices", "sources")}
    done = subprocess.run([CLINICS, "demo", "--no-serve", "--db", str(copy)], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    after = {t: rows(copy, f"select count(*) as n from {t}")[0]["n"] for t in before}
    assert after == before
    runs = rows(copy, "select * from crawl_runs order by id")
    assert len(runs) == 4 and runs[2]["changes"] == runs[3]["changes"] == 0, "both regions, again, unchanged"
    assert all('"clinic_site/pages/unchanged"' in run["stats"] and '"clinic_site/pages/parsed"' not in run["stats"]
               for run in runs[2:]), "unchanged pages are not parsed again"


@pytest.mark.parametrize("processes", ["0", "2"], ids=["in-process", "two-workers"])
def test_reparse_rederives_facts_from_stored_pages_without_fetching(demo_db, tmp_path, processes):
    copy = tmp_path / "clinics.db"
    shutil.copy(demo_db, copy)
    db = sqlite3.connect(copy)
    url, facts = db.execute("select url, facts from pages where facts like '%\"iv_infusion\"%' limit 1").fetchone()
    stale = json.loads(facts)
    stale["routes"] = [r for r in stale["routes"] if r["key"] != "iv_infusion"]  # as an older extractor left it
    stale["prices"] = []
    db.execute("update pages set facts = ? where url = ?", (json.dumps(stale), url))
    db.commit()
    done = subprocess.run([CLINICS, "reparse", "--db", str(copy), "--processes", processes], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    pages = db.execute("select count(*) from pages where body is not null").fetchone()[0]
    assert f"{pages} stored pages read again, 1 gave different facts" in done.stdout
    restored = json.loads(db.execute("select facts from pages where url = ?", (url,)).fetchone()[0])
    assert any(r["key"] == "iv_infusion" for r in restored["routes"])
    run = rows(copy, "select * from crawl_runs order by id desc limit 1")[0]
    assert run["profile"] == "reparse" and run["pages_changed"] == 1
    assert rows(copy, "select count(*) as n from clinics where status = 'active'")[0]["n"] == \
        rows(demo_db, "select count(*) as n from clinics where status = 'active'")[0]["n"], "a reparse ages no one"


def test_comparison_view_agrees_with_the_fact_tables(demo_db):
    """The view reads the clinics' summaries; each route and family column must say what the facts say."""
    from parsers.vocab import CONDITIONS, ROUTES

    view = {r["id"]: r for r in rows(demo_db, "select * from clinic_comparison")}
    assert view
    for fact in rows(demo_db, "select clinic_id, route, value from clinic_routes"):
        assert view[fact["clinic_id"]][fact["route"]] == fact["value"], fact
    treated = {(r["clinic_id"], r["condition_family"]) for r in rows(
        demo_db, "select clinic_id, condition_family from clinic_conditions where value = 1")}
    for clinic_id, row in view.items():
        for family in (t.key for t in CONDITIONS if t.parent is None):
            assert (row[f"treats_{family}"] == 1) == ((clinic_id, family) in treated), (clinic_id, family)
        assert all(row[t.key] in (0, 1, None) for t in ROUTES)
