"""Conditions a clinic treats with ketamine care, told apart from conditions it only writes about.

A condition counts as treated when the page ties it to the clinic: a "conditions we treat" list or menu,
"we help patients with...", a service heading. Research framing ("studies show", "may help") is a
mention; a contraindication ("not a candidate if you have active psychosis") is excluded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from parsers.cues import (
    CLAUSE_BREAK,
    CONTRAINDICATION,
    EDUCATION_HEADING,
    FIRST_PERSON,
    GENERAL,
    NOT_A_NEGATION,
    OFFER,
    RESEARCH,
    SOFT_GENERAL,
    Sentence,
    answer_value,
    any_rx,
    clause_around,
    is_negated,
    rx,
)
from parsers.facts import STRENGTH_HEADING, STRENGTH_MENU, STRENGTH_STATEMENT, Fact, Mention
from parsers.terms import compiled, find_terms, settle
from parsers.vocab import CONDITIONS

TREATING_SECTION = rx(
    r"\bconditions?\b", r"\bcandidates?\b", r"\bwhat (?:we|I) treat\b",
    r"\bwho (?:we|I) (?:help|treat|serve|work with|see|care for)\b",
    r"\b(?:patients|people|clients) we\b", r"\bwe work with\b", r"\bis (?:this|it) for\b",
        r"\b(?:we|I) (?:can )?(?:help|treat)\b",
    r"\bwho (?:can|may) benefit\b", r"\btreatable\b", r"\bspeciali[sz]", r"\b(?:is|are) (?:ketamine )?right for\b",
    r"\bindications?\b", r"\bwe help\b", r"\bhelp with\b",
    r"\bwho(?:['’]s| is)? (?:it|this|ketamine|kap|treatment|our program) (?:is )?for\b", r"\bright for you\b",
    r"\beligib", r"\bgood (?:fit|candidate)\b", r"\bwho can\b",
)
TREAT_STATEMENT = any_rx(
    r"\b(?:we|I) (?:\w+ ){0,2}(?:treat|help|see|work with|care for|specialize|serve|support)\b",
    r"\bour (?:\w+ ){0,3}(?:helps?|treats?|addresses|targets|supports?|eases?|relieves?)\b",
    r"\bour (?:\w+ ){0,3}(?:patients|clients|program|protocols?|treatments?|infusions?|services?)\b",
    r"\b(?:we|our \w+) (?:\w+ ){0,3}(?:for|to treat|to help)\b",
    r"\b(?:treat(?:s|ed|ing)?|help(?:s|ed|ing)?) (?:patients|people|individuals|adults|veterans|those|clients)\b",
    r"\b(?:physicians|doctors|providers|clinicians|team|staff|psychiatrists?|nurses?) (?:\w+ )?(?:accept|treat|see|"
    r"help|welcome|consider)s? (?:adults|patients|people|clients|individuals|veterans)\b",
    r"\bwe (?:\w+ ){0,3}(?:offer|provide|administer|prescribe)\b", r"\b(?:offering|providing|prescribing)\b",
    r"\bto (?:adults|people|patients|clients|veterans)(?: \w+)? (?:with|living with|struggling with)\b",
    r"\b(?:ketamine|infusions?|spravato|esketamine|injections?|shots?|KAP|lozenges|troches)\b[^.;]{0,40}\bfor\b",
    r"\bat (?:our|the) (?:clinic|center|centre|practice)\b",
    r"\b(?:may be|you are|you(?:['’]re)?|is) (?:a )?(?:good |strong )?candidates?\b",
        r"\bcandidates? (?:for|if|include)\b",
    r"\b(?:is|are) (?:offered|available|provided) (?:here |at our \w+ )?(?:for|to (?:treat|help))\b",
    r"\b(?:may|might|could) be (?:a )?(?:good |great |strong |right )?(?:option|fit|choice) (?:for you )?if\b",
    r"\bwe (?:\w+ ){0,6}(?:program|series|infusions?|sessions?|treatment|care) (?:\w+ ){0,4}for\b",
    r"\bfor (?:patients|people|adults|clients|veterans|those) (?:with|living with|who)\b.*\bwe\b",
    r"\bour (?:\w+ ){0,3}(?:team|program|clinic|providers?) (?:\w+ ){0,6}for\b",
)
NOT_TREATED = any_rx(
    r"\b(?:do|does|can|will)(?:n['’]t| not) (?:\w+ ){0,2}(?:treat|see|accept|work with|offer|provide|take|use|prescribe|"
    r"recommend)\b",
    r"\bnot (?:a condition|something|a diagnosis) (?:that )?we\b", r"\bno longer (?:treat|see|accept)\b",
)
# "ketamine is not used for bipolar disorder here": the clinic's own "no", aimed at the condition.
NOT_USED_FOR = rx(
    r"\b(?:is|are)(?: not|n['’]t) (?:\w+ )?(?:used|offered|given|prescribed|provided|available|administered|"
    r"recommended|designed|intended|meant|appropriate|suited|a fit) (?:\w+ ){0,3}(?:for|to treat)\b",
    r"(?:\bnot|n['’]t) (?:a condition|something|a diagnosis|an indication) (?:that )?(?:we|our)\b",
    r"\bfor\b[^.;]{0,60}\b(?:is|are)(?: not|n['’]t) (?:currently )?(?:offered|available|provided|treated)\b",
)
HERE = rx(r"\bhere\b", r"\b(?:at|in) (?:our|this) (?:clinic|practice|office|center|centre)\b", r"\b(?:we|our|us)\b")
BEYOND = re.compile(r"^(?:beyond|besides|apart from|outside(?: of)?|in addition to|aside from) [^,]{1,60},", re.I)
# What patients tried before ("who feel that talk therapy alone hasn't helped") is not the practice's programme.
PRONOUN = rx(r"\b(?:them|it|these|those)\b")
ALREADY_TRIED = rx(r"\btried\b", r"\balone\b", r"\balready\b", r"\b(?:haven|hasn|didn)['’]t (?:helped|worked)\b")
RELATED_POSTS = rx(r"\bwhat (?:we|you) (?:know|need to know)\b", r"\bwhat (?:the )?(?:research|science) says\b",
                   r"\b(?:related|recent|popular|more|latest) (?:posts|articles|stories|reading)\b", r"\bread more\b",
                   r"\bfrom (?:the|our) blog\b", r"\byou might also like\b")
# A "no" to a kind of patient, not to a condition: "we don't prescribe it to anyone with a current substance use
# disorder" is a contraindication.
RESTRICTION = rx(r"\b(?:to|for) (?:anyone|someone|patients|people|those) (?:\w+ ){0,2}(?:with|who)\b")
CRISIS_OR_SCREENING = rx(r"\b988\b", r"\b911\b", r"\bemergency (?:room|care|services?)\b", r"\binpatient\b",
                         r"\bcrisis (?:line|care|services?|center)\b", r"\bscreen(?:s|ed)? (?:\w+ ){0,3}for\b")
AGE_LIMIT = rx(r"\b(?:under|younger than|over|older than) (?:the age of )?\d{1,2}\b", r"\bminors\b", r"\bchildren\b")
WITH_KETAMINE = rx(r"\bwith (?:es)?ketamine\b", r"\bketamine (?:to treat|for)\b")
ANAPHOR = rx(r"\b(?:either|any|both|none) of (?:these|those|them)\b", r"\b(?:these|those) (?:conditions|disorders|"
             r"diagnoses|issues)\b", r"\b(?:treat|see) (?:them|these|those)\b",
             r"\b(?:use|offer|give|prescribe) (?:it|ketamine|them) for (?:these|those|either|them)\b")
OUR_DOCTOR = rx(r"^(?:Dr\.?|Doctor) [A-Z][a-z]+")
THIRD_PERSON_TREATS = rx(r"\b(?:offers|provides|treats|helps|serves|sees|specializes in|works with|cares for|"
                         r"prescribes|connects|accepts|welcomes|considers)\b",
                         r"\b(?:is|are) an? (?:[\w-]+ ){0,3}(?:practice|clinic|center|centre|program|programme|service) "
                         r"for (?:adults|people|patients|those|anyone|teens|veterans|clients)\b")
# "Adults with depression, PTSD and OCD." under a who-it-is-for heading, or as a line of its own.
PATIENT_LIST = rx(r"^(?:adults|people|patients|clients|teens|adolescents|veterans|individuals|those|anyone)\b"
                  r"(?: \w+){0,3} (?:with|living with|struggling with|experiencing|who|diagnosed|facing|dealing with|"
                  r"suffering from)\b")
PRICE = rx(r"\$\s?\d")
PRICED_SERVICE_NOTE = rx(r"(?:infusion|injection|ketamine|spravato|session|treatment|shot)s?\s*\([^)]{0,60}$")
CONTINUATION = rx(r"^(?:including|such as|especially|as well as)\b")
TREAT_QUESTION = rx(r"\b(?:treat|help|see|work with|accept patients)\b",
                   r"\b(?:get|receive|have|try|start) (?:ketamine|treatment|infusions?|spravato|KAP)\b",
                   r"\b(?:qualify|eligible|candidate)\b")
# A service line without a verb: "IV ketamine infusions for depression, anxiety, PTSD and OCD".
TAGLINE = rx(r"^(?:[\w-]+ ){0,4}(?:ketamine|infusions?|spravato|esketamine|therapy|treatments?|KAP)(?: \w+)? for\b")
CANDIDATE = rx(r"\bcandidates?\b", r"\bgood (?:option|fit|choice)\b", r"\b(?:offered|available|provided) (?:for|to)\b")
SERVICE_HEADING = rx(r"\btreatment\b", r"\btherapy\b", r"\bketamine for\b", r"\bcare\b", r"\bprogram\b",
                     r"\bclinic\b", r"\brelief\b", r"\bservices?\b")
WEAK_PAGE_TYPES = ("blog", "landing")


# Conditions no ketamine clinic lists as its own: a list that holds them is a whole practice's list (a psychiatry
# group's "What we help with"), not the conditions its ketamine care treats.
PRACTICE_ONLY = rx(r"\bADHD\b", r"\bADD\b", r"\battention[- ]deficit", r"\bautism\b", r"\bautistic\b", r"\binsomnia\b",
                   r"\bsleep (?:problems|disorders|issues)\b", r"\bschizophrenia\b", r"\bdementia\b",
                   r"\bpersonality disorders?\b", r"\blearning (?:disabilities|disorders)\b",
                   r"\brelationship (?:issues|problems)\b", r"\banger management\b", r"\bpsychotic disorders?\b",
                   r"\bmedication management\b", r"\bparenting\b", r"\bdevelopmental\b")
# A programme of the practice that is not ketamine care: conditions it treats say nothing of ketamine.
OTHER_PROGRAMME = rx(r"\bTMS\b", r"\btranscranial\b", r"\bECT\b", r"\belectroconvulsive\b", r"\bEMDR\b", r"\bCBT\b",
                     r"\bDBT\b", r"\bneurofeedback\b", r"\bmedication management\b", r"\btalk therapy\b",
                     r"\bcounseling\b", r"\bgenetic testing\b", r"\bstellate ganglion\b", r"\bSGB\b", r"\bNAD\+?",
                     r"\bvitamin\b", r"\bhydration\b", r"\bsemaglutide\b", r"\bweight loss\b", r"\bhormone\b",
                     r"\bexposure and response prevention\b", r"\bERP\b", r"\bnerve blocks?\b", r"\bepidural\b",
                     r"\bspinal cord stimulat", r"\bbotox\b", r"\bnitrous\b", r"\bmedication[- ]assisted\b",
                     r"\bMAT\b", r"\bsuboxone\b", r"\bbuprenorphine\b", r"\bmethadone\b", r"\bnaltrexone\b",
                     r"\bdetox\b", r"\bdrip (?:menu|bar|lounge|club)\b", r"\b(?:IV|vitamin|wellness|hydration) drips\b",
                     r"\bmyers", r"\bmagnesium\b", r"\bB-?complex\b", r"\bB-?12\b", r"\bglutathione\b", r"\belectrolytes\b")
# The Spravato indication "adults with major depressive disorder who are having suicidal thoughts" names suicidal
# ideation; the depression in it is its qualifier, not another condition treated.
DEPRESSION_WITH_SI = rx(r"^(?:major depressive disorder|major depression|depression|MDD)\s+(?:\w+\s+){0,2}"
                        r"(?:with|who (?:are|is) (?:having|experiencing)|and (?:acute |active )?)\s*(?:\w+\s+){0,2}suicid")
COVERAGE_TALK = rx(r"\binsur(?:ance|ers?)\b", r"\bcover(?:s|ed|age)\b", r"\boff[- ]label\b", r"\bFDA[- ]approved\b",
                   r"\bapproved by the FDA\b", r"\breimburse")
KETAMINE_WORD = rx(r"\b(?:es)?ketamine\b", r"\bspravato\b", r"\bKAP\b", r"\binfusions?\b", r"\bIM\b",
                   r"\blozenges?\b", r"\btroches?\b")


def _practice_lists(sentences: list[Sentence], named: list[list]) -> set[int]:
    """Indexes of list lines that belong to a whole practice's list: a run of short lines under one heading (or
    lead-in) that names conditions, in which some line names a condition no ketamine clinic treats (ADHD,
    insomnia, autism...)."""
    out: set[int] = set()
    run: list[int] = []

    def close() -> None:
        if any(named[i] for i in run) and any(PRACTICE_ONLY.search(sentences[i].text) for i in run) and not any(
                KETAMINE_WORD.search(f"{sentences[i].heading} {sentences[i].lead_in}") for i in run):
            out.update(run)
        run.clear()

    for i, sentence in enumerate(sentences):
        short = sentence.kind in ("item", "row", "heading", "paragraph") and sentence.text.count(" ") < 8 \
            and not sentence.text.rstrip().endswith((".", "!", "?"))
        if short and (not run or (sentence.heading, sentence.lead_in) == (sentences[run[-1]].heading,
                                                                        sentences[run[-1]].lead_in)):
            run.append(i)
        else:
            close()
            if short:
                run.append(i)
    close()
    return out


def _reads_as_an_article(sentences: list[Sentence], named: list[list]) -> bool:
    """A page whose sentences about conditions are mostly research framing is an article about ketamine, whoever
    publishes it: its other sentences about conditions are not the clinic's claims either."""
    about = [s for s, found in zip(sentences, named, strict=True) if s.kind not in ("heading", "question") and found]
    research = sum(1 for s in about if RESEARCH.search(s.text))
    return len(about) >= 4 and research / len(about) >= 0.4


