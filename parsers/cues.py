"""Reading a sentence for its stance: offered, not offered, merely mentioned, or ruled out.

Keyword matching gets clinic pages wrong in both directions; these cues are the shared judgement the
route, condition and payment extractors use, so "we do not offer IV" and "studies show ketamine may help
OCD" are read the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from parsers.document import Block, Document, split_sentences
from parsers.gate import literal_gate, required_words, sum_bits, top_level_branches, words_in
from parsers.page_cache import forget_page_answers, per_page

GATED = True  # tests turn the cues' own gates off to show they change no fact
_UNSEEN = object()
_ALL_CUES: list[Cue | LowerCaseCues] = []


class Cue:
    """A case-blind pattern (``re.I``) that is searched only in texts holding one of the words every match needs.

    The words come from the pattern itself (``parsers.gate.required_words``) and are answered by the page's one scan
    of each text, so a cue costs nothing on the many clauses that cannot match it. The search itself is the pattern's
    own, on the text as it is: matches, positions and groups are exactly ``re``'s."""

    def __init__(self, *patterns: str) -> None:
        self.regex = re.compile("|".join(f"(?:{p})" for p in patterns), re.I)
        self.pattern = self.regex.pattern
        words = required_words(_lower_letters(self.pattern))
        self.gate = literal_gate(words) if words else None
        self.bit = self.gate.bit if self.gate else -1  # every bit: no word to turn a text away by
        self._seen: dict = {}  # text -> its first match; ("split", text) -> its pieces
        _ALL_CUES.append(self)

    def may_match(self, text: str) -> bool:
        return not GATED or bool(words_in(text) & self.bit)

    def search(self, text: str):
        """The first match; a text's answer is kept for the page (routes, services and conditions ask the same
        clause)."""
        known = self._seen.get(text, _UNSEEN)
        if known is _UNSEEN:
            known = self._seen[text] = self.regex.search(text) if not GATED or words_in(text) & self.bit else None
        return known

    def match(self, text: str):
        return self.regex.match(text) if self.may_match(text) else None

    def finditer(self, text: str):
        return self.regex.finditer(text) if self.may_match(text) else iter(())

    def sub(self, replacement, text: str) -> str:
        return self.regex.sub(replacement, text) if self.may_match(text) else text

    def split(self, text: str) -> list[str]:
        """The text cut at each match; kept for the page like a search (a sentence is cut into clauses by the
        routes, payment and conditions readers alike). The list is shared: not to be changed."""
        known = self._seen.get(("split", text))
        if known is None:
            known = self._seen[("split", text)] = self.regex.split(text) if self.may_match(text) else [text]
        return known


def rx(*patterns: str) -> Cue:
    return Cue(*patterns)


class LowerCaseCues:
    """Case-blind word cues searched in lower-cased text: the same matches as ``rx``, three times faster on long
    alternations (Python's re folds case at every step). A cue with a case-sensitive part (``(?-i:\\bNP\\b)``)
    is searched apart, in the text as it is."""

    def __init__(self, *patterns: str) -> None:
        branches = [branch for p in patterns for branch in top_level_branches(p)]
        blind = [p for p in branches if "(?-i:" not in p]
        cased = [p for p in branches if "(?-i:" in p]
        self.pattern = "|".join(f"(?:{p})" for p in patterns)  # the source, as re.Pattern.pattern gives it
        lowered = [_lower_letters(p) for p in blind]
        self.blind = re.compile("|".join(f"(?:{p})" for p in lowered)) if blind else None
        words = [required_words(p) for p in lowered]
        # The words every match holds (parsers/gate.py), one scan for all cues, say "no" to most texts at a fraction of
        # the cost of the whole alternation; None when some branch does not begin with a word.
        self.gate = literal_gate(w for found in words for w in found) if blind and None not in words else None
        self.bit = self.gate.bit if self.gate else -1
        self.cased = rx(*cased) if cased else None
        self._seen: dict[str, re.Match | None] = {}
        _ALL_CUES.append(self)

    def search(self, text: str):
        """The first match. Within one page the answer for a text is kept: routes, services and conditions ask the
        same cue of the same clause (``forget_page`` empties it, so no page is read faster for the one before)."""
        known = self._seen.get(text, _UNSEEN)
        if known is _UNSEEN:
            blind = self.blind and (not GATED or words_in(text) & self.bit) and self.blind.search(text.lower())
            known = blind or (self.cased and self.cased.search(text)) or None
            self._seen[text] = known
        return known

    def finditer(self, text: str):
        """Every match, for its positions in the text (a match's groups are lower-cased)."""
        if GATED and not self.cased and not words_in(text) & self.bit:
            return iter(())
        lowered = text.lower()
        if self.cased or len(lowered) != len(text):  # a letter whose lower case is longer ("İ") moves positions
            return re.compile(self.pattern, re.I).finditer(text)
        return self.blind.finditer(lowered)


