"""The NPPES registry in bulk, as the database keeps it: the NPIs the directory may need, their practice locations
(indexed by ZIP and state, so a region's discovery is a query), and each bulk file applied.

A monthly file replaces the registry whole; a weekly file changes the NPIs it names (new, updated, deactivated,
replaced). Both run in one transaction, so a file that fails part-way leaves the registry as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from parsers.address import usps_state, zip5

FULL, UPDATE = "monthly", "weekly"
US = "US"  # the states a load covers when it kept every state


@dataclass
class Coverage:
    """What the registry in the database covers: the file it is current to, and the states it holds."""

    file: str
    period_end: str  # the last day the newest applied file covers (ISO)
    states: set[str] | None  # None: every state

    def covers(self, states: Iterable[str]) -> bool:
        return self.states is None or set(states) <= self.states

    def age_days(self, today: date) -> int:
        return (today - date.fromisoformat(self.period_end)).days

    def describe(self) -> str:
        where = "every state" if self.states is None else ", ".join(sorted(self.states))
        return f"{self.file}, current to {self.period_end}, {where}"


def start(db: sqlite_utils.Database, kind: str) -> None:
    """Begin a load: a monthly file starts from an empty registry (in the caller's transaction)."""
    if kind == FULL:
        db.execute("delete from registry_locations")
        db.execute("delete from registry_npi")


def save_records(db: sqlite_utils.Database, records: list[dict], file: str) -> None:
    """Insert or replace NPIs (API v2.1 records), each with all its practice locations."""
    numbers = [(r["number"],) for r in records]
    db.conn.executemany("delete from registry_locations where npi = ?", numbers)
    db.conn.executemany(
        "insert or replace into registry_npi (npi, entity_type, name, taxonomy, last_updated, file, record) "
        "values (?, ?, ?, ?, ?, ?, ?)",
        [(r["number"], r["enumeration_type"], _name(r), _primary_taxonomy(r), (r.get("basic") or {}).get("last_updated"),
          file, json.dumps(r, separators=(",", ":"))) for r in records])
    db.conn.executemany(
        "insert into registry_locations (npi, n, state, zip) values (?, ?, ?, ?)",
        [(r["number"], n, usps_state(place.get("state")), zip5(place.get("postal_code")))
         for r in records for n, place in enumerate(_locations(r), start=1)])


def remove(db: sqlite_utils.Database, numbers: Iterable[str]) -> int:
    """Take NPIs out (deactivated, replaced, or no longer of a kind the directory keeps); how many were there."""
    numbers = [(n,) for n in numbers]
    db.conn.executemany("delete from registry_locations where npi = ?", numbers)
    before = db.conn.total_changes
    db.conn.executemany("delete from registry_npi where npi = ?", numbers)
    return db.conn.total_changes - before


def record_load(db: sqlite_utils.Database, load: dict) -> None:
    db["registry_loads"].insert({**load, "states": json.dumps(sorted(load["states"])) if load.get("states") else US})


def coverage(db: sqlite_utils.Database) -> Coverage | None:
    """The registry's coverage: the newest monthly load and every weekly load applied after it; None when no
    monthly file was ever loaded (weekly files alone are not a registry)."""
    if "registry_loads" not in db.table_names():
        return None
    full = next(db.query("select * from registry_loads where kind = ? order by period_end desc, id desc limit 1",
                         [FULL]), None)
    if full is None:
        return None
    newest = next(db.query("select * from registry_loads where id >= ? order by period_end desc, id desc limit 1",
                           [full["id"]]))
    states = None if full["states"] == US else set(json.loads(full["states"]))
    return Coverage(newest["file"], newest["period_end"], states)


def records_in(db: sqlite_utils.Database, states: Iterable[str], entity_type: str,
               zips: Iterable[str] | None = None) -> Iterable[tuple[dict, list[str]]]:
    """Each NPI of the entity type ("NPI-1" individuals, "NPI-2" organisations) with a practice location in one of
    the states (or, given ``zips``, in one of those ZIPs), with the ZIPs of all its locations; one at a time."""
    where = ("select npi from registry_locations where zip in (select value from json_each(?))" if zips is not None
             else "select npi from registry_locations where state in (select value from json_each(?))")
    wanted = json.dumps(sorted(set(zips if zips is not None else states)))
    sql = (f"select r.record, group_concat(l.zip) as zips from registry_npi r join registry_locations l on l.npi = r.npi "
           f"where r.entity_type = ? and r.npi in ({where}) group by r.npi order by r.npi")
    for row in db.query(sql, [entity_type, wanted]):
        yield json.loads(row["record"]), [z for z in (row["zips"] or "").split(",") if z]


def _locations(record: dict) -> list[dict]:
    primary = [a for a in record.get("addresses") or [] if a.get("address_purpose") == "LOCATION"]
    return primary + list(record.get("practiceLocations") or [])


def _name(record: dict) -> str:
    basic = record.get("basic") or {}
    return basic.get("organization_name") or " ".join(
        p for p in (basic.get("first_name"), basic.get("last_name"), basic.get("credential")) if p)


def _primary_taxonomy(record: dict) -> str | None:
    taxonomies = record.get("taxonomies") or []
    return next((t["code"] for t in taxonomies if t.get("primary")), taxonomies[0]["code"] if taxonomies else None)


def bulk_serves(found: Coverage | None, states: Iterable[str], max_age_days: float, today: date) -> tuple[bool, str]:
    """Whether a crawl of these states reads the registry from the database (True) or asks the API, and why, in the
    words the crawl's summary prints."""
    if found is None:
        return False, "the NPI Registry API (no bulk registry loaded: `clinics npi load`)"
    age = found.age_days(today)
    if not found.covers(states):
        return False, f"the NPI Registry API (the bulk registry holds {', '.join(sorted(found.states or ()))} only)"
    if age > max_age_days:
        return False, f"the NPI Registry API (the bulk registry is {age} days old, past --npi-max-age {max_age_days:g})"
    return True, f"the bulk registry ({found.describe()}; {age} days old)"
