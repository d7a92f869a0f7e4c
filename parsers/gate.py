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
