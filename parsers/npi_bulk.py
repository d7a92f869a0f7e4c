"""Rows of the NPPES bulk files (the registry's monthly and weekly "Data Dissemination" zips) read into the
record the NPI Registry API v2.1 answers, so that one reader (parsers/listings.py) serves both sources.

The bulk files hold codes where the API writes words: a taxonomy is a NUCC code (its description comes from
``nucc_taxonomy.csv``: the codes the directory uses, from the NUCC Health Care Provider Taxonomy code set at
taxonomy.nucc.org, described as the NPI Registry API writes them), dates are ``MM/DD/YYYY``, phones and ZIP+4s are bare
digits. Columns are read by their header names, compared without case or runs of spaces: the secondary
locations file spells some with two spaces or none before a hyphen.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from parsers.listings import KETAMINE_WORDS, RELEVANT_TAXONOMY, TAXONOMY_WORDS

NUCC_FILE = Path(__file__).with_name("nucc_taxonomy.csv")
MAX_TAXONOMIES = 15  # "Healthcare Provider Taxonomy Code_1" ... "_15"
OTHER_NAME_TYPES = {"1": "Former Name", "2": "Professional Name", "3": "Doing Business As",
                    "4": "Former Legal Business Name", "5": "Other Name"}

NPI = "npi"
ENTITY = "entity type code"
REPLACEMENT = "replacement npi"
ORGANISATION = "provider organization name (legal business name)"
LAST, FIRST, MIDDLE = "provider last name (legal name)", "provider first name", "provider middle name"
PREFIX, SUFFIX, CREDENTIAL = "provider name prefix text", "provider name suffix text", "provider credential text"
OTHER_ORGANISATION = "provider other organization name"
OTHER_ORGANISATION_TYPE = "provider other organization name type code"
ENUMERATED, UPDATED = "provider enumeration date", "last update date"
DEACTIVATED, REACTIVATED = "npi deactivation date", "npi reactivation date"
SUBPART, SOLE = "is organization subpart", "is sole proprietor"
OFFICIAL = {"first_name": "first name", "last_name": "last name", "middle_name": "middle name",  # API: bulk
            "title_or_position": "title or position", "telephone_number": "telephone number",
            "credential": "credential text", "name_prefix": "name prefix text", "name_suffix": "name suffix text"}
# (purpose, the column names' middle part): the API's MAILING and LOCATION addresses
ADDRESSES = (("MAILING", "business mailing address"), ("LOCATION", "business practice location address"))
SECONDARY = "provider secondary practice location address -"  # how key() writes the pl file's columns


def key(header: str) -> str:
    """A column's name as compared: lower case, single spaces, a space on each side of every hyphen."""
    return re.sub(r"\s+", " ", re.sub(r"\s*-\s*", " - ", header)).strip().lower()


@cache
def nucc_descriptions() -> dict[str, str]:
    """NUCC code -> the description the NPI Registry API gives it ("Psychiatry & Neurology, Psychiatry")."""
    with NUCC_FILE.open(newline="", encoding="utf-8") as handle:
        return {row["code"]: row["desc"] for row in csv.DictReader(handle)}


def iso_date(value: str | None) -> str | None:
    """``MM/DD/YYYY`` -> ``YYYY-MM-DD``; None for an empty or unreadable date."""
    try:
        return datetime.strptime((value or "").strip(), "%m/%d/%Y").date().isoformat()
    except ValueError:
        return None


def is_active(row: dict[str, str]) -> bool:
    """An NPI the registry still lists: a deactivated one carries only its number and the date (no entity type),
    unless it was reactivated on or after that date."""
    deactivated, reactivated = iso_date(row.get(DEACTIVATED)), iso_date(row.get(REACTIVATED))
    if deactivated and not (reactivated and reactivated >= deactivated):
        return False
    return (row.get(ENTITY) or "").strip() in ("1", "2")


def replaced_by(row: dict[str, str]) -> str | None:
    """The NPI that replaces this one, when the registry names one: this number is no longer a practice's own."""
    return (row.get(REPLACEMENT) or "").strip() or None


def taxonomy_codes(row: dict[str, str]) -> list[tuple[str, bool]]:
    """(code, is primary) for each taxonomy the row holds."""
    found = []
    for n in range(1, MAX_TAXONOMIES + 1):
        code = (row.get(f"healthcare provider taxonomy code_{n}") or "").strip()
        if code:
            found.append((code, (row.get(f"healthcare provider primary taxonomy switch_{n}") or "").strip() == "Y"))
    return found


def may_be_kept(row: dict[str, str], ketamine_named: set[str], clinician_words: tuple[str, ...]) -> bool:
    """Whether the directory may need this NPI: an organisation whose name, another registered name
    (``ketamine_named``, from the other-names file) or any taxonomy looks like ketamine care, or an individual
    of a care-giving taxonomy (``clinician_words``, the API's taxonomy_description filter, e.g. "Psychiatry").
    Generous on purpose: parsers.listings.classify_npi judges the record as the API would give it."""
    if not is_active(row) or replaced_by(row):
        return False
    descriptions = nucc_descriptions()
    codes = [code for code, _ in taxonomy_codes(row)]
    if row[ENTITY].strip() == "1":
        return any(word.lower() in descriptions.get(code, "").lower() for code in codes for word in clinician_words)
    return row[NPI] in ketamine_named or bool(KETAMINE_WORDS.search(row.get(ORGANISATION) or "")) \
        or bool(KETAMINE_WORDS.search(row.get(OTHER_ORGANISATION) or "")) \
        or any(code.startswith(RELEVANT_TAXONOMY) or TAXONOMY_WORDS.search(descriptions.get(code, "")) for code in codes)