def forget_page() -> None:
    """Empty every cue's answers, and every per_page cache: called before each page."""
    for cue in _ALL_CUES:
        if cue._seen:  # most of the several hundred cues were not asked on a given page
            cue._seen.clear()
    forget_page_answers()


def _lower_letters(pattern: str) -> str:
    """A pattern's letters lower-cased, its escapes (\\S, \\W, \\B, \\D) kept as they are."""
    return re.sub(r"\\.|[A-Z]", lambda m: m.group(0) if m.group(0).startswith("\\") else m.group(0).lower(), pattern)


def lower_rx(*patterns: str) -> LowerCaseCues:
    return LowerCaseCues(*patterns)


class AnyCue:
    """Whether any of several cues matches a text, each searched on its own (with its own gate and page cache).

    One alternation of every cue's branches ("is this sentence about payment at all?", "could it state a care
    fact?") is tried by Python's re at every position of the text, branch after branch: 20 to 100 microseconds a
    sentence, when the page's one scan of the text already says which cues' words it holds. Only those cues are
    searched (and those without a gate); the answer is a match of some cue, not necessarily the leftmost: for
    yes-or-no questions."""

    def __init__(self, *cues) -> None:
        self.cues = cues
        # a case-kept part of a cue has no gate: such a cue is always searched
        self.ungated = [cue for cue in cues if cue.gate is None or getattr(cue, "cased", None)]
        gated = [cue for cue in cues if cue not in self.ungated]
        self.bits = sum_bits(cue.gate.bit for cue in gated)
        self.by_bit = {cue.gate.bit.bit_length() - 1: cue for cue in gated}

    def search(self, text: str):
        if not GATED:
            return next((found for cue in self.cues if (found := cue.search(text))), None)
        held = words_in(text) & self.bits
        while held:  # each cue whose words the text holds, lowest bit (first made) first
            lowest = held & -held
            found = self.by_bit[lowest.bit_length() - 1].search(text)
            if found:
                return found
            held ^= lowest
        for cue in self.ungated:
            found = cue.search(text)
            if found:
                return found
        return None


def any_rx(*patterns: str) -> AnyCue:
    """Case-blind patterns for a yes-or-no question: each top-level branch a cue of its own, with its own gate."""
    return AnyCue(*(rx(branch) if "(?-i:" in branch else lower_rx(branch)  # a case-kept part: searched as it is
                    for pattern in patterns for branch in top_level_branches(pattern)))


NEGATION = lower_rx(
    r"\b(?:do|does|did|can|could|will|are|is)\s*(?:not|n['’]t)\b",
    r"\b(?:don['’]t|doesn['’]t|isn['’]t|aren['’]t|won['’]t|can['’]t|cannot)\b",
    r"\bno longer\b",
    r"\bnot (?:currently |yet )?(?:offer|provide|available|covered|accept|in[- ]network|administer|bill)",
    r"\b(?:never|nor)\b",
    r"\bunable to\b",
    r"\bnot\b",
    r"^no\b",
)
NOT_A_NEGATION = re.compile(r"\b(?:not only|not just|no matter|whether or not|not sure|if not|no-show|not everyone)\b",
                            re.I)
# ", however," inside a clause does not end it; "; however" does (at the semicolon).
# ", and" starts a new clause only when a subject or a verb follows ("..., and we do not bill insurance");
# before a last list item (", and anxiety") it does not, so the item keeps the list's verb.
NEW_CLAUSE_AFTER_AND = (r"(?=\s+(?:we|our|I|you|they|it|this|that|these|those|he|she|insurance|most|many|some|all|"
                        r"no|not|there|ketamine|spravato|esketamine|IV|IM|infusions|injections|(?:\w+\s+){0,3}(?:is|are|was|were|do|does|can|"
                        r"will|may|isn['’]t|aren['’]t|doesn['’]t|don['’]t|cannot|can['’]t|won['’]t))\b)")
