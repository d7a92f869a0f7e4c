"""What the public site gives and does not give: no stored page bodies, no file paths, no arbitrary SQL unless
asked for, no query that eats the server's memory, and no link that is not http(s)."""

from __future__ import annotations

import shutil
import sqlite3
import time

import pytest
from datasette.app import Datasette
from datasette.utils import tilde_encode

from clinics.serving import metadata_for, settings


def site(db_path, allow_sql: bool = False) -> Datasette:
    return Datasette([str(db_path)], metadata=metadata_for(str(db_path)), settings=settings(allow_sql))


@pytest.mark.asyncio
async def test_stored_page_bodies_are_not_served_by_any_route(demo_db):
    with sqlite3.connect(demo_db) as db:
        url = db.execute("select url from pages where body is not null limit 1").fetchone()[0]
    ds = site(demo_db, allow_sql=True)
    rows = (await ds.client.get("/clinics/pages.json?_shape=array&_size=max")).json()
    assert rows and all(row["body"] is None for row in rows)
    blob = await ds.client.get(f"/clinics/pages/{tilde_encode(url)}.blob?_blob_column=body")
    assert blob.status_code == 404 or not blob.content
    answer = (await ds.client.get("/clinics.json?_shape=array&sql=select+length(body)+as+n+from+pages+"
                                  "where+body+is+not+null")).json()
    assert answer == [], "a body reads as NULL even in SQL"
    with sqlite3.connect(demo_db) as db:
        assert db.execute("select count(*) from pages where body is not null").fetchone()[0], "the working copy keeps them"


@pytest.mark.asyncio
async def test_arbitrary_sql_is_off_unless_asked_for_and_canned_queries_still_answer(demo_db):
    closed, opened = site(demo_db), site(demo_db, allow_sql=True)
    assert (await closed.client.get("/clinics.json?sql=select+1")).status_code == 403
    assert (await opened.client.get("/clinics.json?sql=select+1")).status_code == 200
    near = await closed.client.get("/clinics/clinics_near_zip.json?zip=92618&miles=25&_shape=array")
    assert near.status_code == 200 and near.json()


@pytest.mark.asyncio
async def test_a_query_cannot_build_a_huge_value(demo_db):
    ds = site(demo_db, allow_sql=True)
    started = time.perf_counter()
    response = await ds.client.get("/clinics.json?sql=select+length(zeroblob(2000000000))")
    assert response.status_code == 400 and "too big" in response.text
    assert time.perf_counter() - started < 2


@pytest.mark.asyncio
async def test_the_server_file_path_is_not_shown(demo_db):
    databases = (await site(demo_db).client.get("/-/databases.json")).json()
    assert [db["name"] for db in databases] == ["clinics"]
    assert str(demo_db) not in str(databases) and all("path" not in db for db in databases)


@pytest.mark.asyncio
async def test_a_url_that_is_not_http_is_shown_as_text_never_as_a_link(demo_db, tmp_path):
    copy = tmp_path / "clinics.db"
    shutil.copy(demo_db, copy)
    with sqlite3.connect(copy) as db:
        ids = db.execute("select id from clinics where status = 'active' order by id limit 2").fetchall()
        clinic_id, other_id = [r[0] for r in ids]
        db.execute("update clinics set website = 'javascript:alert(1)' where id = ?", [clinic_id])
        db.execute("update clinic_routes set source_url = 'javascript:alert(2)' where clinic_id = ?", [clinic_id])
        db.execute("update sources set source_url = 'JavaScript:alert(3)' where clinic_id = ?", [clinic_id])
        db.execute("update prices set source_url = 'data:text/html,x' where clinic_id = ?", [clinic_id])
    ds = site(copy)
    page = (await ds.client.get(f"/clinics/clinics/{clinic_id}")).text
    compare = (await ds.client.get(f"/compare?id={clinic_id},{other_id}")).text
    for html in (page, compare):
        assert 'href="javascript:' not in html.lower() and 'href="data:' not in html
    assert "javascript:alert(1)" in page, "the bad URL is still shown, as text"
    assert 'href="http' in page, "other links stay links"
