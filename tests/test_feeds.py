"""The Atom feeds of changes, read as a feed reader reads them: valid Atom 1.0 (feedparser), one entry per clinic
and run saying what changed from what to what, linking to the clinic's page; 404 for what does not exist."""

from __future__ import annotations

import shutil
import sqlite3

import feedparser
import pytest
from datasette.app import Datasette

from clinics.serving import metadata_for, settings


@pytest.fixture(scope="module")
def history_db(demo_db, tmp_path_factory):
    """The demo database plus one later run in which a clinic started offering IV infusion and lowered a price."""
    path = tmp_path_factory.mktemp("feeds") / "clinics.db"
    shutil.copy(demo_db, path)
    db = sqlite3.connect(path)
    clinic_id, name, region = db.execute("select id, name, region from clinics where status = 'active' and "
                                         "region = 'Orange County, CA' order by name limit 1").fetchone()
    run_id = db.execute("insert into crawl_runs (region, profile, started_at, finished_at, status) values "
                        "(?, 'default', '2026-12-01T02:00:00Z', '2026-12-01T02:30:00Z', 'ok')", [region]).lastrowid
    db.executemany("insert into changes (clinic_id, field, old_value, new_value, changed_at, run_id) values "
                   "(?, ?, ?, ?, '2026-12-01T02:10:00Z', ?)",
                   [(clinic_id, "route:iv_infusion", "0", "1", run_id),
                    (clinic_id, "price:iv_infusion:per_session", "500", "450", run_id)])
    db.commit()
    db.close()
    return path, clinic_id, name


async def _get(path_db, url: str):
    site = Datasette([str(path_db)], metadata=metadata_for(str(path_db)), settings=settings())
    return await site.client.get(url)


@pytest.mark.asyncio
async def test_the_directory_feed_says_what_changed_from_what_to_what(history_db):
    path, clinic_id, name = history_db
    response = await _get(path, "/feeds/changes.atom")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    feed = feedparser.parse(response.text)
    assert feed.version == "atom10" and not feed.bozo, feed.get("bozo_exception")
    newest = feed.entries[0]
    assert newest.title.startswith(f"{name}, ") and newest.title.endswith(": 2 changes")
    assert newest.link == f"http://localhost/clinic/{clinic_id}"
    text = newest.content[0].value
    assert "IV infusion: not offered -> offered" in text and "Price, IV infusion, per session: $500 -> $450" in text
    assert newest.updated.startswith("2026-12-01T02:10:00")
    assert len({entry.id for entry in feed.entries}) == len(feed.entries), "entry ids are unique"
    listed = [entry for entry in feed.entries if "Listed in the directory" in entry.title]
    assert listed, "a clinic's first appearance is an entry of its own"


@pytest.mark.asyncio
async def test_region_and_clinic_feeds_hold_only_theirs(history_db):
    path, clinic_id, _ = history_db
    region = feedparser.parse((await _get(path, "/feeds/region/orange-county-ca.atom")).text)
    by_name = feedparser.parse((await _get(path, "/feeds/region/Orange%20County%2C%20CA.atom")).text)
    texas = feedparser.parse((await _get(path, "/feeds/region/travis-county-tx.atom")).text)
    assert region.feed.title == "Changes to ketamine clinics in Orange County, CA" and not region.bozo
    assert [e.id for e in region.entries] == [e.id for e in by_name.entries], "the name or its slug"
    assert {e.link for e in region.entries}.isdisjoint({e.link for e in texas.entries})
    clinic = feedparser.parse((await _get(path, f"/feeds/clinic/{clinic_id}.atom")).text)
    assert clinic.version == "atom10" and {e.link for e in clinic.entries} == {f"http://localhost/clinic/{clinic_id}"}
    assert len(clinic.entries) == 2, "the new run's changes, and the day it was listed"


@pytest.mark.asyncio
async def test_an_unknown_clinic_or_region_is_a_404(history_db):
    path = history_db[0]
    assert (await _get(path, "/feeds/clinic/no-such-clinic.atom")).status_code == 404
    missing_region = await _get(path, "/feeds/region/atlantis.atom")
    assert missing_region.status_code == 404 and "orange-county-ca" in missing_region.text


@pytest.mark.asyncio
async def test_an_empty_directory_has_a_valid_empty_feed(tmp_path):
    from db.schema import open_db

    open_db(str(tmp_path / "clinics.db")).close()
    feed = feedparser.parse((await _get(tmp_path / "clinics.db", "/feeds/changes.atom")).text)
    assert feed.version == "atom10" and not feed.bozo and feed.entries == []


@pytest.mark.asyncio
async def test_pages_point_feed_readers_to_their_feeds(history_db):
    path, clinic_id, _ = history_db
    home = (await _get(path, "/")).text
    assert 'type="application/atom+xml"' in home and 'href="/feeds/region/travis-county-tx.atom"' in home
    clinic = (await _get(path, f"/clinic/{clinic_id}")).text
    assert f'href="/feeds/clinic/{clinic_id}.atom"' in clinic
