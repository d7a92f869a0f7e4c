"""The site keeps the pages it renders: a crowd asking for one page costs one rendering, and a crawl that
commits is seen on the very next request. Only anonymous, complete, successful answers are kept."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from types import SimpleNamespace

import pytest
from datasette.app import Datasette

from clinics.serving import metadata_for, settings
from datasette_config.plugins.response_cache import NO_CACHE_KEY, ResponseCache


def site(db_path) -> Datasette:
    return Datasette([str(db_path)], metadata=metadata_for(str(db_path)), settings=settings())


@pytest.mark.asyncio
async def test_a_page_is_kept_until_a_crawl_commits_then_rendered_again(demo_db, tmp_path):
    copy = tmp_path / "clinics.db"
    shutil.copy(demo_db, copy)
    ds = site(copy)
    url = "/clinics/clinics.json?_shape=array&_sort=id&_size=1"
    first, second = await ds.client.get(url), await ds.client.get(url)
    assert "x-cache" not in first.headers and second.headers["x-cache"] == "hit"
    assert first.json() == second.json()
    with sqlite3.connect(copy) as db:  # another process commits, as a crawl does while the site serves
        db.execute("update clinics set name = 'Renamed By A Crawl' where id = ?", [first.json()[0]["id"]])
    third = await ds.client.get(url)
    assert "x-cache" not in third.headers
    assert third.json()[0]["name"] == "Renamed By A Crawl"


@pytest.mark.asyncio
async def test_readers_with_cookies_and_the_sites_own_pages_are_never_kept(demo_db):
    ds = site(demo_db)
    for url, headers in (("/clinics/clinics.json", {"cookie": "ds_actor=someone"}), ("/-/versions.json", {}),
                         ("/clinics/clinics.json?_trace=1", {})):
        await ds.client.get(url, headers=headers)
        assert "x-cache" not in (await ds.client.get(url, headers=headers)).headers, url
    await ds.client.get("/clinics/no_such_table")
    assert "x-cache" not in (await ds.client.get("/clinics/no_such_table")).headers, "a 404 is not kept"


class CountingApp:
    """A stand-in for Datasette: answers ``status`` after a pause and counts its renderings."""

    def __init__(self, status: int = 200, body: bytes = b"page", partial: bool = False):
        self.status, self.body, self.partial, self.renderings = status, body, partial, 0

    async def __call__(self, scope, receive, send):
        self.renderings += 1
        await asyncio.sleep(0.01)
        if self.partial:
            scope[NO_CACHE_KEY] = True
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": self.body})


async def get(cache: ResponseCache, path: str) -> tuple[int, bytes, dict]:
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "scheme": "http", "path": path, "query_string": b"",
             "headers": [(b"host", b"localhost")]}
    await cache(scope, None, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]), dict(sent[0]["headers"])


NO_DATABASES = SimpleNamespace(databases={})


@pytest.mark.asyncio
async def test_a_crowd_asking_for_one_page_at_once_costs_one_rendering():
    app = CountingApp()
    cache = ResponseCache(app, NO_DATABASES)
    answers = await asyncio.gather(*(get(cache, "/clinics/clinics") for _ in range(8)))
    assert app.renderings == 1
    assert {body for _, body, _ in answers} == {b"page"}


@pytest.mark.asyncio
async def test_errors_and_pages_with_a_timed_out_facet_are_rendered_every_time():
    for app in (CountingApp(status=500), CountingApp(partial=True)):
        cache = ResponseCache(app, NO_DATABASES)
        await get(cache, "/clinics/clinics")
        await get(cache, "/clinics/clinics")
        assert app.renderings == 2


@pytest.mark.asyncio
async def test_the_least_recently_used_page_goes_when_the_cache_is_full():
    app = CountingApp(body=b"x" * 1000)
    cache = ResponseCache(app, NO_DATABASES, max_total=2500)
    for path in ("/a", "/b", "/a", "/c"):  # /b is the least recently used when /c arrives
        await get(cache, path)
    assert cache.total <= 2500
    assert (await get(cache, "/a"))[2].get(b"x-cache") == b"hit"
    assert (await get(cache, "/b"))[2].get(b"x-cache") is None


@pytest.mark.asyncio
async def test_a_kept_page_expires():
    app = CountingApp()
    cache = ResponseCache(app, NO_DATABASES, ttl=0)
    await get(cache, "/a")
    await get(cache, "/a")
    assert app.renderings == 2
