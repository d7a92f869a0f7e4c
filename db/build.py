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
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlite_utils

from core.clinic_facts import fact_count, fact_rows, summary
from core.identity import Candidate, Decisions, Identity, best_match, candidates, identity_of
from core.regions import county_of_zip, zip_centroid
from core.status import aged, status_update
from db.corrections import apply_corrections
from db.schema import COUNTED_FACETS
from db.store import now_iso
from parsers.address import normalise_phone, usps_street, zip5
from parsers.kinds import CARE_KEYS
from parsers.merge import STRUCTURED, SiteFacts, StoredPage, location_key, merge_pages
from parsers.urls import host_of, site_root

KETAMINE_NAME = re.compile(r"ketamine|esketamine|spravato|psychedelic|infusion (?:center|clinic|therapy)", re.I)
CLINIC_FIELDS = ("name", "phone", "website", "street", "suite", "city", "zip", "status")


@dataclass
class ClinicRecord:
    row: dict
    facts: SiteFacts
    listings: list[dict] = field(default_factory=list)
    clinicians: list[dict] = field(default_factory=list)  # NPI-1 records practising at its address
    status_override: tuple[str, str] | None = None  # (status, reason) from an accepted correction
    facts_copied: bool = field(default=False, repr=False)  # facts are this record's own (a correction changed them)
    _identity: Identity | None = field(default=None, repr=False)

    def identity(self) -> Identity:
        """What identity compares, computed once and again only after a listing attaches (or the row changes)."""
        if self._identity is None:
            self._identity = identity_of(self.row, self.row["id"],
                                         npis=[li["npi"] for li in self.listings if li.get("npi")],
                                         hosts=[host_of(li["website"]) for li in self.listings if li.get("website")])
        return self._identity

    def attach(self, listing: dict, reasons: list[str]) -> None:
        listing["match_reasons"] = json.dumps(reasons)
        self.listings.append(listing)
        self._identity = None


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

    def holds(self, row) -> bool:
        """A listing or clinic row is this run's when its ZIP is in the region or it was filed under the region."""
        return (row["zip"] or "")[:5] in self.region_zips or row["region"] == self.region_name


@dataclass
class BuildResult:
    clinics: int = 0
    facts: int = 0
    changes: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    merged_by_identity: int = 0  # listings attached to a clinic by the identity rules (not by website)
    possible_duplicates: int = 0
    merged_by_people: int = 0
    unmapped: dict[str, int] = field(default_factory=dict)  # text kept unmapped, by kind (state, hours, credential)
    corrections: dict[str, int] = field(default_factory=dict)  # accepted corrections applied, or superseded
    # how this run judged each clinic it built: confirmed, unconfirmed (its site failed or no source lists it),
    # untouched (known only from sources that failed), gone (its site says so)
    judged: dict[str, int] = field(default_factory=dict)

    def stats(self) -> dict:
        return {"build/unmapped": self.unmapped, "build/corrections": self.corrections, "build/dropped": self.dropped,
                "build/merged_by_identity": self.merged_by_identity,
                "build/possible_duplicates": self.possible_duplicates, "build/merged_by_people": self.merged_by_people,
                "build/judged": self.judged}


def clinic_id(location: dict, site: str | None) -> str:
    """Stable id from the canonical location (street, suite, ZIP); the site's host when there is no address."""
    street, suite, zip_code = location_key(location)
    basis = f"{street}|{suite}|{zip_code}" if street and zip_code else f"site:{site}"
    return "c" + hashlib.sha1(basis.encode()).hexdigest()[:12]


