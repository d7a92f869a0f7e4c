"""Directory records (NPPES NPI Registry v2.1, OpenStreetMap Overpass) read into listings, and a first filter.

NPPES says who exists, not what they offer; OSM tags say what kind of place it is. The first filter only
drops what cannot be a ketamine clinic (a dentist, a pharmacy); whether a candidate offers ketamine care
is decided later from the clinic's own pages (db/build.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from parsers.address import normalise_phone, split_address_line_2, split_suite, usps_state, zip5
from parsers.vocab import STATE_CODES

KETAMINE_WORDS = re.compile(r"ketamine|esketamine|spravato|psychedelic|infusion", re.I)
# NUCC taxonomy codes (or prefixes) of the kinds of practice that give ketamine care.
RELEVANT_TAXONOMY = ("261QM0801X", "261QP3300X", "261QM2800X", "2084P0800X", "2084", "207L", "208VP",
                     "367500000X", "363LP0808X", "364SP0808X", "261QX0203X", "101YM0800X", "103T")
TAXONOMY_WORDS = re.compile(r"psychiatr|mental health|anesthes|pain|behavioral", re.I)
OSM_NOT_CLINIC = {"dentist", "pharmacy", "veterinary", "optometrist", "hospital", "laboratory", "physiotherapist",
                  "chiropractor", "audiologist", "blood_donation", "dialysis", "podiatrist", "optician"}
OSM_CLINIC = {"clinic", "doctor", "doctors", "psychotherapist", "centre", "counselling", "alternative"}
# NPPES other_names: "type" in v2.1, only the code in some older records. A former name is not on the door.
OTHER_NAME_CODES = {"1": "former", "2": "professional", "3": "dba", "4": "former", "5": "other"}
OTHER_NAME_TYPES = (("doing business", "dba"), ("former", "former"), ("professional", "professional"),
                    ("other", "other"))
# Words NPPES writes in capitals that stay so: legal forms, credentials, state codes (less those that are words).
KEEP_UPPER = {
    "LLC", "PC", "MD", "DO", "NP", "PA", "INC", "APC", "PLLC", "LLP", "LP", "II", "III", "IV", "NE", "NW", "SE", "SW",
    "USA", "US", "CRNA", "PMHNP", "MSN", "DNP", "FNP", "APRN", "ARNP", "BC", "RN", "LCSW", "LMFT", "LPC", "LPCC",
    "MFT", "MPH", "OBGYN", "OB", "GYN", "TMS", "OC", "ENT", "ADHD", "PTSD",
} | (STATE_CODES - {"IN", "OR", "ME", "HI", "OK", "DE", "LA", "AL", "CO", "OH", "ID", "MA", "MI", "AS"})
MIXED_CASE = {"PHD": "PhD", "PSYD": "PsyD", "DNSC": "DNSc"}
DOTTED = re.compile(r"(?:[A-Z]\.)+[A-Z]?")  # "M.D.", "P.C", "U.S.A."


class SourceError(ValueError):
    """A source answered, but with an error in a success status (NPI `Errors`, Overpass `remark`)."""


def check_npi_response(data: object) -> list[dict]:
    """The results of an NPI API answer; SourceError for `Errors` (sent with HTTP 200) or a missing list."""
    if not isinstance(data, dict):
        raise SourceError("NPI answer is not a JSON object")
    if data.get("Errors"):
        described = "; ".join(str(e.get("description", e)) for e in data["Errors"] if isinstance(e, dict))
        raise SourceError(f"NPI API error: {described or data['Errors']}")
    if not isinstance(data.get("results"), list):
        raise SourceError("NPI answer has no 'results' list")
    return data["results"]


def check_overpass_response(data: object) -> list[dict]:
    """Elements of an Overpass answer; SourceError when a `remark` reports an error (a timeout sent as 200)."""
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise SourceError("Overpass answer has no 'elements' list")
    remark = data.get("remark") or ""
    if re.search(r"error|timed out|out of memory", remark, re.I):
        raise SourceError(f"Overpass remark: {remark}")
    return data["elements"]


def _epoch(value) -> str | None:
    """NPPES epochs: strings of milliseconds in v2.1, integers of seconds in older samples."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    seconds = number / 1000 if number > 10**11 else number
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def npi_listings(result: dict) -> list[dict]:
    """One NPI result -> one listing per practice location: the primary location keeps the bare NPI as its
    id, each further practice location gets ``NPI#2``, ``NPI#3``... (a chain shares one NPI).

    The name on the door (a DBA name, else another name that mentions ketamine care) is preferred to the legal
    name, which is kept as ``legal_name``.
    """
    basic = result.get("basic") or {}
    legal = basic.get("organization_name") or " ".join(
        p for p in (basic.get("first_name"), basic.get("last_name"), basic.get("credential")) if p)
    primary = next((a for a in result.get("addresses") or [] if a.get("address_purpose") == "LOCATION"), {})
    taxonomies = result.get("taxonomies") or []
    taxonomy = next((t for t in taxonomies if t.get("primary")), taxonomies[0] if taxonomies else {})
    shared = {
        "source": "npi_registry", "name": _title(_door_name(legal, result)), "legal_name": _title(legal),
        "category": f"{taxonomy.get('code', '')} {taxonomy.get('desc', '')}".strip(),
        "published_at": _epoch(result.get("last_updated_epoch")),
    }
    number = str(result.get("number"))
    return [{**shared, "source_id": number + (f"#{n}" if n > 1 else ""), "npi": number, **_npi_location(place)}
            for n, place in enumerate([primary, *(result.get("practiceLocations") or [])], start=1)]


