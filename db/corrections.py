"""People's corrections to a listing: what a field may be corrected to, and how an accepted one is applied.

A correction is a row of ``corrections`` (clinic, field, proposed value, note, who, when), pending until a
maintainer accepts or rejects it (``clinics/corrections.py``). Every build applies the accepted ones over
what the crawl read, so a re-crawl never undoes them, until the clinic's page changes again: the page the
disputed fact was read from or, when the crawl read nothing for that field, any page of the site. Then the
correction is marked superseded and the crawl's reading stands, to be checked afresh. An accepted removal
marks the clinic ``removed``: kept for history, hidden from the published views.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass

import sqlite_utils

from parsers.address import normalise_phone, zip5
from parsers.hours import normalise_hours
from parsers.kinds import CARE_KEYS, FLAG_BY_KEY, PAYMENT_KEYS
from parsers.merge import SiteFacts
from parsers.urls import host_of, site_root
from parsers.vocab import (
    CONDITION_BY_KEY,
    DISCIPLINE_BY_KEY,
    LANGUAGES,
    ROUTE_BY_KEY,
    SERVICE_BY_KEY,
    STATE_CODES,
)

ROW_FIELDS = ("name", "phone", "website", "street", "suite", "city", "zip")
TRI_STATE_FIELDS = tuple(FLAG_BY_KEY)  # yes, no or unknown: every kind of parsers/kinds.py
LISTING_ACTIONS = {"remove": "removed", "closed": "gone"}  # --field listing --value remove|closed
# kind:item fields; route/service/condition are tri-state, the others items of a list (yes adds, no takes away)
ITEM_FIELDS = {"route": sorted(ROUTE_BY_KEY), "service": sorted(SERVICE_BY_KEY), "condition": sorted(CONDITION_BY_KEY),
               "language": sorted(LANGUAGES), "state_served": sorted(STATE_CODES),
               "discipline": sorted(DISCIPLINE_BY_KEY), "board_certified": sorted(DISCIPLINE_BY_KEY)}
FACT_KINDS = {"route": "routes", "service": "services", "condition": "conditions"}
YES, NO, UNKNOWN = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}, {"unknown", "none", "null", ""}
STATUSES = ("pending", "accepted", "rejected", "superseded")


class CorrectionError(ValueError):
    """A correction that cannot be recorded or decided; the message says what would be accepted."""


@dataclass(frozen=True)
class Field:
    kind: str  # a row field, "opening_hours", "listing", a tri-state key, or an ITEM_FIELDS kind
    item: str = ""

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.item}" if self.item else self.kind


def valid_fields() -> str:
    """Every field a correction may name, for an error message."""
    items = "; ".join(f"{kind}:<{', '.join(keys) if len(keys) < 30 else 'one of ' + str(len(keys))}>"
                      for kind, keys in ITEM_FIELDS.items())
    return (f"{', '.join(ROW_FIELDS)}, opening_hours, listing (remove or closed); yes/no/unknown: "
            f"{', '.join(TRI_STATE_FIELDS)}; {items}")


def parse_field(text: str) -> Field:
    kind, _, item = text.strip().partition(":")
    kind = kind.lower()
    if not item and kind in (*ROW_FIELDS, "opening_hours", "listing", *TRI_STATE_FIELDS):
        return Field(kind)
    if kind in ITEM_FIELDS:
        known = {k.lower(): k for k in ITEM_FIELDS[kind]}
        if item.strip().lower() in known:
            return Field(kind, known[item.strip().lower()])
        raise CorrectionError(f"unknown {kind} {item!r}; valid: {', '.join(ITEM_FIELDS[kind])}")
    raise CorrectionError(f"unknown field {text!r}; valid fields: {valid_fields()}")


def normalise_value(field: Field, value: str) -> str:
    """The value as stored: yes/no/unknown, a phone in E.164, hours in normal form; an error says what is wanted."""
    text = (value or "").strip()
    if field.kind in TRI_STATE_FIELDS or field.kind in FACT_KINDS or field.kind in ITEM_FIELDS:
        word = text.lower()
        allowed = YES | NO | (set() if field.kind in ITEM_FIELDS and field.kind not in FACT_KINDS else UNKNOWN)
        if word not in allowed:
            choices = "yes, no or unknown" if UNKNOWN <= allowed else "yes or no"
            raise CorrectionError(f"{field.name} takes {choices}, not {value!r}")
        return "yes" if word in YES else "no" if word in NO else "unknown"
    if field.kind == "listing":
        if text.lower() not in LISTING_ACTIONS:
            raise CorrectionError(f"listing takes remove (not a ketamine clinic, or it asks to be removed) or closed, "
                                  f"not {value!r}")
        return text.lower()
    if field.kind == "opening_hours":
        if text.lower() in UNKNOWN:
            return "unknown"
        hours = normalise_hours(text)
        if not hours:
            raise CorrectionError(f"opening hours {value!r} do not parse; write them like 'Mon-Fri 9am-5pm, Sat 10-2'")
        return hours
    if field.kind == "phone":
        phone = normalise_phone(text)
        if not phone:
            raise CorrectionError(f"{value!r} is not a US phone number")
        return phone
    if field.kind == "zip":
        if not re.fullmatch(r"\d{5}(?:-\d{4})?", text):
            raise CorrectionError(f"{value!r} is not a ZIP code (5 digits)")
        return zip5(text)
    if field.kind == "website":
        root = site_root(text) if re.match(r"https?://", text, re.I) else None
        if root is None:
            raise CorrectionError(f"{value!r} is not a website address (https://...)")
        return root
    if not text and field.kind != "suite":
        raise CorrectionError(f"{field.name} cannot be empty")
    return text


# What the correction stands on ----------------------------------------------------------------------------
def basis_of(db: sqlite_utils.Database, clinic: dict, field: Field) -> dict:
    """The pages a correction is checked against later: the page the crawl read the disputed fact from, else
    every page of the clinic's site; their content hashes now."""
    site = _site_of(db, clinic.get("website"))
    if field.kind == "listing":  # a removal or a closure stands until a person decides otherwise
        return {"scope": "none", "site": site, "hashes": {}}
    url = _evidence_url(db, clinic["id"], field)
    if url and url.startswith("http"):
        return {"scope": "page", "site": site, "hashes": _hashes(db, site, [url])}
    if not site:
        return {"scope": "none", "site": None, "hashes": {}}
    return {"scope": "site", "site": site, "hashes": _hashes(db, site)}