def build_clinics(db: sqlite_utils.Database, run: RunContext) -> BuildResult:
    """Every clinic of the run's region rebuilt from its site's pages and its listings; other regions untouched."""
    region_zips = run.region_zips
    result = BuildResult()
    listings = [dict(r) for r in db["sources"].rows if run.holds(r)]
    decisions = Decisions.from_rows(db["identity_decisions"].rows)
    by_host: dict[str, list[dict]] = defaultdict(list)
    for listing in listings:
        listing["match_reasons"] = None
        if listing["decision"] != "dropped" and host_of(listing["website"]):
            by_host[host_of(listing["website"])].append(listing)
    known_hosts = {host_of(r["website"]) for r in db.query("select website, zip, region from clinics where "
                                                           "website is not null") if run.holds(r)}
    records: dict[str, ClinicRecord] = {}
    fetched_hosts = {host_of(row["site"]) for row in db.query("select distinct site from pages where facts is not null")}
    for site, pages in _site_pages(db):
        if host_of(site) not in by_host and host_of(site) not in known_hosts:
            continue  # a site of another region
        merged = merge_pages(pages)
        site_listings = by_host.get(host_of(site), [])
        known = host_of(site) in known_hosts
        if not (merged.offers_ketamine or merged.stopped_ketamine or _closed_clinic(merged, site_listings, known)):
            for listing in site_listings:
                _drop(listing, "website shows no ketamine care", result)
            continue
        site_records = _records_for_site(site, merged, site_listings, region_zips)
        if not site_records:  # its own pages put every location outside the region
            for listing in site_listings:
                _drop(listing, "outside the region (by the address on its website)", result)
        for record in site_records:
            records.setdefault(record.row["id"], record)
    pairs: dict[tuple[str, str], Candidate] = {}
    for listing in listings:
        if listing["decision"] == "dropped" or _attached(listing, records):
            continue
        _place(listing, records, decisions, fetched_hosts, pairs, result)
    result.merged_by_people = _apply_same_decisions(records, decisions)
    _attach_clinicians(records, listings)
    site_health = _site_health(db, run.run_id)
    with db.atomic():
        result.corrections = apply_corrections(db, records, run.now)
        for record in records.values():
            judged = _set_status(db, record, run, site_health)
            result.judged[judged] = result.judged.get(judged, 0) + 1
            if record.status_override:
                record.row.update(status=record.status_override[0], status_reason=record.status_override[1])
            result.changes += _write_clinic(db, record, run)
            result.facts += fact_count(record.facts)
            for key in record.facts.unmapped:
                kind = key.split(":", 1)[0]
                result.unmapped[kind] = result.unmapped.get(kind, 0) + 1
        result.changes += _mark_merged(db, decisions, run)
        if run.confirms:
            result.changes += _age_missing(db, set(records), run)
        result.possible_duplicates = _write_duplicate_candidates(db, pairs, records, decisions, run)
        for listing in listings:
            db["sources"].update((listing["source"], listing["source_id"]),
                                 {"clinic_id": listing.get("clinic_id"), "decision": listing["decision"],
                                  "reason": listing.get("reason"), "match_reasons": listing.get("match_reasons")})
        write_facet_counts(db)
    result.clinics = len(records)
    return result


def write_facet_counts(db: sqlite_utils.Database) -> None:
    """Each counted facet of the clinics table (db/schema.py COUNTED_FACETS), over the whole table."""
    rows = []
    for column, kind in COUNTED_FACETS.items():
        sql = (f"select j.value, count(*) from clinics, json_each(clinics.[{column}]) j group by j.value"
               if kind == "keys" else
               f"select [{column}], count(*) from clinics where [{column}] is not null group by [{column}]")
        rows += [{"column": column, "value": value, "count": count} for value, count in db.execute(sql).fetchall()]
    db.execute("delete from facet_counts")
    if rows:
        db["facet_counts"].insert_all(rows)


def _place(listing: dict, records: dict[str, ClinicRecord], decisions: Decisions, fetched_hosts: set,
           pairs: dict, result: BuildResult) -> None:
    """A listing without a fetched site of its own: one confident match, else its own clinic when its name says
    ketamine (with its near misses kept as possible duplicates), else waiting for its site, else dropped."""
    own_id = clinic_id(listing, host_of(listing["website"])) if listing["street"] else None
    me = identity_of(listing, own_id)
    found = candidates(me, [r.identity() for r in records.values()], decisions)
    match = best_match(found)
    if match:
        record = records[match.clinic_id]
        record.attach(listing, match.reasons)
        result.merged_by_identity += 1
        if not record.row.get("website") and listing["website"]:
            record.row["website"] = site_root(listing["website"])
            record._identity = None
        return
    if KETAMINE_NAME.search(listing["name"] or "") and own_id:
        record = records.setdefault(own_id, _record_from_listing(listing))
        record.attach(listing, ["its own listing"])
        for candidate in found:
            if candidate.worth_asking and candidate.clinic_id != own_id:
                pairs[tuple(sorted((own_id, candidate.clinic_id)))] = candidate
        return
    if host_of(listing["website"]) and host_of(listing["website"]) not in fetched_hosts:
        listing["reason"] = "website not fetched yet"
    else:
        _drop(listing, "no ketamine care found on its pages or in its name", result)


