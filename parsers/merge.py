"""A clinic's several pages merged into one record, with a rule for conflicts and every source kept.

Conflicts between pages are settled by, in order: the strength of the statement (a sentence beats a
heading, a heading beats a menu item), the page's type (a pricing page outranks a blog post), then the
newest fetch. Each merged fact carries the URL and time of the page it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.address import canonical_street, canonical_suite, zip5
from parsers.facts import Care
from parsers.kinds import keys
from parsers.pagetype import PAGE_RANK
from parsers.vocab import KETAMINE

STOPPED = re.compile(r"\bno longer\b|\bdiscontinued\b|\bstopped (?:offering|providing)\b|\bhas closed\b|"
                     r"\bhave closed\b|\bpermanently closed\b", re.I)
STRUCTURED = ("jsonld", "microdata")  # where a clinic states its own address as data


@dataclass
class StoredPage:
    """A page's facts as the pipeline stored them (``dataclasses.asdict`` of PageFacts)."""

    url: str
    seen_at: str
    facts: dict


@dataclass
class SiteFacts:
    locations: list[dict] = field(default_factory=list)
    routes: dict[str, dict] = field(default_factory=dict)
    services: dict[str, dict] = field(default_factory=dict)
    conditions: dict[str, dict] = field(default_factory=dict)
    payment: dict[str, dict] = field(default_factory=dict)
    payers: dict[str, dict] = field(default_factory=dict)
    financing_providers: dict[str, dict] = field(default_factory=dict)
    prices: list[dict] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    # What a patient checks before calling (parsers/care.py): yes/no kinds (parsers/kinds.py) -> fact,
    # list kinds (Care.LISTS: discipline, board_certified, language, state_served) -> item -> fact,
    # and the opening hours in normal form (a fact whose "value" is the normal-form text).
    care: dict[str, dict] = field(default_factory=dict)
    care_lists: dict[str, dict[str, dict]] = field(default_factory=dict)
    opening_hours: dict | None = None
    unmapped: dict[str, dict] = field(default_factory=dict)  # "kind:text" -> fact of what could not be mapped
    closure: dict | None = None  # the best-placed closing notice: evidence, source_url, seen_at, page_type
    closure_pages: int = 0
    pages: int = 0

    @property
    def offers_ketamine(self) -> bool:
        """Ketamine care the site offers itself: a route or KAP it states, or a price its sentence ties to ketamine by
        name (an IV spa's "$150 per session" or a therapist's "$160 integration session" is not ketamine care)."""
        return any(f["value"] for f in self.routes.values()) or any(
            f["value"] for k, f in self.services.items() if k == "kap") or any(
            KETAMINE.search(p.get("evidence") or "") for p in self.prices)

    @property
    def stopped_ketamine(self) -> bool:
        """The site says it no longer offers the ketamine care it once did (a clinic that stopped, or closed)."""
        return not self.offers_ketamine and any(
            STOPPED.search(f.get("evidence") or "") for f in self.routes.values() if not f["value"])

    @property
    def closed(self) -> bool:
        """The clinic says it has closed for good: on its home page, or on at least half of its pages (a banner),
        whatever its old service pages still say."""
        return self.closure is not None and (self.closure["page_type"] == "home" or 2 * self.closure_pages >= self.pages)




def _rank(item: dict) -> tuple:
    return (item.get("strength", 3), PAGE_RANK.get(item.get("page_type", "other"), 4), item.get("seen_at") or "",
            0 if item.get("value") else 1)


def _keep_best(target: dict[str, dict], key: str, candidate: dict) -> None:
    current = target.get(key)
    if current is None or _rank(candidate) > _rank(current):
        target[key] = candidate


