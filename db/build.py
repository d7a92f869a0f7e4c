"""From what was crawled to one row per clinic location: merge each site's pages, attach listings, record changes.

Runs after the spiders. It reads ``pages`` (each page's stored facts) and ``sources`` (listings) and
rewrites the fact tables of each clinic it can build. It never deletes a clinic: a site that failed this
run is rebuilt from its last good pages, so an outage loses nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlparse

import sqlite_utils

from clinics.regions import county_of_zip, zip_centroid
from db.store import now_iso
from parsers.address import normalise_phone, zip5
from parsers.merge import SiteFacts, StoredPage, location_key, merge_pages
from parsers.vocab import CONDITION_BY_KEY, PAYMENT_LABELS, ROUTE_BY_KEY, SERVICE_BY_KEY, condition_family

KETAMINE_NAME = re.compile(r"ketamine|esketamine|spravato|psychedelic|infusion (?:center|clinic|therapy)", re.I)
CLINIC_FIELDS = ("name", "phone", "website", "street", "suite", "city", "zip", "status")


@dataclass
class ClinicRecord:
    row: dict
    facts: SiteFacts
    listings: list[dict] = field(default_factory=list)


@dataclass
class RunContext:
    """What this run knows: which sources answered completely, which sites were crawled, and the thresholds."""

    run_id: int | None
    region_name: str
    region_zips: set[str]
    complete_sources: set[str] = field(default_factory=set)  # listing sources that answered fully this run
    sites_crawled: bool = True
    stale_after_runs: int = 3
    gone_after_runs: int = 6
    stale_after_days: float | None = None
    gone_after_days: float | None = None
    confirms: bool = True  # False for a reparse: nothing was fetched, so no clinic is confirmed or aged
    now: str = field(default_factory=now_iso)


@dataclass
class BuildResult:
    clinics: int = 0
    facts: int = 0
    changes: int = 0
    dropped: dict[str, int] = field(default_factory=dict)


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    parsed = urlparse(url if "//" in url else f"http://{url}")
    host = (parsed.hostname or "").lower().removeprefix("www.")
    return f"{host}:{parsed.port}" if parsed.port else host or None


def clinic_id(location: dict, site: str | None) -> str:
    """Stable id from the canonical location (street, suite, ZIP); the site's host when there is no address."""
    street, suite, zip_code = location_key(location)
    basis = f"{street}|{suite}|{zip_code}" if street and zip_code else f"site:{site}"
    return "c" + hashlib.sha1(basis.encode()).hexdigest()[:12]


def build_clinics(db: sqlite_utils.Database, run: RunContext) -> BuildResult:
    region_zips = run.region_zips
    result = BuildResult()
    listings = [dict(r) for r in db["sources"].rows]
    by_host: dict[str, list[dict]] = defaultdict(list)
    for listing in listings:
        if listing["decision"] != "dropped" and host_of(listing["website"]):
            by_host[host_of(listing["website"])].append(listing)
    records: dict[str, ClinicRecord] = {}
    site_pages = _site_pages(db)
    fetched_hosts = {host_of(site) for site in site_pages}
    for site, pages in site_pages.items():
        merged = merge_pages(pages)
        site_listings = by_host.get(host_of(site), [])
        if not (merged.offers_ketamine or merged.stopped_ketamine):
            for listing in site_listings:
                _drop(listing, "website shows no ketamine care", result)
            continue
        for record in _records_for_site(site, merged, site_listings, region_zips):
            records.setdefault(record.row["id"], record)
    for listing in listings:
        if listing["decision"] == "dropped" or _attached(listing, records):
            continue
        record = _match(listing, records)
        if record:
            record.listings.append(listing)
            if not record.row.get("website") and listing["website"]:
                record.row["website"] = _site_root(listing["website"])
        elif KETAMINE_NAME.search(listing["name"] or "") and (listing["zip"] or "")[:5] in region_zips:
            rec = _record_from_listing(listing)
            records.setdefault(rec.row["id"], rec).listings.append(listing)
        elif host_of(listing["website"]) and host_of(listing["website"]) not in fetched_hosts:
            listing["reason"] = "website not fetched yet"
        else:
            _drop(listing, "no ketamine care found on its pages or in its name", result)
    site_health = _site_health(db, run.run_id)
    with db.atomic():
        for record in records.values():
            _set_status(db, record, run, site_health)
            result.changes += _write_clinic(db, record, run)
            result.facts += _fact_count(record.facts)
        if run.confirms:
            result.changes += _age_missing(db, set(records), run)
        for listing in listings:
            db["sources"].update((listing["source"], listing["source_id"]),
                                 {"clinic_id": listing.get("clinic_id"), "decision": listing["decision"],
                                  "reason": listing.get("reason")})
    result.clinics = len(records)
    return result