def _attach_clinicians(records: dict[str, ClinicRecord], listings: list[dict]) -> None:
    """Individual NPI records (NPI-1) whose practice location is a clinic's address (the suite too, when both
    give one): the registry's word on who treats there."""
    individuals = [li for li in listings if li["source"] == "npi_registry" and li.get("street")
                   and '"NPI-1"' in (li.get("raw") or "")]
    for record in records.values():
        street, suite, zip_code = location_key(record.row)
        if not street:
            continue
        for listing in individuals:
            their_street, their_suite, their_zip = location_key(listing)
            if (their_street, their_zip) == (street, zip_code) and (not suite or not their_suite or suite == their_suite):
                record.clinicians.append(listing)


def _apply_same_decisions(records: dict[str, ClinicRecord], decisions: Decisions) -> int:
    """People said two clinics are one: the merged one's listings (and its site's facts, when the survivor has
    none) move to the survivor."""
    merged = 0
    for gone_id in list(records):
        survivor_id = decisions.survivor(gone_id)
        if survivor_id == gone_id or survivor_id not in records:
            continue
        gone, survivor = records.pop(gone_id), records[survivor_id]
        for listing in gone.listings:
            survivor.attach(listing, ["a person decided they are the same"])
        if not fact_count(survivor.facts) and fact_count(gone.facts):
            survivor.facts = gone.facts
        survivor.row["website"] = survivor.row.get("website") or gone.row.get("website")
        merged += 1
    return merged


def _mark_merged(db: sqlite_utils.Database, decisions: Decisions, run: RunContext) -> int:
    """Clinics a person merged into another are kept for history, marked merged and hidden from the views."""
    changes = 0
    for gone_id in decisions.same:
        survivor = decisions.survivor(gone_id)
        old = next(iter(db.query("select status, merged_into from clinics where id = ?", [gone_id])), None)
        if old is None or (old["status"] == "merged" and old["merged_into"] == survivor):
            continue
        db["clinics"].update(gone_id, {"status": "merged", "merged_into": survivor,
                                       "status_reason": f"a person decided it is the same clinic as {survivor}"})
        _record_changes(db, gone_id, [("status", old["status"], "merged")], run)
        changes += 1
    return changes


def _write_duplicate_candidates(db: sqlite_utils.Database, pairs: dict, records: dict, decisions: Decisions,
                                run: RunContext) -> int:
    """Replace this region's possible duplicates with this build's; pairs people decided are left out."""
    built = list(records)
    if built:
        marks = ",".join("?" * len(built))
        db.execute(f"delete from duplicate_candidates where clinic_id in ({marks}) or other_id in ({marks})",
                   built + built)
    rows = []
    for (a, b), candidate in sorted(pairs.items()):
        if a not in records or b not in records or decisions.said_not_same(a, b) or decisions.said_same(a, b):
            continue
        old = next(iter(db.query("select first_seen from duplicate_candidates where clinic_id = ? and other_id = ?",
                                 [a, b])), {})
        rows.append({"clinic_id": a, "other_id": b, "score": candidate.score,
                     "reasons": "; ".join(candidate.reasons), "first_seen": old.get("first_seen") or run.now,
                     "last_seen": run.now, "run_id": run.run_id})
    if rows:
        db["duplicate_candidates"].upsert_all(rows, pk=("clinic_id", "other_id"))
    return len(rows)


def _site_pages(db: sqlite_utils.Database) -> Iterator[tuple[str, list[StoredPage]]]:
    """Each site's stored pages, read one site at a time so a build holds one site's facts, not every page's.

    A fact is dated by the fetch that first brought its page's current content."""
    sites = [row["site"] for row in db.query("select distinct site from pages where facts is not null order by site")]
    for site in sites:
        pages = []
        for row in db.query("select url, last_ok_at, facts from pages where site = ? and facts is not null "
                            "order by url", [site]):
            facts = json.loads(row["facts"])
            pages.append(StoredPage(row["url"], facts.get("seen_at") or row["last_ok_at"], facts))
        yield site, pages


