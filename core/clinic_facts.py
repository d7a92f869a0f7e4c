"""What a clinic's merged facts become in the database: the summary columns of its ``clinics`` row (offered keys,
yes/no kinds, lowest prices, search text) and the rows of each fact table, with their evidence.

Pure: ``db/build.py`` loads the pages and listings, calls these, and writes what they return.
"""

from __future__ import annotations

import hashlib
import json

from parsers.facts import implausible
from parsers.kinds import FLAGS, GROUPS, Group, flag
from parsers.merge import SiteFacts
from parsers.vocab import (
    CONDITION_BY_KEY,
    DISCIPLINE_BY_KEY,
    ROUTE_BY_KEY,
    SERVICE_BY_KEY,
    condition_family,
    discipline_of_taxonomy,
)


def fact_count(facts: SiteFacts) -> int:
    return (len(facts.routes) + len(facts.services) + len(facts.conditions) + len(facts.payment)
            + len(facts.payers) + len(facts.financing_providers) + len(facts.prices) + len(facts.care)
            + sum(len(items) for items in facts.care_lists.values()) + (1 if facts.opening_hours else 0))


def summary(row: dict, facts: SiteFacts, listings: list[dict]) -> dict:
    """Denormalised columns for facets and search: offered keys, payment flags, lowest prices, search text."""
    offered = lambda d: sorted(k for k, f in d.items() if f["value"])  # noqa: E731
    routes, services, conditions = offered(facts.routes), offered(facts.services), offered(facts.conditions)
    per_session = [p for p in facts.prices if p.get("per_session_usd") and not implausible(p["per_session_usd"])]
    iv_prices = [p for p in per_session if p.get("route") == "iv_infusion"]
    iv = [p["per_session_usd"] for p in iv_prices]
    lowest_iv = min(iv_prices, key=lambda p: p["per_session_usd"], default=None)
    lowest = min(per_session, key=lambda p: p["per_session_usd"], default=None)
    words = [row["name"] or "", row["city"] or ""]
    words += [ROUTE_BY_KEY[k].search_words for k in routes if k in ROUTE_BY_KEY]
    words += [SERVICE_BY_KEY[k].search_words for k in services if k in SERVICE_BY_KEY]
    words += [CONDITION_BY_KEY[k].search_words for k in conditions if k in CONDITION_BY_KEY]
    words += _flag_words(facts, GROUPS["payment"]) + sorted(facts.payers) + sorted(facts.financing_providers)
    words += _flag_words(facts, GROUPS["care"])
    items = lambda kind: sorted(facts.care_lists.get(kind, {}))  # noqa: E731
    words += [DISCIPLINE_BY_KEY[k].label for k in items("discipline") if k in DISCIPLINE_BY_KEY] + items("language")
    return {
        "routes": json.dumps(routes), "routes_not_offered": json.dumps(sorted(k for k, f in facts.routes.items()
                                                                               if not f["value"])),
        "services": json.dumps(services), "conditions": json.dumps(conditions),
        "condition_families": json.dumps(sorted({condition_family(k) for k in conditions})),
        **{kind.key: _flag_value(getattr(facts, kind.group).get(kind.key)) for kind in FLAGS},
        "payers": json.dumps(sorted(facts.payers)), "financing_providers": json.dumps(sorted(facts.financing_providers)),
        "lowest_iv_price_usd": min(iv) if iv else None,
        "lowest_iv_price_as_of": as_of(lowest_iv) if lowest_iv else None,
        "lead_disciplines": json.dumps(items("discipline")), "board_certified": json.dumps(items("board_certified")),
        "languages": json.dumps(items("language")), "states_served": json.dumps(items("state_served")),
        "opening_hours": facts.opening_hours["value"] if facts.opening_hours else None,
        "npi_official": next((o for o in map(npi_official, listings) if o), None),
        "lowest_price_per_session_usd": lowest["per_session_usd"] if lowest else None,
        "lowest_price_per_session_as_of": as_of(lowest) if lowest else None,
        "source_count": len(listings) + (1 if row.get("website") else 0),
        "search_text": " ".join(w for w in words if w),
        "npi": next((li["npi"] for li in listings if li.get("npi")), None),
    }


def _flag_value(fact: dict | None) -> int | None:
    return None if fact is None or fact["value"] is None else int(fact["value"])


def _flag_words(facts: SiteFacts, group: Group) -> list[str]:
    """The labels of a group's kinds said yes, and of those said no where the group indexes a no ("Spravato" must
    not find a clinic that is no Spravato centre)."""
    stated = getattr(facts, group.name)
    label = lambda key: flag(key).label  # noqa: E731
    return [label(k) if f["value"] else f"no {label(k).lower()}" for k, f in stated.items()
            if f["value"] or (f["value"] is not None and group.index_no)]


def as_of(price: dict) -> str | None:
    """The date a price holds from: the page's own effective or updated date, else the day the page was seen."""
    return price.get("page_date") or (price.get("seen_at") or "")[:10] or None