def _site_pages(db: sqlite_utils.Database) -> dict[str, list[StoredPage]]:
    """Each site's stored pages; a fact is dated by the fetch that first brought its page's current content."""
    sites: dict[str, list[StoredPage]] = defaultdict(list)
    for row in db.query("select url, site, last_ok_at, facts from pages where facts is not null order by url"):
        facts = json.loads(row["facts"])
        sites[row["site"]].append(StoredPage(row["url"], facts.get("seen_at") or row["last_ok_at"], facts))
    return sites


def _site_health(db: sqlite_utils.Database, run_id: int | None) -> dict[str, bool]:
    """Site host -> True when this run fetched it (200 or 304), False when every fetch this run failed."""
    health: dict[str, bool] = {}
    for row in db.query("select site, max(status in (200, 304) and error is null) as ok from pages "
                        "where run_id = ? group by site", [run_id]):
        health[host_of(row["site"])] = bool(row["ok"])
    return health


def _set_status(db: sqlite_utils.Database, record: ClinicRecord, run: RunContext, site_health: dict) -> None:
    """Active when confirmed this run; after consecutive unconfirmed runs (or days), stale, then gone."""
    row = record.row
    old = next(iter(db.query("select status, missed_runs, last_confirmed from clinics where id = ?", [row["id"]])), {})
    if row.get("status") == "gone":  # the clinic's own pages say it stopped
        row.update(status_reason="its website says it no longer offers ketamine care",
                   missed_runs=0, last_confirmed=old.get("last_confirmed") if not run.confirms else run.now)
        return
    if not run.confirms:  # a reparse fetched nothing: it cannot confirm or age anyone
        if old:
            row.update(status=old["status"], missed_runs=old["missed_runs"], last_confirmed=old["last_confirmed"])
        return
    listed = _listed_now(record, run)
    site_ok = site_health.get(host_of(row.get("website")), True) if run.sites_crawled else True
    if listed and site_ok:
        row.update(status="active", status_reason=None, missed_runs=0, last_confirmed=run.now)
        return
    reason = "its website failed this run" if not site_ok else "no source lists it any more"
    _age(row, old, run, reason)


def _listed_now(record: ClinicRecord, run: RunContext) -> bool:
    """Seen this run by a source that answered completely; unknown (so True) when no such source covers it."""
    judged = [li for li in record.listings if li["source"] in run.complete_sources]
    return not judged or any(li.get("run_id") == run.run_id for li in judged)


def _age(row: dict, old: dict, run: RunContext, reason: str) -> None:
    missed = (old.get("missed_runs") or 0) + 1
    last = old.get("last_confirmed")
    days = _days_between(last, run.now) if last else 0.0
    status = "active"
    if missed >= run.stale_after_runs or (run.stale_after_days is not None and days >= run.stale_after_days):
        status = "stale"
    if missed >= run.gone_after_runs or (run.gone_after_days is not None and days >= run.gone_after_days):
        status = "gone"
    row.update(status=status, missed_runs=missed, last_confirmed=last,
               status_reason=f"{reason}; unconfirmed for {missed} run(s) since {last or 'never'}")


def _days_between(start: str, end: str) -> float:
    from datetime import datetime

    parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds() / 86400