# "..., so you do not have to travel": the negation belongs to the clause after "so".
CLAUSE_BREAK = rx(rf"\s*(?:;|\bbut\b|\bwhereas\b|\bwhile\b|\balthough\b|\bthough\b|, and\b{NEW_CLAUSE_AFTER_AND}|"
                  r", so\b(?=\s+(?:you|we|they|there|it|everything|this|that|our|all)\b)|"
                  r"—| - )\s*")
# A solo practitioner speaks as "I": counted when a verb of care follows, so a testimonial's "I felt" is not.
SOLO_VOICE = (r"(?-i:\bI\b)(?:['’]m| am| also| now| currently)? (?:\w+ )?(?:offer|provide|administer|treat|prescribe|"
              r"work with|see|use|specialize|give|don['’]t|do not|can['’]t|cannot)\b")
OFFER = any_rx(
    r"\bwe(?:['’]re| are| have| also| now| proudly| currently)?\s+(?:\w+\s+){0,2}?"
    r"(?:offer|provide|administer|use|specialize|deliver|perform|treat|prescribe|give|bring|focus|help)",
    r"\bour\b", SOLO_VOICE,
    r"\bwe['’]?(?:re| are) (?:a |an |the )?(?:certified|proud|one of|able|happy|pleased|trained)",
    r"\bwe['’]?(?:re| are) (?:an? |the )(?:[\w-]+ ){0,3}(?:clinic|center|centre|practice|provider|team|program)\b",
    r"\b(?:offered|available|provided|administered) (?:here|at (?:our|the) (?:clinic|office|center|practice))",
    r"\bat (?:our|the) (?:clinic|office|center|centre|practice)\b",
    r"\b(?:schedule|book|start|begin) (?:your|a|an)\b",
    r"\byour (?:first |initial )?(?:infusion|session|treatment|injection|appointment|dose)",
    r"\bpatients (?:receive|will|can (?:choose|expect|receive))",
    r"\bwe(?:['’]ll| will)\b",
    r"\bus\b",
    r"\b(?:this|the) (?:clinic|practice|center|centre|office)\b",
    r"\byour (?:psychiatrist|clinician|provider|prescriber|doctor|physician|nurse|therapist|prescription|care team)\b",
    r"\byou(?:['’]ll| will)? (?:take|receive|get|start)\b",
    r"^(?:the|our) (?:[A-Z][\w-]*\s){1,5}(?:provides|offers|administers|prescribes)\b",
    r"(?:^|, )(?:Dr\.?|Doctor) [A-Z][a-z]+ (?:\w+ ){0,2}(?:provides|offers|administers|prescribes|gives|uses|"
    r"(?:may|can|will) (?:prescribe|recommend|offer))\b",
)
# How a clinic's page describes its own treatment without "we": the passive, the patient's visit, the session
# itself ("each infusion is given through an IV line", "treatment is an intramuscular shot given in the office",
# "after the injection you will be monitored in the facility", "At Coastline Renewal, ...").
PROCEDURE = any_rx(
    r"\b(?:is|are) (?:\w+ )?(?:given|administered|delivered|infused|injected|placed|dosed|performed|started|done|"
    r"prescribed|dispensed|shipped|mailed|taken|self-administered) (?:[\w-]+ ){0,6}?(?:in|at|on|by|under|through|"
    r"via|over|during|while|with|to you|to your)\b",
    r"\b(?:are|is) seen (?:here )?for\b",
    r"\b(?:patients|clients|veterans|adults|people|you) (?:\w+ )?(?:can|may|will) (?:also )?(?:receive|get|choose|opt for|"
    r"continue with|start with)\b",
    r"\b(?:in|at) (?:the|our|this) (?:office|clinic|center|centre|facility|suite|treatment room)\b",
    r"\bin[- ](?:office|clinic)\b", r"\bon[- ]site\b",
    r"\b(?:each|every|the|a typical) (?:ketamine |IV |IM )?(?:infusion|injection|session|treatment|appointment|visit)s? "
    r"(?:\w+ )?(?:is|are|lasts?|takes?|runs?|involves?|begins?|starts?)\b",
    r"\b(?:most|many|all) (?:of )?(?:our )?(?:patients|clients) (?:\w+ )?(?:receive|get|choose|start|begin|prefer|are)\b",
    r"\b(?:patients|clients) (?:sit|recline|relax|rest|are monitored|are given|receive|get|return|come|continue with|"
    r"use|take|start with)\b",
    r"\byou(?:['’]ll| will)? (?:be monitored|be given|receive|relax|recline|sit|rest|return|come in|arrive|"
    r"self-administer)\b",
    r"\b(?:after|before|during) (?:the|your|each) (?:infusion|injection|session|treatment|dose)\b",
    r"^(?-i:At (?!home\b|least\b|times\b|first\b|this\b|that\b|night\b|low\b|higher\b|lower\b)[A-Z][\w'’&.-]*"
    r"(?: [A-Z&][\w'’&.-]*){0,5}),",  # the clinic's name, capitalised: "At Coastline Renewal, ..."
    r"\b(?:shipped|mailed|delivered) (?:directly )?to (?:you|your (?:door|home))\b",
    r"\b(?:ships?|mails?|sends?|delivers?) (?:[\w-]+ ){0,3}(?:tablets|troches|lozenges|RDTs|medication|medicine|kit)\b",
    r"\b(?:she|he|they) (?:\w+ ){0,6}(?:gives|administers|prescribes|doses|injects|infuses)\b",
    r"\b(?:gives|administers|delivers|doses|injects|infuses) (?:the |your )?(?:ketamine|medicine|medication|dose)\b",
    r"\byour (?:medicine|medication|prescription|troches|lozenges|tablets|kit)\b",
)
SOFT_GENERAL = rx(r"\b(?:in general|generally|typically|usually)\b")  # hedges a clinic uses of itself too