def _explained_as_research(sentences: list[Sentence], index: int, key: str) -> bool:
    """A condition heading (or numbered line) whose text right below it explains that condition in research
    framing ("PTSD is a complex condition... ketamine has shown promise"): an article's section, not a card of
    the clinic's own services."""
    below = []
    for sentence in sentences[index + 1:index + 5]:
        if sentence.kind in ("heading", "item"):
            break
        below.append(sentence.text)
    return bool(below) and any(t.key == key for t, _ in find_terms(below[0], CONDITIONS)) \
        and any(RESEARCH.search(text) for text in below)


def extract_conditions(sentences: Iterable[Sentence], menu: list[str], page_type: str = "other",
                       about_ketamine: bool = True):
    """Conditions the page ties to its ketamine care, and the ones it only names. On a clinic's own page about
    ketamine (``about_ketamine``) that does not read as an article, a sentence tying a condition to care is a
    claim by default (see _speaks_of_own_care)."""
    candidates: list[Fact] = []
    mentions: list[Mention] = []
    weak_page = page_type in WEAK_PAGE_TYPES
    named_before: list = []  # the conditions the sentence before named, for "we do not treat either of these"
    sentences = list(sentences)
    named = [find_terms(s.text, CONDITIONS) for s in sentences]  # each sentence's conditions, found once
    practice_list = _practice_lists(sentences, named)
    by_default = about_ketamine and not (sum(1 for found in named if found) >= 4
                                         and _reads_as_an_article(sentences, named))
    for index, sentence in enumerate(sentences):
        if not named[index] and not named_before and not sentence.question:
            continue  # names no condition, answers no question, and has no condition before it to refuse
        answer = answer_value(sentence)
        if answer is not None and TREAT_QUESTION.search(sentence.question):
            for term, _ in find_terms(sentence.question, CONDITIONS):
                candidates.append(Fact(term.key, answer, sentence.framed, STRENGTH_STATEMENT))
        found = named[index]
        if not found and named_before and ANAPHOR.search(sentence.text) and not weak_page \
                and (NOT_TREATED.search(sentence.text) or NOT_USED_FOR.search(sentence.text)) \
                and not RESTRICTION.search(sentence.text) and not AGE_LIMIT.search(sentence.text):
            candidates += [Fact(term.key, False, sentence.text, STRENGTH_STATEMENT) for term, _ in named_before]
        named_before = found if sentence.kind != "heading" else []
        practice = bool(found) and (index in practice_list or (
            PRACTICE_ONLY.search(sentence.text) and not KETAMINE_WORD.search(BEYOND.sub(" ", sentence.text))))
        judged: dict[str, tuple[bool, int] | str] = {}  # terms of one clause share its verdict
        refused_after = _refused_later_in_sentence(sentence.text) if found and not weak_page else None
        for term, match in found:
            if refused_after is not None and match.end() <= refused_after:
                candidates.append(Fact(term.key, False, sentence.text, STRENGTH_STATEMENT))
                continue  # "Researchers are studying ketamine for migraine, but we don't use it for those yet"
            clause = clause_around(sentence.text, match.start(), match.end())
            if term.key == "depression" and DEPRESSION_WITH_SI.search(sentence.text[match.start():]):
                continue  # "major depressive disorder with suicidal thoughts" names suicidal ideation, found apart
            if practice:
                verdict = "a whole practice's list of conditions, not its ketamine care's"
            elif "$" in sentence.text and PRICED_SERVICE_NOTE.search(sentence.text[:match.start()]) \
                    and PRICE.search(sentence.text):
                verdict = (True, STRENGTH_HEADING)  # "IV Ketamine Infusion (depression, anxiety) $450"
            else:
                if clause not in judged:
                    judged[clause] = _judge_in_context(sentence, clause, weak_page, page_type, by_default)
                verdict = judged[clause]
            if not isinstance(verdict, str) and verdict[1] == STRENGTH_HEADING and sentence.kind in ("heading", "item") \
                    and _explained_as_research(sentences, index, term.key):
                verdict = "a heading over research or education text"
            if isinstance(verdict, str):
                mentions.append(Mention(term.key, sentence.text, verdict))
            else:
                value, strength = verdict
                candidates.append(Fact(term.key, value, sentence.text, strength))
    for item in menu if not weak_page else ():  # a blog's sidebar of tags and posts is not the site's list
        if len(item.split()) > 6 or "?" in item or ":" in item:
            continue  # a post title in a sidebar, not the site's own list
        for term, _ in find_terms(item, CONDITIONS):
            candidates.append(Fact(term.key, True, item, STRENGTH_MENU))
    return settle(candidates), mentions