def _site_health(db: sqlite_utils.Database, run_id: int | None) -> dict[str, bool]:
    """Site host -> False when a fetch of it failed this run and its server answered for no page (200 or 304).

    A page its sitemap vouched for (last known good later than the server's last answer) is no answer: a
    site whose every requested page failed is down, whatever its sitemap says of the others.
    """
    health: dict[str, bool] = {}
    for row in db.query("select site, max(error is null and status in (200, 304) "
                        "and coalesce(verified_at, last_ok_at) = last_ok_at) as answered, "
                        "max(error is not null) as failed from pages where run_id = ? group by site", [run_id]):
        health[host_of(row["site"])] = bool(row["answered"]) or not row["failed"]
    return health


def _set_status(db: sqlite_utils.Database, record: ClinicRecord, run: RunContext, site_health: dict) -> str:
    """The row's status this run (core/status.py), from the row it had; how the run judged it, in a word."""
    row = record.row
    old = next(iter(db.query("select status, missed_runs, last_confirmed from clinics where id = ?", [row["id"]])), {})
    # A clinic with a website is confirmed only by its site answering this run: a site never asked (a bad URL, a
    # spider that failed to start) or refused by its robots.txt is no answer. One without a website has none.
    host = host_of(row.get("website"))
    site_ok = site_health.get(host, False) if run.sites_crawled and host else None
    says_gone = row.get("status_reason") if row.get("status") == "gone" else None
    listed = _listed_now(record, run)
    row.update(status_update(old, run, says_gone=says_gone, listed=listed, site_ok=site_ok))
    if says_gone:
        return "gone"
    if not run.confirms or (listed is None and site_ok is None):
        return "untouched"
    return "confirmed" if row.get("last_confirmed") == run.now else "unconfirmed"


def _listed_now(record: ClinicRecord, run: RunContext) -> bool | None:
    """Seen this run by a source (True); left out by a source that answered completely (False); else unknown
    (None): every source that knows it failed this run, and a failed source confirms nothing."""
    if any(li.get("run_id") == run.run_id for li in record.listings):
        return True
    if any(li["source"] in run.complete_sources for li in record.listings):
        return False
    return None


def _age_missing(db: sqlite_utils.Database, built: set[str], run: RunContext) -> int:
    """Clinics this run could not build at all (no source, no site): kept, aged towards stale and gone."""
    changes = 0
    for old in list(db.query("select * from clinics where status not in ('gone', 'merged', 'removed')")):
        if old["id"] in built or not run.holds(old):
            continue
        row = {"id": old["id"], **aged(old, run, "no source lists it any more")}
        if row["status"] != old["status"]:
            _record_changes(db, old["id"], [("status", old["status"], row["status"])], run)
            changes += 1
        db["clinics"].update(old["id"], row)
    return changes


def _drop(listing: dict, reason: str, result: BuildResult) -> None:
    listing.update(decision="dropped", reason=reason, clinic_id=None)
    result.dropped[reason] = result.dropped.get(reason, 0) + 1


def _attached(listing: dict, records: dict[str, ClinicRecord]) -> bool:
    return any(listing is other for rec in records.values() for other in rec.listings)


def _records_for_site(site, merged: SiteFacts, site_listings, region_zips) -> list[ClinicRecord]:
    locations = merged.locations or [_location_of(listing) for listing in site_listings if listing["street"]]
    in_region = [loc for loc in locations if zip5(loc.get("zip")) in region_zips]
    if locations and not in_region:
        return []
    names = [n for n in merged.names if n]
    fallback_name = max(set(names), key=names.count) if names else None
    records = []
    for location in in_region or [{}]:
        # A name from structured data (JSON-LD, microdata) is the clinic's own; one guessed from a page title
        # yields to the site's usual name.
        name = location.get("name") if location.get("source") in STRUCTURED else None
        row = _clinic_row({**location, "name": name or fallback_name}, site, fallback_name)
        # Every location of one website is one organisation: a chain's rows share it.
        row.update(organization=fallback_name or row["name"], organization_id=f"site:{host_of(site)}")
        if merged.closed:
            row.update(status="gone", status_reason=f"its website says it has closed: \"{merged.closure['evidence']}\"")
        elif merged.stopped_ketamine:
            row.update(status="gone", status_reason="its website says it no longer offers ketamine care")
        records.append(ClinicRecord(row, merged))
    for listing in site_listings:
        record = _best_location(listing, records)
        record.attach(listing, ["same website"])
        _take_coordinates(record.row, listing)
    return records