def _age_missing(db: sqlite_utils.Database, built: set[str], run: RunContext) -> int:
    """Clinics this run could not build at all (no source, no site): kept, aged towards stale and gone."""
    changes = 0
    for old in list(db.query("select * from clinics where status != 'gone'")):
        if old["id"] in built:
            continue
        row = {"id": old["id"]}
        _age(row, old, run, "no source lists it any more")
        if row["status"] != old["status"]:
            _record_changes(db, old["id"], [("status", old["status"], row["status"])], run)
            changes += 1
        db["clinics"].update(old["id"], row)
    return changes


def _site_root(url: str) -> str:
    parsed = urlparse(url if "//" in url else f"https://{url}")
    return f"{parsed.scheme}://{parsed.netloc}/"


def _drop(listing: dict, reason: str, result: BuildResult) -> None:
    listing.update(decision="dropped", reason=reason, clinic_id=None)
    result.dropped[reason] = result.dropped.get(reason, 0) + 1


def _attached(listing: dict, records: dict[str, ClinicRecord]) -> bool:
    return any(listing is other for rec in records.values() for other in rec.listings)


def _match(listing: dict, records: dict[str, ClinicRecord]) -> ClinicRecord | None:
    """The one clinic this listing is: same canonical address, else same phone. None when unsure."""
    key = location_key(listing)
    by_address = [r for r in records.values() if key[0] and location_key(r.row) == key]
    if len(by_address) == 1:
        return by_address[0]
    phone = normalise_phone(listing["phone"])
    by_phone = [r for r in records.values() if phone and r.row.get("phone") == phone]
    return by_phone[0] if len(by_phone) == 1 else None


def _records_for_site(site, merged: SiteFacts, site_listings, region_zips) -> list[ClinicRecord]:
    locations = merged.locations or [
        {k: listing[k] for k in ("name", "phone", "street", "suite", "city", "state", "zip", "latitude", "longitude")}
        | {"source": listing["source"]} for listing in site_listings if listing["street"]]
    in_region = [loc for loc in locations if zip5(loc.get("zip")) in region_zips]
    if locations and not in_region:
        return []
    names = [n for n in merged.names if n]
    fallback_name = max(set(names), key=names.count) if names else None
    records = []
    for location in in_region or [{}]:
        # A name from JSON-LD is the clinic's own; one guessed from a page title yields to the site's usual name.
        name = location.get("name") if location.get("source") == "jsonld" else None
        row = _clinic_row({**location, "name": name or fallback_name}, site, fallback_name)
        if merged.stopped_ketamine:
            row["status"] = "gone"
        records.append(ClinicRecord(row, merged))
    for listing in site_listings:
        _best_location(listing, records).listings.append(listing)
    return records


def _best_location(listing: dict, records: list[ClinicRecord]) -> ClinicRecord:
    """The location of a multi-location site a listing names (same address, else phone), else the first."""
    for record in records:
        if location_key(listing)[0] and location_key(listing) == location_key(record.row):
            return record
    phone = normalise_phone(listing["phone"])
    return next((r for r in records if phone and r.row["phone"] == phone), records[0])


def _clinic_row(location: dict, site: str | None, fallback_name: str | None) -> dict:
    zip_code = zip5(location.get("zip"))
    lat, lon, precision = location.get("latitude"), location.get("longitude"), "source"
    if lat is None or lon is None:
        centroid = zip_centroid(zip_code)
        lat, lon, precision = (*centroid, "zip_centroid") if centroid else (None, None, None)
    county = county_of_zip(zip_code)
    return {
        "id": clinic_id(location, host_of(site)),
        "name": location.get("name") or fallback_name or host_of(site),
        "website": site, "phone": normalise_phone(location.get("phone")),
        "street": location.get("street"), "suite": location.get("suite"), "city": location.get("city"),
        "state": location.get("state"), "zip": zip_code, "county": county[0] if county else None,
        "latitude": lat, "longitude": lon, "geo_precision": precision, "status": "active",
    }


def _record_from_listing(listing: dict) -> ClinicRecord:
    location = {k: listing[k] for k in ("name", "phone", "street", "suite", "city", "state", "zip",
                                         "latitude", "longitude")}
    if location["city"]:
        location["city"] = location["city"].title()
    row = _clinic_row(location, listing["website"], listing["name"])
    return ClinicRecord(row, SiteFacts())


