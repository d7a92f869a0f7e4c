"""Regions resolve offline through the zipcodes gazetteer; bad names fail with suggestions."""

from __future__ import annotations

import pytest

from core.regions import RegionError, resolve


def test_orange_county_resolves_to_its_zips_and_cities():
    region = resolve("Orange County, CA")
    assert region.name == "Orange County, CA"
    assert len(region.zips) == 149 and len(region.cities) == 47
    assert "92618" in region.zips and "Irvine" in region.cities
    south, west, north, east = region.bbox
    assert south < region.centroid[0] < north and west < region.centroid[1] < east
    assert set(region.query_zips) < set(region.zips), "PO box and inactive ZIPs are not queried"


def test_state_names_and_case_are_forgiven():
    assert resolve("orange county, California").name == "Orange County, CA"


def test_inconsistent_gazetteer_casing_is_merged():
    assert len(resolve("Baltimore City, MD").zips) == 48  # "Baltimore city" 21 + "Baltimore City" 27


def test_misspelt_region_suggests_close_matches():
    with pytest.raises(RegionError, match="did you mean 'Orange County, CA'"):
        resolve("Orange Cnty, CA")


def test_region_without_state_lists_the_candidates():
    with pytest.raises(RegionError, match="needs a state.*Orange County, FL"):
        resolve("Orange County")


def test_a_state_resolves_to_all_its_counties():
    texas = resolve("Texas")
    assert texas.name == "TX" and resolve("TX").zips == texas.zips
    assert set(resolve("Travis County, TX").zips) < set(texas.zips)


def test_several_counties_are_one_region():
    both = resolve("Orange County, CA; Los Angeles County, CA")
    assert set(resolve("Orange County, CA").zips) | set(resolve("Los Angeles County, CA").zips) == set(both.zips)
    assert both.bbox[0] <= resolve("Los Angeles County, CA").bbox[0]


def test_zip_codes_and_a_zip_with_a_radius():
    assert resolve("92618, 92660").zips == ("92618", "92660")
    near = resolve("92618 + 15 mi")
    assert "92618" in near.zips and "92660" in near.zips and "90012" not in near.zips
    assert len(resolve("92618 within 25 miles").zips) > len(near.zips)


def test_bad_zip_regions_say_why():
    with pytest.raises(RegionError, match="99999 is not in the gazetteer"):
        resolve("99999")
    with pytest.raises(RegionError, match="out of range"):
        resolve("92618 + 900 mi")
