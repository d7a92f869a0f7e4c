"""``/compare``: two to five clinics side by side, every value linked to the page it was read from."""

from __future__ import annotations

from datasette import Response

from datasette_config.plugins.clinic_page import FACT_QUERIES, _database_name

COMPARED_FACTS = ("routes", "services", "conditions", "payment")
MAX_COMPARED = 5


async def compare_view(datasette, request):
    context = await _compare(datasette, request)
    return Response.html(await datasette.render_template("compare.html", context, request=request))


async def _compare(datasette, request) -> dict:
    """Two to five clinics side by side: each value with the evidence and page it came from."""
    db = datasette.get_database(_database_name(datasette))
    ids = [i for value in request.args.getlist("id") for i in value.split(",") if i][:MAX_COMPARED]
    query = (request.args.get("q") or "").strip()
    candidates = []
    if query:
        candidates = [dict(r) for r in (await db.execute(
            "select id, name, city from clinics where rowid in (select rowid from clinics_fts "
            "where clinics_fts match :q) order by name limit 50", {"q": _fts_query(query)})).rows]
    clinics = []
    for clinic_id in ids:
        row = (await db.execute("select * from clinics where id = :id", {"id": clinic_id})).first()
        if row is None:
            continue
        facts = {name: [dict(r) for r in (await db.execute(FACT_QUERIES[name], {"id": clinic_id})).rows]
                 for name in COMPARED_FACTS}
        lowest = {r["route"]: dict(r) for r in (await db.execute(
            "select route, min(per_session_usd) as usd, evidence, source_url, seen_at, as_of from prices "
            "where clinic_id = :id and per_session_usd is not null and flag is null and route is not null group by route",
            {"id": clinic_id})).rows}
        families: dict[str, dict] = {}
        for fact in facts["conditions"]:  # a family is treated when any condition in it is
            current = families.get(fact["family"])
            if current is None or (fact["value"] and not current["value"]):
                families[fact["family"]] = fact
        clinics.append({"row": dict(row), "facts": {k: {f["key"]: f for f in v} for k, v in facts.items()},
                        "families": families, "lowest": lowest})
    routes = (await db.execute("select key, label from route_types")).rows
    families = (await db.execute("select key, label from condition_types where parent is null")).rows
    payment = (await db.execute("select key, label from payment_keys")).rows
    return {"compare": {"ids": ids, "q": query, "candidates": candidates, "clinics": clinics,
                        "routes": [dict(r) for r in routes], "families": [dict(r) for r in families],
                        "payment": [dict(r) for r in payment], "max": MAX_COMPARED}}


def _fts_query(text: str) -> str:
    """User words as an FTS5 query of quoted prefix terms (no operators from user input)."""
    words = [w.replace('"', "") for w in text.split() if w.replace('"', "")]
    return " ".join(f'"{w}"*' for w in words) or '""'