def _refused_later_in_sentence(text: str) -> int | None:
    """Where a clause begins that refuses, in the clinic's voice, the conditions named before it."""
    for clause in CLAUSE_BREAK.split(text)[1:]:
        if ANAPHOR.search(clause) and FIRST_PERSON.search(clause) and (NOT_TREATED.search(clause)
                                                                        or NOT_USED_FOR.search(clause)):
            return text.find(clause)
    return None


LIST_FILLER = re.compile(r"[\s•·|,./;:&+()\-–—]+|\band\b|\bor\b|\bdisorders?\b|\bsyndromes?\b|\bsevere\b|"
                         r"\bchronic\b|\bmajor\b|\bother\b|\bs\b|\brelief\b|\btreatment\b|\bcare\b|\bsupport\b|"
                         r"\bsuch as\b|\bincluding\b|\blike\b|"
                         r"\bconditions?\b|\bsymptoms\b", re.I)


def _only_conditions(text: str, least: int = 2) -> bool:
    """True for a line that names ``least`` or more conditions and nothing else."""
    found = find_terms(text, CONDITIONS)
    if len(found) < least or len(text.split()) > 20:
        return False
    rest = text
    for term, _ in sorted(found, key=lambda tm: -len(tm[1].group())):  # "postpartum depression" before "depression"
        rest = compiled(term).sub(" ", rest)
    return len(LIST_FILLER.sub("", rest)) <= 3


