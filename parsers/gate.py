"""A cheap first look at a sentence: does it hold any of the words a family of patterns needs?

Python's ``re`` tries every branch of a long alternation at every position; the same words arranged as a
trie (``p(?:atient|ain|sychiatr)``) are pruned after one character, several times faster. Extractors
ask the gate first and run their full patterns only on the sentences it lets through; the tests check that
the facts found are the same with the gate open.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def literal_gate(words: Iterable[str], patterns: Iterable[str] = ()) -> re.Pattern:
    """A pattern for lower-cased text matching any of the words (as substrings) or the extra patterns."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return re.compile("|".join([_branch(trie), *patterns]))


def _branch(node: dict) -> str:
    ends_here = "" in node
    alternatives = [re.escape(char) + _branch(child) for char, child in sorted(node.items()) if char]
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
    return f"(?:{body})?" if ends_here else body


_META = set("\\()[]{}?*+|.^$")


def first_words(pattern: str) -> list[str] | None:
    """The literal words one of which every match of a (lower-case) pattern begins with, or None when the pattern
    does not say (a class, a wildcard or an anchor first). Each branch of an alternation, and what follows an
    optional group, contributes its own: "\\b(?:had |have )?tried" gives ["had", "have", "tried"]."""
    p = pattern
    while True:
        if p.startswith("(?:") and _closing(p) == len(p) - 1:
            return _words_of_branches(p[3:-1])
        lookbehind = re.match(r"\(\?<[!=][^)]*\)", p)
        if lookbehind:
            p = p[lookbehind.end():]
        elif p.startswith("\\b"):
            p = p[2:]
        elif p.startswith("^"):
            p = p[1:]  # an anchor consumes nothing
        else:
            break
    if p.startswith("("):
        end = _closing(p)
        inner = p[3:end] if p.startswith("(?:") else p[1:end]
        if inner.startswith("?"):
            return None  # a lookahead or a flag group first
        words = _words_of_branches(inner)
        if words is not None and p[end + 1:end + 2] == "?":
            rest = first_words(p[end + 2:])
            return None if rest is None else words + rest
        return words
    literal = ""
    for char in p:
        if char in _META:
            break
        literal += char
    if p[len(literal):len(literal) + 1] in ("?", "*", "{"):
        literal = literal[:-1]  # "trials?": the last letter may be absent
    literal = literal.rstrip()
    return [literal] if len(literal) >= 2 else None


def _words_of_branches(alternation: str) -> list[str] | None:
    words: list[str] = []
    for branch in top_level_branches(alternation):
        found = first_words(branch)
        if found is None:
            return None
        words += found
    return words


def _structure(pattern: str):
    """(index, character, depth before it) for each character that shapes the pattern: parentheses and bars that
    are neither escaped nor inside a character class."""
    depth, escaped, in_class = 0, False, False
    for i, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()|":
            yield i, char, depth
            depth += {"(": 1, ")": -1, "|": 0}[char]


def top_level_branches(pattern: str) -> list[str]:
    """A pattern's top-level alternatives: "(?:a)|(?:(?-i:NP))" -> ["(?:a)", "(?:(?-i:NP))"]."""
    cuts = [i for i, char, depth in _structure(pattern) if char == "|" and depth == 0]
    bounds = [-1, *cuts, len(pattern)]
    return [pattern[a + 1:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _closing(pattern: str) -> int:
    """Where the group that opens the pattern closes."""
    return next((i for i, char, depth in _structure(pattern) if char == ")" and depth == 1), len(pattern) - 1)
