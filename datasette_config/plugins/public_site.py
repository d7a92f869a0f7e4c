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

from datasette import Response, hookimpl

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


@hookimpl(specname="register_routes")
def private_routes():
    return [(r"^/-/databases(\.json)?$", databases_without_paths)]


async def databases_without_paths(datasette):
    """Datasette's own list, less each file's path."""
    return Response.json([{k: v for k, v in db.items() if k != "path"} for db in datasette._connected_databases()])
