"""Finding vocabulary terms in a sentence, and settling one page's facts when sentences disagree."""

from __future__ import annotations

import functools
import re
from itertools import islice

from parsers import cues
from parsers.cues import EXPLICIT_OFFER, _lower_letters
from parsers.facts import Fact
from parsers.gate import literal_gate, required_words, sum_bits, words_in
from parsers.page_cache import page_dict
from parsers.vocab import CONDITIONS, ROUTES, SERVICES, Term

# Keyed by id(), with the object kept beside its pattern so the id cannot be reused: hashing a frozen Term
# (or a whole vocabulary of them) on every call cost more than the searches.
_PATTERNS: dict[int, tuple[Term, re.Pattern]] = {}
_VOCABULARIES: dict[int, tuple[tuple, tuple[list[tuple[Term, re.Pattern, int]], int]]] = {}


def compiled(term: Term) -> re.Pattern:
    known = _PATTERNS.get(id(term))
    if known is None or known[0] is not term:
        known = _PATTERNS[id(term)] = (term, re.compile("|".join(f"(?:{p})" for p in term.patterns), re.I))
    return known[1]


def _vocabulary(terms: tuple[Term, ...]) -> tuple[list[tuple[Term, re.Pattern, int]], int]:
    """Each term's pattern with its gate's bit (the words one of which every match holds, parsers/gate.py), and
    all the terms' bits together: most sentences name no term, and the page's one scan of the text says so for
    every term at once. A term with no word to gate on has every bit."""
    known = _VOCABULARIES.get(id(terms))
    if known is None or known[0] is not terms:  # the tuple is kept, so its id cannot be reused
        vocabulary = [(t, compiled(t), _gate_bit(t)) for t in terms]
        known = _VOCABULARIES[id(terms)] = (terms, (vocabulary, sum_bits(bit for _, _, bit in vocabulary)))
    return known[1]


def _gate_bit(term: Term) -> int:
    words = required_words(_lower_letters(compiled(term).pattern))
    return literal_gate(words).bit if words else -1


for _terms in (ROUTES, SERVICES, CONDITIONS):
    _vocabulary(_terms)  # their gates made now: a gate made mid-page makes the one scan of every text start over

# A sentence that names one term more often than this is no prose (a keyword-stuffed line): the rest of its
# matches are not read, which keeps the work per sentence bounded.
MAX_MATCHES_PER_TERM = 8


_FOUND = page_dict()  # (id of the vocabulary, every, text) -> (it, its terms): a page asks each text about three times


def find_terms(text: str, terms: tuple[Term, ...], every: bool = False) -> list[tuple[Term, re.Match]]:
    """Each term found in the text with its first match (``every``: with each of its matches); a parent
    overlapped by its child is dropped. The list is kept for the page and shared: not to be changed.

    "treatment-resistant depression" names TRD, not depression as well.
    """
    key = (id(terms), every, text)
    known = _FOUND.get(key)
    if known is None or known[0] is not terms:  # the vocabulary is kept with the answer: its id cannot be reused
        known = _FOUND[key] = (terms, _find_terms(text, terms, every))
    return known[1]


def _find_terms(text: str, terms: tuple[Term, ...], every: bool) -> list[tuple[Term, re.Match]]:
    known = _VOCABULARIES.get(id(terms))  # _vocabulary(terms), without a call: asked of every sentence, twice
    vocabulary, any_term = known[1] if known is not None and known[0] is terms else _vocabulary(terms)
    held = words_in(text) if cues.GATED else -1  # every gate's bit set: nothing turned away
    if not held & any_term:
        return []
    found = [(term, match, match.start(), match.end()) for term, pattern, bit in vocabulary if held & bit
             for match in islice(pattern.finditer(text), MAX_MATCHES_PER_TERM)]
    kept: dict[str, tuple[Term, re.Match]] = {}
    every_match: list[tuple[Term, re.Match]] = []
    for term, match, start, end in found:
        # Only a match that overlaps this one can cover it: the span test first, the terms' relation after.
        if any(other_start < end and start < other_end and other is not term and _covers(other, om, term, match)
               for other, om, other_start, other_end in found):
            continue
        kept.setdefault(term.key, (term, match))
        every_match.append((term, match))
    return every_match if every else list(kept.values())


def routes_as_columns(row: str) -> bool:
    """A table's header row with one route per column ("SPRAVATO | IV ketamine | IM ketamine | Oral"): a
    comparison of routes, whatever its heading says, not a list of the clinic's own."""
    cells = [cell for cell in row.split(" | ") if cell.strip()]
    named = [find_terms(cell, ROUTES) for cell in cells if len(cell.split()) <= 4]
    columns = sum(1 for found in named if found)
    return columns >= 2 and columns >= len(cells) - 1 and len({term.key for found in named for term, _ in found}) >= 2


@functools.lru_cache(maxsize=2048)  # asked of every sentence's heading; a page has few headings
def routes_side_by_side(line: str) -> bool:
    """A table's header row once the markup is gone: two or more routes named one after the other, with no
    conjunction, punctuation or verb between them ("SPRAVATO® IV ketamine IM ketamine Oral / lozenge" has a
    slash, so "At-home tablets In-clinic IV infusion SPRAVATO® nasal spray" is the shape). A clinic's own heading
    joins its routes ("IV Infusions & Spravato")."""
    words = line.split()
    if not 2 <= len(words) <= 12 or SIDE_BY_SIDE_BREAK.search(line):
        return False
    return len({term.key for term, _ in find_terms(line, ROUTES)}) >= 2


SIDE_BY_SIDE_BREAK = re.compile(r"[.,;:!?&+|]|\b(?:and|or|vs|versus|we|our|us|is|are|with|for)\b", re.I)


def _covers(other: Term, other_match: re.Match, term: Term, match: re.Match) -> bool:
    """True when a child term's match overlaps this parent's, or a longer match of another term contains it.

    "sub-Q ketamine injections" is subcutaneous, not the IM that "ketamine injections" alone would be.
    """
    overlap = other_match.start() < match.end() and match.start() < other_match.end()
    contains = other_match.start() <= match.start() and match.end() <= other_match.end()
    longer = other_match.end() - other_match.start() > match.end() - match.start()
    return overlap and (other.parent == term.key or (contains and longer))


def settle(candidates: list[Fact]) -> list[Fact]:
    """One fact per key: the strongest statement wins; at equal strength a stated "no" wins; then the plainest
    and shortest evidence ("We offer IV infusions" over "Boosters are billed at our single-infusion rate")."""
    best: dict[str, Fact] = {}
    for fact in candidates:
        current = best.get(fact.key)
        if current is None or _rank(fact) > _rank(current):
            best[fact.key] = fact
    return sorted(best.values(), key=lambda f: f.key)


def _rank(fact: Fact) -> tuple[int, int, int, int]:
    return (fact.strength, 0 if fact.value else 1, 1 if EXPLICIT_OFFER.search(fact.evidence) else 0,
            -len(fact.evidence))
