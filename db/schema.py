"""The database's shape, created idempotently by ``ensure_db_shape(db)``: tables, indexes, FTS, views, lookups.

Every command calls it first, so a new file and an old one end up with the same shape. Tables are created
with explicit columns (not from the first row inserted) so an empty run still yields the full schema that
Datasette documents.
"""

from __future__ import annotations

import sqlite_utils

from parsers.facts import PLAUSIBLE_PER_SESSION_USD, implausible
from parsers.kinds import CARE_KEYS, FLAGS, GROUPS, PAYMENT_KEYS, flags
from parsers.vocab import CONDITIONS, DISCIPLINES, ROUTES, SERVICES

FACT_COLUMNS = {"value": int, "evidence": str, "source_url": str, "seen_at": str, "page_type": str}

TABLES: dict[str, tuple[dict, str | tuple[str, ...]]] = {
    "clinics": ({
        "id": str, "name": str, "website": str, "phone": str, "street": str, "suite": str, "city": str,
        "state": str, "zip": str, "county": str, "region": str, "latitude": float, "longitude": float,
        "geo_precision": str, "geo_source": str, "organization": str, "organization_id": str, "npi": str,
        "merged_into": str, "status": str, "status_reason": str, "missed_runs": int,
        "first_seen": str, "last_seen": str,
        "last_changed": str, "last_confirmed": str, "routes": str, "routes_not_offered": str, "services": str,
        "conditions": str, "condition_families": str,
        **dict.fromkeys(PAYMENT_KEYS, int),  # one yes/no/unknown column per payment kind of parsers/kinds.py
        "payers": str,
        "financing_providers": str, "lowest_iv_price_usd": float, "lowest_price_per_session_usd": float,
        "lowest_iv_price_as_of": str, "lowest_price_per_session_as_of": str,
        **dict.fromkeys(CARE_KEYS, int),  # and one per care kind: a kind declared there gets its column here
        "lead_disciplines": str,
        "board_certified": str, "languages": str, "states_served": str, "opening_hours": str, "npi_official": str,
        "last_checked_by_person": str,  # the day a maintainer last decided a correction to this listing
        "source_count": int, "search_text": str,
    }, "id"),
    # Who treats, Spravato certification, access, languages, hours: one row per fact, its source kept apart
    # ("clinic_site" for the clinic's own pages, "npi" for the NPPES registry). key is a care key, or
    # discipline / board_certified / language / state_served / opening_hours with the item in detail, or
    # unmapped (text that could not be mapped, e.g. "state:XZ", value null).
    "clinic_care": ({"clinic_id": str, "key": str, "detail": str, "source": str, **FACT_COLUMNS},
                    ("clinic_id", "key", "detail", "source")),
    "clinic_routes": ({"clinic_id": str, "route": str, **FACT_COLUMNS}, ("clinic_id", "route")),
    "clinic_services": ({"clinic_id": str, "service": str, **FACT_COLUMNS}, ("clinic_id", "service")),
    "clinic_conditions": ({"clinic_id": str, "condition": str, "condition_family": str, **FACT_COLUMNS},
                          ("clinic_id", "condition")),
    "clinic_payment": ({"clinic_id": str, "key": str, "detail": str, **FACT_COLUMNS}, ("clinic_id", "key", "detail")),
    "prices": ({
        "id": str, "clinic_id": str, "amount_usd": float, "amount_max_usd": float, "unit": str, "sessions": int,
        "per_session_usd": float, "route": str, "qualifier": str, "evidence": str, "source_url": str,
        "seen_at": str, "page_type": str,
        # "as of": the page's own effective or updated date when it states one, else the day it was seen.
        "page_date": str, "page_date_kind": str, "as_of": str,
        # Why the price is left out of every comparison (a per-session figure implausible for ketamine care).
        "flag": str,
    }, "id"),
    "sources": ({
        "source": str, "source_id": str, "clinic_id": str, "name": str, "phone": str, "street": str, "suite": str,
        "city": str, "state": str, "zip": str, "latitude": float, "longitude": float, "website": str,
        "category": str, "npi": str, "legal_name": str, "region": str, "decision": str, "reason": str,
        "match_reasons": str, "source_url": str, "published_at": str, "first_seen": str, "last_seen": str,
        "run_id": int, "raw": str,
    }, ("source", "source_id")),
    # Pairs of clinics that may be one: listed for a person to decide (rewritten by every build).
    "duplicate_candidates": ({
        "clinic_id": str, "other_id": str, "score": int, "reasons": str, "first_seen": str, "last_seen": str,
        "run_id": int,
    }, ("clinic_id", "other_id")),
    # People's decisions: "same" merges other_id into clinic_id; "not_same" keeps the pair apart for good.
    "identity_decisions": ({
        "clinic_id": str, "other_id": str, "decision": str, "note": str, "decided_by": str, "decided_at": str,
    }, ("clinic_id", "other_id")),
    # Corrections people send (db/corrections.py): pending until a maintainer accepts or rejects one; an
    # accepted one outranks the crawl until the page it stands on (basis: content hashes) changes: superseded.
    "corrections": ({
        "id": int, "clinic_id": str, "field": str, "value": str, "note": str, "submitted_by": str,
        "submitted_at": str, "status": str, "decided_by": str, "decided_at": str, "decision_note": str,
        "basis": str, "superseded_at": str, "superseded_reason": str,
    }, "id"),
    "pages": ({
        "url": str, "site": str, "status": int, "fetched_at": str, "last_ok_at": str, "verified_at": str, "etag": str,
        "last_modified": str, "content_hash": str, "page_type": str, "title": str, "error": str, "run_id": int,
        "facts": str, "links": str, "body": bytes,
    }, "url"),
    "crawl_runs": ({
        "id": int, "region": str, "profile": str, "started_at": str, "finished_at": str, "status": str,
        "exit_code": int, "pages_fetched": int, "pages_not_modified": int, "pages_not_requested": int,
        "pages_changed": int, "pages_failed": int,
        "bytes_received": int, "requests": int, "items": int, "listings": int, "listings_dropped": int,
        "clinics": int, "facts": int, "changes": int, "errors": str, "stats": str,
    }, "id"),
    "changes": ({
        "id": int, "clinic_id": str, "field": str, "old_value": str, "new_value": str, "changed_at": str,
        "run_id": int,
    }, "id"),
    # The NPPES registry in bulk (db/registry.py, `clinics npi load`): the NPIs the directory may need, each with
    # its record as the NPI Registry API v2.1 gives it, and its practice locations, by which a region is found.
    "registry_npi": ({"npi": str, "entity_type": str, "name": str, "taxonomy": str, "last_updated": str,
                      "file": str, "record": str}, "npi"),
    "registry_locations": ({"npi": str, "n": int, "state": str, "zip": str}, ("npi", "n")),
    "registry_loads": ({
        "id": int, "file": str, "kind": str, "period_start": str, "period_end": str, "states": str,
        "rows_read": int, "kept": int, "removed": int, "loaded_at": str, "seconds": float,
    }, "id"),
    "route_types": ({"key": str, "label": str, "synonyms": str}, "key"),
    "service_types": ({"key": str, "label": str, "synonyms": str}, "key"),
    "condition_types": ({"key": str, "label": str, "parent": str, "synonyms": str}, "key"),
    **{group.lookup: ({"key": str, "label": str}, "key") for group in GROUPS.values()},
    "discipline_types": ({"key": str, "label": str, "synonyms": str}, "key"),
}

