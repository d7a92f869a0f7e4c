"""Is this listing that clinic? Candidates nearby, rules that rule out, then identifiers, phone, address, name.

The method of vaccine-feed-ingest's matcher: gather the clinics near a listing, strike those a rule says
cannot be it (another city, another organisation, another suite, a person said "not the same"), score the
rest on NPI, phone, canonical address and name similarity, and merge only when exactly one confident
candidate remains. Anything less certain stays apart and is shown as a possible duplicate for a person to
decide; their decisions ("same", "not the same") are read on every run.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field

from parsers.address import canonical_street, canonical_suite, normalise_phone, zip5
from parsers.urls import host_of

CONFIDENT = 4  # score at which a candidate is the same clinic
WORTH_ASKING = 2  # score at which an unmatched pair is listed for a person to decide
NEARBY_MILES = 1.0
DIFFERENT_STREET = "different street address"
LEGAL_WORDS = {"llc", "pllc", "pc", "apc", "inc", "corp", "co", "ltd", "md", "do", "dba", "the", "of", "and",
               "lp", "llp", "pa", "group"}
# Words nearly every clinic name has: two names sharing only these are not alike.
GENERIC_WORDS = {"ketamine", "esketamine", "clinic", "clinics", "center", "centers", "centre", "infusion", "infusions",
                 "therapy", "therapies", "therapeutics", "health", "medical", "medicine", "wellness", "institute",
                 "treatment", "treatments", "psychiatry", "psychiatric", "mental", "care", "associates", "services",
                 "ketamine-assisted", "spravato", "iv", "mind", "wellbeing"}


@dataclass
class Identity:
    """What identity compares about a listing or a clinic, in canonical form."""

    id: str | None
    name: str = ""
    street: str = ""
    suite: str = ""
    zip: str | None = None
    city: str = ""
    phone: str | None = None
    hosts: set[str] = field(default_factory=set)
    npis: set[str] = field(default_factory=set)
    point: tuple[float, float] | None = None  # a geocoded point (not a ZIP centroid)


@dataclass
class Candidate:
    clinic_id: str
    score: int
    reasons: list[str]
    ruled_out: str | None = None

    @property
    def confident(self) -> bool:
        return self.ruled_out is None and self.score >= CONFIDENT

    @property
    def worth_asking(self) -> bool:
        """Listed for a person to decide: a fair score, or the same name at another street of the same city (a
        registry's stale address for a clinic that moved, or two sites of one practice)."""
        if self.ruled_out is None:
            return self.score >= WORTH_ASKING
        return self.ruled_out == DIFFERENT_STREET and any(r.startswith("similar name") for r in self.reasons)


@dataclass
class Decisions:
    """People's decisions about pairs of clinics: "same" merges the second into the first; "not_same" keeps them
    apart for good."""

    same: dict[str, str] = field(default_factory=dict)  # merged clinic id -> the clinic it was merged into
    not_same: set[frozenset] = field(default_factory=set)

    @classmethod
    def from_rows(cls, rows) -> Decisions:
        decisions = cls()
        for row in rows:
            if row["decision"] == "same":
                decisions.same[row["other_id"]] = row["clinic_id"]
            elif row["decision"] == "not_same":
                decisions.not_same.add(frozenset((row["clinic_id"], row["other_id"])))
        return decisions

    def said_same(self, a: str | None, b: str) -> bool:
        return a is not None and (self.same.get(a) == b or self.same.get(b) == a)

    def said_not_same(self, a: str | None, b: str) -> bool:
        return a is not None and frozenset((a, b)) in self.not_same

    def survivor(self, clinic_id: str) -> str:
        """The clinic a merged one now lives in (following chains of decisions)."""
        seen = {clinic_id}
        while clinic_id in self.same and self.same[clinic_id] not in seen:
            clinic_id = self.same[clinic_id]
            seen.add(clinic_id)
        return clinic_id


def identity_of(row: dict, clinic_id: str | None = None, npis=(), hosts=()) -> Identity:
    point = None
    if row.get("latitude") is not None and row.get("longitude") is not None and row.get("geo_precision") != "zip_centroid":
        point = (float(row["latitude"]), float(row["longitude"]))
    website_host = host_of(row.get("website"))
    return Identity(
        id=clinic_id, name=name_key(row.get("name")), street=canonical_street(row.get("street")),
        suite=canonical_suite(row.get("suite")), zip=zip5(row.get("zip")), city=_city(row.get("city")),
        phone=normalise_phone(row.get("phone")), hosts={h for h in (website_host, *hosts) if h},
        npis={n for n in (row.get("npi"), *npis) if n}, point=point)


def name_key(name: str | None) -> str:
    """A name for comparison: lower case, "&" as "and", no punctuation or legal words (LLC, PC, Inc)."""
    words = re.sub(r"[^\w\s]", " ", (name or "").lower().replace("&", " and ")).split()
    return " ".join(w for w in words if w not in LEGAL_WORDS)


def name_similarity(a: str, b: str) -> float:
    """0 to 1 on the distinctive words ("Lone Star", not "Ketamine Center"): the better of character
    similarity and shared words, so word order and an extra "Center" matter little."""
    if not a or not b:
        return 0.0
    distinct_a, distinct_b = _distinctive(a), _distinctive(b)
    if distinct_a and distinct_b:
        a, b = distinct_a, distinct_b
    words_a, words_b = set(a.split()), set(b.split())
    overlap = len(words_a & words_b) / max(len(words_a), len(words_b))
    return max(difflib.SequenceMatcher(None, a, b).ratio(), overlap)


def compare(listing: Identity, clinic: Identity, decisions: Decisions | None = None) -> Candidate:
    """Rule-outs first (any one ends the comparison), then the score with its reasons."""
    decisions = decisions or Decisions()
    candidate = Candidate(clinic.id or "", 0, [])
    if decisions.said_not_same(listing.id, clinic.id):
        candidate.ruled_out = "a person decided they are not the same"
        return candidate
    if decisions.said_same(listing.id, clinic.id):
        candidate.score, candidate.reasons = 100, ["a person decided they are the same"]
        return candidate
    same_phone = bool(listing.phone and listing.phone == clinic.phone)
    if listing.city and clinic.city and listing.city != clinic.city and listing.zip != clinic.zip:
        candidate.ruled_out = "different city"
    elif listing.hosts and clinic.hosts and not listing.hosts & clinic.hosts:
        candidate.ruled_out = "different organisation (website)"
    elif listing.npis and clinic.npis and not listing.npis & clinic.npis:
        candidate.ruled_out = "different organisation (NPI)"
    elif listing.street and clinic.street and listing.street != clinic.street and not same_phone:
        candidate.ruled_out = DIFFERENT_STREET
    elif listing.suite and clinic.suite and listing.suite != clinic.suite and listing.street == clinic.street:
        candidate.ruled_out = "different suite in the same building"
    if candidate.ruled_out:
        if candidate.ruled_out == DIFFERENT_STREET:  # kept apart, but a same name is worth a person's look
            candidate.reasons = [reason for _, reason in _name_points(listing, clinic)]
        return candidate
    points: list[tuple[int, str]] = []
    if listing.npis & clinic.npis:
        points.append((3, "same NPI"))
    if same_phone:
        points.append((3, "same phone"))
    if listing.street and listing.street == clinic.street:
        if listing.suite == clinic.suite:
            points.append((4, "same street address and suite" if listing.suite else "same street address"))
        else:
            points.append((1, "same street address, suite unknown on one side"))
    if listing.zip and listing.zip == clinic.zip:
        points.append((1, "same ZIP"))
    points += _name_points(listing, clinic)
    candidate.score = sum(p for p, _ in points)
    candidate.reasons = [r for _, r in points]
    return candidate


def _name_points(listing: Identity, clinic: Identity) -> list[tuple[int, str]]:
    similarity = name_similarity(listing.name, clinic.name)
    if similarity >= 0.85:
        return [(2, f"similar name ({similarity:.2f})")]
    if similarity >= 0.6:
        return [(1, f"somewhat similar name ({similarity:.2f})")]
    return []


def nearby(listing: Identity, clinic: Identity) -> bool:
    """Worth comparing at all: same ZIP, within a mile, or sharing a phone or an NPI."""
    if (listing.zip and listing.zip == clinic.zip) or (listing.phone and listing.phone == clinic.phone):
        return True
    if listing.npis & clinic.npis:
        return True
    if listing.point and clinic.point:
        return miles_between(listing.point, clinic.point) <= NEARBY_MILES
    return False


def candidates(listing: Identity, clinics: list[Identity], decisions: Decisions | None = None) -> list[Candidate]:
    """Every nearby clinic compared, best first; ruled-out ones are kept (with why) for explanations."""
    found = [compare(listing, clinic, decisions) for clinic in clinics if nearby(listing, clinic)
             or (decisions and (decisions.said_same(listing.id, clinic.id)))]
    return sorted(found, key=lambda c: (c.ruled_out is not None, -c.score, c.clinic_id))


def best_match(found: list[Candidate]) -> Candidate | None:
    """The one confident candidate, or None when there is none or more than one."""
    confident = [c for c in found if c.confident]
    return confident[0] if len(confident) == 1 else None


def _distinctive(name: str) -> str:
    return " ".join(w for w in name.split() if w not in GENERIC_WORDS)


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 3958.8 * 2 * math.asin(math.sqrt(h))


def _city(city: str | None) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", (city or "").lower()).split())
