"""Addresses and phones as written on pages, and their canonical forms for identity.

A clinic's id comes from its canonical location (street, suite, ZIP), so "100 Example Parkway, Suite 200"
and "100 EXAMPLE PKWY STE 200" must come out the same.
"""

from __future__ import annotations

import re

import phonenumbers

from parsers.facts import ClinicInfo
from parsers.vocab import STATE_CODES, STATE_NAMES

PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?([2-9]\d{2})\)?[\s.-]?(\d{3})[\s.-](\d{4})(?!\d)")
# USPS Publication 28 abbreviations (street suffixes, directionals, unit designators) for the words clinic
# addresses use; "Way", "Loop" and "Row" have no abbreviation.
STREET_WORDS = {
    "street": "st", "avenue": "ave", "av": "ave", "boulevard": "blvd", "parkway": "pkwy", "drive": "dr",
    "road": "rd", "lane": "ln", "court": "ct", "place": "pl", "circle": "cir", "highway": "hwy",
    "terrace": "ter", "center": "ctr", "centre": "ctr", "plaza": "plz", "square": "sq", "expressway": "expy",
    "freeway": "fwy", "crossing": "xing", "heights": "hts", "point": "pt", "ridge": "rdg", "creek": "crk",
    "commons": "cmns", "crest": "crst", "park": "park", "trail": "trl", "way": "way", "alley": "aly",
    "north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne", "northwest": "nw",
    "southeast": "se", "southwest": "sw", "suite": "ste", "building": "bldg", "floor": "fl", "room": "rm",
}
DIRECTIONALS = {"n", "s", "e", "w", "ne", "nw", "se", "sw"}
# A unit: a suite-like room, a floor ("FL 3", "3RD FLOOR") or a building. Its id holds a digit or is one letter,
# so "100 Unit St" keeps its street.
UNIT_ID = r"(?:(?=[\w-]*\d)[\w-]+|[a-z])\b"
UNIT_PATTERN = (rf"(?:\b(?:suite|ste|unit|apt|room|rm)\b\.?|#)\s*#?\s*(?P<room>{UNIT_ID})"
                r"|\b(?:fl|flr|floor)\b\.?\s*#?\s*(?P<floor>\d{1,3})\b"
                r"|\b(?P<nth_floor>\d{1,3})(?:st|nd|rd|th)?\s+(?:fl|flr|floor)\b\.?"
                rf"|\b(?:bldg|building)\b\.?\s*#?\s*(?P<building>{UNIT_ID})")
UNIT = re.compile(UNIT_PATTERN, re.I)
UNIT_AT_END = re.compile(rf"[,\s-]+(?:{UNIT_PATTERN})[\s,]*$", re.I)
BARE_UNIT = re.compile(r"#?\s*(?:[a-z]?\d+[a-z]?(?:-\w+)?|[a-z])", re.I)  # an address line 2 of "200" or "B"
STREET_TYPES = (r"St|Street|Ave|Avenue|Blvd|Boulevard|Rd|Road|Dr|Drive|Pkwy|Parkway|Way|Ln|Lane|Ct|Court|Pl|Place|"
                r"Cir|Circle|Hwy|Highway|Plaza|Center|Centre|Terrace|Trail|Loop|Row|Walk")
ADDRESS = re.compile(
    rf"(?P<street>(?<![\d-])\d{{2,6}}\s+(?!\d+\s)(?:[A-Z0-9][\w.'-]*\s+){{0,5}}?(?:{STREET_TYPES})\.?)"
    r"(?:\s*[,·•]?\s*(?:Suite|Ste\.?|Unit|#|Bldg\.?|Building)\s*#?\s*(?P<suite>[\w-]+))?"
    r"(?:\s*[,·•|–—]\s*|\s+)(?P<city>[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+){0,3}),?\s+(?P<state>CA|California|[A-Z]{2})\.?\s+"
    r"(?P<zip>\d{5})(?:-\d{4})?"
)


def normalise_phone(text: str | None) -> str | None:
    """The first US phone number in the text, in E.164: "(949) 555-0100" -> "+19495550100"; None if there is none.

    The number is found by pattern (pages write them in many ways), then formatted by `phonenumbers`.
    """
    if not text:
        return None
    if re.fullmatch(r"\s*(?:\+1|1)?\d{10}\s*", text):  # already bare digits or E.164 (as stored)
        text = re.sub(r"\D", "", text)[-10:]
        text = f"{text[:3]}-{text[3:6]}-{text[6:]}"
    m = next((m for m in PHONE.finditer(text) if not _after_foreign_code(text, m.start())), None)
    if not m:
        return None
    try:
        number = phonenumbers.parse(f"{m.group(1)}{m.group(2)}{m.group(3)}", "US")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _after_foreign_code(text: str, start: int) -> bool:
    """True when the digits at `start` follow a "+" country code other than 1: "+84 243 855 2501" is no US phone."""
    code = re.search(r"\+\s*(\d{1,3})[\s.-]*\(?\s*$", text[:start])
    return bool(code) and code.group(1) != "1"


