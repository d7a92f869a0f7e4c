"""What a patient checks before calling: who treats, Spravato certification, access, languages, hours.

Each yes/no fact is true, false or unknown with the sentence that settles it, read with the same cues as
routes and payment (``parsers.cues``): "we are not accepting new patients at this time" is False, "Spravato
is only available at certified treatment centers" (education) says nothing about this clinic. What cannot
be mapped (a state abbreviation that is no state, hours that do not parse, a credential the vocabulary
lacks) is kept as text in ``unmapped``, never guessed into a structured value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from parsers.cues import (
    FIRST_PERSON,
    GENERAL,
    RESEARCH,
    Sentence,
    answer_value,
    any_rx,
    clause_around,
    is_negated,
    rx,
)
from parsers.document import split_sentences
from parsers.facts import Care
from parsers.hours import hours_from_jsonld, normalise_hours
from parsers.kinds import flags
from parsers.vocab import DISCIPLINES, LANGUAGES, STATE_CODES, STATE_NAMES

# key -> (says yes, says no outright), from each care kind's patterns. A "yes" inside a negated clause is a no.
TRI_STATE: dict[str, tuple[re.Pattern, re.Pattern | None]] = {
    kind.key: (rx(*kind.says_yes), rx(*kind.says_no) if kind.says_no else None) for kind in flags("care")}
# "We see patients by appointment only and cannot accommodate walk-ins", "for adults whose depression has not
# lifted": a negation after "and", "who" or "whose" is about something else than the care fact.
OWN_CLAUSE_ENDS = re.compile(r"\s+and\s+(?=(?:we\s+)?(?:cannot|can['’]t|do not|don['’]t|will not|won['’]t)\b)|"
                             r"\s+(?:who|whose)\s+", re.I)
# A sentence about what clinics in general do, or about a treatment's rules, says nothing about this one.
EDUCATION = rx(r"\bonly (?:be )?(?:available|administered|given|dispensed|offered)\b", r"\brestricted\b",
               r"\bmust be (?:administered|given|monitored)\b", r"\bfind (?:a|out)\b", r"\bthe FDA\b",
               r"\bsome (?:clinics|providers)\b", r"\bmany (?:clinics|providers)\b", r"\bask\b", r"\bshould\b",
               r"\bwhat is\b", r"\bmake sure\b", r"\blook for\b", r"\brefer (?:you|patients|them)\b")
# "We are happy to refer you to a REMS-certified practice": what another clinic is, not this one.
REFERRED_AWAY = rx(r"\brefer (?:you|patients|them) (?:\w+ ){0,3}to\b", r"\bhappy to refer\b")
HISTORY = rx(r"\bfor (?:over |more than )?\d+ years\b", r"\bdecades\b", r"\bsince the (?:19|20)\d0s\b",
             r"\bhas been used\b", r"\bwas (?:developed|first|originally)\b", r"\boriginally\b", r"\bhistor")
# Who is the clinic's own: what comes just before a discipline word ("our", "led by", "Dr. Roe, a", "is an").
OWN_PERSON = re.compile(r"(?:\bour\b|\b(?:led|overseen|given|administered|supervised|founded|staffed|performed|directed|"
                        r"owned|run|monitored|ordered|prescribed) by\b|\b(?:is|are|as) (?:an?|the)\b|—|,\s*(?:an?|the)\b|"
                        r"\bwith our\b)[^.;:]{0,55}$", re.I)
SOMEONE_ELSES = re.compile(r"\b(?:refer\w*|your|their|whether|support|have an?|many|most|other|outside|own|"
                           r"connected|recommend\w*|ask)\b[^.;]{0,40}$", re.I)
CREDENTIAL = re.compile(r"CRNAs?|PMHNP(?:-BC)?|FNP(?:-C|-BC)?|NP(?:-C)?|APRNs?|PA-C")
BOARD = rx(r"\bboard[- ]certified\b", r"\bdiplomates? of the american board\b", r"\bcertified by the american board\b")
BOARD_OBJECT = re.compile(r"\s+in\s+(?:[\w-]+,?\s+){0,5}", re.I)  # between "board-certified" and a field it names
UNKNOWN_CREDENTIAL = re.compile(r"\b(?:LCSW|LMFT|LPC|LPCC|PsyD|Ph\.?D|RN|LMHC)\b(?:[- ](?:led|run|directed))?")
LANGUAGE_CONTEXT = rx(r"\bspeak", r"\bspoken\b", r"\bse habla\b", r"\bhablamos\b", r"\bbilingual\b", r"\bfluent\b",
                      r"\blanguages? (?:spoken|services|we speak)\b", r"\binterpret", r"\btranslat",
                      r"\b(?:services|care|treatment|visits) (?:are )?(?:also )?(?:available |offered )?in\b",
                      r"\bnói tiếng\b")
LANGUAGE_PATTERNS = {name: re.compile("|".join(patterns), re.I) for name, patterns in LANGUAGES.items()}
DISCIPLINE_PATTERNS = [(t.key, re.compile("|".join(t.patterns), re.I)) for t in DISCIPLINES]
STATES_CONTEXT = rx(r"\blicensed (?:to practice )?in\b", r"\b(?:serve|serving|see|treat|available to) "
                    r"(?:patients |clients |residents |adults )?(?:\w+ )?(?:in|of|across|throughout)\b",
                    r"\bavailable (?:in|across|throughout)\b", r"\bresidents of\b", r"\bstates?(?: we serve)?:",
                    r"\bstates? (?:of|including)\b")
STATE_NAME = re.compile(r"\b(" + "|".join(sorted((re.escape(n) for n in STATE_NAMES), key=len, reverse=True))
                        + r")\b", re.I)
STATE_ABBR = re.compile(r"(?<![\w.-])([A-Z]{2})(?![\w.-])")
REMOTE = rx(r"\btele-?health\b", r"\bat[- ]home\b", r"\bvirtual", r"\bonline\b", r"\bremote", r"\bhome[- ]based\b",
            r"\blicensed\b", r"\btele-?medicine\b")
NOT_STATES = {"IV", "IM", "OK", "US", "MD", "DO", "PA", "NP", "RN", "ER", "AM", "PM", "ID", "IN", "OR", "ME", "HI",
              "SO", "NO", "AS", "AT", "TO", "BY", "IT", "IS", "WE", "OF", "ON", "IF", "AN", "UP", "GO", "MY", "BE"}
STATE_LIST = re.compile(r"\b(?:[A-Z]{2})(?:\s*(?:,|and|&|/|or)\s*(?:[A-Z]{2}))+\b")
TRIGGER = any_rx(*(p.pattern for pair in TRI_STATE.values() for p in pair if p), *(p.pattern for _, p in
                                                                                 DISCIPLINE_PATTERNS),
             LANGUAGE_CONTEXT.pattern, STATES_CONTEXT.pattern, BOARD.pattern, UNKNOWN_CREDENTIAL.pattern)


def may_state_care(text: str) -> bool:
    """TRIGGER holds every care pattern; its gate (the words each needs) turns most sentences away unread."""
    return bool(TRIGGER.search(text))


def extract_care(sentences: Iterable[Sentence], jsonld_nodes: list[dict], footer: list[str]) -> Care:
    """The page's care facts: tri-state keys, disciplines, board certification, languages, states and hours."""
    care = Care()
    read = [s for s in sentences if may_state_care(s.framed)]
    read += [Sentence(part, "footer") for text in footer if may_state_care(text) for part in split_sentences(text)
             if may_state_care(part)]
    for sentence in read:
        if sentence.kind == "question" or (sentence.text.rstrip().endswith("?") and not sentence.question):
            continue
        _tri_state(care, sentence)
        _disciplines(care, sentence)
        _languages(care, sentence)
        _states(care, sentence)
    _hours(care, jsonld_nodes, footer, sentences)
    return care