# The plainest way a page says it offers something: preferred as evidence when several sentences agree.
EXPLICIT_OFFER = rx(r"\bwe (?:\w+ )?(?:offer|provide|administer|specialize in|are (?:a )?certified)\b",
                    r"\bour (?:\w+ ){0,2}(?:infusions?|injections?|treatments?|programs?|services?)\b")
GENERAL = any_rx(
    r"\b(?:can|could|may|might) be (?:given|administered|delivered|taken|used|prescribed|offered)",
    r"\bstud(?:y|ies)\b", r"\bresearch(?:ers)?\b", r"\btrials?\b", r"\bevidence\b",
    r"\bFDA[- ]approv", r"\bapproved by the FDA\b",
    r"\bhas (?:shown|been shown|demonstrated|garnered|gained)\b",
    r"\bshown promise\b", r"\bpromising\b",
    r"\b(?:is|are) being (?:explored|studied|investigated|researched)\b",
    r"\bforms? of ketamine\b", r"\broutes? of administration\b", r"\bways? (?:to|of) (?:take|administer|give|receive)",
    r"\bcompared (?:to|with)\b", r"\bversus\b", r"\bvs\.?\b", r"\bunlike\b",
    r"\bother (?:clinics|providers|practices)\b",
    r"\bhistor(?:y|ically)\b", r"\boriginally\b", r"\bwas (?:developed|first)\b",
    r"\bsome (?:clinics|providers|practices|clinicians|doctors|physicians)\b", r"\bmany (?:clinics|providers)\b",
    r"\bwidely used\b", r"\bin (?:some|many|other) countries\b",
    r"\blist of\b", r"\brefer(?:ral)? (?:you|patients)\b", r"\bsomewhere else\b", r"\belsewhere\b",
    r"\b(?:several|many|some|most|other|national|online) (?:\w+ )?(?:companies|clinics|providers|practices|"
    r"centers|centres)\b", r"\bacross the (?:country|nation|US|state|region)\b", r"\bnationally\b",
    r"\b(?:had |have |has )?tried (?:an? |the |other )?(?:\w+ )?(?:clinics?|infusions?|treatments?)\b",
    r"\bspent \w+ years\b", r"\bbefore (?:founding|opening|joining|starting (?:this|our|the) (?:practice|clinic))\b",
        r"\b(?:clinics|centers|centres|providers) (?:in|near|across)\b",
    r"\b(?:in general|generally|typically|usually)\b",
    # Other clinics of a kind: "For comparison, IV clinics often charge $500".
    r"\bfor comparison\b", r"(?<!run )(?<!operate )\b(?:IV|infusion) (?:clinics|centers|centres)\b",
    r"\b(?:IV|infusion|IM|ketamine|spravato|telehealth) (?:clinics|centers|centres|practices|"
    r"providers|companies) (?:often|typically|usually|generally|commonly|tend to|may|can|charge|require|use)\b",
)
RESEARCH = any_rx(
    r"\bstud(?:y|ies|ied)\b", r"\bpapers?\b", r"\bco-?authored\b", r"\bpublished\b", r"\bresearch(?:ers)?\b",
    r"\b(?:clinical|controlled|randomi[sz]ed) trials?\b",
    r"\bevidence\b",
    r"\b(?:has|have) (?:shown|been shown|demonstrated|garnered)\b", r"\bshown promise\b", r"\bpromis(?:e|ing)\b",
    r"\b(?:is|are) being (?:explored|studied|investigated|researched)\b", r"\binvestigat",
    r"\bmay (?:help|benefit|reduce|improve|be (?:effective|helpful|beneficial))\b",
    r"\bmight\b", r"\bpotential(?:ly)?\b", r"\bsuggests?\b", r"\bemerging\b", r"\bscientists\b",
    r"\bmost (?:well-)?known\b", r"\bwell[- ]known (?:applications?|uses?)\b",
    r"\b(?:is|are) (?:a |an )?(?:complex|common|debilitating|challenging) (?:condition|disorder|illness)",
    r"\bcharacteri[sz]ed by\b", r"\bdefinition\b", r"\bdefined as\b",
)
CONTRAINDICATION = any_rx(
    r"\bnot (?:a )?(?:good |suitable |appropriate |ideal )?candidates?\b",
    r"\bnot (?:be )?(?:eligible|suitable|appropriate)\b",
    r"\bcontraindicat", r"\bexclu(?:de|sion)", r"\bshould not (?:receive|have|undergo)\b",
    r"\buncontrolled\b", r"\bactive (?:psychosis|mania)\b", r"\bhistory of (?:psychosis|mania|schizophrenia)\b",
    r"\bsafe for (?:everyone|all)\b", r"\bif you have\b.*\bnot\b",
)
EXCLUSIVE = any_rx(r"\b(?:exclusively|solely)\b", r"\bonly (?:offer|provide|use|administer)\b",
               r"\b(?:given|administered|delivered|offered|provided) only\b", r"\bonly (?:by|via|through|as) (?:an? )?\w",
               r"\bthe only (?:way|route|form|method) (?:we|our|ketamine)\b",
               r"\bevery (?:ketamine )?(?:treatment|session|dose) (?:at|here|we|in our)\b",
               r"\b(?:is|are) the only (?:[\w-]+ ){0,4}(?:we|I) (?:offer|provide|use|give|administer|prescribe)\b",
               r"\bwe only\b", r"\b(?:IV|infusions?|Spravato|injections?|lozenges|troches)[- ]only\b")