def split_suite(street: str | None, suite: str | None = None) -> tuple[str | None, str | None]:
    """Keep the units apart from the street: ("100 Main St, Bldg 2, Suite 110", None) -> ("100 Main St", "110").

    The clinic id is built from street and suite, so a building or floor left on the street would fork a clinic.
    """
    if not street:
        return street, suite
    units = []
    while m := UNIT_AT_END.search(street):
        units.append(m)
        street = street[: m.start()]
    return street.strip(" ,-"), suite or _main_unit(units)


def split_address_line_2(line: str | None) -> tuple[str | None, str | None]:
    """An address line 2 as (suite, the rest): ("HOSPITAL ANNEX - SUITE N340") -> ("N340", "HOSPITAL ANNEX").

    Line 2 names a unit, a building or a department; only the unit belongs to the address that identifies a
    clinic, so the rest is handed back apart and never joins the street.
    """
    line = (line or "").strip(" ,-")
    if not line:
        return None, None
    if BARE_UNIT.fullmatch(line):
        return line.lstrip("# "), None
    units = list(UNIT.finditer(line))
    if not units:
        return None, line
    chosen = min(units, key=_unit_rank)
    rest = ", ".join(p for p in (line[: chosen.start()].strip(" ,-–"), line[chosen.end():].strip(" ,-–")) if p)
    return _unit_value(chosen), rest or None


def _main_unit(units: list[re.Match]) -> str | None:
    """The most specific unit: a suite before a floor before a building."""
    return _unit_value(min(units, key=_unit_rank)) if units else None


def _unit_rank(unit: re.Match) -> int:
    return 0 if unit.group("room") else 1 if unit.group("floor") or unit.group("nth_floor") else 2


def _unit_value(unit: re.Match) -> str:
    """The unit's id; a floor keeps its word, as floor 3 is not suite 3."""
    floor = unit.group("floor") or unit.group("nth_floor")
    return f"Fl {floor}" if floor else unit.group("room") or unit.group("building")


def usps_state(text: str | None) -> str | None:
    """The two-letter USPS code of a state written either way: "CALIFORNIA" -> "CA"; anything else as written."""
    text = (text or "").strip()
    if text.upper() in STATE_CODES:
        return text.upper()
    return STATE_NAMES.get(re.sub(r"\s+", " ", text.lower()), text or None)


def canonical_street(street: str | None) -> str:
    """The comparison form of a street: lower case, no punctuation, USPS abbreviations ("1201 w 6th st")."""
    words = re.sub(r"[^\w\s]", " ", (street or "").lower()).split()
    return " ".join(STREET_WORDS.get(w, w) for w in words)


def usps_street(street: str | None) -> str | None:
    """The display form: USPS abbreviations, no periods ("1201 West 6th Street" -> "1201 W 6th St").

    Only the suffix (the last word, or the one before a trailing directional) and directionals next to the
    number or at the end are abbreviated, so "Bull Creek Road" keeps "Creek" and "500 North Street" keeps "North".
    """
    if not street:
        return street
    words = street.replace(".", "").replace(",", " ").split()
    short = [STREET_WORDS.get(w.lower()) for w in words]
    is_dir = [s in DIRECTIONALS for s in short]
    last = len(words) - 1
    post_dir = last >= 3 and is_dir[last]
    suffix_at = last - 1 if post_dir else last
    pre_dir = len(words) >= 4 and is_dir[1] and suffix_at > 2
    for i in range(1, len(words)):
        if (i == 1 and pre_dir) or (i == last and post_dir):
            words[i] = short[i].upper()
        elif i == suffix_at and i >= 2 and short[i] and not is_dir[i]:
            words[i] = short[i].capitalize()
        elif is_dir[i] and len(words[i]) <= 2:
            words[i] = words[i].upper()
    return " ".join(words)


def canonical_suite(suite: str | None) -> str:
    """"Suite 300", "STE 300", "#300" and "300" compare equal."""
    text = re.sub(r"^\s*(?:suite|ste|unit|office|room|rm|no|number)\b\.?|#", "", (suite or "").lower())
    return re.sub(r"[^\w]", "", text).lstrip("0") or ""


def zip5(value: str | None) -> str | None:
    digits = re.sub(r"\D", "", value or "")
    return digits[:5] if len(digits) >= 5 else None


def address_from_text(text: str) -> ClinicInfo | None:
    """The first US street address in a run of text (a footer, a contact page)."""
    m = ADDRESS.search(text)
    if not m:
        return None
    return ClinicInfo(street=m.group("street").strip(), suite=m.group("suite"), city=m.group("city").strip(),
                      state=usps_state(m.group("state")), zip=m.group("zip"), source="text")


def one_line(info: ClinicInfo) -> str | None:
    suite = info.suite if re.match(r"fl ", info.suite or "", re.I) else f"Suite {info.suite}" if info.suite else None
    parts = [info.street, suite, info.city,
             " ".join(p for p in (info.state, info.zip) if p)]
    line = ", ".join(p for p in parts if p)
    return line or info.address