def merge_pages(pages: list[StoredPage]) -> SiteFacts:
    site = SiteFacts()
    for page in pages:
        facts = page.facts
        where = {"source_url": page.url, "seen_at": page.seen_at, "page_type": facts.get("page_type", "other")}
        for kind in ("routes", "services", "conditions"):
            for fact in facts.get(kind, []):
                _keep_best(getattr(site, kind), fact["key"], {**fact, **where})
        _merge_payment(site, facts.get("payment") or {}, where)
        _merge_care(site, facts.get("care") or {}, where)
        stated = facts.get("page_date") or {}
        for price in facts.get("prices", []):
            _merge_price(site, {**price, **where, "page_date": stated.get("date"), "page_date_kind": stated.get("kind")})
        for location in facts.get("locations", []):
            _merge_location(site, location)
        name = (facts.get("clinic") or {}).get("name")
        if name:
            site.names.append(name)
        site.pages += 1
        if facts.get("closed"):
            site.closure_pages += 1
            notice = {"value": True, "evidence": facts["closed"], **where}
            if site.closure is None or (notice["page_type"] == "home") > (site.closure["page_type"] == "home"):
                site.closure = notice
    site.locations = _structured_first(site.locations)
    return site


def _structured_first(locations: list[dict]) -> list[dict]:
    """An address read from a page's text yields to the site's structured data (JSON-LD, microdata) in the same
    ZIP: the same place written twice, once garbled (a "Last updated" date run into the street), is not two
    clinics. A text address in another ZIP stays: a location the structured data leaves out."""
    structured_zips = {zip5(loc.get("zip")) for loc in locations if loc.get("source") in STRUCTURED}
    return [loc for loc in locations if loc.get("source") in STRUCTURED or zip5(loc.get("zip")) not in structured_zips]


def _merge_flags(target: dict[str, dict], part: dict, group: str, where: dict) -> None:
    """The group's yes/no kinds (parsers/kinds.py), each settled by the usual rank."""
    evidence = part.get("evidence") or {}
    for key in keys(group):
        if part.get(key) is not None:
            _keep_best(target, key, {"value": part[key], "evidence": evidence.get(key, ""), **where})


def _merge_payment(site: SiteFacts, payment: dict, where: dict) -> None:
    evidence = payment.get("evidence") or {}
    _merge_flags(site.payment, payment, "payment", where)
    for name in payment.get("payers", []):
        said = evidence.get(f"payer:{name}") or evidence.get("payers", "")
        _keep_best(site.payers, name, {"value": True, "evidence": said, **where})
    for name in payment.get("financing_providers", []):
        said = evidence.get(f"provider:{name}") or evidence.get("financing_providers", "")
        _keep_best(site.financing_providers, name, {"value": True, "evidence": said, **where})


def _merge_care(site: SiteFacts, care: dict, where: dict) -> None:
    """Yes/no kinds by the usual rank; list items gathered from every page; the best-ranked hours."""
    evidence = care.get("evidence") or {}
    _merge_flags(site.care, care, "care", where)
    for kind, name in Care.LISTS.items():
        for item in care.get(name) or []:
            _keep_best(site.care_lists.setdefault(kind, {}), item,
                       {"value": True, "evidence": evidence.get(f"{kind}:{item}", ""), **where})
    if care.get("opening_hours"):
        best = {"hours": site.opening_hours} if site.opening_hours else {}
        _keep_best(best, "hours", {"value": care["opening_hours"], "evidence": evidence.get("opening_hours", ""),
                                   **where})
        site.opening_hours = best["hours"]
    for key, said in (care.get("unmapped") or {}).items():
        site.unmapped.setdefault(key, {"value": None, "evidence": said, **where})


def _merge_price(site: SiteFacts, price: dict) -> None:
    key = (price["amount_usd"], price.get("amount_max_usd"), price["unit"], price.get("sessions"), price.get("route"))
    for i, existing in enumerate(site.prices):
        other = (existing["amount_usd"], existing.get("amount_max_usd"), existing["unit"], existing.get("sessions"),
                 existing.get("route"))
        if other == key:
            if _rank(price) > _rank(existing):
                site.prices[i] = price
            return
    site.prices.append(price)


def location_key(location: dict) -> tuple[str, str, str | None]:
    return (canonical_street(location.get("street")), canonical_suite(location.get("suite")),
            zip5(location.get("zip")))


def _merge_location(site: SiteFacts, location: dict) -> None:
    if not location.get("street") or not zip5(location.get("zip")):
        return
    key = location_key(location)
    for i, existing in enumerate(site.locations):
        if location_key(existing) == key:
            if existing.get("source") not in STRUCTURED and location.get("source") in STRUCTURED:
                site.locations[i] = location
            return
    site.locations.append(location)
