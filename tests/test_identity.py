"""One clinic per clinic: identity rules on crafted cases, and people's decisions honoured by later builds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.identity import Decisions, best_match, candidates, compare, identity_of, name_similarity
from db.build import RunContext, build_clinics
from db.schema import open_db
from db.store import save_listing

CLINICS = str(Path(sys.executable).parent / "clinics")
AUSTIN = {"78703", "78731", "78660", "78701"}


def clinic(clinic_id: str, **row) -> object:
    return identity_of({"city": "Austin", "state": "TX", **row}, clinic_id)


def listing(**row) -> object:
    return identity_of({"city": "Austin", "state": "TX", **row})


LONE_STAR = clinic("lone", name="Lone Star Ketamine & Wellness", street="1201 West 6th Street", suite="300",
                   zip="78703", phone="(512) 555-0120", website="https://lonestarketamine.example/")


def test_same_clinic_spelled_three_ways_is_one_confident_match():
    for other in (
        listing(name="LONE STAR KETAMINE AND WELLNESS PLLC", street="1201 W 6TH ST", suite="STE 300", zip="78703",
                phone="512-555-0120"),
        listing(name="Lone Star Ketamine Wellness Center", street="1201 W. 6th St.", suite="300", zip="78703"),
        listing(name="Lone Star Ketamine and Wellness", street="1201 West 6th Street", zip="78703",
                phone="+1 512 555 0120"),
    ):
        found = candidates(other, [LONE_STAR])
        assert best_match(found) and best_match(found).clinic_id == "lone", found


def test_two_clinics_in_one_building_stay_apart():
    bull_creek = clinic("bull", name="Bull Creek Infusion Center", street="4301 Bull Creek Rd", suite="150",
                        zip="78731", phone="512-555-0130", website="https://bullcreek.example/")
    westlake = clinic("west", name="Westlake Mind Ketamine", street="4301 Bull Creek Road", suite="Suite 220",
                      zip="78731", phone="512-555-0140", website="https://westlakemind.example/")
    npi = listing(name="Westlake Mind PLLC", street="4301 BULL CREEK RD", suite="STE 220", zip="78731",
                  phone="512-555-0140")
    found = candidates(npi, [bull_creek, westlake])
    assert best_match(found).clinic_id == "west"
    assert next(c for c in found if c.clinic_id == "bull").ruled_out == "different suite in the same building"
    no_suite = listing(name="Ketamine Clinic", street="4301 Bull Creek Rd", zip="78731")
    assert best_match(candidates(no_suite, [bull_creek, westlake])) is None, "one building, no suite: unsure"


def test_a_chains_locations_are_not_each_other():
    austin = clinic("hc-austin", name="Hill Country Ketamine", street="4100 N Capital of Texas Hwy", zip="78731",
                    phone="512-555-0150", website="https://hillcountry.example/")
    pflugerville = clinic("hc-pf", name="Hill Country Ketamine", street="1300 Pecan St", zip="78660",
                          city="Pflugerville", phone="512-555-0151", website="https://hillcountry.example/")
    npi_pflugerville = listing(name="Hill Country Ketamine PLLC", street="1300 E Pecan St", zip="78660",
                               city="Pflugerville", phone="512-555-0151", npi="1234567893")
    found = candidates(npi_pflugerville, [austin, pflugerville])
    assert best_match(found).clinic_id == "hc-pf"
    assert compare(npi_pflugerville, austin).ruled_out == "different city"


def test_different_organisations_rule_each_other_out():
    other_site = listing(name="Lone Star Ketamine", street="1201 W 6th St", suite="300", zip="78703",
                         website="https://another.example/")
    assert compare(other_site, LONE_STAR).ruled_out == "different organisation (website)"
    elsewhere = listing(name="Lone Star Ketamine", street="88 Congress Ave", zip="78701", phone="512-555-0999")
    assert compare(elsewhere, LONE_STAR).ruled_out == "different city" or compare(elsewhere, LONE_STAR).ruled_out


def test_ambiguous_neighbour_is_a_possible_duplicate_not_a_merge():
    ambiguous = listing(name="Austin Ketamine Center", street="1201 West 6th Street", zip="78703",
                        phone="512-555-0199")
    found = candidates(ambiguous, [LONE_STAR])
    assert best_match(found) is None
    assert found[0].ruled_out is None and found[0].score >= 2, "listed for a person to decide"


def test_people_decide_and_rules_follow():
    ambiguous = identity_of({"name": "Austin Ketamine Center", "street": "1201 West 6th Street", "zip": "78703",
                             "city": "Austin"}, "aus")
    same = Decisions(same={"aus": "lone"})
    assert best_match(candidates(ambiguous, [LONE_STAR], same)).clinic_id == "lone"
    apart = Decisions(not_same={frozenset(("aus", "lone"))})
    assert compare(ambiguous, LONE_STAR, apart).ruled_out == "a person decided they are not the same"


def test_name_similarity_ignores_legal_words_and_ampersands():
    from core.identity import name_key

    assert name_key("Lone Star Ketamine & Wellness, PLLC") == name_key("LONE STAR KETAMINE AND WELLNESS")
    assert name_similarity(name_key("Austin Ketamine Center"), name_key("Lone Star Ketamine & Wellness")) < 0.6


# A build over crafted listings: the possible duplicate, then a person's decisions on later runs -------------
def _listing(db, source_id: str, **fields) -> None:
    save_listing(db, {"source": "osm", "source_id": source_id, "decision": "candidate", "city": "Austin",
                      "state": "TX", "raw": {}, **fields}, None)


@pytest.fixture
def austin_db(tmp_path):
    db = open_db(str(tmp_path / "clinics.db"))
    _listing(db, "node/1", name="Lone Star Ketamine & Wellness", street="1201 W 6th St", suite="300", zip="78703",
             phone="512-555-0120")
    _listing(db, "node/2", name="Lone Star Ketamine and Wellness PLLC", street="1201 West 6th Street",
             suite="Ste 300", zip="78703", phone="512-555-0120")
    _listing(db, "node/3", name="Austin Ketamine Center", street="1201 West 6th Street", zip="78703",
             phone="512-555-0199")
    return db


def build(db, run_id=None):
    return build_clinics(db, RunContext(run_id=run_id, region_name="Travis County, TX", region_zips=AUSTIN))


def test_build_merges_the_confident_and_lists_the_unsure(austin_db):
    result = build(austin_db)
    assert result.clinics == 2 and result.possible_duplicates == 1
    by_source = {r["source_id"]: r for r in austin_db["sources"].rows}
    assert by_source["node/1"]["clinic_id"] == by_source["node/2"]["clinic_id"] != by_source["node/3"]["clinic_id"]
    assert "same phone" in by_source["node/2"]["match_reasons"]
    pair = next(austin_db["possible_duplicates"].rows)
    assert {pair["clinic_name"], pair["other_name"]} == {"Lone Star Ketamine & Wellness", "Austin Ketamine Center"}
    lone = austin_db["clinics"].get(by_source["node/1"]["clinic_id"])
    assert lone["street"] == "1201 W 6th St" and lone["suite"] == "300", "USPS form, suite kept apart"


def test_not_the_same_is_honoured_on_every_later_run(austin_db, tmp_path):
    build(austin_db)
    pair = next(austin_db["possible_duplicates"].rows)
    done = subprocess.run([CLINICS, "decide", "--db", str(tmp_path / "clinics.db"), pair["clinic_id"],
                           pair["other_id"], "--not-same", "--note", "different owners", "--by", "ops@example.org"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert austin_db["possible_duplicates"].count == 0
    build(austin_db, run_id=None)
    assert austin_db["possible_duplicates"].count == 0, "a later run does not list the pair again"
    assert austin_db["clinics"].count == 2
    decision = next(austin_db["identity_decisions"].rows)
    assert decision["decision"] == "not_same" and decision["decided_by"] == "ops@example.org"


def test_same_merges_and_links_every_source_to_the_survivor(austin_db, tmp_path):
    build(austin_db)
    pair = next(austin_db["possible_duplicates"].rows)
    lone_id = next(austin_db["sources"].rows_where("source_id = 'node/1'"))["clinic_id"]
    other = pair["other_id"] if pair["clinic_id"] == lone_id else pair["clinic_id"]
    done = subprocess.run([CLINICS, "decide", "--db", str(tmp_path / "clinics.db"), lone_id, other, "--same"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    build(austin_db)
    assert {r["clinic_id"] for r in austin_db["sources"].rows} == {lone_id}
    merged = austin_db["clinics"].get(other)
    assert merged["status"] == "merged" and merged["merged_into"] == lone_id, "kept for history, hidden"
    assert austin_db["possible_duplicates"].count == 0


def test_decide_refuses_unknown_clinics(austin_db, tmp_path):
    build(austin_db)
    done = subprocess.run([CLINICS, "decide", "--db", str(tmp_path / "clinics.db"), "cnope", "cnope2", "--same"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "no clinic with id cnope, cnope2" in done.stderr
    assert austin_db["identity_decisions"].count == 0
