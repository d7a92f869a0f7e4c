"""``/find``: clinics for a person looking for care, as cards, from a search in plain words and filters in
words, nearest first for a ZIP code, best match first otherwise. The URL holds the whole search, so it can be
shared. Every input is data: the words reach SQLite only as bound parameters and quoted FTS terms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from datasette import Response
from datasette.database import QueryInterrupted

from core.find import Search, read_search
from datasette_config.plugins.geo_functions import EARTH_RADIUS_MILES
from datasette_config.plugins.home import ROUTE_LABELS
from datasette_config.plugins.words import ago, day_words, phone_words
from parsers.vocab import CONDITIONS

CONDITION_LABELS = {t.key: t.label for t in CONDITIONS}
FAMILIES = [t for t in CONDITIONS if t.parent is None]
FAMILY_KEYS = {t.key for t in FAMILIES}
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
MAX_COMPARED = 5
DEFAULT_MILES = 25
PRICE_CHOICES = (300, 500, 800)  # "up to $N a session"
MILE_CHOICES = (5, 10, 25, 50, 100)
# Filters are counted over at most this many matches (about 15 ms); a broader search (the whole country, or 50
# miles of Los Angeles: 0.1 to 0.4 s to count at 100,000 clinics) shows its filters without counts, and says so.
MAX_COUNTED_MATCHES = 2000
COUNTS_TIME_LIMIT_MS = 80  # and never longer than this, whatever the site is doing meanwhile
COUNTED_LISTS = {"routes": "route", "condition_families": "condition", "languages": "language", "payers": "payer"}
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

    def toggled(key: str, value) -> str:
        pair = (key, str(value))
        return urlencode([p for p in args if p != pair] if pair in args else [*args, pair])

    def without(*keys: str) -> str:
        return urlencode([p for p in args if p[0] not in keys])

    def with_value(key: str, value) -> str:
        return urlencode([p for p in args if p[0] != key] + [(key, str(value))])

    return Response.html(await datasette.render_template("find.html", {
        **context, "db_name": db.name, "toggled": toggled, "without": without, "with_value": with_value,
        "compare_query": urlencode([("id", i) for i in context["chosen"].compared])}, request=request))


def _pairs(args) -> list[tuple[str, str]]:
    return [(key, value) for key in args.keys() for value in args.getlist(key)]


def _as_filters(args: list[tuple[str, str]], search) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in args if k != "q" and not (k == "zip" and search.zip)]
    found = [("route", r) for r in search.routes] + [("condition", c) for c in search.conditions] \
        + [("payer", p) for p in search.payers] + [("city", c) for c in search.cities] \
        + ([("zip", search.zip)] if search.zip else [])
    words = [("q", " ".join(search.words))] if search.words else []
    return words + [pair for pair in found if pair not in kept] + kept


@dataclass
class Chosen:
    """Everything the URL asks for, checked: only known routes and conditions, bounded numbers and lengths."""
    search: Search
    zip_code: str
    miles: float
    toggles: list[str]
    max_price: float | None
    languages: list[str]
    compared: list[str]


def read_chosen(args: list[tuple[str, str]], search: Search) -> Chosen:
    def given(key: str, limit: int = 80) -> list[str]:
        return list(dict.fromkeys(v.strip()[:limit] for k, v in args if k == key and v.strip()))

    one = dict(args)
    search.routes = [r for r in given("route") if r in ROUTE_LABELS]
    search.conditions = [c for c in given("condition") if c in CONDITION_LABELS]
    search.payers, search.cities = given("payer"), given("city")
    return Chosen(search=search, zip_code=(one.get("zip") or "").strip()[:5],
                  miles=_number(one.get("miles"), DEFAULT_MILES, 1, 200),
                  toggles=[key for key in TOGGLES if one.get(key) == "1"],
                  max_price=_number(one.get("max_price"), None, 1, 100_000), languages=given("language"),
                  compared=given("compare", 40)[:MAX_COMPARED])


async def find_context(db, args: list[tuple[str, str]], search: Search) -> dict:
    """What the results page shows for the query string's pairs (the words in ``q`` already read)."""
    chosen = read_chosen(args, search)
    origin, zip_note = await _origin(db, chosen.zip_code)
    rows, counts, too_slow = [], None, False
    if not zip_note:
        matching = _matching(chosen, origin)
        try:
            rows = [dict(r) for r in (await db.execute(*_results_sql(matching))).rows]
            counts = await _filter_counts(db, matching)
        except QueryInterrupted:  # the site is busy and this search is broad: say so, never an error page
            too_slow = True
    return {"q": dict(args).get("q", "")[:200], "zip_code": chosen.zip_code, "miles": chosen.miles,
            "zip_note": zip_note, "too_slow": too_slow, "search": search, "chosen": chosen, "origin": origin,
            "toggles": chosen.toggles,
            "max_price": chosen.max_price, "cards": [_card(row) for row in rows], "counts": counts,
            "route_choices": ROUTE_LABELS, "condition_choices": {t.key: t.label for t in FAMILIES},
            "condition_labels": CONDITION_LABELS, "price_choices": PRICE_CHOICES, "mile_choices": MILE_CHOICES,
            "toggle_choices": {key: words for key, (_, words) in TOGGLES.items()}, "max_cards": MAX_CARDS,
            "max_compared": MAX_COMPARED, "map_points": _map_points(rows, origin, chosen.miles)}


