"""A cheap first look at a text: does it hold any of the words a family of patterns needs?

Most sentences of a page name no route, condition, payment or care word, and each family's full patterns cost
far more than telling so. Every family registers the words one of which each of its matches must hold (a
``WordGate``; ``required_words`` reads them from the patterns). All the families' words form one Aho-Corasick
automaton, and one pass over a text (``words_in``) answers every gate at once: before, each gate read the text on
its own with Python's re, about 75 ns a character each; the automaton reads all of them at about a tenth of that.
A text's answer is kept for the page being read (``parsers/page_cache.py``). Extractors ask the gate first and run
their full patterns only on the texts it lets through; the tests check that the facts found are the same with the
gates open.
"""

from __future__ import annotations

import re
import re._constants as _c
import re._parser as _sre_parser
from collections.abc import Iterable

import ahocorasick

from parsers.page_cache import per_page

_GATES: list[WordGate] = []
_SCANNER: _Scanner | None = None


class WordGate:
    """Whether a text, lower-cased, holds one of a family's words: anywhere ("depress" in "depressive"), or at a word's
    edge where the word is written with ``\\b`` ("\\biv\\b", "\\bcover" for "coverage" but not "recovery")."""

    def __init__(self, words: Iterable[str]) -> None:
        global _SCANNER
        self.words = tuple(dict.fromkeys(words))
        self.bit = 1 << len(_GATES)
        _GATES.append(self)
        _SCANNER = None  # the next scan builds the trie with this gate's words too,
        words_in.cache_clear()  # and no answer kept from before can lack this gate's bit

    def search(self, text: str) -> bool:
        return bool(words_in(text) & self.bit)


def literal_gate(words: Iterable[str]) -> WordGate:
    return WordGate(words)


def word_trie(words: Iterable[str]) -> re.Pattern:
    """One pattern for a gate asked of texts no other gate reads (its own scan is cheaper than the shared one)."""
    return re.compile(_branch(_trie_of(words)))


@per_page
def words_in(text: str) -> int:
    """The gates (a bit each) whose words the text holds, from one scan of it lower-cased."""
    global _SCANNER
    if _SCANNER is None:
        _SCANNER = _Scanner(_GATES)
    return _SCANNER.scan(text.lower())


class _Scanner:
    """Every gate's words in one Aho-Corasick automaton (pyahocorasick, in C): one pass over a text reports every
    occurrence of every word, overlapping ones too ("es-ketamine" holds "ketamine"). A word written with ``\\b``
    counts only where the text has a word's edge there."""

    def __init__(self, gates: list[WordGate]) -> None:
        entries: dict[str, list[tuple[int, bool, bool]]] = {}
        for gate in gates:
            for word in gate.words:
                start, end = word.startswith("\\b"), word.endswith("\\b")
                literal = word[2 if start else 0:len(word) - 2 if end else len(word)]
                entries.setdefault(literal, []).append((gate.bit, start, end))
        self.automaton = ahocorasick.Automaton()
        for literal, uses in entries.items():
            free = sum_bits(bit for bit, start, end in uses if not start and not end)
            edged = tuple((bit, start, end) for bit, start, end in uses if start or end)
            self.automaton.add_word(literal, (len(literal), free, edged))
        if entries:
            self.automaton.make_automaton()

    def scan(self, text: str) -> int:
        if self.automaton.kind != ahocorasick.AHOCORASICK:
            return 0  # no gate has a word
        found = 0
        for last, (length, free, edged) in self.automaton.iter(text):
            found |= free
            for bit, start, end in edged:
                at = last + 1 - length
                if (not start or at == 0 or not _is_word_char(text[at - 1])) and \
                        (not end or last + 1 == len(text) or not _is_word_char(text[last + 1])):
                    found |= bit
        return found


def sum_bits(bits: Iterable[int]) -> int:
    total = 0
    for bit in bits:
        total |= bit
    return total


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what re's \b takes for a word character


def _trie_of(words: Iterable[str]) -> dict:
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return trie


def _branch(node: dict) -> str:
    ends_here = "" in node
    alternatives = [re.escape(char) + _branch(child) for char, child in sorted(node.items()) if char]
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
    return f"(?:{body})?" if ends_here else body


def required_words(pattern: str) -> list[str] | None:
    """Literal words one of which every match of a (lower-case) pattern contains, or None when the pattern does not
    say (a branch of classes and wildcards only). Each branch gives its rarest-looking requirement, the longest:
    "\\b(?:can|may) be (?:given|taken)" gives ["given", "taken"], "\\btrials?\\b" gives ["trial"].

    Read from the tree Python's own ``re`` parses a pattern into, so groups, classes and repeats are taken as re
    takes them."""
    try:
        tree = _sre_parser.parse(pattern)
    except re.error:
        return None
    found = _required_in(list(tree))
    return sorted(found) if found else None


def _required_in(items: list) -> set[str] | None:
    """The best requirement of a sequence: a run of literal characters (a small class, like ['’], spelt out), or
    what a group every match passes through requires."""
    candidates: list[set[str]] = []
    run = {""}
    for op, arg in items:
        if op is _c.LITERAL:
            run = {text + chr(arg) for text in run}
            continue
        letters = [chr(a) for o, a in arg if o is _c.LITERAL] if op is _c.IN else []
        if op is _c.IN and letters and len(letters) == len(arg) and len(run) * len(letters) <= MAX_SPELLINGS:
            run = {text + letter for text in run for letter in letters}
            continue
        if all(text.strip() for text in run):
            candidates.append(run)
        before, run = run, {""}
        if op is _c.SUBPATTERN:
            inner = _required_in(list(arg[-1]))
        elif op is _c.BRANCH:
            branches = [_required_in(list(branch)) for branch in arg[1]]
            inner = None if None in branches else set().union(*branches)
            if all(text.strip() for text in before):  # re takes "clinics|centers" as "c" then "linics|enters"
                candidates.append({text + start for text in before for branch in arg[1]
                                   for start in _leading_spellings(list(branch))})
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
            inner = _required_in(list(arg[2]))
        else:
            inner = None  # a class, a wildcard, an anchor, a lookaround or an optional part: nothing required
        if inner:
            candidates.append(inner)
    if all(text.strip() for text in run):
        candidates.append(run)
    return max(candidates, key=_rarity, default=None)


MAX_SPELLINGS = 16  # "don['’]t" is two words to look for; a class of letters is no word at all
# Words too common to turn a text away, whatever their length: a requirement made of them is taken last.
COMMON_WORDS = {
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "is", "are", "am",
    "be", "was", "were", "do", "does", "did", "can", "will", "may", "we", "our", "us", "you", "your", "it", "its",
    "this", "that", "not", "no", "have", "has", "had", "use", "see", "get", "all", "more", "one", "if", "so", "but",
}


def _leading_spellings(items: list) -> set[str]:
    """The ways a sequence can begin, spelt out as far as its literals and small classes go."""
    run = {""}
    for op, arg in items:
        letters = [chr(arg)] if op is _c.LITERAL else [chr(a) for o, a in arg if o is _c.LITERAL] if op is _c.IN else []
        if not letters or (op is _c.IN and len(letters) != len(arg)) or len(run) * len(letters) > MAX_SPELLINGS:
            break
        run = {text + letter for text in run for letter in letters}
    return run


def _rarity(words: set[str]) -> tuple[float, int]:
    """Longer words are rarer in text, and fewer of them are asked less often; a common word is the least rare."""
    return min(len(word.strip()) / (2 if word.strip() in COMMON_WORDS else 1) for word in words), -len(words)


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