def changed_since(db: sqlite_utils.Database, basis: dict) -> str | None:
    """The first page that changed since the correction was accepted (or appeared, for a site-wide basis)."""
    if basis.get("scope") in (None, "none"):
        return None
    now = _hashes(db, basis["site"], None if basis["scope"] == "site" else list(basis["hashes"]))
    for url in sorted(set(now) | set(basis["hashes"])):
        if now.get(url) != basis["hashes"].get(url):
            return url
    return None


def _site_of(db: sqlite_utils.Database, website: str | None) -> str | None:
    host = host_of(website)
    if not host:
        return None
    return next((r["site"] for r in db.query("select distinct site from pages") if host_of(r["site"]) == host),
                None)


def _hashes(db: sqlite_utils.Database, site: str | None, urls: list[str] | None = None) -> dict[str, str]:
    if not site:
        return {}
    rows = db.query("select url, content_hash from pages where site = ? and content_hash is not null", [site])
    return {r["url"]: r["content_hash"] for r in rows if urls is None or r["url"] in urls}


def _evidence_url(db: sqlite_utils.Database, clinic_id: str, field: Field) -> str | None:
    if field.kind in FACT_KINDS:
        table, column = {"route": ("clinic_routes", "route"), "service": ("clinic_services", "service"),
                         "condition": ("clinic_conditions", "condition")}[field.kind]
        sql, args = f"select source_url from {table} where clinic_id = ? and {column} = ?", [clinic_id, field.item]
    elif field.kind in PAYMENT_KEYS:
        sql, args = "select source_url from clinic_payment where clinic_id = ? and key = ? and detail = ''", \
            [clinic_id, field.kind]
    elif field.kind in (*CARE_KEYS, *ITEM_FIELDS, "opening_hours"):
        sql = "select source_url from clinic_care where clinic_id = ? and key = ? and source = 'clinic_site'"
        args = [clinic_id, field.kind]
        if field.kind in ITEM_FIELDS:
            sql, args = sql + " and detail = ?", [*args, field.item]
    else:
        return None
    return next((r["source_url"] for r in db.query(sql, args)), None)


