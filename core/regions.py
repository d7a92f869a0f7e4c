"""A region name ("Orange County, CA") resolved offline to its ZIP codes, cities, centroid and bounding box.

The `zipcodes` package is the gazetteer. Its county names are inconsistent in case ("Baltimore city" and
"Baltimore City"), so names are compared case-insensitively, and an unknown or ambiguous name is an error
that lists the closest real names.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import NamedTuple

import zipcodes

from parsers.vocab import STATE_CODES, STATE_NAMES

BBOX_PAD = 0.05  # degrees, about 3.5 miles
COUNTRY_NAMES = {"us", "usa", "united states", "united states of america"}
# The states, DC and Puerto Rico: every code of the gazetteer that has ZIP records (the Pacific territories and
# the Virgin Islands have none in it).
COUNTRY_STATES = tuple(sorted(STATE_CODES - {"AS", "GU", "MP", "VI"}))


def slug_of(name: str) -> str:
    """"Travis County, TX" -> "travis-county-tx" (seed list file names)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class RegionError(ValueError):
    """A region name that names no county, or more than one."""


@dataclass(frozen=True)
class Region:
    name: str  # canonical, e.g. "Orange County, CA"
    county: str
    state: str
    counties: tuple[str, ...]  # every county the region touches, "Travis County, TX" (directories are per county)
    zips: tuple[str, ...]  # every ZIP of the county, PO boxes included (listings use them)
    query_zips: tuple[str, ...]  # active standard ZIPs: what a directory query needs
    cities: tuple[str, ...]
    centroid: tuple[float, float]
    bbox: tuple[float, float, float, float]  # south, west, north, east
    boxes: tuple[tuple[float, float, float, float], ...] = ()  # one per county: what an area query asks for
    parts: tuple[str, ...] = ()  # the regions a ";" union was made of (each has its own seed list)

    @property
    def slug(self) -> str:
        return slug_of(self.name)

    @property
    def slugs(self) -> tuple[str, ...]:
        """The slug of each part: a union of counties reads each county's seed list."""
        return tuple(slug_of(part) for part in self.parts or (self.name,))

    def contains_zip(self, value: str | None) -> bool:
        return bool(value) and value[:5] in self.zip_set

    @cached_property
    def zip_set(self) -> frozenset[str]:
        """The ZIPs as a set: the country's 41,000 are asked about for every listing."""
        return frozenset(self.zips)

    def to_json(self) -> dict:
        return {"name": self.name, "county": self.county, "state": self.state, "counties": list(self.counties),
                "zip_count": len(self.zips),
                "query_zip_count": len(self.query_zips), "zips": list(self.zips), "cities": list(self.cities),
                "centroid": list(self.centroid), "bbox": list(self.bbox)}


class ZipRecord(NamedTuple):
    """One ZIP of the gazetteer, with only what a region needs. The county index keeps 42,000 of these for the
    life of a crawl: as tuples they take 17 MB, where ``zipcodes.list_all()``'s dicts take about 95 MB."""

    zip_code: str
    city: str
    state: str
    county: str
    lat: float
    long: float
    standard: bool  # active and of type STANDARD: the ZIPs a directory is asked about


def _compact(record: dict) -> ZipRecord:
    return ZipRecord(record["zip_code"], sys.intern(record["city"]), sys.intern(record["state"]),
                     sys.intern(record.get("county") or ""), float(record["lat"]), float(record["long"]),
                     bool(record.get("active") and record.get("zip_code_type") == "STANDARD"))


@lru_cache(maxsize=1)
def _counties() -> dict[tuple[str, str], list[ZipRecord]]:
    """(normalised county name, state) -> its ZIP records, every state's; read state by state, so the package's
    own list of every ZIP as a dict is never made."""
    return {(county, state): records for state in sorted(STATE_CODES)
            for county, records in _state_counties(state).items()}


@cache
def _state_counties(state: str) -> dict[str, list[ZipRecord]]:
    """One state's counties (normalised name -> ZIP records): a county or a state is resolved from its own state's
    records (each ``filter_by`` reads the whole gazetteer: all 56 states and territories took 0.4 s)."""
    out: dict[str, list[ZipRecord]] = {}
    for record in zipcodes.filter_by(state=state) if state in STATE_CODES else ():
        if record.get("county"):
            out.setdefault(_norm(record["county"]), []).append(_compact(record))
    return out


@cache  # 42,000 ZIP records name 3,246 counties
def _norm(name: str) -> str:
    name = re.sub(r"\s+", " ", name.strip().lower().replace("saint ", "st. "))
    return name if re.search(r"\b(?:county|parish|borough|city|municipality|census area)$", name) else name + " county"


def _display(records: list[ZipRecord]) -> str:
    """The most common spelling the gazetteer uses for this county."""
    names = [r.county for r in records]
    return max(set(names), key=names.count)