def api_record(row: dict[str, str], other_names: list[dict], secondary: list[dict]) -> dict:
    """The NPI Registry API v2.1 record of one npidata row, its other names (othername file rows) and its
    secondary practice locations (pl file rows)."""
    descriptions = nucc_descriptions()
    organisation = row[ENTITY].strip() == "2"
    basic = {"organization_name": _text(row.get(ORGANISATION))} if organisation else {
        "first_name": _text(row.get(FIRST)), "last_name": _text(row.get(LAST)), "middle_name": _text(row.get(MIDDLE)),
        "name_prefix": _text(row.get(PREFIX)), "name_suffix": _text(row.get(SUFFIX)),
        "credential": _text(row.get(CREDENTIAL)), "sole_proprietor": _yes_no(row.get(SOLE))}
    if organisation:
        basic["organizational_subpart"] = _yes_no(row.get(SUBPART))
        basic.update({f"authorized_official_{field}": _text(row.get(f"authorized official {column}"))
                      for field, column in OFFICIAL.items()})
    basic.update(enumeration_date=iso_date(row.get(ENUMERATED)), last_updated=iso_date(row.get(UPDATED)), status="A")
    return {
        "number": row[NPI].strip(),
        "enumeration_type": "NPI-2" if organisation else "NPI-1",
        "created_epoch": _epoch_ms(iso_date(row.get(ENUMERATED))),
        "last_updated_epoch": _epoch_ms(iso_date(row.get(UPDATED))),
        "basic": {k: v for k, v in basic.items() if v is not None},
        "addresses": [_address(row, purpose, middle) for purpose, middle in ADDRESSES],
        "practiceLocations": [_secondary(place) for place in secondary],
        "taxonomies": [{"code": code, "desc": descriptions.get(code, ""), "primary": primary}
                       for code, primary in taxonomy_codes(row)],
        "other_names": _other_names([*other_names, row]),
    }


def with_others(record: dict, other_names: list[dict], secondary: list[dict]) -> dict:
    """The record with its other names (othername file rows, beside the one its own row holds) and secondary
    practice locations (pl file rows): the bulk files keep them apart from the NPI's row."""
    record["other_names"] = _other_names(other_names, known=record.get("other_names") or [])
    record["practiceLocations"] = [_secondary(place) for place in secondary]
    return record


def primary_state(row: dict[str, str]) -> str | None:
    return _text(row.get(f"provider {ADDRESSES[1][1]} state name"))


def _other_names(rows: list[dict], known: list[dict] = ()) -> list[dict]:
    """As the API lists them ({code, type, organization_name}), each name once."""
    names = list(known) + [
        {"code": code, "type": OTHER_NAME_TYPES.get(code, "Other Name"), "organization_name": name}
        for o in rows if (name := _text(o.get(OTHER_ORGANISATION)))
        for code in [(o.get(OTHER_ORGANISATION_TYPE) or "").strip()]]
    return list({n["organization_name"]: n for n in names}.values())


def _address(row: dict[str, str], purpose: str, middle: str) -> dict:
    lines = ("provider first line {}", "provider second line {}")
    return _place({
        "address_purpose": purpose,
        "address_1": row.get(lines[0].format(middle)), "address_2": row.get(lines[1].format(middle)),
        "city": row.get(f"provider {middle} city name"), "state": row.get(f"provider {middle} state name"),
        "postal_code": row.get(f"provider {middle} postal code"),
        "country_code": row.get(f"provider {middle} country code (if outside u.s.)"),
        "telephone_number": row.get(f"provider {middle} telephone number"),
        "fax_number": row.get(f"provider {middle} fax number"),
    })


def _secondary(place: dict[str, str]) -> dict:
    return _place({
        "address_purpose": "LOCATION",
        "address_1": place.get(f"{SECONDARY} address line 1"), "address_2": place.get(f"{SECONDARY} address line 2"),
        "city": place.get(f"{SECONDARY} city name"), "state": place.get(f"{SECONDARY} state name"),
        "postal_code": place.get(f"{SECONDARY} postal code"),
        "country_code": place.get(f"{SECONDARY} country code (if outside u.s.)"),
        "telephone_number": place.get(f"{SECONDARY} telephone number"),
    })


def _place(fields: dict) -> dict:
    place = {k: _text(v) for k, v in fields.items()}
    place["country_code"] = place.get("country_code") or "US"  # the bulk files leave it empty inside the U.S.
    return {k: v for k, v in place.items() if v is not None}


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _yes_no(value: str | None) -> str | None:
    return {"Y": "YES", "N": "NO"}.get((value or "").strip().upper())


def _epoch_ms(day: str | None) -> str | None:
    """The API's epochs: milliseconds, as a string."""
    if not day:
        return None
    moment = datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC)
    return str(int(moment.timestamp() * 1000))