def _fact_count(facts: SiteFacts) -> int:
    return (len(facts.routes) + len(facts.services) + len(facts.conditions) + len(facts.payment)
            + len(facts.payers) + len(facts.financing_providers) + len(facts.prices))


def _summary(record: ClinicRecord) -> dict:
    """Denormalised columns for facets and search: offered keys, payment flags, lowest prices, search text."""
    facts = record.facts
    offered = lambda d: sorted(k for k, f in d.items() if f["value"])  # noqa: E731
    routes, services, conditions = offered(facts.routes), offered(facts.services), offered(facts.conditions)
    per_session = [p for p in facts.prices if p.get("per_session_usd")]
    iv = [p["per_session_usd"] for p in per_session if p.get("route") == "iv_infusion"]
    payment = {k: (int(f["value"]) if f["value"] is not None else None) for k, f in facts.payment.items()}
    words = [record.row["name"] or "", record.row["city"] or ""]
    words += [ROUTE_BY_KEY[k].search_words for k in routes if k in ROUTE_BY_KEY]
    words += [SERVICE_BY_KEY[k].search_words for k in services if k in SERVICE_BY_KEY]
    words += [CONDITION_BY_KEY[k].search_words for k in conditions if k in CONDITION_BY_KEY]
    words += [PAYMENT_LABELS[k] if v else f"no {PAYMENT_LABELS[k].lower()}" for k, v in payment.items()
              if v is not None]
    words += sorted(facts.payers) + sorted(facts.financing_providers)
    return {
        "routes": json.dumps(routes), "routes_not_offered": json.dumps(sorted(k for k, f in facts.routes.items()
                                                                               if not f["value"])),
        "services": json.dumps(services), "conditions": json.dumps(conditions),
        "condition_families": json.dumps(sorted({condition_family(k) for k in conditions})),
        **{k: payment.get(k) for k in PAYMENT_LABELS},
        "payers": json.dumps(sorted(facts.payers)), "financing_providers": json.dumps(sorted(facts.financing_providers)),
        "lowest_iv_price_usd": min(iv) if iv else None,
        "lowest_price_per_session_usd": min((p["per_session_usd"] for p in per_session), default=None),
        "source_count": len(record.listings) + (1 if record.row.get("website") else 0),
        "search_text": " ".join(w for w in words if w),
        "npi": next((li["source_id"] for li in record.listings if li["source"] == "npi_registry"), None),
    }


def _fact_rows(clinic: str, facts: SiteFacts) -> dict[str, list[dict]]:
    def fact(extra: dict, f: dict) -> dict:
        return {"clinic_id": clinic, **extra, "value": int(bool(f["value"])), "evidence": f.get("evidence"),
                "source_url": f.get("source_url"), "seen_at": f.get("seen_at"), "page_type": f.get("page_type")}
    payment = [fact({"key": k, "detail": ""}, f) | {"value": None if f["value"] is None else int(f["value"])}
               for k, f in facts.payment.items()]
    payment += [fact({"key": "payer", "detail": name}, f) for name, f in facts.payers.items()]
    payment += [fact({"key": "financing_provider", "detail": name}, f) for name, f in facts.financing_providers.items()]
    prices = []
    for p in facts.prices:
        basis = f"{clinic}|{p['amount_usd']}|{p.get('amount_max_usd')}|{p['unit']}|{p.get('sessions')}|{p.get('route')}"
        prices.append({"id": hashlib.sha1(basis.encode()).hexdigest()[:16], "clinic_id": clinic,
                       **{k: p.get(k) for k in ("amount_usd", "amount_max_usd", "unit", "sessions", "per_session_usd",
                                                "route", "qualifier", "evidence", "source_url", "seen_at",
                                                "page_type")}})
    return {
        "clinic_routes": [fact({"route": k}, f) for k, f in facts.routes.items()],
        "clinic_services": [fact({"service": k}, f) for k, f in facts.services.items()],
        "clinic_conditions": [fact({"condition": k, "condition_family": condition_family(k)}, f)
                              for k, f in facts.conditions.items() if k in CONDITION_BY_KEY],
        "clinic_payment": payment,
        "prices": prices,
    }


