"""``/find``: clinics for a person looking for care, as cards, from a search in plain words and filters in
words, nearest first for a ZIP code, best match first otherwise. The URL holds the whole search, so it can be
shared. Every input is data: the words reach SQLite only as bound parameters and quoted FTS terms.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from datasette import Response

from core.find import read_search
from datasette_config.plugins.words import ago, phone_words
from parsers.vocab import CONDITIONS, ROUTES

ROUTE_LABELS = {t.key: t.label for t in ROUTES}
CONDITION_LABELS = {t.key: t.label for t in CONDITIONS}
FAMILIES = [t for t in CONDITIONS if t.parent is None]
TOGGLES = {  # URL key -> (clinics column, words on the filter)
    "insurance": ("accepts_insurance", "Takes insurance"),
    "spravato_covered": ("spravato_covered", "Spravato covered by insurance"),
    "new_patients": ("accepting_new_patients", "Accepting new patients"),
    "telehealth": ("telehealth", "Telehealth"),
    "hsa_fsa": ("hsa_fsa", "HSA/FSA"),
    "financing": ("financing", "Financing"),
    "physician_led": ("physician_led", "Physician-led"),
}
MAX_CARDS = 50
DEFAULT_MILES = 25
CARD_COLUMNS = ("id, name, city, zip, phone, routes, condition_families, payers, accepts_insurance, spravato_covered, "
                "lowest_price_per_session_usd, lowest_price_per_session_as_of, accepting_new_patients, telehealth, "
                "spravato_rems, last_confirmed, latitude, longitude")


async def find_view(datasette, request):
    from datasette_config.plugins.clinic_page import _database_name

    db = datasette.get_database(_database_name(datasette))
    args = _pairs(request.args)
    q = dict(args).get("q", "").strip()[:200]
    search = read_search(q, **await _known_names(db))
    if search.routes or search.conditions or search.payers or search.cities or search.zip:
        # "IV for PTSD in Irvine": the words become filters in the URL, each one tap to remove
        return Response.redirect(f"{request.path}?{urlencode(_as_filters(args, search))}")
    context = await find_context(db, args, search)

    def toggled(key: str, value: str) -> str:
        pair = (key, str(value))
        return urlencode([p for p in args if p != pair] if pair in args else [*args, pair])

    return Response.html(await datasette.render_template(
        "find.html", {**context, "db_name": db.name, "toggled": toggled}, request=request))


def _pairs(args) -> list[tuple[str, str]]:
    return [(key, value) for key in args.keys() for value in args.getlist(key)]


def _as_filters(args: list[tuple[str, str]], search) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in args if k != "q" and not (k == "zip" and search.zip)]
    found = [("route", r) for r in search.routes] + [("condition", c) for c in search.conditions] \
        + [("payer", p) for p in search.payers] + [("city", c) for c in search.cities] \
        + ([("zip", search.zip)] if search.zip else [])
    words = [("q", " ".join(search.words))] if search.words else []
    return words + [pair for pair in found if pair not in kept] + kept


async def find_context(db, args: list[tuple[str, str]], search) -> dict:
    """What the results page shows for the query string's pairs (the words in ``q`` already read)."""
    def given(key: str) -> list[str]:
        return [v for k, v in args if k == key]

    one = dict(args)
    search.routes = [r for r in dict.fromkeys(given("route")) if r in ROUTE_LABELS]
    search.conditions = [c for c in dict.fromkeys(given("condition")) if c in CONDITION_LABELS]
    search.payers = list(dict.fromkeys(v[:80] for v in given("payer")))
    search.cities = list(dict.fromkeys(v[:80] for v in given("city")))
    zip_code = (one.get("zip") or "").strip()[:5]
    miles = _number(one.get("miles"), DEFAULT_MILES, 1, 200)
    toggles = [key for key in TOGGLES if one.get(key) == "1"]
    max_price = _number(one.get("max_price"), None, 1, 100_000)
    origin, zip_note = await _origin(db, zip_code)
    sql, params = _results_sql(search, origin, miles, toggles, max_price)
    rows = [dict(r) for r in (await db.execute(sql, params)).rows] if not zip_note else []
    return {"q": one.get("q", "")[:200], "zip_code": zip_code, "miles": miles, "zip_note": zip_note, "search": search,
            "toggles": toggles, "max_price": max_price, "cards": [_card(row) for row in rows],
            "route_choices": ROUTE_LABELS, "condition_choices": {t.key: t.label for t in FAMILIES},
            "condition_labels": CONDITION_LABELS,
            "toggle_choices": {key: words for key, (_, words) in TOGGLES.items()}, "max_cards": MAX_CARDS}


