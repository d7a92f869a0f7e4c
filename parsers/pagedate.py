"""The date a page gives for itself, so a price is shown "as of" when the clinic said it.

Visible words win ("Prices effective January 1, 2026", "Last updated: 03/03/2026"); the page's
machine-readable modified date (schema.org ``dateModified``, ``article:modified_time``) comes next. The
date the crawler saw the page is kept apart, on every fact row, as ``seen_at``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from parsers.facts import PageDate
from parsers.gate import word_trie

MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec"), start=1)}
MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|" \
        r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
DATE = (rf"(?:{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{MONTH}\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{4}}"
        rf"|\d{{4}}-\d{{2}}-\d{{2}}|{MONTH}\s+\d{{4}})")
STATED = [
    ("effective", re.compile(rf"\b(?:effective|valid|current)(?: as of| from| on| starting)?:?\s+(?P<date>{DATE})",
                             re.I)),
    ("effective", re.compile(rf"\b(?:prices?|pricing|rates?|fees?)\b[^.]{{0,40}}?\bas of\s+(?P<date>{DATE})", re.I)),
    ("updated", re.compile(rf"\b(?:last )?(?:updated|revised|reviewed)(?: on)?:?\s+(?P<date>{DATE})", re.I)),
    ("published", re.compile(rf"\b(?:posted|published)(?: on)?:?\s+(?P<date>{DATE})", re.I)),
]

# The words every pattern above needs: most of a page's blocks have none (a trie of them is one cheap search).
DATE_WORDS = word_trie(("effective", "valid", "current", "as of", "updated", "revised", "reviewed", "posted",
                     "published"))


def page_date(texts: Iterable[str], meta: dict[str, str], jsonld_nodes: list[dict]) -> PageDate | None:
    """The page's own effective or updated date: its words first, then its metadata."""
    for text in texts:
        if not DATE_WORDS.search(text.lower()):
            continue
        for kind, pattern in STATED:
            found = pattern.search(text)
            if found and (iso := iso_date(found.group("date"))):
                return PageDate(iso, kind, text[:300])
    for node in jsonld_nodes:
        modified = next((v for k, v in node.items() if k.lower() == "datemodified"), None)
        if isinstance(modified, str) and (iso := iso_date(modified[:10])):
            return PageDate(iso, "updated", "dateModified (schema.org JSON-LD)")
    if meta.get("article:modified_time") and (iso := iso_date(meta["article:modified_time"][:10])):
        return PageDate(iso, "updated", "article:modified_time (page metadata)")
    return None


def iso_date(text: str) -> str | None:
    """"January 1, 2026", "1 Jan 2026", "03/03/2026" (US order), "2026-03-03", "March 2026" -> ISO; None if invalid."""
    text = text.strip().lower().replace(",", " ")
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := re.fullmatch(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s+(\d{4})", text):
        month, day, year = MONTHS.get(m.group(1)[:3], 0), int(m.group(2)), int(m.group(3))
    elif m := re.fullmatch(r"(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})", text):
        day, month, year = int(m.group(1)), MONTHS.get(m.group(2)[:3], 0), int(m.group(3))
    elif m := re.fullmatch(r"([a-z]+)\.?\s+(\d{4})", text):
        month, year = MONTHS.get(m.group(1)[:3], 0), int(m.group(2))
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and 1990 <= year <= 2100 else None
    else:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1990 <= year <= 2100):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
