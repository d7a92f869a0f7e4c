"""One page in, its facts out: the entry point the pipeline, ``clinics extract`` and the tests share."""

from __future__ import annotations

import re

from parsers.address import address_from_text, normalise_phone, one_line, split_suite
from parsers.conditions import extract_conditions
from parsers.cues import sentences_of
from parsers.document import Document, parse_html, parse_text
from parsers.facts import ClinicInfo, PageFacts
from parsers.pagetype import page_type
from parsers.payment import extract_payment
from parsers.prices import extract_prices
from parsers.routes import KETAMINE, extract_routes, extract_services
from parsers.structured import clinics_from_jsonld

LOOKS_LIKE_HTML = re.compile(r"<\s*(?:html|body|div|p|head|!doctype|h[1-6]|section|main|article)\b", re.I)


def extract_page(content: str | bytes, url: str | None = None, seen_at: str | None = None) -> PageFacts:
    """Facts of one page, HTML or plain text (decided by the content, not the file name)."""
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    doc = parse_html(content, url) if LOOKS_LIKE_HTML.search(content[:5000]) else parse_text(content, url)
    return extract_document(doc, seen_at)


def extract_document(doc: Document, seen_at: str | None = None) -> PageFacts:
    kind = page_type(doc.url, doc.title)
    sentences = list(sentences_of(doc))
    about_ketamine = bool(KETAMINE.search(doc.text)) or bool(KETAMINE.search(doc.title))
    routes, route_mentions = extract_routes(sentences, doc.menu, kind, about_ketamine)
    services, service_mentions = extract_services(sentences, doc.menu, kind, about_ketamine)
    conditions, condition_mentions = extract_conditions(sentences, doc.menu, kind)
    locations = _locations(doc)
    return PageFacts(
        clinic=locations[0] if locations else ClinicInfo(name=_name_from_page(doc)),
        locations=locations,
        routes=routes,
        services=services,
        conditions=conditions,
        payment=extract_payment(sentences),
        prices=extract_prices(sentences),
        mentions=route_mentions + service_mentions + condition_mentions,
        page_type=kind,
        url=doc.url,
        seen_at=seen_at,
    )


def _locations(doc: Document) -> list[ClinicInfo]:
    """Each location the page describes: JSON-LD nodes first, else the address and phone in the text."""
    found = clinics_from_jsonld(doc.jsonld)
    if not found:
        text = " ".join(doc.footer) + " " + doc.text
        address = address_from_text(text)
        if address:
            address.name = _name_from_page(doc)
            address.phone = normalise_phone(text)
            found = [address]
    for info in found:
        info.street, info.suite = split_suite(info.street, info.suite)
        info.phone = normalise_phone(info.phone) or info.phone
        info.name = info.name or _name_from_page(doc)
        info.address = one_line(info)
    return found


def _name_from_page(doc: Document) -> str | None:
    """The site name a page carries: og:site_name, else the part of the title after a separator."""
    if doc.meta.get("og:site_name"):
        return doc.meta["og:site_name"].strip()
    parts = [p.strip() for p in re.split(r"\s+[|–—-]\s+", doc.title) if p.strip()]
    return parts[-1] if parts else None
