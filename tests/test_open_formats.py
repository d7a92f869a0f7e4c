"""What other software reads from the site: GeoJSON of the clinics and schema.org MedicalClinic JSON-LD on each
clinic's page, both from the demo database as `clinics serve` publishes it."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from datasette.app import Datasette

from clinics.serving import metadata_for, settings

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def site(demo_db):
    return Datasette([str(demo_db)], metadata=metadata_for(str(demo_db)), settings=settings())


def _rows(demo_db, sql: str) -> list[tuple]:
    return sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True).execute(sql).fetchall()


@pytest.mark.asyncio
async def test_geojson_holds_every_listed_clinic_as_a_point(site, demo_db):
    response = await site.client.get("/clinics/clinic_points.geojson?_size=max")
    assert response.status_code == 200
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    expected = dict(_rows(demo_db, "select id, json_array(longitude, latitude) from clinics where status not in "
                                   "('merged', 'removed') and latitude is not null"))
    features = {f["properties"]["id"]: f for f in collection["features"]}
    assert set(features) == set(expected) and len(features) > 10
    for clinic_id, feature in features.items():
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        assert feature["geometry"]["coordinates"] == json.loads(expected[clinic_id]), "longitude first, as GeoJSON says"
        assert feature["properties"]["clinic_page"] == f"/clinic/{clinic_id}"
    texas = (await site.client.get("/clinics/clinic_points.geojson?region=Travis+County%2C+TX&_size=max")).json()
    assert 0 < len(texas["features"]) < len(features), "a filter narrows the GeoJSON as it narrows the table"


@pytest.mark.asyncio
async def test_each_open_clinic_page_describes_a_medical_clinic(site, demo_db):
    rows = _rows(demo_db, "select id, name, phone, zip, routes, status from clinics where status = 'active'")
    for clinic_id, name, phone, zip_code, routes, _ in rows:
        page = (await site.client.get(f"/clinic/{clinic_id}")).text
        blocks = JSONLD.findall(page)
        assert len(blocks) == 1, clinic_id
        data = json.loads(blocks[0])
        assert data["@context"] == "https://schema.org" and data["@type"] == "MedicalClinic"
        assert data["name"] == name and data["@id"] == f"http://localhost/clinic/{clinic_id}"
        assert data.get("telephone") == phone and data["address"]["postalCode"] == zip_code
        assert len(data.get("availableService", [])) == len(json.loads(routes or "[]"))
        assert None not in data.values() and "" not in data.values(), "unknowns are left out, not sent blank"


@pytest.mark.asyncio
async def test_a_hostile_name_cannot_end_the_json_ld_script(site, demo_db):
    hostile = _rows(demo_db, "select id, name from clinics where name like '%<%'")
    assert hostile, "the sample web plants a clinic whose name holds markup"
    for clinic_id, name in hostile:
        page = (await site.client.get(f"/clinic/{clinic_id}")).text
        block = JSONLD.search(page)
        if block:
            assert "<" not in block.group(1) and json.loads(block.group(1))["name"] == name


@pytest.mark.asyncio
async def test_a_closed_clinic_is_not_announced(site, demo_db):
    closed = _rows(demo_db, "select id from clinics where status in ('gone', 'merged', 'removed')")
    assert closed, "the sample web has a clinic that closed"
    for (clinic_id,) in closed:
        assert not JSONLD.search((await site.client.get(f"/clinic/{clinic_id}")).text)