def _about_this_clinic(sentence: Sentence) -> bool:
    text = sentence.framed
    if sentence.self_ref or FIRST_PERSON.search(text) or sentence.kind in ("heading", "item", "row", "footer"):
        return not (EDUCATION.search(text) and not FIRST_PERSON.search(text))
    return not (GENERAL.search(text) or RESEARCH.search(text) or EDUCATION.search(text))


def _tri_state(care: Care, sentence: Sentence) -> None:
    text = sentence.framed
    referred_away = REFERRED_AWAY.search(text)
    for key, (yes, no) in TRI_STATE.items():
        if getattr(care, key) is not None or (referred_away and key != "referral_required"):
            continue
        answer = answer_value(sentence)
        if no and (found := no.search(sentence.text)) and _about_this_clinic(sentence):
            care.set(key, False, sentence.text)
            continue
        found = yes.search(text)
        if not found:
            continue
        if answer is not None and sentence.question and yes.search(sentence.question):
            care.set(key, answer, sentence.text)
            continue
        if not _about_this_clinic(sentence):
            continue
        # Negation is read in the sentence's own clause when the phrase is there: a heading such as "Not
        # local?" above "Telehealth consultations are available" does not negate it.
        own = yes.search(sentence.text)
        clause = clause_around(sentence.text, own.start(), own.end()) if own else \
            clause_around(text, found.start(), found.end())
        phrase = (own or found).group(0)
        clause = next((part for part in OWN_CLAUSE_ENDS.split(clause) if phrase in part), clause)
        care.set(key, not is_negated(clause), sentence.text)


