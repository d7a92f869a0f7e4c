"""schema.org JSON-LD read the tolerant way real sites need: @graph, lists, odd casing, broken JSON.

Only clinic-like nodes are kept (MedicalClinic, MedicalBusiness, LocalBusiness, Physician...); a site
with one node per location gives one ClinicInfo per location.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from parsers.facts import ClinicInfo

CLINIC_TYPES = {
    "medicalclinic", "medicalbusiness", "localbusiness", "physician", "medicalorganization", "healthandbeautybusiness",
    "dayspa", "healthclub", "psychiatric", "hospital", "medicalspecialty", "organization", "professionalservice",
}
PREFERRED = ("medicalclinic", "physician", "medicalbusiness", "medicalorganization", "localbusiness")
TRAILING_COMMA = re.compile(r",\s*([}\]])")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def loads_lenient(raw: str) -> object | None:
    """Parse JSON the way browsers forgive it: trailing commas, control characters, HTML comments."""
    text = raw.strip().removeprefix("<!--").removesuffix("-->").strip()
    for candidate in (text, TRAILING_COMMA.sub(r"\1", CONTROL.sub(" ", text))):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
        except RecursionError:  # nested deeper than Python's stack: no clinic's data, and not worth a retry
            return None
    return None


MAX_GRAPH_DEPTH = 20  # lists and @graph inside each other; real JSON-LD nests two or three


def nodes(data: object, depth: int = 0) -> Iterator[dict]:
    """Every object in a JSON-LD document, with @graph and nested lists flattened."""
    if depth > MAX_GRAPH_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from nodes(item, depth + 1)
    elif isinstance(data, dict):
        lowered = {k.lower(): v for k, v in data.items()}
        if "@graph" in lowered:
            yield from nodes(lowered["@graph"], depth + 1)
        else:
            yield data


def types_of(node: dict) -> list[str]:
    value = _get(node, "@type") or []
    values = value if isinstance(value, list) else [value]
    return [str(v).rsplit("/", 1)[-1].lower() for v in values]


def clinics_from_jsonld(scripts: list[str]) -> list[ClinicInfo]:
    """ClinicInfo for each clinic-like node, the most specific types first; duplicates by address merged."""
    found: list[tuple[int, ClinicInfo]] = []
    for raw in scripts:
        data = loads_lenient(raw)
        if data is None:
            continue
        for node in nodes(data):
            kinds = types_of(node)
            if not CLINIC_TYPES.intersection(kinds):
                continue
            rank = min((PREFERRED.index(k) for k in kinds if k in PREFERRED), default=len(PREFERRED))
            info = _info(node)
            if info.name or info.street:
                found.append((rank, info))
            for dept in _as_list(_get(node, "department")):
                if isinstance(dept, dict):
                    sub = _info(dept)
                    if sub.street:
                        found.append((rank, sub))
    found.sort(key=lambda pair: pair[0])
    unique: dict[tuple, ClinicInfo] = {}
    for _, info in found:
        key = ((info.street or "").lower(), info.zip) if info.street else ("name", (info.name or "").lower())
        unique.setdefault(key, info)
    return list(unique.values())


def _get(node: dict, key: str):
    for k, v in node.items():
        if k.lower() == key.lower():
            return v
    return None


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = _get(value, "name") or _get(value, "@value")
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _info(node: dict) -> ClinicInfo:
    info = ClinicInfo(name=_text(_get(node, "name")), phone=_text(_get(node, "telephone")),
                      website=_text(_get(node, "url")), source="jsonld")
    address = _get(node, "address")
    if isinstance(address, list):
        address = address[0] if address else None
    if isinstance(address, dict):
        info.street = _text(_get(address, "streetAddress"))
        info.city = _text(_get(address, "addressLocality"))
        info.state = _text(_get(address, "addressRegion"))
        info.zip = _text(_get(address, "postalCode"))
    elif isinstance(address, str):
        info.address = " ".join(address.split())
    geo = _get(node, "geo")
    if isinstance(geo, dict):
        info.latitude = _float(_get(geo, "latitude"))
        info.longitude = _float(_get(geo, "longitude"))
    return info


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def faq_from_jsonld(scripts: list[str]) -> list[tuple[str, str]]:
    """(question, answer) pairs of FAQPage JSON-LD: some sites carry their FAQ answers only there."""
    pairs = []
    for raw in scripts:
        data = loads_lenient(raw)
        for node in nodes(data) if data is not None else []:
            if "faqpage" not in types_of(node):
                continue
            for question in _as_list(_get(node, "mainEntity")):
                if not isinstance(question, dict):
                    continue
                answer = _get(question, "acceptedAnswer")
                answer = answer[0] if isinstance(answer, list) and answer else answer
                text = _get(answer, "text") if isinstance(answer, dict) else None
                name = _text(_get(question, "name"))
                if name and text:
                    pairs.append((name, str(text)))
    return pairs


def clinics_from_microdata(root) -> list[tuple[object, ClinicInfo]]:
    """Outermost clinic itemscopes (``itemtype`` a clinic type) of an lxml tree, each with its ClinicInfo; each
    property is read from its nearest scope only, so a nested PostalAddress or GeoCoordinates stays apart."""
    found = []
    for scope in root.xpath("//*[@itemscope][@itemtype]"):
        kind = scope.get("itemtype", "").rsplit("/", 1)[-1].lower()
        if kind not in CLINIC_TYPES or any(a.get("itemtype", "").rsplit("/", 1)[-1].lower() in CLINIC_TYPES
                                           for a in scope.iterancestors() if a.get("itemscope") is not None):
            continue
        props = _props(scope)
        address = props.get("address") if isinstance(props.get("address"), dict) else {}
        info = ClinicInfo(name=_plain(props.get("name")), phone=_plain(props.get("telephone")),
                          website=_plain(props.get("url")), street=_plain(address.get("streetAddress")),
                          city=_plain(address.get("addressLocality")), state=_plain(address.get("addressRegion")),
                          zip=_plain(address.get("postalCode")), source="microdata")
        geo = props.get("geo") if isinstance(props.get("geo"), dict) else {}
        info.latitude, info.longitude = _float(geo.get("latitude")), _float(geo.get("longitude"))
        if not info.street and isinstance(props.get("address"), str):
            info.address = props["address"]
        if info.name or info.street:
            found.append((scope, info))
    return found


def _props(scope) -> dict:
    """itemprop -> value under one itemscope; a nested itemscope becomes a dict of its own properties."""
    out: dict = {}
    for element in scope.xpath(".//*[@itemprop]"):  # found in C: a scope around the whole page has thousands of tags
        if _owner(element) is not scope:
            continue
        if element.get("itemscope") is not None:
            value = _props(element)
        elif element.tag in ("a", "link"):
            value = element.get("href")
        elif element.tag == "meta":
            value = element.get("content")
        else:
            value = element.get("content") or " ".join("".join(element.itertext()).split())
        for name in element.get("itemprop").split():
            out.setdefault(name, value)
    return out


def _owner(element):
    """The itemscope an itemprop belongs to: its nearest ancestor with itemscope."""
    return next((a for a in element.iterancestors() if a.get("itemscope") is not None), None)


def _plain(value) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None
