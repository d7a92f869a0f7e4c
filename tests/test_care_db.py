"""Care facts in the demo database: who treats from two sources kept apart, summaries that agree with their
rows, and every price shown "as of" a date."""

from __future__ import annotations

import json
import sqlite3

from parsers.kinds import CARE_KEYS


def query(db_path, sql, params=()):
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    return [dict(r) for r in db.execute(sql, params)]


def test_clinician_at_the_clinics_address_confirms_who_treats_apart_from_the_site(demo_db):
    """Pacific's site says a CRNA gives its infusions; the NPI Registry lists a CRNA practising in its suite."""
    pacific, = query(demo_db, "select id from clinics where name = 'Pacific Ketamine Wellness'")
    rows = query(demo_db, "select key, detail, source, evidence from clinic_care where clinic_id = ? "
                          "and key in ('discipline', 'npi_clinician')", [pacific["id"]])
    crna = {r["source"] for r in rows if r["key"] == "discipline" and r["detail"] == "crna"}
    assert crna == {"clinic_site", "npi"}, "each source's statement is its own row"
    clinician = next(r for r in rows if r["key"] == "npi_clinician")
    assert "Kevin Morales" in clinician["detail"] and "1588604318" in clinician["evidence"]
    assert "15 Alton Crest" in clinician["evidence"]


def test_clinicians_are_asked_for_only_where_an_organisation_gives_ketamine_care(demo_db):
    """The NP in Laguna Beach practises in a ZIP with no ketamine organisation: not queried, not attached."""
    assert not query(demo_db, "select 1 from sources where source_id = '1733055275'")
    clinicians = query(demo_db, "select decision, clinic_id, reason from sources where raw like '%\"NPI-1\"%'")
    assert clinicians and all(c["decision"] == "dropped" and c["clinic_id"] is None for c in clinicians)


def test_care_summary_columns_agree_with_the_clinics_own_pages(demo_db):
    for clinic in query(demo_db, "select * from clinics where status = 'active'"):
        rows = query(demo_db, "select key, detail, value from clinic_care where clinic_id = ? "
                              "and source = 'clinic_site'", [clinic["id"]])
        for key in CARE_KEYS:
            stated = [r["value"] for r in rows if r["key"] == key]
            assert clinic[key] == (stated[0] if stated else None), (clinic["name"], key)
        disciplines = sorted(r["detail"] for r in rows if r["key"] == "discipline")
        assert json.loads(clinic["lead_disciplines"]) == disciplines, clinic["name"]
    assert query(demo_db, "select count(*) as n from clinics where accepting_new_patients is not null")[0]["n"] >= 5


def test_every_price_is_shown_as_of_a_date(demo_db):
    prices = query(demo_db, "select page_date, seen_at, as_of from prices")
    assert prices and all(p["as_of"] == (p["page_date"] or p["seen_at"][:10]) for p in prices)
    assert any(p["page_date"] for p in prices), "some pricing page states its own date"
    compared = query(demo_db, "select lowest_iv_price_usd, lowest_iv_price_as_of from clinic_comparison "
                              "where lowest_iv_price_usd is not null")
    assert compared and all(c["lowest_iv_price_as_of"] for c in compared)
    cheapest = query(demo_db, "select lowest_price_per_session_as_of from clinic_comparison "
                              "where lowest_price_per_session_usd is not null")
    assert cheapest and all(c["lowest_price_per_session_as_of"] for c in cheapest)


def test_no_view_of_the_demo_shows_a_per_session_price_implausible_for_ketamine_care(demo_db):
    """A per-session figure under $50 or over $5,000 is a misreading (an instalment, a duration read as sessions):
    it may be stored, flagged, but no comparison shows it."""
    lowest = query(demo_db, "select lowest_per_session_usd from lowest_prices")
    assert lowest and all(50 <= r["lowest_per_session_usd"] <= 5000 for r in lowest)
    compared = query(demo_db, "select lowest_price_per_session_usd, lowest_iv_price_usd from clinic_comparison")
    for row in compared:
        assert all(v is None or 50 <= v <= 5000 for v in row.values()), row
    flagged = query(demo_db, "select per_session_usd, flag from prices where per_session_usd < 50 "
                             "or per_session_usd > 5000")
    assert all(r["flag"] for r in flagged)