LIST_LEAD_IN = rx(r"\bfollowing (?:conditions|diagnoses|disorders|concerns)\b", r"\b(?:conditions|concerns|diagnoses) "
                  r"(?:we|such as|like|include|including)\b", r"\bcandidates?\b", r"\bresults for\b")


def _introduces_own_list(sentence: Sentence) -> bool:
    """The lead-in of a list is the clinic's own frame: whom it treats or considers, not research or a warning."""
    lead = sentence.lead_in
    if RESEARCH.search(lead) or CONTRAINDICATION.search(lead) or NOT_TREATED.search(lead):
        return False
    return bool(PATIENT_LIST.search(lead) or LIST_LEAD_IN.search(lead) or TREATING_SECTION.search(lead)
                or (TREAT_STATEMENT.search(lead) and (FIRST_PERSON.search(lead) or sentence.self_ref)))


def _outline(sentence: Sentence) -> list[str]:
    """The headings above a sentence, nearest first ("Mood", then "Conditions we treat")."""
    return list(reversed(sentence.section.split(" > "))) if sentence.section else [sentence.heading]


def _judge_in_context(sentence: Sentence, clause: str, weak_page: bool, page_type: str,
                      by_default: bool = True) -> tuple[bool, int] | str:
    """A programme of the practice that is not ketamine care speaks for none of its conditions, nor does what
    insurers cover or the FDA approved; else _judge."""
    if COVERAGE_TALK.search(clause) and not OFFER.search(clause):
        return "what insurers cover or the FDA approved, not whom the clinic treats"
    programme = OTHER_PROGRAMME.search(clause) or OTHER_PROGRAMME.search(" > ".join(_outline(sentence)[:2])) or (
        PRONOUN.search(clause) and OTHER_PROGRAMME.search(sentence.text))  # "many clients use them (NAD+) for..."
    if programme and not KETAMINE_WORD.search(sentence.text) and not ALREADY_TRIED.search(clause):
        return "a programme that is not ketamine care (TMS, therapy, IV vitamins...)"
    return _judge(sentence, clause, weak_page, page_type, by_default)