def _disciplines(care: Care, sentence: Sentence) -> None:
    """Disciplines of this clinic's own people: "our psychiatrists", "led by a board-certified anesthesiologist",
    "Dr. Roe, a psychiatrist", a credential after a name ("Jane Roe, CRNA"). A psychiatrist the patient should
    have, or one who refers, is someone else's."""
    text = sentence.text
    if HISTORY.search(text) or not _about_this_clinic(sentence) and not OWN_PERSON.search(text):
        return
    boards = [board.end() for board in BOARD.finditer(text)]
    found_at: list[tuple[int, str]] = []
    for key, pattern in DISCIPLINE_PATTERNS:
        for found in pattern.finditer(text):
            before = text[max(0, found.start() - 70):found.start()]
            clause = clause_around(text, found.start(), found.end())
            # "Dr. Lin is board-certified in anesthesiology and pain medicine": the board's fields are hers
            certified_in = any(BOARD_OBJECT.fullmatch(text[end:found.start()]) for end in boards if end <= found.start())
            own = CREDENTIAL.fullmatch(found.group(0)) or OWN_PERSON.search(before) or \
                (certified_in and _about_this_clinic(sentence))
            if not own or (SOMEONE_ELSES.search(before) and not certified_in) or is_negated(clause):
                continue
            care.add("discipline", key, text)
            found_at.append((found.start(), key))
            if certified_in:
                care.add("board_certified", key, text)
    for end in boards:
        after = [(start, key) for start, key in found_at if 0 <= start - end <= 40]
        if after:
            care.add("board_certified", min(after)[1], text)
    for found in UNKNOWN_CREDENTIAL.finditer(text):
        if re.search(r"[- ](?:led|run|directed)$", found.group(0)):
            care.unmapped.setdefault(f"credential:{found.group(0)}", text)


def _languages(care: Care, sentence: Sentence) -> None:
    text = sentence.text
    if not LANGUAGE_CONTEXT.search(text):
        return
    if is_negated(text) and not re.search(r"\bse habla\b", text, re.I):
        return
    for name, pattern in LANGUAGE_PATTERNS.items():
        if pattern.search(text):
            care.add("language", name, text)


def _states(care: Care, sentence: Sentence) -> None:
    text = sentence.text
    context = STATES_CONTEXT.search(text)
    if not context or not (REMOTE.search(text) or REMOTE.search(sentence.heading)):
        return
    tail = text[context.start():]
    for found in STATE_NAME.finditer(tail):
        care.add("state_served", STATE_NAMES[found.group(1).lower()], text)
    for listed in STATE_LIST.finditer(tail):
        for code in STATE_ABBR.findall(listed.group(0)):
            if code in STATE_CODES:
                care.add("state_served", code, text)
            else:
                care.unmapped.setdefault(f"state:{code}", text)
    single = re.match(r"[^.]*?\bin ([A-Z]{2})\b", tail)
    if single and single.group(1) in STATE_CODES and single.group(1) not in NOT_STATES:
        care.add("state_served", single.group(1), text)


def _hours(care: Care, jsonld_nodes: list[dict], footer: list[str], sentences: Iterable[Sentence]) -> None:
    """JSON-LD first (when every location keeps the same hours); else the page's hours block: the lines under an
    "Hours" heading, a sentence that says "Hours:" or "open", or the footer from its "Hours" label on."""
    per_node = {hours_from_jsonld([node]) for node in jsonld_nodes} - {None}
    normal = per_node.pop() if len(per_node) == 1 else None  # locations with hours of their own: not mixed
    if normal:
        care.opening_hours, care.evidence["opening_hours"] = normal, "openingHours (schema.org JSON-LD)"
        return
    texts = _hours_texts(footer, sentences)
    for text in texts:
        normal = normalise_hours(text)
        if normal:
            care.opening_hours, care.evidence["opening_hours"] = normal, text[:300]
            return
    for text in texts:
        care.unmapped.setdefault(f"hours:{text[:120]}", text[:300])  # says it gives hours, but they do not read


HOURS_LABEL = re.compile(r"\b(?:(?:office|clinic|business|opening|our) hours|hours(?: of operation)?\s*:|"
                         r"open (?:\w+ ){0,2}(?:mon|tue|wed|thu|fri|sat|sun|daily|weekdays|7 days|every day|"
                         r"by appointment))",
                         re.I)
HOURS_HEADING = re.compile(r"^(?:(?:office|clinic|business|opening) )?hours\b|\bhours$", re.I)


def _hours_texts(footer: list[str], sentences: Iterable[Sentence]) -> list[str]:
    by_heading: dict[str, list[str]] = {}
    for sentence in sentences:
        lowered = sentence.text.lower()  # both patterns need "hours" or "open": most sentences have neither
        if sentence.kind != "heading" and "hours" in sentence.heading.lower() \
                and HOURS_HEADING.search(sentence.heading.strip()):
            by_heading.setdefault(sentence.heading, []).append(sentence.text)
        elif ("hours" in lowered or "open" in lowered) and HOURS_LABEL.search(sentence.text):
            by_heading.setdefault(sentence.text, []).append(sentence.text)
    texts = [" ; ".join(lines) for lines in by_heading.values()]
    joined = " | ".join(footer)
    start = HOURS_LABEL.search(joined) or re.search(r"(?:^|\| )hours\b", joined, re.I)
    if start:
        texts.append(joined[start.start():start.start() + 400])
    return texts