FOREIGN_KEYS = {
    "clinic_routes": [("clinic_id", "clinics", "id"), ("route", "route_types", "key")],
    "clinic_services": [("clinic_id", "clinics", "id"), ("service", "service_types", "key")],
    "clinic_conditions": [("clinic_id", "clinics", "id"), ("condition", "condition_types", "key")],
    "clinic_payment": [("clinic_id", "clinics", "id")],
    "clinic_care": [("clinic_id", "clinics", "id")],
    "corrections": [("clinic_id", "clinics", "id")],
    "prices": [("clinic_id", "clinics", "id")],
    "changes": [("clinic_id", "clinics", "id"), ("run_id", "crawl_runs", "id")],
    "duplicate_candidates": [("clinic_id", "clinics", "id"), ("other_id", "clinics", "id")],
}

INDEXES = {
    # Facet columns are indexed: a facet then counts an index instead of reading every (wide) clinic row.
    # (latitude, longitude, status): the near-a-ZIP query reads its box from the index alone.
    "clinics": [["name"], ["city"], ["status"], ["zip"], ["latitude", "longitude", "status"], ["organization_id"], ["phone"],
                ["region"], ["routes"], ["condition_families"], ["conditions"],
                *([kind.key] for kind in FLAGS if kind.facet)],
    "clinic_routes": [["route", "value"]],
    "clinic_conditions": [["condition", "value"], ["condition_family"]],
    "clinic_payment": [["key", "value"]],
    "clinic_care": [["key", "detail", "value"]],
    "prices": [["clinic_id"], ["route", "per_session_usd"]],
    "sources": [["clinic_id"], ["decision"], ["website"], ["region"]],
    "pages": [["site"]],
    "changes": [["clinic_id"], ["changed_at"], ["run_id"]],
    "corrections": [["clinic_id"], ["status"]],
    "duplicate_candidates": [["other_id"]],
    "registry_locations": [["state", "zip"], ["zip"]],  # a clinic's page looks its pairs up from either side
}