def _judge(sentence: Sentence, clause: str, weak_page: bool, page_type: str,
           by_default: bool = True) -> tuple[bool, int] | str:
    """(value, strength) for a claim, or the reason it is only a mention."""
    text = sentence.text
    if RELATED_POSTS.search(text) or RELATED_POSTS.search(sentence.heading):
        return "a list of posts, not of conditions"
    if NOT_USED_FOR.search(NOT_A_NEGATION.sub(" ", clause)) and (HERE.search(text) or sentence.self_ref):
        return False, STRENGTH_STATEMENT
    if CONTRAINDICATION.search(text):
        return "contraindication"
    if CRISIS_OR_SCREENING.search(text):
        return "a crisis notice or a screening, not a condition treated"
    if NOT_TREATED.search(clause) and (FIRST_PERSON.search(text) or sentence.self_ref or WITH_KETAMINE.search(clause)):
        if RESTRICTION.search(clause):
            return "contraindication"
        return False, STRENGTH_STATEMENT  # "We don't treat substance use disorders with ketamine"
    if RESEARCH.search(text):
        return "research or education framing"
    if (TREAT_STATEMENT.search(clause) and (FIRST_PERSON.search(text) or CANDIDATE.search(text)
                                              or sentence.self_ref)) \
            or ((sentence.self_ref or OUR_DOCTOR.search(text)) and THIRD_PERSON_TREATS.search(clause)):
        if NOT_TREATED.search(clause):
            return False, STRENGTH_STATEMENT
        return True, STRENGTH_STATEMENT
    if weak_page:
        return "general text on a blog or landing page"
    list_like = sentence.kind in ("item", "row") or (
        sentence.kind == "paragraph" and len(text.split()) <= 8 and not text.rstrip().endswith((".", "!", "?")))
    if list_like and len(text.split()) <= 24:
        if sentence.lead_in and _introduces_own_list(sentence):
            return True, STRENGTH_HEADING  # "Adults 18 and over living with" / "depression that has not lifted"
        if page_type == "conditions" and not EDUCATION_HEADING.search(sentence.heading):
            return True, STRENGTH_HEADING  # a list on the clinic's own conditions page
        for heading in _outline(sentence):
            own_list = FIRST_PERSON.search(heading) or len(heading.split()) <= 4
            if TREATING_SECTION.search(heading) and own_list and not EDUCATION_HEADING.search(sentence.heading):
                return True, STRENGTH_HEADING
    if sentence.kind == "heading" and len(text.split()) <= 8 and not EDUCATION_HEADING.search(text) \
            and not text.endswith("?") and (SERVICE_HEADING.search(text) or page_type == "conditions"):
        return True, STRENGTH_HEADING
    if not weak_page and PATIENT_LIST.search(text):
        return True, STRENGTH_HEADING
    if _only_conditions(text):
        return True, STRENGTH_HEADING  # a verbless list line: "Depression • PTSD • Anxiety • Chronic pain"
    if (list_like or sentence.kind == "heading" or len(text.split()) <= 4) and _only_conditions(text, least=1) \
            and not EDUCATION_HEADING.search(sentence.section):
        return True, STRENGTH_HEADING  # a card or line of the clinic's own that is just the condition: "Migraine"
    if sentence.kind == "row" and PRICE.search(text):
        return True, STRENGTH_HEADING  # a priced row for it: "Mood infusion | for depression or PTSD | $450"
    if page_type == "conditions" and sentence.kind != "heading" and CONTINUATION.search(text) \
            and len(text.split()) <= 14:
        return True, STRENGTH_HEADING  # "Including major depressive disorder and TRD." under a condition heading
    if len(text.split()) <= 14 and TAGLINE.search(text) and not EDUCATION_HEADING.search(text):
        return True, STRENGTH_HEADING  # "Ketamine infusions for depression, anxiety & PTSD"
    if CONTINUATION.search(text) and _only_conditions(sentence.heading, least=1):
        return True, STRENGTH_HEADING  # a card "Depression" / "Including depression that has not lifted..."
    if by_default and _speaks_of_own_care(sentence, clause):
        return True, STRENGTH_HEADING  # the clinic's page speaking of its care: "IV ketamine for veterans with PTSD"
    return "named without a claim"


