"""A patient's search in plain words read into what the directory knows: "IV for PTSD in Irvine", "Spravato
Aetna 92618", "ketamine shot". Pure: no database, no Datasette.

Each word or phrase that names a route, a condition, an insurer, a city or a ZIP becomes a filter; the words
left over go to full-text search as quoted terms, so quotes, operators and markup are only text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.vocab import CONDITIONS, ROUTES, Term

FILLER = {"for", "in", "near", "and", "the", "a", "an", "with", "of", "at", "to", "ketamine", "clinic", "clinics",
          "treatment", "therapy", "me", "my", "zip", "accepts", "accepting", "takes", "insurance"}
ZIP = re.compile(r"^\d{5}$")


@dataclass
class Search:
    routes: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    payers: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    zip: str | None = None
    words: list[str] = field(default_factory=list)  # what no filter took: read by full-text search

    def fts_query(self) -> str | None:
        """The leftover words as an FTS5 query of quoted prefix terms, or None when there are none."""
        tokens = re.findall(r"\w+", " ".join(self.words))  # as the index's tokenizer splits them
        return " ".join(f'"{token}"*' for token in tokens) or None


def _phrases(terms: tuple[Term, ...]) -> dict[str, str]:
    """Lower-case label and synonyms -> key, longest first when matched."""
    found = {}
    for term in terms:
        for phrase in (term.key.replace("_", " "), term.label, *term.synonyms):
            if phrase.lower() not in FILLER:  # "therapy" alone is no route
                found.setdefault(phrase.lower(), term.key)
    return found


ROUTE_PHRASES = _phrases(ROUTES)
CONDITION_PHRASES = _phrases(CONDITIONS)


def read_search(text: str, known_payers: list[str] = (), known_cities: list[str] = ()) -> Search:
    """The filters and leftover words of a search; ``known_payers`` and ``known_cities`` are the names the
    database holds (an insurer or city is recognised only if some clinic names it)."""
    search = Search()
    rest = " " + " ".join(re.sub(r"[^\w'/+-]", " ", (text or "").lower()).split()) + " "
    phrase_kinds = ((search.routes, ROUTE_PHRASES), (search.conditions, CONDITION_PHRASES),
                    (search.payers, {p.lower(): p for p in known_payers}),
                    (search.cities, {c.lower(): c for c in known_cities}))
    for found, phrases in phrase_kinds:
        for phrase in sorted(phrases, key=len, reverse=True):
            padded = f" {phrase} "
            if phrase and padded in rest:
                rest = rest.replace(padded, " ")
                if phrases[phrase] not in found:
                    found.append(phrases[phrase])
    for word in rest.split():
        if ZIP.match(word) and search.zip is None:
            search.zip = word
        elif word not in FILLER:
            search.words.append(word)
    return search
