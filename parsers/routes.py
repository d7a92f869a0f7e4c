"""Routes of administration and services (KAP, at-home) a clinic states it offers, or states it does not.

A route named in general text ("ketamine can be given IV, intranasally or orally") is a mention, not an
offer; "we do not offer Spravato at this time" is a fact with value False; an exclusive statement ("we
exclusively use lozenges") makes the other routes the page names False.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from parsers.cues import (
    CLAUSE_BREAK,
    COMPARISON_SECTION,
    EDUCATION_HEADING,
    EXCLUSIVE,
    FIRST_PERSON,
    GENERAL,
    OFFER,
    PROCEDURE,
    RESEARCH,
    SOFT_GENERAL,
    Sentence,
    answer_value,
    clause_around,
    is_heading_offer,
    is_negated,
    lower_rx,
    rx,
)
from parsers.facts import STRENGTH_HEADING, STRENGTH_MENU, STRENGTH_STATEMENT, Fact, Mention
from parsers.terms import find_terms, routes_as_columns, routes_side_by_side, settle
from parsers.vocab import CONDITIONS, KETAMINE, ROUTES, SERVICES, Term

NOT_KETAMINE_IV = rx(r"\bvitamins?\b", r"\bNAD(?:\+|\b)", r"\bhydration\b", r"\bmyers\b", r"\bglutathione\b",
                     r"\b(?:IV|vitamin|wellness|hydration|nutrient|custom) drips?\b", r"\bdrip (?:bar|menu|lounge|club)\b",
                     r"\bsupplements?\b", r"\bsemaglutide\b",
                     r"\bIV (?:drip |therapy )?(?:bar|lounge|spa|studio)\b", r"\biron\b", r"\bantibiotics?\b",
                     r"\bB-?12\b", r"\bnutrient\b")
PRICE = re.compile(r"\$\s?\d")
WEAK_PAGE_TYPES = ("blog", "landing")
NAMED = "named without a claim"
# Offered once, not now: "Between 2017 and 2024 our team provided IV infusions", "we used to offer IM".
PAST_OFFER = rx(r"\b(?:until|through) (?:\w+ )?(?:19|20)\d\d\b", r"\bbetween (?:19|20)\d\d and (?:19|20)\d\d\b",
                r"\bformerly (?:offered|provided)\b", r"\bused to (?:offer|provide|administer)\b",
                r"\bpreviously (?:offered|provided)\b",
                r"\b(?:has |have )?(?:stopped|discontinued|ceased) (?:offering|providing|giving|using|prescribing|"
                r"administering)\b")
OFFER_QUESTION = rx(r"\b(?:offer|provide|administer|prescribe|have|carry|available)\b", r"\bdo you do\b")


def extract_routes(sentences: Iterable[Sentence], menu: list[str], page_type: str = "other",
                   about_ketamine: bool = True, other_iv: Callable[[], bool] = lambda: False):
    return _extract(sentences, menu, ROUTES, page_type, exclusive=True, about_ketamine=about_ketamine,
                    other_iv=other_iv)


def extract_services(sentences: Iterable[Sentence], menu: list[str], page_type: str = "other",
                     about_ketamine: bool = True):
    return _extract(sentences, menu, SERVICES, page_type, exclusive=False, about_ketamine=about_ketamine)


def _extract(sentences, menu, terms: tuple[Term, ...], page_type: str, exclusive: bool, about_ketamine: bool,
             other_iv: Callable[[], bool] = lambda: False):
    """Facts and mentions; a page that never names ketamine (a med spa's IV drip page) makes no route claims, and
    on a page that also sells IV vitamins or hydration (``other_iv()``, asked only when it matters) a bare
    "IV Therapy" heading or menu entry is not ketamine: only a sentence, or a heading that says ketamine, is."""
    candidates: list[Fact] = []
    mentions: list[Mention] = []
    exclusive_evidence: str | None = None
    blanket_evidence: str | None = None  # "I do not prescribe or administer ketamine in any form"
    weak_page = page_type in WEAK_PAGE_TYPES
    table_compared: str | None = None  # the section of a table whose header compares routes, while its rows run
    sentences = list(sentences)
    for index, sentence in enumerate(sentences):
        if sentence.kind != "row" or sentence.section != table_compared:
            table_compared = sentence.section if sentence.kind == "row" and routes_as_columns(sentence.text) else None
        answer = answer_value(sentence) if about_ketamine else None
        # "Do you offer Spravato?" "No, ..." settles the routes the question names.
        if answer is not None and OFFER_QUESTION.search(sentence.question):
            for term, _ in find_terms(sentence.question, terms):
                candidates.append(Fact(term.key, answer, sentence.framed, STRENGTH_STATEMENT))
        if about_ketamine and index and "either" in sentence.text.lower() and NEITHER_OURS.search(sentence.text) \
                and not weak_page_first_person_missing(
                sentence, weak_page):
            # "Ketamine is given by IV in infusion clinics, and Spravato ... Neither of those is what we do."
            for term, _ in find_terms(sentences[index - 1].text, terms):
                candidates.append(Fact(term.key, False, f"{sentences[index - 1].text} {sentence.text}", STRENGTH_STATEMENT))
        for term, match in find_terms(sentence.text, terms, every=True):  # "... our IV drips, and we don't offer infusions"
            clause = clause_around(sentence.text, match.start(), match.end())
            if not about_ketamine or (term.key == "iv_infusion" and NOT_KETAMINE_IV.search(clause)
                                      and not KETAMINE.search(clause) and not NOT_AN_IV.search(clause)):
                mentions.append(Mention(term.key, sentence.text, "not about ketamine (IV vitamins, NAD+...)"))
                continue
            if term.key == "iv_infusion" and match.group(0) == "IV" \
                    and IV_BESIDE_KETAMINE.search(sentence.text[match.end():]) and other_iv():
                mentions.append(Mention(term.key, sentence.text, "IV drips listed beside ketamine"))
                continue
            stance = _stance(sentence, clause, weak_page, match.start() - sentence.text.find(clause), page_type,
                             service=not exclusive, compared=table_compared is not None)
            if stance is None:
                mentions.append(Mention(term.key, sentence.text, NAMED))
                continue
            value, strength = stance
            if strength < STRENGTH_STATEMENT and sentence.kind == "heading" and _described_in_general(sentences, index):
                mentions.append(Mention(term.key, sentence.text, "a heading over general text about the route"))
                continue
            if strength < STRENGTH_STATEMENT and term.key == "iv_infusion" \
                    and not KETAMINE.search(f"{sentence.text} {sentence.section}") and other_iv():
                mentions.append(Mention(term.key, sentence.text, "IV heading on a page that also sells other IV drips"))
                continue
            candidates.append(Fact(term.key, value, sentence.text, strength))
            if exclusive and value and EXCLUSIVE.search(sentence.text):
                exclusive_evidence = sentence.text
        if about_ketamine and ("etamine" in sentence.text or "ETAMINE" in sentence.text) \
                and BLANKET_NEGATION.search(sentence.text) \
                and any(BLANKET_NEGATION.search(c) and not WHO_LIMIT.search(c) for c in CLAUSE_BREAK.split(sentence.text)):
            blanket_evidence = blanket_evidence or sentence.text
    for item in menu if about_ketamine else ():
        if (NOT_KETAMINE_IV.search(item) and not KETAMINE.search(item)) or not _menu_label(item):
            continue
        for term, _ in find_terms(item, terms):
            if term.key == "iv_infusion" and not KETAMINE.search(item) and other_iv():
                continue
            candidates.append(Fact(term.key, True, item, STRENGTH_MENU))
    facts = settle(candidates)
    if blanket_evidence:  # no ketamine at all here: what the page names, it names of other places
        named = {f.key for f in facts if not (f.value and f.strength >= STRENGTH_STATEMENT)} | {
            m.key for m in mentions if m.reason == NAMED}
        kept = [f for f in facts if f.key not in named]
        return sorted([*kept, *(Fact(key, False, blanket_evidence) for key in named)], key=lambda f: f.key), mentions
    if exclusive_evidence:
        facts = _apply_exclusive(facts, mentions, exclusive_evidence)
    return facts, mentions


NO_BEFORE = re.compile(r"\b(?:no|without|never|nor|not an?)\s+(?:[\w-]+\s+)?$", re.I)


def _negates(clause: str, term_at: int) -> bool:
    """A negation whose scope covers the route: "we do not offer X" before it, "X is not available" after it,
    "no IV lines, no lozenges" right before it."""
    before = clause[:term_at].lower()
    if ("no" in before or "without" in before or "never" in before or "nor " in before) and NO_BEFORE.search(before) \
            and not NOT_NEEDED.search(clause[term_at:]):
        return True
    for match in ACTIVE_NEGATION.finditer(clause):
        if match.start() < term_at and not _scoped_to_condition(_up_to_comma(clause, match.end(), term_at)) \
                and not OBJECT_FOR.search(clause[match.end():term_at]) \
                and not NEW_SUBJECT.search(clause[match.end():term_at]) \
                and not (WHICH_BEFORE.search(clause[:match.start()]) and "," in clause[match.end():term_at]):
            return True
    if any(m.start() > term_at for m in PASSIVE_NEGATION.finditer(clause)):
        return True
    after = clause[term_at:]
    if ("which" in after and WHICH_NOT.search(after)) or (("n't" in after or "n’t" in after or "not" in after
                                                            or "no longer" in after) and ELLIPTIC_NO.search(after)):
        return True  # "Spravato, which we do not offer"; "ask whether we offer Spravato; we don't"
    stopped = PAST_OFFER.search(clause)  # "we stopped offering infusions and rebuilt the practice around KAP"
    return bool(stopped) and not (stopped.end() <= term_at and NEW_COURSE.search(clause[stopped.end():term_at]))


# "No IV needed": the route is not required, not refused.
NOT_NEEDED = rx(r"^[\w-]*(?:\s+(?:line|lines|drip|needle))?\s+(?:is |are )?(?:needed|required|necessary)\b")
# "We can't provide superbills for infusions": the refusal is of the thing named before "for", not of the route.
OBJECT_FOR = rx(r"^\s*(?:any |a |an |the )?(?!ketamine\b)[\w-]+(?: [\w-]+){0,2} for (?:\w+ )?$")
# "We do not send lozenges home with patients": the at-home term begins at the verb the negation governs.
NOT_SENT = rx(r"\b(?:do|does|will|can)\s*(?:not|n['’]t) $")
NEW_COURSE = rx(r"\band (?:we |now |have |then )?(?:\w+ed|began|built|rebuilt|now)\b")
WHICH_BEFORE = re.compile(r"\bwhich\s+(?:we|I)\s+$", re.I)  # a relative clause: its "not" ends at its comma
# Care clients get from someone else: "Many clients receive IV infusions at a clinic or Spravato at their
# psychiatrist's office".
RECEIVED_ELSEWHERE = rx(r"\bat (?:a|another|their|your own) (?:\w+ )?(?:clinic|psychiatrist|doctor|provider|office)",
                        # "We coordinate care with our partner, Lakeside Infusion Center": another clinic's care
                        r"\bour partners?,? (?:[\w&-]+ ){0,3}(?:infusion|ketamine|clinic|center|centre|practice)",
                        r"\bpartner (?:clinic|practice|center|centre)s?\b", r"\bin partnership with\b")
# "Testosterone, Weight Loss, IV & Ketamine": on a page that sells IV drips, an "IV" listed beside ketamine is
# the drips, another service.
IV_BESIDE_KETAMINE = rx(r"^\s*(?:&|and|\+|,)\s*ketamine\b")
NOT_AN_IV = re.compile(r"\bnot an? IV\b", re.I)  # "an intramuscular injection, not an IV drip": a route not offered
# "Rather than Spravato, which we do not offer, we prescribe...": the negation ends where a new subject begins.
NEW_SUBJECT = re.compile(r",\s+(?:we|I|our|they|the clinic)\b", re.I)
WHICH_NOT = re.compile(r"^[^.;]{0,30}?\bwhich (?:we|I) (?:do not|don['’]t|no longer|never|cannot|can['’]t) (?:\w+ )?"
                       r"(?:offer|provide|carry|prescribe|give|administer)", re.I)
# A bare "we don't" that answers the clause before it: "... whether we offer it; we don't, but ...".
ELLIPTIC_NO = re.compile(r"[;,.]\s*(?:but\s+)?(?:we|I) (?:do not|don['’]t|no longer do|cannot|can['’]t)\s*"
                         r"(?:[.;!]|,\s*but\b|\s+but\b|$)", re.I)


def _up_to_comma(clause: str, start: int, term_at: int) -> str:
    """The words from a negation through the route it governs, up to the next comma: what the "no" is about."""
    comma = clause.find(",", term_at)
    return clause[start:comma if comma >= 0 else len(clause)]


def _scoped_to_condition(rest: str) -> bool:
    """ "we don't offer infusions for chronic pain": a condition that is not treated, not a route not offered;
    "we do not provide KAP to anyone under 21": a limit on who, not a service not offered."""
    return (bool(re.search(r"\bfor\b", rest)) and bool(find_terms(rest, CONDITIONS))) or bool(WHO_LIMIT.search(rest)) \
        or bool(CONDITION_BEFORE.search(rest))


# "we don't currently offer pain infusions": infusions for one condition, not the route.
CONDITION_BEFORE = rx(r"^\s*(?:[\w-]+ )?(?:pain|mood|depression|migraine|crps|ptsd|anxiety|ocd)\s+(?:ketamine\s+)?"
                      r"(?:infusions?|injections?|treatments?|sessions?)\b")
# "This is not ketamine-assisted psychotherapy": a service the page says it is not. (For a route, "this is not
# Spravato; it's racemic ketamine" says what a medicine is, not what the clinic offers.)
THIS_IS_NOT = rx(r"\b(?:this|it|that|what (?:we|I) do) (?:is|are)(?: not|n['’]t) (?:an? )?(?:[\w-]+ ){0,2}$")
WHO_LIMIT = rx(r"\b(?:to|for) (?:anyone|patients|people|children|kids|minors|teens|adolescents|adults|those|clients|"
               r"individuals|someone|women) (?:\w+ )?(?:under|younger|older|over|who|with|during|while)\b",
               r"\b(?:to|for) (?:minors|children|pregnant)\b", r"\bon (?:a|the) first visit\b")


# A route spoken of in the clinic's own payment terms: "Spravato is covered by most plans we work with",
# "SPRAVATO self-pay, per treatment", "Ketamine for veterans through VA Community Care".
# "Spravato is covered by most plans" alone is a fact about insurers; an IV clinic's FAQ says it too.
COVERAGE_ONLY = rx(r"\bcovered\b", r"\bprior authori[sz]ation\b")
ROUTE_PAYMENT = rx(r"\bcovered\b", r"\bbilled\b", r"\bprior authori[sz]ation\b", r"\bself[- ]pay\b", r"\bper (?:treatment|"
                   r"session|infusion|injection)\b", r"\bcopays?\b", r"\bcommunity care\b", r"\bworkers['’]? comp")


def _stance(sentence: Sentence, clause: str, weak_page: bool, term_at: int = 0,
            page_type: str = "other", service: bool = False, compared: bool = False) -> tuple[bool, int] | None:
    """(value, strength) when the sentence makes a claim about the clinic, None for a mere mention.
    ``compared``: the sentence is a row of a table comparing routes."""
    rest = sentence.text[max(sentence.text.find(clause), 0) + term_at:]
    if ELLIPTIC_NO.search(rest) and FIRST_PERSON.search(rest):
        return False, STRENGTH_STATEMENT  # "... ask whether we offer Spravato; we don't"
    compared = compared or (bool(COMPARISON_SECTION.search(sentence.section))
                            and (sentence.kind in ("row", "item", "heading") or _bare_line(sentence.text))) \
        or _under_flattened_comparison(sentence)
    own_part = _before_relative_clause(clause, term_at)  # "Infusions are given by Jenna, who spent 14 years..."
    general = compared or bool(GENERAL.search(own_part)) or bool(RECEIVED_ELSEWHERE.search(clause))
    if weak_page and not FIRST_PERSON.search(clause) and not sentence.self_ref:
        general = True  # a blog's "there is no IV line" describes a route, it does not refuse one
    after_clause = sentence.text[sentence.text.find(clause) + len(clause):] if clause in sentence.text else ""
    if (_negates(clause, term_at) or (service and (THIS_IS_NOT.search(clause[:term_at])
                                                   or NOT_SENT.search(clause[:term_at])))
            or PRONOUN_NEGATION.search(after_clause)) and not general \
            and not ELSEWHERE.search(clause):
        return False, STRENGTH_STATEMENT
    if (OFFER.search(clause) or sentence.self_ref) and not general:
        return True, STRENGTH_STATEMENT
    if EXCLUSIVE.search(clause) and FIRST_PERSON.search(clause) and not compared and not weak_page:
        return True, STRENGTH_STATEMENT  # "SPRAVATO is the only form of ketamine we provide"
    if (PROCEDURE.search(clause) or ADDED.search(clause)) and not general and not weak_page:
        return True, STRENGTH_STATEMENT  # the clinic's own visit described: "each infusion is given through an IV line"
    if PRICE.search(clause) and not compared and not GENERAL.search(SOFT_GENERAL.sub(" ", clause)) \
            and sentence.kind != "heading":
        return True, STRENGTH_STATEMENT  # "Each IV ketamine infusion is $395": a price is an offer
    if EXCLUSIVE.search(clause) and not general:
        return True, STRENGTH_STATEMENT  # "Medicine sessions use sublingual lozenges only"
    if weak_page or compared:
        return None  # what follows (payment terms, price cards, headings, table rows) is read as the clinic's own
    if ROUTE_PAYMENT.search(clause) and not general and not is_negated(clause) \
            and (FIRST_PERSON.search(clause) or not COVERAGE_ONLY.search(clause)):
        return True, STRENGTH_HEADING
    if page_type == "pricing" and len(sentence.text.split()) <= 12 and not general:
        return True, STRENGTH_HEADING  # a card or row of the clinic's own price list: "IM Ketamine Session"
    if is_heading_offer(sentence):
        return True, STRENGTH_HEADING
    if sentence.kind == "row" and PRICE.search(sentence.text):
        return True, STRENGTH_STATEMENT
    if sentence.kind == "row" and _names_a_service(sentence):
        return True, STRENGTH_HEADING
    return None


def _before_relative_clause(clause: str, term_at: int) -> str:
    """The part of the clause that speaks of the route: not a ", who ..." after it (what a relative clause says of a
    person is no generality about the route), nor an "Unlike clinics that..., " before it."""
    who = clause.find(", who ", term_at)
    clause = clause[:who] if who >= 0 else clause
    contrast = CONTRAST_OPENING.match(clause)
    return clause[contrast.end():] if contrast and contrast.end() <= term_at else clause


CONTRAST_OPENING = rx(r"^\W*(?:unlike|compared (?:to|with)|rather than|instead of)\b.*?,\s*(?=(?:we|our|I|every|all|each|at|"
                      r"here)\b)")  # up to the main clause's subject
# A refusal of the routes the sentence before named, in the clinic's voice.
NEITHER_OURS = rx(r"\bneither (?:of )?(?:those|these|them|one)\b[^.]{0,40}\b(?:what|something) (?:we|I)\b",
                  r"\b(?:we|I) (?:do not|don['’]t) (?:offer|provide|do|give) (?:either|any) (?:of )?(?:those|these|them)\b")


def weak_page_first_person_missing(sentence: Sentence, weak_page: bool) -> bool:
    return weak_page and not FIRST_PERSON.search(sentence.text) and not sentence.self_ref


# "2023 – Intramuscular dosing was added for patients who...": a route the clinic began to give.
ADDED = rx(r"\b(?:was|were|has been|have been|is now|are now) (?:added|introduced|launched)\b")


def _described_in_general(sentences: list[Sentence], index: int) -> bool:
    """The text under a route heading speaks of the route in general ("popular in some countries", "many telehealth
    companies mail them") and never of the clinic: a tour of the ways ketamine is given, not a service."""
    body = []
    for sentence in sentences[index + 1:index + 8]:
        if sentence.kind == "heading":
            break
        body.append(sentence)
    if not body or any(FIRST_PERSON.search(s.text) or s.self_ref or PRICE.search(s.text) for s in body):
        return False
    return any(GENERAL.search(s.text) or RESEARCH.search(s.text) for s in body)


def _under_flattened_comparison(sentence: Sentence) -> bool:
    """A flattened route-comparison table: its header line, or a bare row line under it."""
    if sentence.kind == "heading":
        return routes_side_by_side(sentence.text)
    return _bare_line(sentence.text) and routes_side_by_side(sentence.heading)


def _bare_line(text: str) -> bool:
    """A short line with no sentence in it: a table row or list item once the markup is gone."""
    return len(text.split()) <= 12 and not text.rstrip().endswith((".", "!", "?")) and not FIRST_PERSON.search(text)


def _menu_label(item: str) -> bool:
    """A menu entry that names a service ("IV Ketamine Infusions"), not a post title in a sidebar or breadcrumb."""
    return len(item.split()) <= 6 and "?" not in item and ":" not in item


def _names_a_service(sentence: Sentence) -> bool:
    """A services table or list row whose first cell names the route: "IV Ketamine Infusion | A low dose..."."""
    first = sentence.text.split(" | ", 1)[0]
    return len(first.split()) <= 6 and not first.endswith("?") and not EDUCATION_HEADING.search(sentence.section)


# The clinic gives no ketamine at all: every route and service the page names is not offered here.
BLANKET_NEGATION = rx(
    r"\b(?:do|does|will|can)(?: not|n['’]t) (?:\w+ )?(?:prescribe|administer|offer|provide|give|dispense)(?:,? (?:or|and) "
    r"(?:\w+ )?(?:prescribe|administer|offer|provide|give|dispense))? ketamine (?:in any form|at all|of any kind|"
    r"(?:to|for) anyone)\b",
    r"\bno ketamine (?:of any kind|in any form|is (?:given|administered|prescribed|offered) here)\b",
    r"\b(?:does|do)(?: not|n['’]t) (?:offer|provide) (?:any )?ketamine (?:treatment|therapy|care|services?)\b",
)
ACTIVE_NEGATION = lower_rx(
    r"\b(?:do|does|will|can)\s*(?:not|n['’]t) (?:currently |yet |ever )?(?:offer|provide|administer|carry|do|prescribe|"
    r"use|give|dispense|perform|have|run|operate|sell)\b",
    r"\bno longer (?:able to )?(?:offer(?:s|ing)?|provid(?:e|es|ing)|administer(?:s|ing)?|prescrib(?:e|es|ing)|"
    r"do(?:es|ing)?|carr(?:y|ies|ying)|giv(?:e|es|ing)|perform(?:s|ing)?)\b",
    r"\b(?:don['’]t|doesn['’]t|won['’]t|cannot|can['’]t) (?:currently |yet )?(?:offer|provide|administer|carry|do|"
    r"prescribe|use|give|dispense|perform|have|run|operate|sell)\b",
    r"\bnot (?:an? )?(?:option|service) (?:we|here|at our)\b",
    r"\b(?:is|are)(?: not|n['’]t| never) (?:given|administered|delivered|offered|provided) (?:by|through|via|as)\b",
    r"\bwe (?:exclusively|only) (?:use|offer|provide|prescribe)\b.*\bnot\b",
    # "we are not an infusion clinic": the route named in what the clinic says it is not
    r"(?:\b(?:are|is|am)\s*(?:not|n['’]t)|,\s*not) (?:an? )?(?=(?:[\w-]+ ){0,3}(?:clinic|center|centre|practice|"
    r"provider|spa|service)s?\b)",
)
PASSIVE_NEGATION = lower_rx(
    r"\b(?:is|are)(?: not|n['’]t) (?:currently |yet )?(?:available|offered|provided|something we offer)\b",
    r"\b(?:is|are)(?: not|n['’]t) (?:part of|included in|among) (?:our|the clinic['’]s)\b",
    r"\b(?:has|have) (?:now )?(?:ended|closed|stopped|been (?:discontinued|suspended|paused))\b",
    r"\b(?:program|programme|service|offering)s? ended\b",
    r"\b(?:was|were|is|are) (?:now )?(?:discontinued|suspended|paused)\b",
    r"\bno longer (?:available|offered)\b", r"\bnot (?:currently )?(?:available|offered)\b")
# The next clause refuses what this one named: "SPRAVATO is a nasal spray ..., and it isn't part of our program".
PRONOUN_NEGATION = rx(r"^\W*(?:and |but )?(?:it|they|this|that)(?: is|['’]s| are|['’]re)(?: not|n['’]t) "
                      r"(?:part of|included in|offered|available|provided|something (?:we|I))\b")
# Said of one location of a group, not of the clinic as a whole.
ELSEWHERE = rx(r"\bthis location\b", r"\b(?:at )?(?:our|the) \w+ (?:location|office)\b")


def _apply_exclusive(facts: list[Fact], mentions: list[Mention], evidence: str) -> list[Fact]:
    """Routes the page names but does not offer become False when the clinic says it offers one route only."""
    stated = {f.key for f in facts}
    extra = {m.key: Fact(m.key, False, evidence) for m in mentions if m.key not in stated and m.reason == NAMED}
    return sorted([*facts, *extra.values()], key=lambda f: f.key)