def _npi_location(place: dict) -> dict:
    """An NPI address as listing fields. Line 2 gives the suite and nothing else: a hospital or department
    there, joined to the street, would make a second clinic id for the same building (the raw record keeps it).
    """
    line_1, line_2 = place.get("address_1"), place.get("address_2")
    if _starts_with_number(line_2) and not _starts_with_number(line_1):  # the building's name came first
        line_1, line_2 = line_2, line_1
    street, suite = split_suite((line_1 or "").strip() or None)
    unit, _rest = split_address_line_2(line_2)
    in_us = (place.get("country_code") or "US").strip().upper() == "US"
    return {"phone": normalise_phone(place.get("telephone_number")) if in_us else None, "street": _title(street),
            "suite": unit or suite, "city": _title(place.get("city")), "state": usps_state(place.get("state")),
            "zip": zip5(place.get("postal_code"))}


def _starts_with_number(line: str | None) -> bool:
    return bool(re.match(r"\s*\d+\s+\S", line or ""))


def _other_names(result: dict) -> list[tuple[str, str]]:
    """(kind, name) of each of a record's other names: dba, other, former or professional."""
    found = []
    for entry in result.get("other_names") or []:
        name = entry.get("organization_name") or " ".join(
            p for p in (entry.get("first_name"), entry.get("last_name")) if p)
        if name:
            found.append((_other_name_kind(entry), name))
    return found


def _other_name_kind(entry: dict) -> str:
    written = str(entry.get("type") or "").lower()
    by_type = next((kind for words, kind in OTHER_NAME_TYPES if words in written), None)
    return by_type or OTHER_NAME_CODES.get(str(entry.get("code") or "").strip(), "other")


def _door_name(legal: str, result: dict) -> str:
    """A DBA name; else an "Other Name" that mentions ketamine care (the clinic the legal entity runs); else legal."""
    others = _other_names(result)
    dba = [name for kind, name in others if kind == "dba"]
    ketamine = [name for kind, name in others if kind == "other" and KETAMINE_WORDS.search(name)]
    return (dba or ketamine or [legal])[0]


def directory_listing(directory: str, entry, page_url: str) -> dict:
    """A directory entry (parsers.directory.DirectoryEntry) as a listing; its id is the directory's own page
    for the clinic, else the clinic's website, else its name and ZIP."""
    clinic = entry.clinic
    key = entry.detail_url or clinic.website or f"{(clinic.name or '').lower()}|{zip5(clinic.zip)}"
    return {
        "source": "directory", "source_id": f"{directory}:{key}", "name": clinic.name,
        "phone": normalise_phone(clinic.phone), "street": clinic.street, "suite": clinic.suite,
        "city": clinic.city, "state": clinic.state, "zip": zip5(clinic.zip), "latitude": clinic.latitude,
        "longitude": clinic.longitude, "website": clinic.website, "category": directory,
        "source_url": entry.detail_url or page_url,
    }