def _signature(db: sqlite_utils.Database, clinic: str) -> dict[str, str]:
    """Every fact of a clinic as field -> value text, the shape ``changes`` compares."""
    sig: dict[str, str] = {}
    for table, col in (("clinic_routes", "route"), ("clinic_services", "service"), ("clinic_conditions", "condition")):
        for r in db.query(f"select {col} as k, value from {table} where clinic_id = ?", [clinic]):
            sig[f"{col}:{r['k']}"] = "true" if r["value"] else "false"
    for r in db.query("select key, detail, value from clinic_payment where clinic_id = ?", [clinic]):
        name = f"payment:{r['key']}" + (f":{r['detail']}" if r["detail"] else "")
        sig[name] = "unknown" if r["value"] is None else ("true" if r["value"] else "false")
    prices: dict[str, list[str]] = defaultdict(list)
    for r in db.query("select * from prices where clinic_id = ?", [clinic]):
        name = f"price:{r['route'] or 'unspecified'}:{r['unit']}" + (f":{r['sessions']}" if r["sessions"] else "")
        amount = f"{r['amount_usd']:g}" + (f"-{r['amount_max_usd']:g}" if r["amount_max_usd"] else "")
        prices[name].append(amount)
    sig.update({k: ", ".join(sorted(v)) for k, v in prices.items()})
    return sig


def _existing_rows(db: sqlite_utils.Database, table: str, clinic: str) -> list[dict]:
    return [dict(r) for r in db.query(f"select * from {table} where clinic_id = ?", [clinic])]


def _same_rows(old: list[dict], new: list[dict]) -> bool:
    key = lambda r: json.dumps(r, sort_keys=True, default=str)  # noqa: E731
    normal = lambda rows: sorted(key({k: v for k, v in r.items() if v is not None}) for r in rows)  # noqa: E731
    return normal(old) == normal(new)


def _write_clinic(db: sqlite_utils.Database, record: ClinicRecord, run: RunContext) -> int:
    """Upsert one clinic and its facts, rewriting fact rows only when they changed; returns changes recorded."""
    clinic = record.row["id"]
    old_row = next(iter(db.query("select * from clinics where id = ?", [clinic])), None)
    old_sig = _signature(db, clinic) if old_row else {}
    row = {**record.row, **_summary(record), "region": run.region_name, "last_seen": run.now}
    facts_changed = False
    for table, rows in _fact_rows(clinic, record.facts).items():
        if old_row is not None and _same_rows(_existing_rows(db, table, clinic), rows):
            continue
        facts_changed = True
        db.execute(f"delete from {table} where clinic_id = ?", [clinic])
        if rows:
            db[table].insert_all(rows)
    changes = []
    if old_row is None:
        row["first_seen"] = run.now
        changes.append(("status", None, row["status"]))
    else:
        changes += [(f, old_row[f], row[f]) for f in CLINIC_FIELDS if (old_row[f] or None) != (row[f] or None)]
        new_sig = _signature(db, clinic) if facts_changed else old_sig
        for name in sorted(set(old_sig) | set(new_sig)):
            if old_sig.get(name) != new_sig.get(name):
                changes.append((name, old_sig.get(name), new_sig.get(name)))
    row["last_changed"] = run.now if changes else (old_row or {}).get("last_changed")
    db["clinics"].upsert(row, pk="id")
    for listing in record.listings:
        listing.update(clinic_id=clinic, decision="merged", reason=None)
    _record_changes(db, clinic, changes, run)
    return len(changes)


def _record_changes(db: sqlite_utils.Database, clinic: str, changes: list[tuple], run: RunContext) -> None:
    if changes:
        db["changes"].insert_all([{"clinic_id": clinic, "field": f, "old_value": _text(o), "new_value": _text(n),
                                   "changed_at": run.now, "run_id": run.run_id} for f, o, n in changes])


def _text(value) -> str | None:
    return None if value is None else str(value)
