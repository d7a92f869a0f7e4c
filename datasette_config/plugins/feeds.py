"""Atom feeds of what changed: the whole directory, one region, one clinic.

One entry per clinic and crawl run, titled with the clinic and saying each change from what to what in words
("IV infusion: not offered -> offered"), linking to the clinic's page; datasette-atom renders it. An unknown
clinic or region is a 404, and a feed with nothing in it yet is a valid empty feed (datasette-atom cannot
render zero rows).
"""

from __future__ import annotations

from itertools import groupby
from urllib.parse import quote, unquote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Request, Response
from datasette_atom import render_atom
from feedgen.feed import FeedGenerator

from clinics.changes import field_label, value_text
from datasette_config.plugins.clinic_page import _database_name
from datasette_config.plugins.words import region_slug

# Newest run first, each clinic's changes together (one entry each); merged and removed listings stay out, as
# they do from every view.
FEED_SQL = """
select ch.clinic_id, c.name, c.city, ch.field, ch.old_value, ch.new_value, ch.changed_at, ch.run_id
from changes ch join clinics c on c.id = ch.clinic_id
where c.status not in ('merged', 'removed') {scope}
order by ch.run_id desc, ch.clinic_id, ch.id
limit 2000"""
SCOPES = {"region": "and c.region = :region", "clinic_id": "and ch.clinic_id = :clinic_id"}
MAX_ENTRIES = 100  # clinic-and-run entries per feed; a reader polls, it does not page back


@hookimpl(specname="register_routes")
def feed_routes():
    return [(r"^/feeds/changes\.atom$", directory_feed), (r"^/feeds/region/(?P<region>[^/]+)\.atom$", region_feed),
            (r"^/feeds/clinic/(?P<id>[^/]+)\.atom$", clinic_feed)]


async def directory_feed(datasette, request):
    return await _feed(datasette, request, "Changes to the ketamine clinic directory", {})


async def region_feed(datasette, request):
    wanted = unquote(request.url_vars["region"])
    db = datasette.get_database(_database_name(datasette))
    regions = [row[0] for row in await db.execute("select distinct region from clinics where region is not null")]
    region = next((name for name in regions if wanted in (name, region_slug(name))), None)
    if region is None:
        raise NotFound(f"No region {wanted!r} in this directory. Regions: {', '.join(map(region_slug, regions)) or 'none'}")
    return await _feed(datasette, request, f"Changes to ketamine clinics in {region}", {"region": region})


async def clinic_feed(datasette, request):
    clinic_id = unquote(request.url_vars["id"])
    db = datasette.get_database(_database_name(datasette))
    clinic = (await db.execute("select name, city from clinics where id = ?", [clinic_id])).first()
    if clinic is None:
        raise NotFound(f"No clinic {clinic_id!r} in this directory")
    place = ", ".join(part for part in (clinic["name"], clinic["city"]) if part)
    return await _feed(datasette, request, f"Changes to {place}", {"clinic_id": clinic_id})


async def _feed(datasette, request, title: str, params: dict) -> Response:
    name = _database_name(datasette)
    sql = FEED_SQL.format(scope=" ".join(SCOPES[key] for key in params))
    rows = (await datasette.get_database(name).execute(sql, params)).rows
    entries = _entries([dict(row) for row in rows], lambda path: datasette.absolute_url(request, path))
    if not entries:
        return _empty_feed(request, title)
    # datasette-atom titles the feed from _feed_title; the scope keeps the reader's host in the feed's own URL.
    titled = Request(dict(request.scope, query_string=urlencode({"_feed_title": title}).encode()), request.receive)
    columns = list(entries[0])
    return render_atom(datasette, titled, sql, columns, entries, name, None, None, None, {})


def _entries(rows: list[dict], absolute) -> list[dict]:
    """Changes grouped into one entry per clinic and run, newest first, each change in words."""
    entries = []
    for (clinic_id, run_id), changes in groupby(rows, key=lambda row: (row["clinic_id"], row["run_id"])):
        changes = list(changes)
        first = changes[0]
        place = ", ".join(part for part in (first["name"], first["city"]) if part) or clinic_id
        lines = [_in_words(change) for change in changes]
        entries.append({
            "atom_id": absolute(f"/clinic/{quote(clinic_id)}") + f"#run-{run_id}",
            "atom_title": f"{place}: {lines[0]}" if len(lines) == 1 else f"{place}: {len(lines)} changes",
            "atom_updated": max(change["changed_at"] for change in changes),
            "atom_content": "\n".join(lines),
            "atom_link": absolute(f"/clinic/{quote(clinic_id)}"),
        })
        if len(entries) == MAX_ENTRIES:
            break
    return entries


def _in_words(change: dict) -> str:
    if change["field"] == "status" and not change["old_value"]:
        return f"Listed in the directory ({value_text('status', change['new_value'])})"
    old, new = value_text(change["field"], change["old_value"]), value_text(change["field"], change["new_value"])
    return f"{field_label(change['field'])}: {old} -> {new}"


def _empty_feed(request, title: str) -> Response:
    """A valid Atom feed with no entries: what a new directory, region or clinic has to say."""
    feed = FeedGenerator()
    feed.id(request.url)
    feed.title(title)
    feed.link(href=request.url, rel="self")
    feed.updated("1970-01-01T00:00:00Z")
    return Response(feed.atom_str(pretty=True), content_type="application/xml; charset=utf-8")
