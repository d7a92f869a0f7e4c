"""Addresses and phones as written on pages, and their canonical forms for identity.

A clinic's id comes from its canonical location (street, suite, ZIP), so "100 Example Parkway, Suite 200"
and "100 EXAMPLE PKWY STE 200" must come out the same.
"""

from __future__ import annotations

import re

import phonenumbers

from parsers.facts import ClinicInfo

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
SUITE = re.compile(r"[,\s]+(?:suite|ste\.?|unit|#|bldg\.?|building|room|rm\.?)\s*#?\s*([\w-]+)\s*$", re.I)
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
    if re.fullmatch(r"\s*\+?1?\d{10}\s*", text):  # already bare digits or E.164 (as stored)
        text = re.sub(r"\D", "", text)[-10:]
        text = f"{text[:3]}-{text[3:6]}-{text[6:]}"
    m = PHONE.search(text)
    if not m:
        return None
    try:
        number = phonenumbers.parse(f"{m.group(1)}{m.group(2)}{m.group(3)}", "US")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def split_suite(street: str | None, suite: str | None = None) -> tuple[str | None, str | None]:
    """Keep the suite apart from the street: ("100 Main St, Suite 2", None) -> ("100 Main St", "2")."""
    if not street:
        return street, suite
    m = SUITE.search(street)
    if m:
        return street[: m.start()].strip(" ,"), suite or m.group(1)
    return street.strip(" ,"), suite


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
    state = "CA" if m.group("state").lower() == "california" else m.group("state")
    return ClinicInfo(street=m.group("street").strip(), suite=m.group("suite"), city=m.group("city").strip(),
                      state=state, zip=m.group("zip"), source="text")


def one_line(info: ClinicInfo) -> str | None:
    parts = [info.street, f"Suite {info.suite}" if info.suite else None, info.city,
             " ".join(p for p in (info.state, info.zip) if p)]
    line = ", ".join(p for p in parts if p)
    return line or info.address