def _closed_clinic(merged: SiteFacts, site_listings: list[dict], known: bool) -> bool:
    """A site that says it has closed is kept (as gone) when it was a ketamine clinic: one already known, or one
    whose name or a listing's name says ketamine. A closed med spa is not added."""
    names = [*merged.names, *(listing["name"] for listing in site_listings)]
    return merged.closed and (known or any(KETAMINE_NAME.search(name or "") for name in names))


def _take_coordinates(row: dict, listing: dict) -> None:
    """A listing's geocoded point replaces a ZIP centroid (OSM and directories give rooftop points)."""
    if row.get("geo_precision") == "zip_centroid" and listing.get("latitude") is not None \
            and listing.get("longitude") is not None and zip5(listing.get("zip")) == row.get("zip"):
        row.update(latitude=listing["latitude"], longitude=listing["longitude"], geo_precision="source",
                   geo_source=listing["source"])


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
    geo_source = location.get("source")
    if lat is None or lon is None:
        centroid = zip_centroid(zip_code)
        lat, lon, precision = (*centroid, "zip_centroid") if centroid else (None, None, None)
        geo_source = "gazetteer" if centroid else None
    county = county_of_zip(zip_code)
    return {
        "id": clinic_id(location, host_of(site)),
        "name": location.get("name") or fallback_name or host_of(site),
        "website": site, "phone": normalise_phone(location.get("phone")),
        "street": usps_street(location.get("street")), "suite": location.get("suite"), "city": location.get("city"),
        "state": location.get("state"), "zip": zip_code, "county": county[0] if county else None,
        "latitude": lat, "longitude": lon, "geo_precision": precision, "geo_source": geo_source,
        "status": "active",
    }


LOCATION_FIELDS = ("name", "phone", "street", "suite", "city", "state", "zip", "latitude", "longitude")


def _location_of(listing: dict) -> dict:
    """A listing's place, as the location of a clinic record, with the source that gave it."""
    return {k: listing[k] for k in LOCATION_FIELDS} | {"source": listing["source"]}


def _record_from_listing(listing: dict) -> ClinicRecord:
    location = _location_of(listing)
    if location["city"]:
        location["city"] = location["city"].title()
    row = _clinic_row(location, listing["website"], listing["name"])
    row.update(organization=listing.get("legal_name") or listing["name"],
               organization_id=f"npi:{listing['npi']}" if listing.get("npi") else None)
    return ClinicRecord(row, SiteFacts())


def _signature(db: sqlite_utils.Database, clinic: str) -> dict[str, str]:
    """Every fact of a clinic as field -> value text, the shape ``changes`` compares."""
    sig: dict[str, str] = {}
    for table, col in (("clinic_routes", "route"), ("clinic_services", "service"), ("clinic_conditions", "condition")):
        for r in db.query(f"select {col} as k, value from {table} where clinic_id = ?", [clinic]):
            sig[f"{col}:{r['k']}"] = "true" if r["value"] else "false"
    for r in db.query("select key, detail, value from clinic_payment where clinic_id = ?", [clinic]):
        name = f"payment:{r['key']}" + (f":{r['detail']}" if r["detail"] else "")
        sig[name] = "unknown" if r["value"] is None else ("true" if r["value"] else "false")
    for r in db.query("select key, detail, value from clinic_care where clinic_id = ? and key != 'unmapped' "
                      "and source != 'npi'", [clinic]):
        if r["key"] in CARE_KEYS:
            sig[f"care:{r['key']}"] = "unknown" if r["value"] is None else ("true" if r["value"] else "false")
        else:
            sig[f"care:{r['key']}:{r['detail']}"] = "true"
    prices: dict[str, list[str]] = defaultdict(list)
    for r in db.query("select * from prices where clinic_id = ? and flag is null", [clinic]):
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
    row = {**record.row, **summary(record.row, record.facts, record.listings), "region": run.region_name,
           "last_seen": run.now}
    facts_changed = False
    for table, rows in fact_rows(clinic, record.facts, record.listings, record.clinicians).items():
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