ZIP_LIST = re.compile(r"^\s*\d{5}(?:\s*[,;\s]\s*\d{5})*\s*$")
ZIP_RADIUS = re.compile(r"^\s*(\d{5})\s*(?:\+|within|radius|r=?)\s*(\d+(?:\.\d+)?)\s*([^\d\s;,]*)\s*$", re.I)
MAX_RADIUS_MILES = 250
MILES_PER_KM = 0.621371
# The radius units a user writes, each as the short form kept in the region's name and its length in miles.
RADIUS_UNITS = {"mi": ("mi", 1.0), "mile": ("mi", 1.0), "miles": ("mi", 1.0),
                "km": ("km", MILES_PER_KM), "kms": ("km", MILES_PER_KM), "kilometer": ("km", MILES_PER_KM),
                "kilometers": ("km", MILES_PER_KM), "kilometre": ("km", MILES_PER_KM), "kilometres": ("km", MILES_PER_KM)}


def resolve(text: str) -> Region:
    """A region, in any of the forms a user writes one, offline.

    - a county: "Orange County, CA" (or "Orange County, California");
    - a state: "TX" or "Texas";
    - several of those: "Orange County, CA; Los Angeles County, CA", or states by their codes: "CA, NV, AZ";
    - the whole country: "US" (every state and DC, and Puerto Rico: the gazetteer's ZIPs);
    - ZIP codes: "92618, 92660";
    - a ZIP code and a radius in miles or km: "92618 + 25 mi" (or "92618 within 25 miles", "92618 + 40 km").
    Unknown or ambiguous names raise RegionError listing close matches.
    """
    if text.strip().lower() in COUNTRY_NAMES:
        return _union([_state(code) for code in COUNTRY_STATES], text, name="US")
    if ";" in text:
        return _union([resolve(part) for part in text.split(";") if part.strip()], text)
    states = [part.strip().upper() for part in text.split(",")]  # codes only: "Washington, DC" is no list of states
    if len(states) > 1 and all(code in COUNTRY_STATES for code in states):
        return _union([_state(code) for code in dict.fromkeys(states)], text)
    if ZIP_LIST.match(text):
        return _from_zips(re.findall(r"\d{5}", text), name=", ".join(re.findall(r"\d{5}", text)))
    radius = ZIP_RADIUS.match(text)
    if radius:
        return _around_zip(radius.group(1), float(radius.group(2)), _radius_unit(text, radius.group(3)))
    state = _state_code(text)
    return _state(state) if state else _county(text)


def _state_code(text: str) -> str | None:
    """"TX" or "Texas" -> "TX"; None for anything else."""
    written = text.strip()
    return STATE_NAMES.get(written.lower()) or (written.upper() if written.upper() in set(STATE_NAMES.values()) else None)


def _state(code: str) -> Region:
    records = [r for recs in _state_counties(code).values() for r in recs]
    if not records:
        raise RegionError(f"the gazetteer has no ZIP codes for {code}")
    return _build(records, code, name=code)


def _from_zips(zips: list[str], name: str, query_all: bool = True) -> Region:
    records = []
    for zip_code in dict.fromkeys(zips):
        found = zipcodes.matching(zip_code)
        if not found:
            raise RegionError(f"ZIP code {zip_code} is not in the gazetteer (a typo, or a retired ZIP)")
        records.append(_compact(found[0]))
    states = sorted({r.state for r in records})
    return _build(records, "/".join(states), name=name, query_all=query_all)


def _radius_unit(text: str, written: str) -> str:
    """The unit a radius is in, "mi" or "km": a number alone could be either, so it is refused."""
    unit = RADIUS_UNITS.get(written.lower().rstrip("."))
    if unit is None:
        what = f"radius unit {written!r} is not known" if written else "the radius has no unit"
        raise RegionError(f"region {text.strip()!r}: {what}; the unit must be miles or km, "
                          f"like '92618 + 25 mi' or '92618 + 40 km'")
    return unit[0]


def _around_zip(zip_code: str, radius: float, unit: str = "mi") -> Region:
    """A ZIP and every ZIP whose centroid is within ``radius`` (in ``unit``, "mi" or "km") of it."""
    miles = radius * RADIUS_UNITS[unit][1]
    if not 0 < miles <= MAX_RADIUS_MILES:
        raise RegionError(f"radius {radius:g} {unit} is out of range (up to {MAX_RADIUS_MILES} mi, "
                          f"{MAX_RADIUS_MILES / MILES_PER_KM:.0f} km)")
    center = zip_centroid(zip_code)
    if center is None:
        raise RegionError(f"ZIP code {zip_code} is not in the gazetteer")
    records = zipcodes.filter_by_coordinates(center[0], center[1], radius_in_miles=miles)
    return _from_zips([r["zip_code"] for r in records] or [zip_code], name=f"{zip_code} + {radius:g} {unit}",
                      query_all=False)