def _map_points(rows: list[dict], origin, miles: float) -> dict | None:
    """What the results map draws: each card's clinic, and the ZIP with its radius."""
    clinics = [{"id": r["id"], "name": r["name"], "lat": r["latitude"], "lon": r["longitude"]}
               for r in rows if r["latitude"] is not None and r["longitude"] is not None]
    if not clinics:
        return None
    return {"clinics": clinics, "origin": list(origin) if origin else None, "miles": miles}


# Haversine in SQLite's own math functions: the same miles as geo_functions.distance_miles, without a call into
# Python per clinic in the box (28,000 of them within 50 miles of Los Angeles at 100,000 clinics: 11 ms, not 39,
# and no GIL taken from the pages being rendered meanwhile).
DISTANCE_SQL = (f"round({2 * EARTH_RADIUS_MILES} * asin(sqrt(power(sin(radians(c.latitude - :lat) / 2), 2) + "
                "cos(radians(:lat)) * cos(radians(c.latitude)) * power(sin(radians(c.longitude - :lon) / 2), 2))), 2)")


@dataclass
class Matching:
    """The clinics a search matches, as SQL pieces both the cards and the filter counts are built from."""
    source: str
    where: list[str]
    params: dict
    order: str
    distance: str = "null"


def _matching(chosen: Chosen, origin: tuple[float, float] | None) -> Matching:
    search = chosen.search
    matching = Matching("clinics c", ["c.status = 'active'"], {}, "c.name")
    if origin:  # the box first, on the (latitude, longitude, status) index; then the true distance, nearest first;
        # both before any other test, which SQLite runs in the order written
        lat, lon = origin
        matching.params.update(lat=lat, lon=lon, miles=chosen.miles)
        matching.where.append("c.latitude between :lat - :miles / 69.0 and :lat + :miles / 69.0 and c.longitude "
                              "between :lon - :miles / miles_per_degree_longitude(:lat) "
                              "and :lon + :miles / miles_per_degree_longitude(:lat)")
        matching.distance = DISTANCE_SQL
        matching.where.append(f"{matching.distance} <= :miles")
        matching.order = "miles_away"
    fts = search.fts_query()
    if fts:
        matching.source = "clinics c join clinics_fts f on f.rowid = c.rowid"
        matching.where.append("clinics_fts match :fts")
        matching.params["fts"] = fts
        matching.order = matching.order if origin else "f.rank"  # near a ZIP, nearest first all the same
    # routes and conditions from the candidate's own row (its JSON lists, as the build wrote them from the fact
    # tables): a ZIP's box or the name order decides how many rows are read, never the whole country's facts
    for n, route in enumerate(search.routes):
        matching.where.append(f"exists (select 1 from json_each(c.routes) where value = :route{n})")
        matching.params[f"route{n}"] = route
    for n, condition in enumerate(search.conditions):
        listed = "condition_families" if condition in FAMILY_KEYS else "conditions"  # a family: any condition in it
        matching.where.append(f"exists (select 1 from json_each(c.{listed}) where value = :condition{n})")
        matching.params[f"condition{n}"] = condition
    for n, language in enumerate(chosen.languages):
        matching.where.append(f"c.id in (select clinic_id from clinic_care where key = 'language' "
                              f"and detail = :language{n} and value = 1)")
        matching.params[f"language{n}"] = language
    for n, payer in enumerate(search.payers):
        matching.where.append(f"exists (select 1 from json_each(c.payers) where lower(value) = lower(:payer{n}))")
        matching.params[f"payer{n}"] = payer
    if search.cities:
        matching.where.append("(" + " or ".join(f"lower(c.city) = lower(:city{n})"
                                                for n in range(len(search.cities))) + ")")
        matching.params.update({f"city{n}": city for n, city in enumerate(search.cities)})
    matching.where += [f"c.{TOGGLES[key][0]} = 1" for key in chosen.toggles]
    if chosen.max_price is not None:
        matching.where.append("c.lowest_price_per_session_usd <= :max_price")
        matching.params["max_price"] = chosen.max_price
    return matching


