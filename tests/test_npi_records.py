"""NPPES NPI Registry v2.1 records read into listings: the address that identifies a clinic, its name, phone
and state. The records are made up, in the API's layout."""

from __future__ import annotations

from parsers.address import normalise_phone, split_address_line_2, split_suite
from parsers.listings import _title, classify_npi, npi_listings


def location(address_1: str, address_2: str | None = None, **changes) -> dict:
    place = {"country_code": "US", "country_name": "United States", "address_purpose": "LOCATION",
             "address_type": "DOM", "address_1": address_1, "city": "EXAMPLETON", "state": "CA",
             "postal_code": "926180001", "telephone_number": "714-555-0100"}
    if address_2 is not None:
        place["address_2"] = address_2
    return {**place, **changes}


def record(name: str = "EXAMPLE MEDICAL GROUP INC", place: dict | None = None, other_names: list | None = None,
           taxonomy: str = "207Q00000X", taxonomy_desc: str = "Family Medicine") -> dict:
    return {
        "created_epoch": "1600000000000", "enumeration_type": "NPI-2", "last_updated_epoch": "1700000000000",
        "number": "1999999991",
        "addresses": [{**location("PO BOX 1"), "address_purpose": "MAILING"}, place or location("1 EXAMPLE WAY")],
        "practiceLocations": [],
        "basic": {"organization_name": name, "organizational_subpart": "NO", "status": "A"},
        "taxonomies": [{"code": taxonomy, "taxonomy_group": "", "desc": taxonomy_desc, "state": "CA",
                        "license": None, "primary": True}],
        "identifiers": [], "endpoints": [], "other_names": other_names or [],
    }


def listing_of(result: dict) -> dict:
    (listing,) = npi_listings(result)
    return listing


def test_a_hospital_name_in_address_line_2_stays_out_of_the_street():
    listing = listing_of(record(place=location("1 SAMPLE PLACE", "NORTHGATE HOSPITAL")))
    assert (listing["street"], listing["suite"]) == ("1 Sample Place", None)


def test_a_building_before_the_suite_in_line_2_leaves_only_the_suite():
    listing = listing_of(record(place=location("531 MAPLE CIR", "HOSPITAL ANNEX - SUITE N340")))
    assert (listing["street"], listing["suite"]) == ("531 Maple Cir", "N340")


def test_one_building_gives_the_same_street_and_suite_whatever_line_2_adds():
    plain = listing_of(record(place=location("531 MAPLE CIR", "SUITE N340")))
    annex = listing_of(record(place=location("531 MAPLE CIR", "HOSPITAL ANNEX - SUITE N340")))
    assert (plain["street"], plain["suite"]) == (annex["street"], annex["suite"])


def test_a_street_written_on_line_2_under_the_buildings_name_is_the_street():
    listing = listing_of(record(place=location("WILLOW MEDICAL PAVILION", "200 CEDAR AVE")))
    assert listing["street"] == "200 Cedar Ave"


def test_address_line_2_unit_forms_become_the_suite():
    assert [split_address_line_2(line) for line in ("SUITE N340", "STE 200", "# 12", "UNIT B", "FL 3", "200")] == [
        ("N340", None), ("200", None), ("12", None), ("B", None), ("Fl 3", None), ("200", None)]
    assert split_address_line_2("BLDG 2 STE 110") == ("110", "BLDG 2")
    assert split_address_line_2("NORTHGATE HOSPITAL") == (None, "NORTHGATE HOSPITAL")


def test_units_written_on_the_street_line_are_split_off_it():
    assert split_suite("100 Main St STE 200") == ("100 Main St", "200")
    assert split_suite("100 Main St # 12") == ("100 Main St", "12")
    assert split_suite("100 Main St, 3rd Floor") == ("100 Main St", "Fl 3")
    assert split_suite("100 Main St BLDG 2 STE 110") == ("100 Main St", "110")
    assert split_suite("100 Unit St") == ("100 Unit St", None), "a street named like a unit word keeps its name"


