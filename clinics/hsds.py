"""The clinic database as an HSDS 3.0 export: one JSON array of flat rows per HSDS table, linked by ids.

Referral systems read the Open Referral Human Services Data Specification, not this project's tables. The
export is HSDS's tabular form (the rows of ``compiled/tabular.json``, no nested arrays), written as JSON, with a
``datapackage.json`` saying when, from which database and under which licences. Ids are UUIDs derived (uuid5)
from the clinic id or the fact's key, so exporting the same database again writes the same files. What HSDS
cannot hold stays in the database; docs/hsds.md lists it. Reads SQLite only: no crawler, no network.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import sqlite_utils

from parsers.hours import DAYS, OSM_RULE

HSDS_VERSION = "3.0.0"
NAMESPACE = uuid.UUID("a40a7173-d384-4454-8b1d-3e39378fbe89")  # fixed forever: every exported id derives from it
TAXONOMY_NAME = "ketamine-clinic-directory"
# The files written, one per HSDS table, in the order the specification's data package lists them.
TABLES = ("organization", "organization_identifier", "service", "attribute", "service_at_location", "location",
          "phone", "address", "schedule", "language", "taxonomy_term", "cost_option", "taxonomy")
LEFT_OUT = ("merged", "removed")  # a merged clinic lives on in its survivor; a removed one asked to leave
# The project's statuses in HSDS words. Stale is unconfirmed lately, not closed: the service's alert says why.
SERVICE_STATUS = {"active": "active", "stale": "active", "gone": "inactive"}
# ISO 639-1 where it has the language, else ISO 639-3 (Mandarin, Cantonese, American Sign Language), for the
# names parsers/vocab.py LANGUAGES uses; tests/test_hsds_export.py fails when a name there has no code here.
LANGUAGE_CODES = {
    "English": "en", "Spanish": "es", "Vietnamese": "vi", "Mandarin": "cmn", "Cantonese": "yue", "Chinese": "zh",
    "Korean": "ko", "Tagalog": "tl", "Farsi": "fa", "Arabic": "ar", "Russian": "ru", "Armenian": "hy",
    "Hindi": "hi", "Portuguese": "pt", "French": "fr", "German": "de", "Japanese": "ja", "Hebrew": "he",
    "American Sign Language": "ase",
}
UNIT_WORDS = {"per_session": "one session", "consultation": "consultation", "other": "other charge"}
QUALIFIER_WORDS = {"from": "from", "starting_at": "starting at", "per_hour": "per hour", "membership": "membership"}
AS_OF_WORDS = {"effective": "the page's effective date", "updated": "the page's last-updated date"}
LICENCES = [{"name": "ODbL-1.0", "title": "Open Data Commons Open Database License 1.0",
             "path": "https://opendatacommons.org/licenses/odbl/1-0/"}]
SOURCES = [
    {"title": "© OpenStreetMap contributors (ODbL 1.0): the reason the whole database is ODbL",
     "path": "https://www.openstreetmap.org/copyright"},
    {"title": "CMS NPPES NPI Registry: US government data in the public domain", "path": "https://npiregistry.cms.hhs.gov/"},
    {"title": "Clinic websites and directories: each fact read from the clinic's own pages (evidence kept in the "
              "database, not in this export)"},
]
HSDS_CREDIT = "Human Services Data Specification: an Open Referral resource (https://openreferral.org/)"


@dataclass(frozen=True)
class TermGroup:
    """One kind of clinic fact that becomes attributes: a top-level term of the project taxonomy whose child
    terms are a lookup table's rows. ``column`` of ``clinics`` lists a clinic's keys as JSON; without one, each
    key is its own yes/no column and only a stated yes becomes an attribute."""

    code: str
    name: str
    description: str
    lookup: str
    column: str | None = None


TERM_GROUPS = (
    TermGroup("route", "Route of administration", "A route by which the clinic states it gives ketamine or "
              "esketamine", "route_types", "routes"),
    TermGroup("service_type", "Kind of ketamine care", "A kind of ketamine care the clinic states it offers beyond "
              "the dose itself", "service_types", "services"),
    TermGroup("condition", "Condition treated", "A condition the clinic states it treats with ketamine care",
              "condition_types", "conditions"),
    TermGroup("discipline", "Lead clinician's discipline", "The discipline of a clinician who gives or oversees the "
              "dose, from the clinic's pages or the NPPES NPI Registry", "discipline_types", "lead_disciplines"),
    TermGroup("payment", "Payment", "A payment fact the clinic states on its own pages", "payment_keys"),
    TermGroup("care", "Care and access", "A fact about access to care the clinic states on its own pages",
              "care_keys"),
)
# Named items of a list (a payer, a financing company): one term each, the item's name in attribute.value.
VALUE_TERMS = (
    ("payment", "payer", "payers", "Insurance plan or payer accepted",
     "An insurance plan or payer the clinic names as accepted; the attribute's value is its name"),
    ("payment", "financing_provider", "financing_providers", "Financing provider",
     "A financing or payment-plan company the clinic names; the attribute's value is its name"),
)


class ExportError(ValueError):
    """A database this export cannot read; the message says which and what to do."""


@dataclass
class Export:
    out_dir: Path
    counts: dict[str, int]
    left_out: int  # merged or removed clinics not exported

    def summary(self) -> str:
        shown = ", ".join(f"{self.counts[table]} {table}" for table in TABLES)
        return f"HSDS {HSDS_VERSION} export in {self.out_dir}: {shown} ({self.left_out} merged or removed clinics left out)"


def hsds_id(*parts: str) -> str:
    """The row's UUID, the same on every export: uuid5 of the fixed namespace and ``table:key``."""
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def export_hsds(db_path: str | Path, out_dir: str | Path) -> Export:
    """Read the database, write one ``<table>.json`` per HSDS table and ``datapackage.json`` into ``out_dir``."""
    db = open_readable(db_path)
    try:
        tables = build_tables(db)
        left_out = db.execute(f"select count(*) from clinics where status in ({', '.join('?' * len(LEFT_OUT))})",
                              LEFT_OUT).fetchone()[0]
        manifest = datapackage(db, Path(db_path).name, tables, left_out)
    finally:
        db.close()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        (out / f"{table}.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "datapackage.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return Export(out, {table: len(rows) for table, rows in tables.items()}, left_out)


def open_readable(db_path: str | Path) -> sqlite_utils.Database:
    if not Path(db_path).is_file():
        raise ExportError(f"no database at {db_path}; run 'clinics demo --no-serve' or 'clinics crawl' first")
    db = sqlite_utils.Database(db_path)
    try:
        has_clinics = db["clinics"].exists()
    except sqlite3.DatabaseError as error:
        raise ExportError(f"{db_path} cannot be read as SQLite ({error}): is it the directory's database?") from None
    if not has_clinics:
        raise ExportError(f"{db_path} has no clinics table: is it the directory's database?")
    return db


def build_tables(db: sqlite_utils.Database) -> dict[str, list[dict]]:
    """Every HSDS table's rows for the clinics not merged or removed, in a stable order."""
    clinics = list(db.query(f"select * from clinics where coalesce(status, '') not in "
                            f"({', '.join('?' * len(LEFT_OUT))}) order by id", LEFT_OUT))
    tables: dict[str, list[dict]] = {table: [] for table in TABLES}
    tables["organization"], tables["organization_identifier"] = organizations(clinics)
    terms = taxonomy_terms(db)
    prices = _prices_by_clinic(db)
    for clinic in clinics:
        for table, rows in clinic_rows(clinic, prices.get(clinic["id"], []), terms).items():
            tables[table] += rows
        tables["attribute"] += attributes(clinic, terms)
    used = _with_ancestors({a["taxonomy_term_id"] for a in tables["attribute"]}, terms)
    tables["taxonomy_term"] = [t for t in terms.values() if t["id"] in used]  # the vocabulary this export uses
    tables["taxonomy"] = [taxonomy()] if tables["taxonomy_term"] else []
    return tables


def _row(**fields) -> dict:
    """A row without its empty fields: HSDS types them (a null latitude is not a number), absent is unknown."""
    return {key: value for key, value in fields.items() if value is not None and value != ""}


def _organization_key(clinic: dict) -> str:
    return clinic.get("organization_id") or f"clinic:{clinic['id']}"


# Organizations: a chain's locations share one -----------------------------------------------------------------
def organizations(clinics: list[dict]) -> tuple[list[dict], list[dict]]:
    """One organization per ``organization_id`` (a clinic without one is its own), and its NPIs as identifiers."""
    groups: dict[str, list[dict]] = {}
    for clinic in clinics:
        groups.setdefault(_organization_key(clinic), []).append(clinic)
    rows, identifiers = [], []
    for key, members in groups.items():
        org_id = hsds_id("organization", key)
        cities = sorted({f"{c['city']}, {c['state']}" for c in members if c.get("city") and c.get("state")})
        rows.append(_row(
            id=org_id, name=members[0].get("organization") or members[0]["name"],
            description=f"{len(members)} ketamine care location(s) in the ketamine clinic directory"
                        + (f": {'; '.join(cities)}." if cities else "."),
            website=next((w for c in members if (w := _url(c.get("website")))), None)))
        for npi in sorted({c["npi"] for c in members if c.get("npi")}):
            identifiers.append(_row(id=hsds_id("organization_identifier", key, "npi", npi), organization_id=org_id,
                                    identifier_type="NPI (US National Provider Identifier, CMS NPPES)",
                                    identifier=npi))
    return rows, identifiers


def _url(text: str | None) -> str | None:
    """A web address HSDS's ``uri`` format holds; anything else is left out rather than exported broken."""
    parts = urlparse(text or "")
    return text if parts.scheme in ("http", "https") and parts.netloc and " " not in text else None


# One clinic: its location, service and what hangs off them ---------------------------------------------------
def clinic_rows(clinic: dict, prices: list[dict], terms: dict[str, dict]) -> dict[str, list[dict]]:
    """A clinic is one location and one service delivered there: every fact is stated for a clinic, and a
    chain's locations may differ in routes, prices and hours."""
    cid = clinic["id"]
    location_id, service_id, routes = hsds_id("location", cid), hsds_id("service", cid), _labels(terms, "route")
    return {
        "location": [_row(id=location_id, location_type="physical",
                          organization_id=hsds_id("organization", _organization_key(clinic)), name=clinic["name"],
                          latitude=clinic.get("latitude"), longitude=clinic.get("longitude"), external_identifier=cid,
                          external_identifier_type="clinic id in the ketamine clinic directory database")],
        "address": _address(clinic, location_id),
        "service": [service(clinic, service_id, routes, _labels(terms, "payment"))],
        "service_at_location": [_row(id=hsds_id("service_at_location", cid), service_id=service_id,
                                     location_id=location_id)],
        "phone": [_row(id=hsds_id("phone", cid), location_id=location_id, number=clinic["phone"], type="voice")]
        if clinic.get("phone") else [],
        "schedule": schedules(clinic.get("opening_hours"), cid, location_id),
        "language": [_row(id=hsds_id("language", cid, name), service_id=service_id, name=name,
                          code=LANGUAGE_CODES.get(name)) for name in _json_list(clinic.get("languages"))],
        "cost_option": [cost_option(price, service_id, routes) for price in prices],
    }


def _address(clinic: dict, location_id: str) -> list[dict]:
    """The street address; none when a part HSDS requires (street, city, state, ZIP) is unknown."""
    if not all(clinic.get(part) for part in ("street", "city", "state", "zip")):
        return []
    return [_row(id=hsds_id("address", clinic["id"]), location_id=location_id, address_1=clinic["street"],
                 address_2=f"Suite {clinic['suite']}" if clinic.get("suite") else None, city=clinic["city"],
                 region=clinic.get("county"), state_province=clinic["state"], postal_code=clinic["zip"], country="US",
                 address_type="physical")]


def service(clinic: dict, service_id: str, routes: dict[str, str], payment_kinds: dict[str, str]) -> dict:
    """The ketamine care a clinic gives; its status in HSDS words, and why it is not plainly active as its alert."""
    status = clinic.get("status") or "active"
    return _row(
        id=service_id, organization_id=hsds_id("organization", _organization_key(clinic)),
        name=f"Ketamine care at {clinic['name']}" if clinic.get("name") else "Ketamine care",
        description=service_description(clinic, routes), url=_url(clinic.get("website")),
        status=SERVICE_STATUS.get(status, "inactive"), fees_description=fees_description(clinic, payment_kinds),
        alert=f"Listing {status}: {clinic['status_reason']}" if clinic.get("status_reason") else None,
        assured_date=(clinic.get("last_confirmed") or "")[:10] or None,
        last_modified=clinic.get("last_changed"))


def service_description(clinic: dict, routes: dict[str, str]) -> str:
    """In words what the attributes hold, and what they cannot: the routes the clinic says it does not offer."""
    place = ", ".join(p for p in (clinic.get("city"), clinic.get("state")) if p)
    parts = [f"Ketamine care at {clinic['name']}" + (f" ({place})." if place else ".")]
    for column, words in (("routes", "Routes the clinic states it offers"),
                          ("routes_not_offered", "Routes it states it does not offer")):
        if keys := _json_list(clinic.get(column)):
            parts.append(f"{words}: {', '.join(routes.get(key, key) for key in keys)}.")
    parts.append("Read from the clinic's own pages and public registries; not medical advice.")
    return " ".join(parts)


def fees_description(clinic: dict, kinds: dict[str, str]) -> str | None:
    """Payment facts as stated, the no's included (attributes carry only the yes's)."""
    said = [f"{label}: {'yes' if clinic[key] else 'no'}." for key, label in kinds.items() if clinic.get(key) is not None]
    for column, words in (("payers", "Insurance plans named"), ("financing_providers", "Financing through")):
        if items := _json_list(clinic.get(column)):
            said.append(f"{words}: {', '.join(items)}.")
    return " ".join(said) or None


def _json_list(text: str | None) -> list[str]:
    """A JSON list column's items, each once; a malformed value is none."""
    try:
        value = json.loads(text) if text else []
    except json.JSONDecodeError:
        return []
    return list(dict.fromkeys(str(item) for item in value)) if isinstance(value, list) else []


# Opening hours: OpenStreetMap rules to weekly schedule rows ---------------------------------------------------
TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")


def schedules(hours: str | None, clinic_id: str, location_id: str) -> list[dict]:
    """``Mo-Fr 09:00-17:00; Sa 10:00-14:00`` -> a WEEKLY row per rule and interval, times local to the clinic.
    A rule that does not read (or closes at 24:00, which HSDS's time type cannot say) is kept as text."""
    rows: dict[str, dict] = {}  # by id: a rule said twice is one row
    for rule in (r.strip() for r in (hours or "").split(";")):
        match = OSM_RULE.match(rule)
        intervals = [part.split("-") for part in match.group(2).split(",")] if match else []
        if not match or not all(TIME.match(t) and TIME.match(c) and t < c for t, c in intervals):
            if rule:
                row_id = hsds_id("schedule", clinic_id, rule)
                rows[row_id] = _row(id=row_id, location_id=location_id, description=f"Opening hours as stated: {rule}",
                                    notes="Not in a form this export reads into days and times.")
            continue
        byday = ",".join(DAYS[i].upper() for i in _days(match.group(1)))
        for opens, closes in intervals:
            row_id = hsds_id("schedule", clinic_id, byday, opens, closes)
            rows[row_id] = _row(id=row_id, location_id=location_id, freq="WEEKLY", byday=byday, opens_at=opens,
                                closes_at=closes, description=f"{match.group(1)} {opens}-{closes}, local time at the clinic")
    return list(rows.values())


def _days(spec: str) -> list[int]:
    """``Mo-We,Fr`` -> [0, 1, 2, 4]; a range may wrap round the week (``Sa-Mo``)."""
    days: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        start, end = DAYS.index(first), DAYS.index(last or first)
        span = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
        days += [d for d in span if d not in days]
    return sorted(days)


# Prices --------------------------------------------------------------------------------------------------------
def _prices_by_clinic(db: sqlite_utils.Database) -> dict[str, list[dict]]:
    """Prices not flagged: a flagged one is left out of every comparison, and of the export too."""
    found: dict[str, list[dict]] = {}
    if db["prices"].exists():
        for price in db.query("select * from prices where flag is null order by clinic_id, id"):
            found.setdefault(price["clinic_id"], []).append(price)
    return found


def cost_option(price: dict, service_id: str, routes: dict[str, str]) -> dict:
    """A price: what it buys in ``option``; qualifier, range, per-session share and as-of date in the description."""
    sessions = price.get("sessions")
    unit = f"package of {sessions} sessions" if price["unit"] == "package" and sessions else \
        "package" if price["unit"] == "package" else UNIT_WORDS.get(price["unit"], price["unit"] or "price")
    what = routes.get(price["route"], price["route"]) if price.get("route") else "Ketamine care, route not stated"
    details = [QUALIFIER_WORDS[q] for q in [price.get("qualifier")] if q in QUALIFIER_WORDS]
    if price.get("amount_max_usd"):
        details.append(f"${price['amount_usd']:,.2f} to ${price['amount_max_usd']:,.2f}")
    if price["unit"] == "package" and price.get("per_session_usd"):
        details.append(f"${price['per_session_usd']:,.2f} per session")
    if price.get("as_of"):
        details.append(f"as of {price['as_of']} ({AS_OF_WORDS.get(price.get('page_date_kind'), 'the day it was read')})")
    return _row(id=hsds_id("cost_option", price["id"]), service_id=service_id,
                valid_from=price.get("page_date") if price.get("page_date_kind") == "effective" else None,
                option=f"{what}: {unit}", currency="USD", amount=price.get("amount_usd"),
                amount_description="; ".join(details))


# The project's taxonomy and the attributes that link services to it -------------------------------------------
def taxonomy() -> dict:
    return _row(id=hsds_id("taxonomy", TAXONOMY_NAME), name=TAXONOMY_NAME,
                description="The ketamine clinic directory's vocabulary: routes of administration, kinds of care, "
                            "conditions, clinicians' disciplines, payment and access facts. One term per key of the "
                            "database's lookup tables (route_types, service_types, condition_types, "
                            "discipline_types, payment_keys, care_keys).",
                version=_project_version())


def _project_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ketamine-clinic-directory")
    except PackageNotFoundError:
        return None


def _term(code: str, name: str, description: str, parent: str | None = None) -> dict:
    return _row(id=hsds_id("taxonomy_term", code), code=code, name=name, description=description,
                parent_id=hsds_id("taxonomy_term", parent) if parent else None, taxonomy=TAXONOMY_NAME,
                language="en", taxonomy_id=hsds_id("taxonomy", TAXONOMY_NAME))


def taxonomy_terms(db: sqlite_utils.Database) -> dict[str, dict]:
    """Every term by code (``route:iv_infusion``): a top-level term per group, a child per lookup row."""
    terms: dict[str, dict] = {}
    for group in TERM_GROUPS:
        terms[group.code] = _term(group.code, group.name, group.description + ".")
        rows = list(db.query(f"select * from [{group.lookup}] order by key")) if db[group.lookup].exists() else []
        for row in rows:
            synonyms = f" Also called: {row['synonyms']}." if row.get("synonyms") else ""
            parent = f"{group.code}:{row['parent']}" if row.get("parent") else group.code
            terms[f"{group.code}:{row['key']}"] = _term(f"{group.code}:{row['key']}", row["label"],
                                                        f"{group.description}: {row['label']}.{synonyms}", parent)
    for parent, key, _column, name, description in VALUE_TERMS:
        terms[f"{parent}:{key}"] = _term(f"{parent}:{key}", name, description + ".", parent)
    return terms


def _labels(terms: dict[str, dict], group: str) -> dict[str, str]:
    """A group's lookup keys and their labels (``iv_infusion``: ``IV infusion``), named items left out."""
    named = {f"{parent}:{key}" for parent, key, *_ in VALUE_TERMS}
    return {code.partition(":")[2]: term["name"] for code, term in terms.items()
            if code.startswith(f"{group}:") and code not in named}


def attributes(clinic: dict, terms: dict[str, dict]) -> list[dict]:
    """The clinic's service linked to each term it states yes to; a payer or financing company by name."""
    links: list[tuple[str, str | None]] = []
    for group in TERM_GROUPS:
        if group.column:
            links += [(f"{group.code}:{key}", None) for key in _json_list(clinic.get(group.column))]
        else:
            links += [(f"{group.code}:{key}", None) for key in _labels(terms, group.code) if clinic.get(key) == 1]
    for parent, key, column, _name, _description in VALUE_TERMS:
        links += [(f"{parent}:{key}", item) for item in _json_list(clinic.get(column))]
    service_id = hsds_id("service", clinic["id"])
    rows = []
    for code, value in dict.fromkeys(links):
        if code not in terms:  # a key its lookup table lacks (an older database): a term of its own name
            group = code.partition(":")[0]
            terms[code] = _term(code, code.partition(":")[2], f"A {group} key without a lookup row.", group)
        rows.append(_row(id=hsds_id("attribute", clinic["id"], code, value or ""), link_id=service_id,
                         taxonomy_term_id=terms[code]["id"], link_type=code.partition(":")[0], link_entity="service",
                         value=value))
    return rows


def _with_ancestors(term_ids: set[str], terms: dict[str, dict]) -> set[str]:
    """The terms used and every parent above them, so each parent_id points at an exported term."""
    parents = {t["id"]: t.get("parent_id") for t in terms.values()}
    found: set[str] = set()
    for term_id in term_ids:
        while term_id and term_id not in found:
            found.add(term_id)
            term_id = parents.get(term_id)
    return found


# The manifest -------------------------------------------------------------------------------------------------
def datapackage(db: sqlite_utils.Database, db_name: str, tables: dict[str, list[dict]], left_out: int) -> dict:
    """A Frictionless Data Package descriptor: when, from which database, under which licence, and the files."""
    run = next(iter(db.query("select id, region, finished_at from crawl_runs order by id desc limit 1")), None) \
        if db["crawl_runs"].exists() else None
    statuses = Counter(r["status"] or "none" for r in db.query("select status from clinics"))
    return {
        "profile": "data-package",
        "name": "ketamine-clinic-directory-hsds",
        "title": "Ketamine clinic directory: HSDS 3.0 export",
        "description": "Ketamine clinics as Human Services Data Specification 3.0 tables (tabular form: flat rows "
                       "linked by ids, one JSON array per table). Ids are stable UUIDs: re-exporting the same "
                       "database gives the same files. See docs/hsds.md for the mapping.",
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),  # the only field a re-export changes
        "hsds": {"version": HSDS_VERSION, "form": "tabular, as JSON", "credit": HSDS_CREDIT},
        "database": {"file": db_name, "latest_crawl_run": run, "clinics": dict(sorted(statuses.items())),
                     "clinics_left_out": left_out},
        "licenses": LICENCES,
        "sources": SOURCES,
        "resources": [{"name": table.replace("_", "-"), "path": f"{table}.json", "format": "json",
                       "mediatype": "application/json", "hsds_table": table, "rows": len(rows)}
                      for table, rows in tables.items()],
    }
