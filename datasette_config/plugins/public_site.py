"""What the public site does not give away: stored page bodies, the server's file paths, and its memory.

The site publishes facts, their evidence snippets and source URLs; the copies of clinics' pages the crawl
keeps (``pages.body``) stay in the working database: every connection Datasette opens reads that column as
NULL, whatever the query (a table page, a ``.blob`` link, SQL when ``--allow-sql`` turns it on). One value
may not exceed ``MAX_VALUE_BYTES`` (``zeroblob(2e9)`` took a server to 2.7 GB inside one step of the time
limit), and SQLite's heap is capped for the whole process. ``/-/databases.json`` lists the databases
without their paths on the server.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import parse_qsl, urlencode

from datasette import Response, hookimpl
from datasette.utils import escape_fts

MAX_VALUE_BYTES = 5_000_000  # the largest string or blob one query may build
HEAP_LIMIT_BYTES = 512 * 1024 * 1024  # SQLite's memory for every query together
UNPUBLISHED = {("pages", "body")}


def _hide_unpublished(action, table, column, database, trigger) -> int:
    if action == sqlite3.SQLITE_READ and (table, column) in UNPUBLISHED:
        return sqlite3.SQLITE_IGNORE  # the column reads as NULL
    return sqlite3.SQLITE_OK


@hookimpl(specname="prepare_connection")
def limit_connection(conn):
    conn.set_authorizer(_hide_unpublished)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute(f"pragma hard_heap_limit = {HEAP_LIMIT_BYTES}")


@hookimpl(specname="asgi_wrapper")
def searches_that_say_nothing():
    """A table search of only quotes or spaces (``_search="``) leaves Datasette an empty FTS5 query, a syntax
    error page: such a search is dropped, so the page lists the rows as if none was typed."""
    def wrap(app):
        async def searched(scope, receive, send):
            if scope["type"] == "http" and b"_search" in scope.get("query_string", b""):
                pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
                kept = [(k, v) for k, v in pairs if not (k.startswith("_search") and k != "_searchmode"
                                                         and not escape_fts(v))]
                if len(kept) != len(pairs):
                    scope = {**scope, "query_string": urlencode(kept).encode("latin-1")}
            await app(scope, receive, send)
        return searched
    return wrap


@hookimpl(specname="register_routes")
def private_routes():
    return [(r"^/-/databases(\.json)?$", databases_without_paths)]


async def databases_without_paths(datasette):
    """Datasette's own list, less each file's path."""
    return Response.json([{k: v for k, v in db.items() if k != "path"} for db in datasette._connected_databases()])