# The facets of the clinics table page, counted over the whole table by every build (db/build.py) into
# facet_counts: the unfiltered table page, the one most opened, then reads a few rows per facet instead of
# counting 100,000 clinics for each (datasette_config/plugins/key_facets.py). "keys" columns are JSON lists.
COUNTED_FACETS: dict[str, str] = {"region": "column", "city": "column", "routes": "keys", "payers": "keys",
                                  "condition_families": "keys", "status": "column",
                                  **{kind.key: "column" for kind in FLAGS if kind.facet}}
# value has no declared type, so a count of 1 for accepts_insurance stays the integer 1, as the live facet says
FACET_COUNTS_SQL = 'create table if not exists facet_counts ("column" text, value, count integer, ' \
                   'primary key ("column", value))'

RETIRED_INDEXES = ("idx_clinics_latitude_longitude",)  # replaced by a wider one: the planner must not pick it

VIEWS = {
    "lowest_prices": """
select c.id as clinic_id, c.name, c.city, p.route, min(p.per_session_usd) as lowest_per_session_usd,
       p.as_of, count(*) as price_count  -- SQLite takes a bare column from the row min() chose
from prices p join clinics c on c.id = p.clinic_id
where p.per_session_usd is not null and p.flag is null and c.status = 'active'
group by c.id, p.route""",
    "price_history": """
select ch.clinic_id, c.name, c.city, substr(ch.field, 7) as price_key, ch.old_value as old_amount_usd,
       ch.new_value as new_amount_usd, ch.changed_at, ch.run_id
from changes ch join clinics c on c.id = ch.clinic_id
where ch.field like 'price:%'
union all
select p.clinic_id, c.name, c.city,
       coalesce(p.route, 'unspecified') || ':' || p.unit || coalesce(':' || p.sessions, '') as price_key,
       null, cast(p.amount_usd as text), p.seen_at, null
from prices p join clinics c on c.id = p.clinic_id
where p.flag is null""",
    "source_summary": """
select source, region, count(*) as listings, sum(decision = 'merged') as merged,
       sum(decision = 'dropped') as dropped, sum(decision = 'candidate') as waiting,
       count(distinct clinic_id) as clinics
from sources group by source, region""",
    "possible_duplicates": """
select d.clinic_id, a.name as clinic_name, d.other_id, b.name as other_name, d.score, d.reasons,
       a.street || coalesce(', Suite ' || a.suite, '') as clinic_street,
       b.street || coalesce(', Suite ' || b.suite, '') as other_street,
       a.city, a.zip, a.phone as clinic_phone, b.phone as other_phone, a.website as clinic_website,
       b.website as other_website, d.first_seen, d.last_seen
from duplicate_candidates d
join clinics a on a.id = d.clinic_id
join clinics b on b.id = d.other_id
where a.status not in ('merged', 'removed') and b.status not in ('merged', 'removed')
  and not exists (select 1 from identity_decisions i
                  where (i.clinic_id = d.clinic_id and i.other_id = d.other_id)
                     or (i.clinic_id = d.other_id and i.other_id = d.clinic_id))""",
    # GeoJSON (datasette-geojson renders any query with a geometry column): /clinics/clinic_points.geojson
    "clinic_points": """
select c.id, c.name, c.street, c.suite, c.city, c.state, c.zip, c.county, c.region, c.phone, c.website, c.status,
       c.routes, c.condition_families, c.accepts_insurance, c.lowest_price_per_session_usd, c.last_confirmed,
       c.geo_precision, '/clinic/' || c.id as clinic_page,
       json_object('type', 'Point', 'coordinates', json_array(c.longitude, c.latitude)) as geometry
from clinics c
where c.status not in ('merged', 'removed') and c.latitude is not null and c.longitude is not null""",
    "clinic_comparison": """
select c.id, c.name, c.city, c.zip, c.status, c.last_confirmed,
{route_columns},
{condition_columns},
  {payment_columns},
  c.lowest_iv_price_usd, c.lowest_iv_price_as_of, c.lowest_price_per_session_usd, c.lowest_price_per_session_as_of,
  {care_columns}, c.lead_disciplines, c.states_served,
  c.languages, c.opening_hours, c.website, c.phone
from clinics c
where c.status not in ('merged', 'removed')""",
}