# Applied by every build -----------------------------------------------------------------------------------
def apply_corrections(db: sqlite_utils.Database, records: dict, now: str) -> dict[str, int]:
    """Accepted corrections over what the crawl read, for the clinics being built; those whose page changed are
    marked superseded instead. ``records``: clinic id -> ClinicRecord. Returns counts by outcome."""
    counts = {"applied": 0, "superseded": 0}
    checked: dict[str, str] = {}
    for row in db.query("select * from corrections where status in ('accepted', 'rejected', 'superseded') "
                        "order by decided_at, id"):
        if row["clinic_id"] in records:
            checked[row["clinic_id"]] = max(checked.get(row["clinic_id"], ""), (row["decided_at"] or "")[:10])
        if row["status"] != "accepted" or row["clinic_id"] not in records:
            continue
        changed = changed_since(db, json.loads(row["basis"] or "{}"))
        if changed:
            db["corrections"].update(row["id"], {"status": "superseded", "superseded_at": now,
                                                 "superseded_reason": f"{changed} changed after it was accepted"})
            counts["superseded"] += 1
            continue
        _apply(records[row["clinic_id"]], row)
        counts["applied"] += 1
    for clinic_id, day in checked.items():
        records[clinic_id].row["last_checked_by_person"] = day or None
    return counts


def _apply(record, correction: dict) -> None:
    field, value = parse_field(correction["field"]), correction["value"]
    if field.kind in ROW_FIELDS:
        record.row[field.kind] = value or None
        record._identity = None
        return
    if field.kind == "listing":
        record.status_override = (LISTING_ACTIONS[value], f"correction #{correction['id']}: {correction['note'] or ''}"
                                  .rstrip(": "))
        return
    if not record.facts_copied:  # a site's facts may be shared by its locations
        record.facts, record.facts_copied = copy.deepcopy(record.facts), True
    _set_fact(record.facts, field, value, _evidence(correction))


def _evidence(correction: dict) -> dict:
    who = correction["submitted_by"] or "a reader"
    said = f"Correction #{correction['id']} from {who}, checked by {correction['decided_by'] or 'a maintainer'} " \
           f"on {(correction['decided_at'] or '')[:10]}"
    note = (correction["note"] or "").strip()
    return {"evidence": f"{said}: {note}" if note else said, "source_url": f"correction:{correction['id']}",
            "seen_at": correction["decided_at"], "page_type": "correction"}


def _set_fact(facts: SiteFacts, field: Field, value: str, evidence: dict) -> None:
    truth = {"yes": True, "no": False}.get(value)
    if field.kind in FACT_KINDS or field.kind in TRI_STATE_FIELDS:
        table = (getattr(facts, FACT_KINDS[field.kind]) if field.kind in FACT_KINDS
                 else getattr(facts, FLAG_BY_KEY[field.kind].group))
        key = field.item or field.kind
        if value == "unknown":
            table.pop(key, None)
        else:
            table[key] = {"value": truth, **evidence}
    elif field.kind in ITEM_FIELDS:
        items = facts.care_lists.setdefault(field.kind, {})
        if truth:
            items[field.item] = {"value": True, **evidence}
        else:
            items.pop(field.item, None)
    elif field.kind == "opening_hours":
        facts.opening_hours = None if value == "unknown" else {"value": value, **evidence}