# Text on a clinic's page that is about the world, not the clinic: definitions ("PTSD is a condition..."),
# statistics, symptoms, how ketamine works, a reader's "if you", a testimonial's "I".
GENERAL_TEXT = any_rx(*(
    r"^(?:[\w'’-]+ ){0,4}(?:is|are) (?:a|an|one of|often|common|characteri[sz]ed|defined|marked|more than)\b",
    r"\b(?:millions?|percent|americans|worldwide|nationwide|statistics|prevalence|affects? (?:about|over|nearly|up to))\b",
    r"^(?!our\b|we\b)(?:[\w,-]+ ){0,4}ketamine (?:is|was|works|acts|relieves|reduces|blocks|helps|can|may|has|appears|"
    r"seems)\b",  # the medicine as the subject: what ketamine does, not what the clinic treats
    r"\bpercent\b", r"\bsymptoms?\b", r"\bsigns of\b", r"\b(?:is|are) caused\b", r"\brisk factors?\b",
    r"^(?:if|when|whether) (?:you|your|someone)\b", r"\boff[- ]label\b",
    r"\bFDA\b", r"\b(?:an |dissociative )?anesthetics?\b", r"\bNMDA\b", r"\bglutamate\b", r"\bneuroplasticity\b",
    r"\bbrain\b", r"\bknown (?:to|for|as)\b", r"\b(?:can|could|may|might) (?:help|treat|relieve|reduce|ease|improve)\b",
    r"\b(?:was|were|has been|have been) (?:used|approved|developed|discovered)\b", r"\bcrisis\b", r"\b988\b",
    r"\bemergency\b", r"\bhotline\b", r"\bfor example\b", r"\bsuch as (?:TMS|therapy|medication)\b",
    r"\b(?:refer|connect) you\b", r"\bshare (?:the )?names\b", r"\bpoint you\b", r"\bscreen (?:everyone|all|every)\b",
    r"\btrusted us\b", r"^(?:it is|it['’]s|this is) (?:\w+ )?(?:important|paramount|essential|crucial|vital|recommended|"
    r"best|wise|worth)\b", r"\bshould\b",
))
TESTIMONIAL = re.compile(r"\b(?:I|I['’]m|I['’]ve|I['’]d|My|my|me)\b")  # a patient's own words, not the clinic's
CARE_CONTEXT = rx(r"\btreat(?:s|ed|ing)?\b",
                  r"\b(?:es)?ketamine\b", r"\bspravato\b", r"\binfusions?\b", r"\binjections?\b", r"\bshots?\b", r"\bKAP\b",
                  r"\blozenges?\b", r"\btroches?\b", r"\btreatments?\b", r"\btherapy\b", r"\bsessions?\b",
                  r"\bcandidates?\b", r"\bpatients\b", r"\bclients\b", r"\badults\b", r"\bveterans\b",
                  r"\bwe\b", r"\bour\b", r"\bus\b", r"\bhere\b", r"\brelief\b", r"\bprogram\b", r"\bcare\b",
                  r"\bsupport\b", r"\bhelp\b", r"\breasons?\b")


def _speaks_of_own_care(sentence: Sentence, clause: str) -> bool:
    """On a clinic's own page about ketamine, a sentence that ties a condition to care (the care, its patients, the
    clinic) and is neither general text, research, a question nor a warning is the clinic speaking of what it
    treats, whatever its frame ("Depression, anxiety and PTSD are the most common reasons people come to us")."""
    text = sentence.text
    if sentence.kind in ("question", "heading") or text.rstrip().endswith("?"):
        return False
    if "%" in text or GENERAL_TEXT.search(text) or TESTIMONIAL.search(text) \
            or GENERAL.search(SOFT_GENERAL.sub(" ", clause)) or NOT_TREATED.search(clause) or is_negated(clause):
        return False
    return bool(CARE_CONTEXT.search(text) or CARE_CONTEXT.search(sentence.question))
