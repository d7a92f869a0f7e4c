"""Regions resolve offline through the zipcodes gazetteer; bad names fail with suggestions."""

from __future__ import annotations

import pytest

from clinics.regions import RegionError, resolve


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
