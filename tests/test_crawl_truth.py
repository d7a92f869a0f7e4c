"""A crawl tells the truth about what it reads: a clinic that says it closed is not shown as active, a registry
listing at the same place is tied to the clinic's own site, and an address is read from the page's structured
data before its text."""

from __future__ import annotations

from tests.test_recrawl import crawl, query

CLOSED_CLINIC_NPI = {
    "enumeration_type": "NPI-2", "number": "1992000033", "last_updated_epoch": "1700000000000",
    "addresses": [{"country_code": "US", "address_purpose": "LOCATION", "address_1": "1100 IRVINE BLVD",
                   "address_2": "STE 204", "city": "TUSTIN", "state": "CA", "postal_code": "927800000"}],
    "practiceLocations": [], "other_names": [], "identifiers": [], "endpoints": [],
    "basic": {"organization_name": "TUSTIN GROVE KETAMINE LLC", "status": "A"},
    "taxonomies": [{"code": "261QM0801X", "desc": "Clinic/Center, Mental Health", "primary": True}],
}


def test_a_clinic_whose_site_says_it_closed_is_gone_and_its_registry_listing_is_tied_to_it(web, tmp_path):
    """sample_web/sites/tustin-grove-ketamine: the home page says it has permanently closed while its old
    infusion page is still up; the NPI Registry knows it by name and address only, with no website."""
    edit, _ = web
    edit.add_npi_record(CLOSED_CLINIC_NPI)
    seeds = edit.root / "api" / "seeds" / "orange-county-ca.txt"
    seeds.write_text(seeds.read_text() + "\n{{site:tustin-grove-ketamine}}/\n")
    db_path = tmp_path / "clinics.db"
    crawl(web[1], db_path)
    rows = query(db_path, "select * from clinics where zip = '92780' and street like '1100 Irvine%'")
    assert len(rows) == 1, [(r["name"], r["status"], r["website"]) for r in rows]
    [clinic] = rows
    assert clinic["status"] == "gone" and "permanently closed" in clinic["status_reason"], clinic["status_reason"]
    sources = query(db_path, "select source, clinic_id from sources where clinic_id = ?", (clinic["id"],))
    assert {s["source"] for s in sources} == {"npi_registry", "seed_list"}, "the registry listing is tied to the site"


def test_closing_notices_are_told_apart_from_hours_pauses_and_one_location():
    from parsers.closure import closure_notice

    said = ["Tustin Grove Ketamine has permanently closed as of September 30, 2026.",
            "We have closed our doors after six wonderful years.", "The practice has ceased operations."]
    not_said = ["We are closed on Sundays and major holidays.", "Our office is temporarily closed for repairs.",
                "Our Irvine office has closed; please visit us in Tustin.", "The clinic has closed for Thanksgiving."]
    assert [closure_notice([s]) for s in said] == said
    assert [closure_notice([s]) for s in not_said] == [None] * len(not_said)