def _union(regions: list[Region], text: str, name: str | None = None) -> Region:
    zips = [z for region in regions for z in region.zips]
    query = sorted({z for region in regions for z in region.query_zips})
    lats = [v for region in regions for v in (region.bbox[0], region.bbox[2])]
    lons = [v for region in regions for v in (region.bbox[1], region.bbox[3])]
    return Region(
        name=name or "; ".join(region.name for region in regions), county="; ".join(r.county for r in regions),
        state="/".join(sorted({r.state for r in regions})),
        counties=tuple(sorted({c for region in regions for c in region.counties})),
        zips=tuple(sorted(set(zips))), query_zips=tuple(query),
        cities=tuple(sorted({c for region in regions for c in region.cities})),
        centroid=(round(sum(r.centroid[0] for r in regions) / len(regions), 4),
                  round(sum(r.centroid[1] for r in regions) / len(regions), 4)),
        bbox=(min(lats), min(lons), max(lats), max(lons)),
        boxes=tuple(dict.fromkeys(box for region in regions for box in region.boxes)),
        parts=tuple(part for region in regions for part in region.parts or (region.name,)),
    )


def _county(text: str) -> Region:
    """'Orange County, CA' (or 'Orange County, California') -> Region; RegionError lists close matches."""
    county_part, _, state_part = text.rpartition(",")
    if not county_part.strip() or not state_part.strip():
        matches = [f"{_display(recs)}, {st}" for (name, st), recs in _counties().items() if name == _norm(text)]
        hint = f"; did you mean {' or '.join(sorted(matches)[:8])}?" if matches else ""
        raise RegionError(f"region {text!r} needs a state, like 'Orange County, CA'{hint}")
    state = state_part.strip()
    state = STATE_NAMES.get(state.lower(), state.upper())
    records = _state_counties(state).get(_norm(county_part))
    if not records:
        raise RegionError(f"region {text!r} not found{_suggest(county_part, state)}")
    return _build(records, state)


def _suggest(county: str, state: str) -> str:
    names = {f"{_display(recs)}, {st}": (name, st) for (name, st), recs in _counties().items()}
    in_state = [n for n, (_, st) in names.items() if st == state]
    close = difflib.get_close_matches(f"{county.strip()}, {state}", in_state or list(names), n=5, cutoff=0.5)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else "; try 'clinics regions --list STATE'"


def _build(records: list[ZipRecord], state: str, name: str | None = None, query_all: bool = False) -> Region:
    lats = [r.lat for r in records]
    lons = [r.long for r in records]
    query = sorted(r.zip_code for r in records if query_all or r.standard)
    county = _display(records) if records and records[0].county else ""
    return Region(
        name=name or f"{county}, {state}", county=county if not name else "", state=state,
        counties=tuple(sorted({f"{r.county}, {r.state}" for r in records if r.county})),
        zips=tuple(sorted(r.zip_code for r in records)), query_zips=tuple(query),
        cities=tuple(sorted({r.city for r in records})),
        centroid=(round(sum(lats) / len(lats), 4), round(sum(lons) / len(lons), 4)),
        bbox=_padded_box(records),
        boxes=tuple(_padded_box(group) for group in _by_county(records)),
    )


def _padded_box(records: list[ZipRecord]) -> tuple[float, float, float, float]:
    """ZIP centroids sit inside their areas: pad the box so addresses near the county line are inside it."""
    lats = [r.lat for r in records]
    lons = [r.long for r in records]
    return (round(min(lats) - BBOX_PAD, 4), round(min(lons) - BBOX_PAD, 4),
            round(max(lats) + BBOX_PAD, 4), round(max(lons) + BBOX_PAD, 4))


def _by_county(records: list[ZipRecord]) -> list[list[ZipRecord]]:
    """Records grouped by county, so a state or a spread of ZIPs is queried as several small areas."""
    groups: dict[tuple, list[ZipRecord]] = {}
    for record in records:
        groups.setdefault((record.county, record.state), []).append(record)
    return list(groups.values())


def counties_in(state: str) -> list[str]:
    state = STATE_NAMES.get(state.lower(), state.upper())
    return sorted(f"{_display(recs)}, {state}" for recs in _state_counties(state).values())


def zip_centroid(zip_code: str | None) -> tuple[float, float] | None:
    """The gazetteer's point for a ZIP: the fallback location of a clinic with no geocode."""
    if not zip_code or not re.fullmatch(r"\d{5}", zip_code[:5]):
        return None
    found = zipcodes.matching(zip_code[:5])
    return (float(found[0]["lat"]), float(found[0]["long"])) if found else None


def county_of_zip(zip_code: str | None) -> tuple[str, str] | None:
    if not zip_code or not re.fullmatch(r"\d{5}", zip_code[:5]):
        return None
    found = zipcodes.matching(zip_code[:5])
    return (found[0]["county"], found[0]["state"]) if found and found[0].get("county") else None