def test_a_dba_name_is_the_name_on_the_door_and_the_legal_name_is_kept():
    result = record("EXAMPLE HOLDINGS PC", other_names=[
        {"type": "Other Name", "code": "5", "organization_name": "BRIGHT KETAMINE CARE"},
        {"type": "Doing Business As", "code": "3", "organization_name": "SUNNY VALE PSYCHIATRY"}])
    listing = listing_of(result)
    assert (listing["name"], listing["legal_name"]) == ("Sunny Vale Psychiatry", "Example Holdings PC")


def test_an_other_name_that_mentions_ketamine_is_the_name_on_the_door():
    result = record("EXAMPLE HOLDINGS PC", other_names=[
        {"type": "Other Name", "code": "5", "organization_name": "BRIGHT KETAMINE CARE"}])
    assert listing_of(result)["name"] == "Bright Ketamine Care"


def test_a_former_name_is_not_the_name_on_the_door():
    result = record("EXAMPLE HOLDINGS PC", other_names=[
        {"type": "Former Legal Business Name", "code": "4", "organization_name": "OLD KETAMINE CARE"}])
    assert listing_of(result)["name"] == "Example Holdings PC"


def test_an_other_name_known_only_by_its_code_is_read():
    result = record("EXAMPLE HOLDINGS PC", other_names=[{"code": "5", "organization_name": "BRIGHT KETAMINE CARE"}])
    assert listing_of(result)["name"] == "Bright Ketamine Care"


def test_a_ketamine_word_in_any_other_name_makes_a_candidate():
    result = record("EXAMPLE HOLDINGS PC", other_names=[
        {"type": "Doing Business As", "code": "3", "organization_name": "SUNNY VALE FAMILY CARE"},
        {"type": "Other Name", "code": "5", "organization_name": "SUNNY VALE INFUSION SUITE"}])
    decision, reason = classify_npi(listing_of(result), result)
    assert decision == "candidate" and "Sunny Vale Infusion Suite" in reason
    assert classify_npi(listing_of(record()), record())[0] == "dropped"


def test_abbreviations_credentials_and_codes_keep_their_capitals():
    assert _title("ALEX SAMPLE M.D., P.C.") == "Alex Sample M.D., P.C."
    assert _title("COASTLINE OBGYN") == "Coastline OBGYN"
    assert _title("OB/GYN AND MIND/BODY CARE PLLC") == "OB/GYN And Mind/Body Care PLLC"
    assert _title("JO EXAMPLE-SMITH PMHNP-BC LCSW PSYD") == "Jo Example-Smith PMHNP-BC LCSW PsyD"
    assert _title("MCSAMPLE O'EXAMPLE PHD") == "McSample O'Example PhD"
    assert _title("100 1ST ST NE") == "100 1st St NE"
    assert _title("TX KETAMINE CENTER") == "TX Ketamine Center"
    assert _title("Already Mixed Case") == "Already Mixed Case"


def test_a_foreign_number_is_not_a_us_phone():
    assert normalise_phone("+84 243 855 2501") is None
    assert normalise_phone("+44 207 555 0100") is None
    assert normalise_phone("Intl +44 207 555 0100, US (949) 555-0100") == "+19495550100"
    assert normalise_phone("+1 949 555 0100") == "+19495550100"
    assert normalise_phone("+19495550100") == "+19495550100"


def test_an_address_outside_the_us_gives_no_us_phone():
    place = location("12 SAMPLE STREET", country_code="VN", country_name="Vietnam", state="",
                     telephone_number="243-855-2501")
    assert listing_of(record(place=place))["phone"] is None
    assert listing_of(record())["phone"] == "+17145550100"


def test_a_state_written_out_in_full_becomes_its_usps_code():
    assert listing_of(record(place=location("1 EXAMPLE WAY", state="CALIFORNIA")))["state"] == "CA"
    assert listing_of(record(place=location("1 EXAMPLE WAY", state="California")))["state"] == "CA"
    assert listing_of(record(place=location("1 EXAMPLE WAY", state="TX")))["state"] == "TX"