def _results_sql(matching: Matching) -> tuple[str, dict]:
    columns = ", ".join("c." + column.strip() for column in CARD_COLUMNS.split(","))
    # in name order: read the name index and stop at the 50th match, rather than sort every match (10 ms, not 300)
    source = "clinics c indexed by idx_clinics_name" if matching.order == "c.name" else matching.source
    return (f"select {columns}, {matching.distance} as miles_away from {source} "
            f"where {' and '.join(matching.where)} order by {matching.order}, c.name limit {MAX_CARDS}"), matching.params


def _counts_sql(matching: Matching) -> tuple[str, dict]:
    """How many of the matching clinics each filter would keep: one query, the matches read once."""
    lists = " union all ".join(f"select '{kind}', j.value, count(*) from matched, json_each(matched.{column}) j "
                               "group by j.value" for column, kind in COUNTED_LISTS.items())
    toggles = " union all ".join(f"select 'toggle', '{key}', count(*) filter (where {column} = 1) from matched"
                                 for key, (column, _) in TOGGLES.items())
    prices = " union all ".join(f"select 'max_price', '{usd}', count(*) filter (where lowest_price_per_session_usd "
                                f"<= {usd}) from matched" for usd in PRICE_CHOICES)
    columns = ", ".join(f"c.{column}" for column in (*COUNTED_LISTS, "lowest_price_per_session_usd",
                                                      *(column for column, _ in TOGGLES.values())))
    sql = f"""with matched as materialized (select {columns}
  from {matching.source} where {" and ".join(matching.where)})
{lists}
union all {toggles} union all {prices}"""
    return sql, matching.params


async def _filter_counts(db, matching: Matching) -> dict[str, dict[str, int]] | None:
    """Counts by filter kind and value, each kind most common first; None when counting would keep the
    reader waiting (a broad search over the whole country): the filters are then shown without counts."""
    bounded = (f"select count(*) from (select 1 from {matching.source} where {' and '.join(matching.where)} "
               f"limit {MAX_COUNTED_MATCHES + 1})")
    try:
        if (await db.execute(bounded, matching.params, custom_time_limit=COUNTS_TIME_LIMIT_MS)).first()[0] \
                > MAX_COUNTED_MATCHES:
            return None
        rows = (await db.execute(*_counts_sql(matching), custom_time_limit=COUNTS_TIME_LIMIT_MS)).rows
    except QueryInterrupted:
        return None
    counts: dict[str, dict[str, int]] = {kind: {} for kind in ("toggle", "max_price", *COUNTED_LISTS.values())}
    for kind, value, n in sorted(rows, key=lambda r: -r[2]):
        if n:
            counts.setdefault(kind, {})[str(value)] = n
    return counts


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
            "phone_words": phone_words(row["phone"]), "confirmed_words": ago(row["last_confirmed"]),
            "price_as_of_words": day_words(row["lowest_price_per_session_as_of"])}