def _comparison_sql() -> str:
    """Columns read from the clinic's own summary (JSON lists of keys), so the view is one scan of clinics: a
    correlated subquery per column made it cost seconds at national scale (``make bench``)."""
    has = lambda column, key: f"instr(c.{column}, '\"{key}\"') > 0"  # noqa: E731 - keys are quoted in the lists
    routes = ",\n".join(
        f"  case when {has('routes', t.key)} then 1 when {has('routes_not_offered', t.key)} then 0 end as {t.key}"
        for t in ROUTES)
    families = [t for t in CONDITIONS if t.parent is None]
    conditions = ",\n".join(
        f"  case when {has('condition_families', t.key)} then 1 end as treats_{t.key}" for t in families)
    return VIEWS["clinic_comparison"].format(route_columns=routes, condition_columns=conditions,
                                             payment_columns=", ".join(f"c.{key}" for key in PAYMENT_KEYS),
                                             care_columns=", ".join(f"c.{key}" for key in CARE_KEYS))


def _flag_implausible_prices(db: sqlite_utils.Database) -> None:
    """A database from before the flag existed: its misread per-session prices are flagged at once, not only when
    their region is next rebuilt."""
    low, high = PLAUSIBLE_PER_SESSION_USD
    db.execute("update prices set flag = ? where per_session_usd is not null and (per_session_usd < ? or "
               "per_session_usd > ?)", [implausible(low - 1), low, high])


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Create whatever is missing; safe to call on every run."""
    db.execute("pragma journal_mode = wal")
    for name, (columns, pk) in TABLES.items():
        if not db[name].exists():
            db[name].create(columns, pk=pk)
        else:  # a database from an older version gains the new columns
            for column, kind in columns.items():
                if column not in db[name].columns_dict:
                    db[name].add_column(column, kind)
                    if (name, column) == ("prices", "flag"):
                        _flag_implausible_prices(db)
    for table, keys in FOREIGN_KEYS.items():
        existing = {(fk.column, fk.other_table) for fk in db[table].foreign_keys}
        wanted = [fk for fk in keys if (fk[0], fk[1]) not in existing]
        if wanted:
            db.add_foreign_keys([(table, *fk) for fk in wanted])
    for name in RETIRED_INDEXES:
        db.execute(f"drop index if exists {name}")
    for table, indexes in INDEXES.items():
        for columns in indexes:
            db[table].create_index(columns, if_not_exists=True)
    if "facet_counts" not in db.table_names():
        db.execute(FACET_COUNTS_SQL)
    if "clinics_fts" not in db.table_names():
        db["clinics"].enable_fts(["name", "city", "search_text"], create_triggers=True, tokenize="porter")
    views = {**VIEWS, "clinic_comparison": _comparison_sql()}
    existing = {r["name"]: r["sql"] for r in db.query("select name, sql from sqlite_master where type = 'view'")}
    for name, sql in views.items():  # only what changed is written: opening a current file writes nothing
        if existing.get(name) != f"CREATE VIEW {name} AS {sql.strip()}":
            db.create_view(name, sql.strip(), replace=True)
    _fill_lookups(db)


def _fill_lookups(db: sqlite_utils.Database) -> None:
    """The vocabulary's lookup tables, upserted only when they differ from the vocabulary."""
    terms = lambda vocabulary: [{"key": t.key, "label": t.label, "synonyms": ", ".join(t.synonyms)}  # noqa: E731
                                for t in vocabulary]
    wanted = {
        "route_types": terms(ROUTES), "service_types": terms(SERVICES), "discipline_types": terms(DISCIPLINES),
        "condition_types": [{"key": t.key, "label": t.label, "parent": t.parent, "synonyms": ", ".join(t.synonyms)}
                            for t in CONDITIONS],
        **{group.lookup: [{"key": k.key, "label": k.label} for k in flags(group.name)] for group in GROUPS.values()},
    }
    for table, rows in wanted.items():
        stored = {r["key"]: r for r in db[table].rows}
        if any(stored.get(row["key"]) != row for row in rows):
            db[table].upsert_all(rows, pk="key")


def open_db(path: str) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path`` with its full shape."""
    from pathlib import Path

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("pragma busy_timeout = 30000")
    ensure_db_shape(db)  # sets WAL, in which NORMAL sync is safe: a crash loses at most the last commits
    db.execute("pragma synchronous = normal")
    return db