NAMES_KETAMINE = rx(r"\b(?:es)?ketamine\b", r"\bspravato\b")  # the medicine named, whatever the route
FIRST_PERSON = rx(r"\b(?:we|our|us)\b", SOLO_VOICE)
OFFERING_HEADING = any_rx(
    r"\b(?:our|we)\b", r"\bservices?\b", r"\btreatments?\b", r"\btherap(?:y|ies)\b", r"\bprograms?\b",
    r"\bwhat we (?:offer|treat|do)\b", r"\bofferings?\b", r"\bconditions\b", r"\bpricing\b", r"\bcosts?\b",
)
EDUCATION_HEADING = any_rx(
    r"\bwhat is\b", r"\bhow does\b", r"\bhistory\b", r"\bresearch\b", r"\bstudies\b", r"\bscience\b",
    r"\bunderstanding\b", r"\bexploring\b", r"\bpotential\b", r"\bmechanism\b", r"\bvs\.?\b", r"\bversus\b",
    r"\bdifference", r"\bblog\b", r"\bnews\b", r"\bwhy\b", r"\brise of\b", r"\bdefinition\b", r"\boverview\b",
    r"\bapplications?\b", r"\bconsiderations\b", r"\bside effects\b", r"\bsafety\b",
    r"\bcan be (?:given|taken|used|administered|delivered)\b", r"\b(?:ways|forms|types|routes) (?:of|to|ketamine)\b",
)


# A section that sets the clinic beside others: its rows name routes and prices of other kinds of clinic.
COMPARISON_SECTION = rx(r"\bcompar", r"\bvs\.?\b", r"\bversus\b",
                        r"\bhow (?:we|it|this|at-home|our \w+) (?:stacks?|differs?)", r"\b(?:differs?|different) from\b",
                        r"\bother (?:options|treatments|clinics|providers)\b", r"\balternatives?\b", r"\bdifferences?\b")


