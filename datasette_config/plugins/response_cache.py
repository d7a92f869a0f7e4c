"""Answers a page the site has just rendered from memory, until the database changes.

A crowd asks for the same few pages (the clinics table, one search, the ZIPs near a city); Datasette renders
each from scratch in one Python process, so eight readers of the faceted table queued behind each other for
over a second (make bench). A page is a function of its URL and the database files, so a rendered answer is
kept, keyed by method, scheme, host and full path, and tagged with the databases' version: for each mutable
database, its file's identity and SQLite's ``data_version`` (an immutable database never changes). A crawl
that commits changes the version and every kept page is dropped. Identical requests arriving together render once.

Kept: GET and HEAD answers with status 200, without ``Set-Cookie``, to requests without cookies (a signed-in
reader's pages are their own), up to ``MAX_ENTRY_BYTES`` each and ``MAX_TOTAL_BYTES`` together (least
recently used goes first), for ``TTL_SECONDS`` (pages that say "3 days ago" age). A kept answer carries
``X-Cache: hit``. Never kept: ``/-/`` pages
(versions, threads, the databases list), ``_trace`` pages, and a page whose facets timed out
(``NO_CACHE_KEY`` set in the request's scope), so a slow moment is not served for minutes.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections import OrderedDict

from datasette import hookimpl

MAX_ENTRY_BYTES = 2_000_000
MAX_TOTAL_BYTES = 64_000_000
TTL_SECONDS = 300
NO_CACHE_KEY = "clinics.no_cache"  # set in a request's ASGI scope by code that knows its answer is partial


class ResponseCache:
    def __init__(self, app, datasette, *, max_total: int = MAX_TOTAL_BYTES, ttl: float = TTL_SECONDS):
        self.app, self.datasette, self.max_total, self.ttl = app, datasette, max_total, ttl
        self.entries: OrderedDict[tuple, tuple[float, list[dict], int]] = OrderedDict()
        self.total = 0
        self.version: tuple | None = None
        self.rendering: dict[tuple, asyncio.Event] = {}
        self.watchers: dict[str, tuple] = {}  # database name -> (file identity, read-only connection)

    async def __call__(self, scope, receive, send):
        key = self._key(scope)
        if key is None:
            return await self.app(scope, receive, send)
        self._drop_if_changed()
        while key in self.rendering:  # the same page is being rendered: wait for it rather than render it twice
            await self.rendering[key].wait()
        if await self._replay(key, send):
            return
        done = self.rendering[key] = asyncio.Event()
        try:
            await self._render_and_keep(key, scope, receive, send)
        finally:
            del self.rendering[key]
            done.set()

    def _key(self, scope) -> tuple | None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return None
        path, query = scope["path"], scope.get("query_string", b"")
        if path.startswith("/-/") or b"_trace" in query:
            return None
        headers = dict(scope.get("headers") or [])
        if b"cookie" in headers:
            return None
        return scope["method"], scope.get("scheme"), headers.get(b"host"), path, query

    async def _replay(self, key: tuple, send) -> bool:
        entry = self.entries.get(key)
        if entry is None:
            return False
        kept_at, messages, _ = entry
        if time.monotonic() - kept_at > self.ttl:
            self._forget(key)
            return False
        self.entries.move_to_end(key)
        start, *body = messages
        await send({**start, "headers": [*start.get("headers", []), (b"x-cache", b"hit")]})
        for message in body:
            await send(message)
        return True

    async def _render_and_keep(self, key: tuple, scope, receive, send) -> None:
        messages: list[dict] = []
        size = [0]
        keep = [True]

        async def recording_send(message):
            if keep[0]:
                if message["type"] == "http.response.start":
                    headers = dict(message.get("headers") or [])
                    keep[0] = message["status"] == 200 and b"set-cookie" not in headers
                elif message["type"] == "http.response.body":
                    size[0] += len(message.get("body", b""))
                    keep[0] = size[0] <= MAX_ENTRY_BYTES
                if keep[0]:
                    messages.append(message)
                else:
                    messages.clear()
            await send(message)

        await self.app(scope, receive, recording_send)
        if keep[0] and messages and not scope.get(NO_CACHE_KEY):
            self._keep(key, messages, size[0])

    def _keep(self, key: tuple, messages: list[dict], size: int) -> None:
        self._forget(key)
        self.entries[key] = (time.monotonic(), messages, size)
        self.total += size
        while self.total > self.max_total and self.entries:
            self._forget(next(iter(self.entries)))

    def _forget(self, key: tuple) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.total -= entry[2]

    def _drop_if_changed(self) -> None:
        version = self._files_version()
        if version != self.version:
            self.entries.clear()
            self.total = 0
            self.version = version

    def _files_version(self) -> tuple:
        """Each mutable database's identity and SQLite's own ``data_version``, which changes whenever another
        connection commits (an in-place write can keep the file's size and, within a clock tick, its mtime)."""
        version = []
        for name, database in self.datasette.databases.items():
            if not (database.is_mutable and database.path):
                continue
            try:
                stat = os.stat(database.path)
                watcher = self.watchers.get(name)
                if watcher is None or watcher[0] != (stat.st_dev, stat.st_ino):
                    connection = sqlite3.connect(f"file:{database.path}?mode=ro", uri=True, check_same_thread=False)
                    watcher = self.watchers[name] = ((stat.st_dev, stat.st_ino), connection)
                version.append((name, watcher[0], watcher[1].execute("pragma data_version").fetchone()[0]))
            except (OSError, sqlite3.Error):
                version.append((name, None, time.monotonic()))  # cannot tell: keep nothing for it
        return tuple(version)


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: ResponseCache(app, datasette)