def npi_official(listing: dict) -> str | None:
    """"Dr. Andrew Pham, MD (Medical Director)": the authorised official an NPI organisation record names."""
    if listing.get("source") != "npi_registry" or not listing.get("raw"):
        return None
    try:
        basic = json.loads(listing["raw"]).get("basic") or {}
    except (TypeError, ValueError, AttributeError):
        return None
    name = " ".join(basic.get(f"authorized_official_{part}") or "" for part in ("first_name", "last_name")).strip()
    if not name:
        return None
    credential = (basic.get("authorized_official_credential") or "").strip(" -")
    title = (basic.get("authorized_official_title_or_position") or "").strip()
    text = name.title() + (f", {credential}" if credential else "")
    if title.isupper():  # "MEDICAL DIRECTOR" -> "Medical director"; "CEO" stays
        title = " ".join(w if len(w) <= 3 else w.lower() for w in title.split())
        title = title[:1].upper() + title[1:]
    return text + (f" ({title})" if title else "")


def _care_rows(clinic: str, facts: SiteFacts, listings: list[dict], clinicians: list[dict]) -> list[dict]:
    """Care facts from the clinic's pages, and what the NPI registry says of who runs it, kept apart by source."""
    def row(key: str, detail: str, f: dict, source: str = "clinic_site") -> dict:
        value = f["value"] if isinstance(f["value"], bool) or f["value"] is None else True
        source = "correction" if f.get("page_type") == "correction" else source
        return {"clinic_id": clinic, "key": key, "detail": detail, "source": source,
                "value": None if value is None else int(value), "evidence": f.get("evidence"),
                "source_url": f.get("source_url"), "seen_at": f.get("seen_at"), "page_type": f.get("page_type")}
    rows = [row(k, "", f) for k, f in facts.care.items()]
    rows += [row(kind, item, f) for kind, found in facts.care_lists.items() for item, f in found.items()]
    if facts.opening_hours:
        rows.append(row("opening_hours", facts.opening_hours["value"], facts.opening_hours))
    rows += [row("unmapped", key, f) for key, f in facts.unmapped.items()]
    for listing in listings:
        official = npi_official(listing)
        if official:
            said = {"value": True, "evidence": f"NPPES NPI {listing['npi']}: authorized official {official}",
                    "source_url": f"https://npiregistry.cms.hhs.gov/provider-view/{listing['npi']}",
                    "seen_at": listing.get("last_seen"), "page_type": "registry"}
            rows.append(row("npi_official", official, said, source="npi"))
    for clinician in clinicians:
        rows += _clinician_rows(clinician, row)
    return list({(r["key"], r["detail"], r["source"]): r for r in rows}.values())


def _clinician_rows(listing: dict, row) -> list[dict]:
    """An NPI-1 at the clinic's address: the clinician and, when the taxonomy is one of ours, the discipline."""
    try:
        record = json.loads(listing["raw"])
    except (TypeError, ValueError):
        return []
    taxonomies = record.get("taxonomies") or []
    taxonomy = next((t for t in taxonomies if t.get("primary")), taxonomies[0] if taxonomies else {})
    basic = record.get("basic") or {}
    name = " ".join(basic.get(k) or "" for k in ("first_name", "last_name")).strip().title() or listing["name"]
    name += f", {basic['credential']}" if basic.get("credential") else ""
    who = f"{name} ({taxonomy.get('desc') or 'no taxonomy'}, NPI {listing['npi']})"
    said = {"value": True, "source_url": f"https://npiregistry.cms.hhs.gov/provider-view/{listing['npi']}",
            "seen_at": listing.get("last_seen"), "page_type": "registry",
            "evidence": f"NPPES NPI {listing['npi']}: {name}, taxonomy {taxonomy.get('code')} "
                        f"{taxonomy.get('desc')}, practice location {listing['street']}"
                        f"{', ' + listing['suite'] if listing.get('suite') else ''}, {listing['city']} {listing['zip']}"}
    rows = [row("npi_clinician", who, said, source="npi")]
    discipline = discipline_of_taxonomy(taxonomy.get("code"))
    if discipline:
        rows.append(row("discipline", discipline, said, source="npi"))
    return rows


def fact_rows(clinic: str, facts: SiteFacts, listings: list[dict] = (),
               clinicians: list[dict] = ()) -> dict[str, list[dict]]:
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
                                                "page_type", "page_date", "page_date_kind")},
                       "as_of": as_of(p), "flag": implausible(p.get("per_session_usd"))})
    return {
        "clinic_routes": [fact({"route": k}, f) for k, f in facts.routes.items()],
        "clinic_services": [fact({"service": k}, f) for k, f in facts.services.items()],
        "clinic_conditions": [fact({"condition": k, "condition_family": condition_family(k)}, f)
                              for k, f in facts.conditions.items() if k in CONDITION_BY_KEY],
        "clinic_payment": payment,
        "prices": prices,
        "clinic_care": _care_rows(clinic, facts, listings, clinicians),
    }
