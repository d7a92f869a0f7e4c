"""``/compare?id=A&id=B``: two to five clinics side by side, what to know before calling first, every value opening
onto the sentence and page it was read from. Ids come from the results page's "Add to compare" or the search here;
any input is data: an id is only ever looked up, a search only ever quoted words."""

from __future__ import annotations

from urllib.parse import urlencode

from datasette import Response

from core.find import Search
from datasette_config.plugins.clinic_page import _database_name
from datasette_config.plugins.compare_columns import BEFORE_YOU_CALL, LIST_KEYS, PAYMENT_LISTS, load_columns

MAX_COMPARED = 5
MAX_ID_CHARS = 100  # clinic ids are 13 characters; a longer one is no clinic, named but not looked up or repeated
MAX_QUERY_CHARS = 200
MAX_CANDIDATES = 50
# A word every clinic holds ("ketamine") matches all 100,000: the first 500 matches, 50 of them by name, take 4 ms
# where sorting every match took 160 ms. A person told more match narrows the search with a city or a name.
CANDIDATES_SQL = ("select id, name, city from clinics where rowid in (select rowid from clinics_fts "
                  f"where clinics_fts match :q limit 500) order by name limit {MAX_CANDIDATES}")
LOOKUPS_SQL = {"routes": "select key, label from route_types",
               "families": "select key, label from condition_types where parent is null",
               "payment": "select key, label from payment_keys"}


async def compare_view(datasette, request):
    context = await _compare(datasette, request)
    return Response.html(await datasette.render_template("compare.html", context, request=request))


async def _compare(datasette, request) -> dict:
    db = datasette.get_database(_database_name(datasette))
    asked = list(dict.fromkeys(i.strip() for value in request.args.getlist("id") for i in value.split(",") if i.strip()))
    ids = asked[:MAX_COMPARED]
    columns = await load_columns(db, [i for i in ids if len(i) <= MAX_ID_CHARS])
    found = [c["row"]["id"] for c in columns]
    for column in columns:
        column["remove_url"] = _compare_url([i for i in found if i != column["row"]["id"]])
    query = (request.args.get("q") or "").strip()[:MAX_QUERY_CHARS]
    terms = Search(words=[query]).fts_query() or '""'  # quoted words only: '""' matches nothing, without an error
    candidates = [dict(r) for r in (await db.execute(CANDIDATES_SQL, {"q": terms})).rows] if query else []
    lookups = {name: [dict(r) for r in (await db.execute(sql)).rows] for name, sql in LOOKUPS_SQL.items()}
    return {"compare": {
        "ids": found, "q": query, "candidates": candidates, "clinics": columns, "max": MAX_COMPARED,
        "more_candidates": len(candidates) == MAX_CANDIDATES,
        "unknown": [i[:MAX_ID_CHARS] + ("…" if len(i) > MAX_ID_CHARS else "") for i in ids if i not in found],
        "dropped": len(asked) - len(ids), "before_you_call": BEFORE_YOU_CALL, "payment_lists": PAYMENT_LISTS,
        "list_keys": LIST_KEYS,
        "routes": _stated(lookups["routes"], columns, "routes"),
        "families": _stated(lookups["families"], columns, "families"),
        "payment": _stated(lookups["payment"], columns, "payment"),
        "prices": _stated(lookups["routes"], columns, "prices"),
        "find_url": "/find?" + urlencode([("compare", i) for i in found])}}


def _stated(lookup: list[dict], columns: list[dict], part: str) -> dict:
    """The rows of a part some compared clinic says something about, and the labels of those none does: a row of
    "not stated" under every clinic tells a person nothing and pushes the rest down a phone's screen."""
    stated = [row for row in lookup if any(row["key"] in column[part] for column in columns)]
    return {"rows": stated, "none": [row["label"] for row in lookup if row not in stated]}


def _compare_url(ids: list[str]) -> str:
    return "/compare?" + urlencode([("id", i) for i in ids]) if ids else "/compare"