YES_ANSWER = re.compile(r"^\s*(?:for [^,.]{1,40}, )?(?:yes|absolutely|certainly|of course|we do\b(?! not))\b", re.I)
NO_ANSWER = re.compile(r"^\s*(?:no|not at this time|we do not|we don['’]t)\b(?!-show)", re.I)


ANSWER_MARK = re.compile(r"^\s*(?:A|Answer)\s*[:.)-]\s*", re.I)


def answer_value(sentence: Sentence) -> bool | None:
    """True or False when an FAQ answer opens with yes or no to its question ("A: No."); None otherwise."""
    if not sentence.question:
        return None
    text = ANSWER_MARK.sub("", sentence.text)
    if NO_ANSWER.search(text):
        return False
    if YES_ANSWER.search(text):
        return True
    return None


@dataclass(slots=True)
class Sentence:
    """A sentence with what frames it: its block kind, the heading above it and, for FAQ answers, the question."""

    text: str
    kind: str  # heading, paragraph, item, row, question, answer, menu
    heading: str = ""
    question: str = ""
    section: str = ""  # all headings above it, outermost first
    self_ref: bool = False  # the sentence names the clinic itself ("Alamo Ketamine is an IV-only clinic")
    lead_in: str = ""  # for a list item, the sentence that introduced the list ("Adults living with")

    @property
    def framed(self) -> str:
        """The sentence with its FAQ question in front, so "Yes, most plans do" keeps its subject."""
        return f"{self.question} {self.text}" if self.question else self.text


def sentences_of(doc: Document, self_names: re.Pattern | None = None) -> Iterator[Sentence]:
    """Every sentence of the main content, with FAQ answers tied to their questions.

    ``self_names`` matches the clinic's own name, so "Alamo Ketamine offers..." reads like "we offer...".
    """
    question = ""
    names = self_names.search if self_names else (lambda _: None)
    for block in doc.blocks:
        if block.kind == "question":
            question = block.text
            yield Sentence(block.text, "question", block.heading, section=block.section)
            continue
        if block.kind == "heading":
            question = block.text if block.text.endswith("?") else ""
            yield Sentence(block.text, "heading", _parent_heading(doc, block), section=block.section,
                           self_ref=bool(names(block.text)))
            continue
        for i, text in enumerate(split_sentences(block.text) if block.kind != "row" else [block.text]):
            frame = question if (question and i == 0) else ""
            yield Sentence(text, block.kind if not frame else "answer", block.heading, frame, section=block.section,
                           self_ref=bool(names(text)), lead_in=block.lead_in)
        question = ""


def _parent_heading(doc: Document, block: Block) -> str:
    return block.heading if block.heading != block.text else ""


def clause_around(text: str, start: int, end: int) -> str:
    """The clause of a sentence that holds the span, split at "but", ";", "however" and the like."""
    for lo, hi in _clauses_of(text):
        if lo <= start < hi or (lo < end <= hi):
            return text[lo:hi]
    return text


@lru_cache(maxsize=256)
def _clauses_of(text: str) -> tuple[tuple[int, int], ...]:
    """The (start, end) of each clause, found once per sentence: a sentence is asked about each term and amount
    it holds, and finding its breaks every time made a page of repeated amounts quadratic."""
    bounds = [0]
    for m in CLAUSE_BREAK.finditer(text):
        bounds.append(m.start())
        bounds.append(m.end())
    bounds.append(len(text))
    return tuple(zip(bounds[0::2], bounds[1::2], strict=False))


@per_page
def is_negated(clause: str) -> bool:
    return bool(NEGATION.search(NOT_A_NEGATION.sub(" ", clause)))


def is_heading_offer(sentence: Sentence) -> bool:
    """A short heading or list item in a section about the clinic's own services."""
    words = len(sentence.text.split())
    if sentence.kind == "heading":
        parents = sentence.section.rsplit(" > ", 1)[0] if " > " in sentence.section else ""
        return words <= 8 and not sentence.text.endswith("?") and not EDUCATION_HEADING.search(sentence.text) \
            and not EDUCATION_HEADING.search(parents)  # "Intramuscular (IM) injection" under "How ketamine can be given"
    if sentence.kind in ("item", "row"):
        return (
            words <= 10
            and not sentence.text.rstrip().endswith(".")
            and bool(OFFERING_HEADING.search(sentence.heading))
            and not EDUCATION_HEADING.search(sentence.heading)
        )
    return False
