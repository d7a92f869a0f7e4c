"""One page in, its facts out: the entry point the pipeline, ``clinics extract`` and the tests share."""

from __future__ import annotations

import functools
import re
from dataclasses import asdict

from parsers.address import address_from_text, normalise_phone, one_line, split_suite
from parsers.care import extract_care
from parsers.closure import closure_notice
from parsers.conditions import extract_conditions
from parsers.cues import Sentence, forget_page, sentences_of
from parsers.document import Block, Document, clean, fragment_text, parse_html, parse_text, split_sentences
from parsers.facts import ClinicInfo, Fact, PageFacts, Payment
from parsers.pagedate import page_date
from parsers.pagetype import page_type
from parsers.payment import extract_payment
from parsers.prices import extract_prices
from parsers.routes import NOT_KETAMINE_IV, extract_routes, extract_services
from parsers.structured import clinics_from_jsonld, faq_from_jsonld, loads_lenient, nodes
from parsers.vocab import KETAMINE

LOOKS_LIKE_HTML = re.compile(r"<\s*(?:html|body|div|p|head|!doctype|h[1-6]|section|main|article)\b", re.I)


def extract_page(content: str | bytes, url: str | None = None, seen_at: str | None = None) -> PageFacts:
    """Facts of one page, HTML or plain text (decided by the content, not the file name)."""
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    doc = parse_html(content, url) if LOOKS_LIKE_HTML.search(content[:5000]) else parse_text(content, url)
    return extract_document(doc, seen_at)


def extract_facts(content: str | bytes, url: str | None = None, seen_at: str | None = None) -> dict:
    """A page's facts as the plain dict stored in ``pages.facts``: what a worker process sends back."""
    return asdict(extract_page(content, url=url, seen_at=seen_at))


def extract_document(doc: Document, seen_at: str | None = None) -> PageFacts:
    forget_page()
    _add_jsonld_faq(doc)
    kind = page_type(doc.url, doc.title)
    if doc.post and kind not in ("pricing", "insurance", "faq"):
        kind = "blog"  # a dated post, wherever its URL puts it
    if kind not in ("blog", "landing"):
        _add_title(doc)
    locations = _locations(doc)
    sentences = list(sentences_of(doc, _self_names(doc, locations)))
    about_ketamine = bool(KETAMINE.search(doc.text)) or bool(KETAMINE.search(doc.title))
    @functools.cache
    def other_iv() -> bool:  # the page sells IV drips too; read over the whole page only when a route needs it
        return bool(NOT_KETAMINE_IV.search(doc.text)) or any(NOT_KETAMINE_IV.search(item) for item in doc.menu)

    routes, route_mentions = extract_routes(sentences, doc.menu, kind, about_ketamine, other_iv)
    services, service_mentions = extract_services(sentences, doc.menu, kind, about_ketamine)
    conditions, condition_mentions = extract_conditions(sentences, doc.menu, kind, about_ketamine)
    jsonld_nodes = [node for raw in doc.jsonld if (data := loads_lenient(raw)) is not None for node in nodes(data)]
    care = extract_care(sentences, jsonld_nodes, doc.footer)
    no_spravato = next((f for f in routes if f.key == "intranasal_esketamine" and not f.value), None)
    if care.spravato_rems is None and no_spravato:
        care.set("spravato_rems", False, no_spravato.evidence)  # "we do not offer Spravato": not a REMS centre
    payment = extract_payment(sentences + _footer_sentences(doc), kind)
    _payment_by_routes(payment, routes)
    return PageFacts(
        clinic=locations[0] if locations else ClinicInfo(name=_name_from_page(doc)),
        locations=locations,
        routes=routes,
        services=services,
        conditions=conditions,
        payment=payment,
        prices=extract_prices(sentences) if about_ketamine else [],  # an IV spa's "$150 per session" is no ketamine price
        mentions=route_mentions + service_mentions + condition_mentions,
        care=care,
        page_date=page_date([b.text for b in doc.blocks] + doc.footer, doc.meta, jsonld_nodes),
        page_type=kind,
        url=doc.url,
        seen_at=seen_at,
        limits=doc.limits,
        closed=closure_notice(s.text for s in sentences),
    )


def _footer_sentences(doc: Document) -> list[Sentence]:
    """The site footer's sentences: "We're out of network with insurance" there is the clinic speaking."""
    return [Sentence(part, "footer") for text in doc.footer if len(text.split()) >= 4 for part in split_sentences(text)]


def _payment_by_routes(payment: Payment, routes: list[Fact]) -> None:
    """Coverage read with the routes the page states: an IV clinic's "Spravato is covered by most plans" is about
    a treatment it does not give; a clinic whose only route is Spravato and that takes insurance bills it."""
    offered = {f.key for f in routes if f.value}
    if any(f.key == "intranasal_esketamine" and not f.value for f in routes) and payment.spravato_covered:
        payment.spravato_covered = None
        payment.evidence.pop("spravato_covered", None)
    if offered == {"intranasal_esketamine"} and payment.accepts_insurance and payment.spravato_covered is None:
        payment.spravato_covered = True
        payment.evidence["spravato_covered"] = payment.evidence.get("accepts_insurance", "")


