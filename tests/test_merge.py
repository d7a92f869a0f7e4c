"""A clinic's pages merge into one record: stronger statements, better pages and newer fetches win; sources kept."""

from __future__ import annotations

from dataclasses import asdict

from parsers.extract import extract_page
from parsers.merge import StoredPage, merge_pages

SITE = "https://clinic.example"


def stored(path: str, text: str, seen_at: str) -> StoredPage:
    url = f"{SITE}{path}"
    return StoredPage(url, seen_at, asdict(extract_page(text, url=url, seen_at=seen_at)))


def test_pricing_page_outranks_a_blog_post_on_the_same_fact():
    blog = stored("/blog/our-story/", "Back in 2021 our IV infusions were $350 per infusion. We offer IV ketamine.",
                  "2026-11-01T00:00:00Z")
    pricing = stored("/pricing/", "We do not offer IV ketamine infusions at this time.", "2026-10-01T00:00:00Z")
    merged = merge_pages([blog, pricing])
    route = merged.routes["iv_infusion"]
    assert route["value"] is False and route["source_url"] == f"{SITE}/pricing/"


def test_newest_fetch_wins_between_pages_of_the_same_rank():
    old = stored("/insurance-and-billing/", "We accept insurance from most major plans.", "2026-01-01T00:00:00Z")
    new = stored("/insurance/", "We do not accept insurance.", "2026-11-01T00:00:00Z")
    merged = merge_pages([old, new])
    assert merged.payment["accepts_insurance"]["value"] is False
    assert merged.payment["accepts_insurance"]["source_url"] == f"{SITE}/insurance/"


def test_every_page_keeps_its_facts_with_their_source():
    services = stored("/services/", "We offer IV ketamine infusions and Spravato.", "2026-11-01T00:00:00Z")
    conditions = stored("/conditions/", "<h2>Conditions we treat</h2><ul><li>PTSD</li><li>OCD</li></ul>",
                        "2026-11-01T00:00:00Z")
    merged = merge_pages([services, conditions])
    assert set(merged.routes) == {"iv_infusion", "intranasal_esketamine"}
    assert {merged.conditions[k]["source_url"] for k in ("ptsd", "ocd")} == {f"{SITE}/conditions/"}
    assert merged.routes["iv_infusion"]["source_url"] == f"{SITE}/services/"