def classify_npi(listing: dict, result: dict) -> tuple[str, str | None]:
    if result.get("enumeration_type") == "NPI-1":
        return "dropped", "individual provider (NPI-1), not a clinic"
    if str((result.get("basic") or {}).get("status", "A")) != "A":
        return "dropped", "NPI record is deactivated"
    if KETAMINE_WORDS.search(listing["name"] or "") or KETAMINE_WORDS.search(
            (result.get("basic") or {}).get("organization_name") or ""):
        return "candidate", "name mentions ketamine care"
    other = next((name for _, name in _other_names(result) if KETAMINE_WORDS.search(name)), None)
    if other:
        return "candidate", f"another registered name mentions ketamine care ({_title(other)})"
    for taxonomy in result.get("taxonomies") or []:
        code = taxonomy.get("code") or ""
        if taxonomy.get("primary") and (code.startswith(RELEVANT_TAXONOMY) or TAXONOMY_WORDS.search(
                taxonomy.get("desc") or "")):
            return "candidate", f"taxonomy {code}"
    return "dropped", "taxonomy not related to ketamine care"


def osm_listing(element: dict) -> dict:
    tags = element.get("tags") or {}
    center = element.get("center") or {}
    street = _join(tags.get("addr:housenumber"), tags.get("addr:street"), sep=" ")
    kind = tags.get("healthcare") or tags.get("amenity") or ""
    return {
        "source": "osm", "source_id": f"{element.get('type')}/{element.get('id')}",
        "name": tags.get("name"), "phone": normalise_phone(tags.get("phone") or tags.get("contact:phone")),
        "street": street or None, "suite": tags.get("addr:unit"), "city": tags.get("addr:city"),
        "state": tags.get("addr:state"), "zip": zip5(tags.get("addr:postcode")),
        "latitude": element.get("lat", center.get("lat")), "longitude": element.get("lon", center.get("lon")),
        "website": tags.get("website") or tags.get("contact:website"),
        "category": ";".join(v for v in (kind, tags.get("healthcare:speciality")) if v),
    }


def classify_osm(listing: dict, element: dict) -> tuple[str, str | None]:
    tags = element.get("tags") or {}
    kinds = {tags.get("healthcare"), tags.get("amenity")} - {None}
    if KETAMINE_WORDS.search(listing["name"] or ""):
        return "candidate", "name mentions ketamine care"
    if kinds & OSM_NOT_CLINIC:
        return "dropped", f"not a clinic ({', '.join(sorted(kinds & OSM_NOT_CLINIC))})"
    if kinds & OSM_CLINIC:
        return "candidate", f"healthcare={'/'.join(sorted(kinds))}"
    return "dropped", "not tagged as a clinic"


def _join(*parts, sep: str = ", ") -> str | None:
    text = sep.join(p.strip() for p in parts if p and p.strip())
    return text or None


def _title(text: str | None) -> str | None:
    """NPPES writes names and streets in capitals; title-case them, keeping codes (LLC, M.D., OB/GYN, CA)."""
    if not text:
        return text
    if text != text.upper():
        return text
    return " ".join("".join(_title_part(p) for p in re.split(r"([-/])", word)) for word in text.split())


def _title_part(part: str) -> str:
    """One word, or one side of a hyphen or slash ("SMITH-JONES", "OB/GYN"), punctuation around it kept."""
    lead, core, trail = re.fullmatch(r"([^\w.]*)(.*?)([^\w.]*)", part).groups()
    bare = core.rstrip(".")
    dots = core[len(bare):]
    if DOTTED.fullmatch(bare) or bare in KEEP_UPPER:
        word = bare
    elif bare in MIXED_CASE:
        word = MIXED_CASE[bare]
    elif re.fullmatch(r"MC[A-Z]{2,}", bare):
        word = "Mc" + bare[2:].capitalize()
    elif re.fullmatch(r"[A-Z]'[A-Z]{2,}", bare):  # O'BRIEN, D'ANGELO
        word = bare[:2] + bare[2:].capitalize()
    else:
        word = bare.capitalize()  # "1ST" -> "1st", "WOMEN'S" -> "Women's"
    return lead + word + dots + trail