GENERIC_NAME_WORDS = {
    "ketamine", "infusion", "infusions", "therapy", "therapies", "clinic", "clinics", "center", "centers", "centre",
    "wellness", "treatment", "treatments", "iv", "spravato", "esketamine", "depression", "pricing", "services",
    "service", "home", "faq", "about", "us", "contact", "the", "and", "&", "of", "in", "for", "a", "health",
    "medical", "mental", "care", "institute", "group", "llc", "inc", "pc", "md", "psychiatry", "pain", "anxiety",
    "ptsd", "insurance", "cost", "costs", "blog", "news", "our", "team", "near", "me", "at-home", "kap", "program",
    "by", "with", "your", "to", "on", "from", "at", "is", "how", "what", "why", "telehealth", "online", "virtual",
    "psychotherapy", "assisted", "ketamine-assisted", "new", "patients", "patient", "welcome",
    "conditions", "faqs", "fees", "locations", "location", "book", "appointment", "consultation",
}


def _add_jsonld_faq(doc: Document) -> None:
    """FAQ answers that a page keeps only in FAQPage JSON-LD become question and answer blocks."""
    page_text = doc.text
    for question, answer in faq_from_jsonld(doc.jsonld):
        answer_text = clean(fragment_text(answer)) if "<" in answer else clean(answer)
        if answer_text and answer_text[:60] not in page_text:
            doc.blocks.append(Block(question, "question", "FAQ", section="FAQ"))
            doc.blocks.append(Block(answer_text, "paragraph", "FAQ", section="FAQ"))


TITLE_PARTS = re.compile(r"\s+[|–—·:-]\s+|\s*[|·]\s*")


def _add_title(doc: Document) -> None:
    """The page's own title names what the page is about ("IV & IM Ketamine | Summit", "Tandem | At-home ketamine
    therapy"): on a clinic's page it is read as the page's top heading, unless the page already opens with it."""
    opening = doc.blocks[0].text.lower() if doc.blocks else ""
    for part in TITLE_PARTS.split(doc.title):
        part = part.strip()
        if len(part.split()) >= 2 and part.lower() != (doc.meta.get("og:site_name") or "").lower() \
                and part.lower() not in opening and not part.endswith("?"):
            doc.blocks.insert(0, Block(part, "heading", part, level=1, section=part))


def _self_names(doc: Document, locations: list[ClinicInfo]) -> re.Pattern | None:
    """The clinic's own names as a pattern: JSON-LD names, og:site_name, and distinctive parts of the title."""
    names = {info.name for info in locations if info.name}
    names.add(doc.meta.get("og:site_name") or "")
    names.update(re.split(r"\s+[|–—-]\s+", doc.title))
    kept = set()
    for name in names:
        name = re.sub(r",?\s+(?:LLC|Inc\.?|PC|P\.C\.|PLLC|APC)$", "", name.strip())
        words = [w.strip(",.").lower() for w in name.split()]
        if 2 <= len(words) <= 5 and "?" not in name and ":" not in name and not re.search(r",\s*[A-Z]{2}$", name) \
                and any(w not in GENERIC_NAME_WORDS for w in words):
            kept.add(name)
    if not kept:
        return None
    aliases = {_leading_name(n) for n in kept} - {None}
    patterns = [f"(?i:{re.escape(n)})" for n in sorted(kept, key=len, reverse=True)]
    patterns += [rf"\b{re.escape(a)}\b" for a in sorted(aliases, key=len, reverse=True)]  # case kept: a proper noun
    return re.compile("|".join(patterns))


def _leading_name(name: str) -> str | None:
    """The distinctive words a clinic is called by in its own text: "Northstar" of "Northstar Ketamine Clinic"."""
    lead = []
    for word in name.split():
        if word.strip(",.").lower() in GENERIC_NAME_WORDS:
            break
        lead.append(word)
    alias = " ".join(lead)
    return alias if len(alias) >= 4 and alias[:1].isupper() and alias != name else None


def _locations(doc: Document) -> list[ClinicInfo]:
    """Each location the page describes: JSON-LD nodes first, then microdata, else the address and phone in the
    text (structured data is the clinic's own statement of its address; text can run a date into the street)."""
    found = clinics_from_jsonld(doc.jsonld) or list(doc.microdata)
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


# "Pricing | Clinic", "Why Ketamine :: Clinic", "FAQ » Clinic", "Home • Clinic": the site's name is the part
# every page shares (db/build.py takes the most common across a site's pages)
TITLE_SEPARATOR = re.compile(r"\s+(?:[|–—»•·~-]|::)\s+")


def _name_from_page(doc: Document) -> str | None:
    """The site name a page carries: og:site_name, else the part of the title after a separator."""
    if doc.meta.get("og:site_name"):
        return doc.meta["og:site_name"].strip()
    parts = [p.strip() for p in TITLE_SEPARATOR.split(doc.title) if p.strip()]
    return parts[-1] if parts else None
