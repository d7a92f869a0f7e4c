"""``/compare``: two to five clinics side by side, what to know before calling first, every value opening onto the
sentence and page it was read from. Ids come from the results page's "Add to compare" or the search here."""

from __future__ import annotations

from urllib.parse import urlencode

from datasette import Response

from datasette_config.plugins.clinic_page import LIST_LABELS, _database_name
from datasette_config.plugins.clinic_view import load_clinic

MAX_COMPARED = 5
MAX_ID_CHARS = 100
BEFORE_YOU_CALL = (  # (clinic_care key, the row's words); list kinds gather every item the clinic names
    ("discipline", "Who treats"), ("physician_led", "Physician-led or physician on site"),
    ("accepting_new_patients", "Accepting new patients"), ("referral_required", "Referral required"),
    ("consultation_required", "Consultation or screening first"), ("telehealth", "Telehealth visits"),
    ("state_served", "Telehealth or at-home: states served"), ("spravato_rems", "Certified Spravato (REMS) center"),
    ("language", "Languages spoken"), ("opening_hours", "Opening hours"),
)


async def compare_view(datasette, request):
    context = await _compare(datasette, request)
    return Response.html(await datasette.render_template("compare.html", context, request=request))


async def _compare(datasette, request) -> dict:
    db = datasette.get_database(_database_name(datasette))
    asked = list(dict.fromkeys(i.strip() for value in request.args.getlist("id") for i in value.split(",") if i.strip()))
    ids = asked[:MAX_COMPARED]
    query = (request.args.get("q") or "").strip()[:200]
    candidates = []
    if query:
        candidates = [dict(r) for r in (await db.execute(
            "select id, name, city from clinics where rowid in (select rowid from clinics_fts "
            "where clinics_fts match :q) order by name limit 50", {"q": _fts_query(query)})).rows]
    clinics, unknown = [], []
    for clinic_id in ids:
        facts = await load_clinic(db, clinic_id) if len(clinic_id) <= MAX_ID_CHARS else None
        if facts is None:
            unknown.append(clinic_id[:MAX_ID_CHARS])
            continue
        kept = [i for i in ids if i != clinic_id]
        clinics.append({**_compared(facts), "remove_url": "/compare?" + urlencode([("id", i) for i in kept])})
    routes = (await db.execute("select key, label from route_types")).rows
    families = (await db.execute("select key, label from condition_types where parent is null")).rows
    payment = (await db.execute("select key, label from payment_keys")).rows
    return {"compare": {"ids": ids, "q": query, "candidates": candidates, "clinics": clinics, "unknown": unknown,
                        "dropped": len(asked) - len(ids), "before_you_call": BEFORE_YOU_CALL,
                        "routes": [dict(r) for r in routes], "families": [dict(r) for r in families],
                        "payment": [dict(r) for r in payment], "max": MAX_COMPARED,
                        "find_url": "/find?" + urlencode([("compare", i) for i in ids])}}


def _compared(facts: dict) -> dict:
    """One clinic's column: each fact by its key, a condition family treated when any condition in it is, the
    lowest price per session for each route, and the before-you-call kinds (lists for the list kinds)."""
    families: dict[str, dict] = {}
    for fact in facts["conditions"]:
        current = families.get(fact["family"])
        if current is None or (fact["value"] and not current["value"]):
            families[fact["family"]] = fact
    lowest: dict[str, dict] = {}
    for price in facts["prices"]:
        if price["route"] and price["per_session_usd"] is not None and (
                price["route"] not in lowest or price["per_session_usd"] < lowest[price["route"]]["per_session_usd"]):
            lowest[price["route"]] = price
    care: dict[str, list[dict]] = {}
    for row in (r for group in facts["care_by_group"].values() for r in group):
        if row["key"] in LIST_LABELS:
            row = {**row, "label": row["label"].removeprefix(f"{LIST_LABELS[row['key']]}: ")}
        care.setdefault(row["key"], []).append(row)
    return {"row": facts["clinic"], "facts": {name: {f["key"]: f for f in facts[name]}
                                              for name in ("routes", "services", "payment")},
            "families": families, "lowest": lowest, "care": care}


def _fts_query(text: str) -> str:
    """User words as an FTS5 query of quoted prefix terms (no operators from user input)."""
    words = [w.replace('"', "") for w in text.split() if w.replace('"', "")]
    return " ".join(f'"{w}"*' for w in words) or '""'
