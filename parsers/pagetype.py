"""What kind of page this is (pricing, insurance, services, blog...), from its URL path and title.

The kind decides how much a page's statements weigh: a pricing page outranks a blog post when two pages
of one clinic disagree, and blog or city landing pages make no offers by headings alone.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from parsers.vocab import STATE_CODES, STATE_NAMES

# A city page written for search engines, in any region: "/near-me", "/...-near-boise-idaho/", "/...-county/",
# a slug that ends in a state code ("/ketamine-therapy-mesa-az/") or state name.
_STATE_SLUGS = "|".join([*(code.lower() for code in STATE_CODES), *(name.replace(" ", "-") for name in STATE_NAMES)])
LANDING_PATH = rf"near-me|-(?:in|near)-[a-z]+(?:-[a-z]+)*/?$|-county\b|-(?:{_STATE_SLUGS})/?$"
# Most specific first; the first pattern that matches the path (or else the title) names the type.
PAGE_TYPES: tuple[tuple[str, str], ...] = (
    ("blog", r"/blog/|/news/|/articles?/|/posts?/|/\d{4}/\d{2}/|^/?blog"),
    ("pricing", r"pric|cost|fees?\b|rates|payment"),
    ("insurance", r"insurance|coverage|billing|financ"),
    ("faq", r"faq|questions"),
    ("conditions", r"condition|what-we-treat|treat(?:s|ed|ing|able)?(?:[-/]|$)|depression|ptsd|anxiety|pain|ocd"),
    ("services", r"service|treatment|therap|infusion|spravato|esketamine|ketamine|kap|program|injection"),
    ("locations", r"location|contact|directions|offices?\b|find-us"),
    ("about", r"about|team|staff|providers?|doctor|our-"),
    ("blog", r"blog|news|article|post|resources"),
    ("landing", LANDING_PATH),
)
# How much a page type's statements weigh when a clinic's pages disagree (higher wins).
PAGE_RANK = {"pricing": 9, "insurance": 9, "services": 8, "conditions": 8, "faq": 7, "home": 6, "locations": 6,
             "about": 5, "other": 4, "landing": 2, "blog": 1}


# Titles that say what a page is when its URL cannot: a city page written for search engines ("Ketamine Therapy
# in Mesa, Arizona"), an article ("...: What to Know Before You Book").
LANDING_TITLE = re.compile(r"\bnear me\b|\b(?:clinics?|therapy|treatment|infusions?|providers?) (?:in|near) [A-Z][a-z]+"
                           r"(?: [A-Z][a-z]+){0,2},? (?:[A-Z]{2}|[A-Z][a-z]+)\b")
ARTICLE_TITLE = re.compile(r"\bwhat to know\b|\ba guide\b|\bguide to\b|\beverything you need\b|\bexplained\b|"
                           r"\bwhat (?:the )?(?:research|science|studies) says?\b", re.I)


def page_type(url: str | None, title: str = "") -> str:
    path = urlparse(url).path.lower() if url else ""
    if url and path in ("", "/", "/index.html", "/home", "/home/"):
        return "home"
    for kind, pattern in PAGE_TYPES:
        if path and re.search(pattern, path):
            return kind
    if ARTICLE_TITLE.search(title):
        return "blog"
    if LANDING_TITLE.search(title):
        return "landing"
    for kind, pattern in PAGE_TYPES:
        if kind not in ("landing",) and re.search(pattern, title.lower()):
            return kind
    return "other"
