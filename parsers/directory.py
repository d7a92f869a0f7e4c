"""A directory's listing page read into clinic entries and the next page's URL, whatever the directory.

Public directories publish their listings as schema.org data: a JSON-LD ``ItemList`` of ``ListItem``s
wrapping ``MedicalClinic`` nodes, bare clinic nodes, or microdata (``itemscope``/``itemprop``). Reading the
standard rather than each site's HTML is what lets a new directory be a few lines of configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html

from parsers.address import split_suite
from parsers.facts import ClinicInfo
from parsers.structured import CLINIC_TYPES, _as_list, _get, _info, clinics_from_microdata, loads_lenient, nodes, types_of
from parsers.urls import website_url


@dataclass
class DirectoryEntry:
    clinic: ClinicInfo
    detail_url: str | None  # the directory's own page for the clinic, when it has one
    position: int | None = None


@dataclass
class DirectoryPage:
    entries: list[DirectoryEntry] = field(default_factory=list)
    next_url: str | None = None
    formats: list[str] = field(default_factory=list)  # "jsonld", "microdata": what the page carried


def read_directory_page(html: str | bytes, url: str) -> DirectoryPage:
    """Entries from JSON-LD first; microdata only when the page has no JSON-LD clinics (the fallback format)."""
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return DirectoryPage()
    page = DirectoryPage(next_url=_next_url(root, url))
    scripts = [s.text_content() for s in root.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), "
                                                    "'ld+json')]")]
    page.entries = _from_jsonld(scripts, url)
    if page.entries:
        page.formats.append("jsonld")
    else:
        page.entries = _from_microdata(root, url)
        if page.entries:
            page.formats.append("microdata")
    for entry in page.entries:
        entry.clinic.street, entry.clinic.suite = split_suite(entry.clinic.street, entry.clinic.suite)
        if entry.clinic.website:
            entry.clinic.website = website_url(_join(url, entry.clinic.website))  # "tel:..." is no website
    return page


def _join(base: str, href) -> str | None:
    """``href`` read against the page's URL; None for one urllib cannot read ("http://[broken"), so one bad entry
    loses its link, not the whole page."""
    try:
        return urljoin(base, href.strip()) if isinstance(href, str) else None
    except ValueError:
        return None


def _next_url(root, url: str) -> str | None:
    hrefs = root.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href") or root.xpath(
        "//a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href")
    return _join(url, hrefs[0]) if hrefs else None


def _from_jsonld(scripts: list[str], url: str) -> list[DirectoryEntry]:
    entries: list[DirectoryEntry] = []
    for raw in scripts:
        data = loads_lenient(raw)
        for node in nodes(data) if data is not None else []:
            kinds = types_of(node)
            if "itemlist" in kinds:
                entries += [e for e in map(lambda item: _list_item(item, url), _as_list(_get(node, "itemListElement")))
                            if e]
            elif CLINIC_TYPES.intersection(kinds) and _get(node, "address"):
                entries.append(DirectoryEntry(_info(node), None))
    return entries


def _list_item(item, url: str) -> DirectoryEntry | None:
    """A ListItem holds the clinic in ``item`` and its own ``url`` is the directory's page for the clinic; a
    clinic node placed straight in the list has its own website as ``url``."""
    if not isinstance(item, dict):
        return None
    inner = _get(item, "item")
    position = _get(item, "position")
    position = int(position) if str(position or "").isdigit() else None
    if isinstance(inner, dict):
        clinic_node, detail = inner, _get(item, "url")
    elif CLINIC_TYPES.intersection(types_of(item)):
        clinic_node, detail = item, None
    else:  # a bare ListItem: a name and the directory's page, nothing to identify the clinic by
        return None
    info = _info(clinic_node)
    if not (info.name or info.street):
        return None
    return DirectoryEntry(info, _join(url, detail), position)


def _from_microdata(root, url: str) -> list[DirectoryEntry]:
    """Outermost clinic itemscopes, each with the directory's own page for it when the card links one."""
    entries = []
    for scope, info in clinics_from_microdata(root):
        detail = scope.xpath(".//a[@itemprop='mainEntityOfPage' or @rel='bookmark']/@href")
        entries.append(DirectoryEntry(info, _join(url, detail[0]) if detail else None))
    return entries