def _results_sql(search, origin, miles: float, toggles: list[str], max_price: float | None) -> tuple[str, dict]:
    where, params, order = ["c.status = 'active'"], {}, "c.name"
    fts = search.fts_query()
    source = "clinics c"
    if fts:
        source = "clinics c join clinics_fts f on f.rowid = c.rowid"
        where.append("clinics_fts match :fts")
        params["fts"], order = fts, "f.rank"
    # routes and conditions through their fact tables' (key, value) indexes, not json_each over every clinic
    for n, route in enumerate(search.routes):
        where.append(f"c.id in (select clinic_id from clinic_routes where route = :route{n} and value = 1)")
        params[f"route{n}"] = route
    for n, condition in enumerate(search.conditions):
        where.append(f"c.id in (select clinic_id from clinic_conditions where condition = :condition{n} and value = 1 "
                     f"union select clinic_id from clinic_conditions where condition_family = :condition{n} "
                     "and value = 1)")
        params[f"condition{n}"] = condition
    for n, payer in enumerate(search.payers):
        where.append(f"exists (select 1 from json_each(c.payers) where lower(value) = lower(:payer{n}))")
        params[f"payer{n}"] = payer
    if search.cities:
        where.append("(" + " or ".join(f"lower(c.city) = lower(:city{n})" for n in range(len(search.cities))) + ")")
        params.update({f"city{n}": city for n, city in enumerate(search.cities)})
    where += [f"c.{TOGGLES[key][0]} = 1" for key in toggles]
    if max_price is not None:
        where.append("c.lowest_price_per_session_usd <= :max_price")
        params["max_price"] = max_price
    distance = "null"
    if origin:  # the box first, on the (latitude, longitude, status) index; then the true distance, nearest first
        lat, lon = origin
        params.update(lat=lat, lon=lon, miles=miles)
        where.append("c.latitude between :lat - :miles / 69.0 and :lat + :miles / 69.0 and c.longitude between "
                     ":lon - :miles / miles_per_degree_longitude(:lat) and :lon + :miles / miles_per_degree_longitude(:lat)")
        distance = "distance_miles(:lat, :lon, c.latitude, c.longitude)"
        where.append(f"{distance} <= :miles")
        order = "miles_away"
    columns = ", ".join("c." + column.strip() for column in CARD_COLUMNS.split(","))
    return (f"select {columns}, {distance} as miles_away from {source} where {' and '.join(where)} "
            f"order by {order}, c.name limit {MAX_CARDS}"), params


async def _origin(db, zip_code: str | None) -> tuple[tuple[float, float] | None, str | None]:
    """The ZIP's centre, or a plain sentence when it is no ZIP we know (with the nearest we do)."""
    if not zip_code:
        return None, None
    row = (await db.execute("select zip_latitude(:z) as lat, zip_longitude(:z) as lon", {"z": zip_code})).first()
    if row and row["lat"] is not None:
        return (row["lat"], row["lon"]), None
    import zipcodes

    near = []
    for digits in (3, 2, 1):  # the nearest ZIP by number, among those sharing the longest prefix
        if zip_code.isdigit() and len(zip_code) == 5 and not near:
            near = sorted(zipcodes.similar_to(zip_code[:digits]), key=lambda z: abs(int(z["zip_code"]) - int(zip_code)))
    hint = f" The nearest we know is {near[0]['zip_code']} ({near[0]['city'].title()})." if near else ""
    return None, f"We don't know the ZIP code {zip_code}.{hint}"


async def _known_names(db) -> dict[str, list[str]]:
    """The insurers and cities clinics name: a word is read as one only if the directory knows it."""
    if not await db.table_exists("facet_counts"):
        return {"known_payers": [], "known_cities": []}
    rows = (await db.execute("select \"column\", value from facet_counts where \"column\" in ('city', 'payers')")).rows
    return {"known_payers": [r[1] for r in rows if r[0] == "payers"], "known_cities": [r[1] for r in rows if r[0] == "city"]}


def _number(value, default, low, high):
    try:
        return min(max(float(value), low), high)
    except (TypeError, ValueError):
        return default


def _card(row: dict) -> dict:
    """A result as a person reads it: words, not keys."""
    routes = json.loads(row["routes"] or "[]")
    families = json.loads(row["condition_families"] or "[]")
    payers = json.loads(row["payers"] or "[]")
    insurance = {1: "Takes insurance" + (f" ({', '.join(payers[:4])})" if payers else ""),
                 0: "Does not take insurance"}.get(row["accepts_insurance"], "Insurance not stated")
    return {**row, "route_words": [ROUTE_LABELS.get(r, r) for r in routes],
            "condition_words": [CONDITION_LABELS.get(c, c) for c in families], "insurance_words": insurance,
            "phone_words": phone_words(row["phone"]), "confirmed_words": ago(row["last_confirmed"])}
