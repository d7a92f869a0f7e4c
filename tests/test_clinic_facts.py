"""What a clinic's merged facts become in its row and fact tables (core/clinic_facts.py), without a database."""

from __future__ import annotations

import json

from core.clinic_facts import fact_rows, summary
from parsers.merge import SiteFacts

SEEN = {"source_url": "https://clinic.example/pricing/", "seen_at": "2026-11-01T00:00:00Z", "page_type": "pricing"}
ROW = {"name": "Harbor Ketamine Center", "city": "Costa Mesa", "website": "https://clinic.example/"}


def _facts() -> SiteFacts:
    facts = SiteFacts()
    facts.routes = {"iv_infusion": {"value": True, "evidence": "We offer IV ketamine.", **SEEN},
                    "intranasal_esketamine": {"value": False, "evidence": "We do not offer Spravato.", **SEEN}}
    facts.payment = {"accepts_insurance": {"value": False, "evidence": "We do not accept insurance.", **SEEN}}
    facts.care = {"spravato_rems": {"value": False, "evidence": "We do not offer Spravato.", **SEEN},
                  "telehealth": {"value": True, "evidence": "Telehealth visits available.", **SEEN}}
    facts.prices = [
        {"amount_usd": 450.0, "unit": "per_session", "per_session_usd": 450.0, "route": "iv_infusion",
         "evidence": "IV infusion $450", "page_date": "2026-10-01", **SEEN},
        {"amount_usd": 5.0, "unit": "per_session", "per_session_usd": 5.0, "route": "iv_infusion",
         "evidence": "$5 off your first visit", **SEEN},
    ]
    return facts


def test_the_summary_takes_the_lowest_plausible_price_with_its_date_and_offered_keys():
    columns = summary(ROW, _facts(), listings=[])
    assert columns["lowest_iv_price_usd"] == 450.0 and columns["lowest_iv_price_as_of"] == "2026-10-01"
    assert json.loads(columns["routes"]) == ["iv_infusion"]
    assert json.loads(columns["routes_not_offered"]) == ["intranasal_esketamine"]
    assert (columns["accepts_insurance"], columns["spravato_rems"], columns["telehealth"]) == (0, 0, 1)
    assert columns["accepting_new_patients"] is None, "unknown stays blank"
    assert columns["source_count"] == 1


def test_a_stated_no_is_searchable_for_payment_but_not_for_care():
    words = summary(ROW, _facts(), listings=[])["search_text"]
    assert "no accepts insurance" in words, "'no insurance' finds a cash-only clinic"
    assert "Telehealth visits" in words
    assert "Certified Spravato" not in words, "a clinic that is no Spravato centre is not found by 'Spravato'"


def test_fact_rows_keep_their_evidence_and_flag_an_implausible_price():
    rows = fact_rows("c1", _facts())
    route = next(r for r in rows["clinic_routes"] if r["route"] == "iv_infusion")
    assert route["value"] == 1 and route["evidence"] == "We offer IV ketamine." and route["source_url"] == SEEN["source_url"]
    payment = rows["clinic_payment"][0]
    assert (payment["key"], payment["value"]) == ("accepts_insurance", 0)
    flags = {p["amount_usd"]: p["flag"] for p in rows["prices"]}
    assert flags[450.0] is None and flags[5.0], "a $5 'price' per session is kept, flagged, out of comparisons"
    assert len({p["id"] for p in rows["prices"]}) == 2 and fact_rows("c1", _facts())["prices"][0]["id"] == \
        rows["prices"][0]["id"], "a price's id is stable across builds"
