"""Insurance and payment facts, each true, false or unknown, with the sentence that settles it.

Unknown is the default: only a page that says "no" makes a key False. Coverage is per route:
"insurance does not cover IV ketamine, but Spravato is covered by most plans" gives iv_covered False and
spravato_covered True and says nothing about the rest. FAQ answers are read with their question, so
"Does insurance cover Spravato?" + "Yes, most plans do." is a fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from parsers.cues import (
    CLAUSE_BREAK,
    FIRST_PERSON,
    NAMES_KETAMINE,
    Sentence,
    answer_value,
    any_rx,
    is_negated,
    lower_rx,
    rx,
)
from parsers.facts import Payment
from parsers.vocab import FINANCING_PROVIDERS, PAYERS

INSURANCE = lower_rx(r"\binsurance\b", r"\bplans we\b", r"\bof the plans\b",
               r"\b(?:these|those|the following|all of the|the above|all major|major) plans?\b",
               r"\bcovered by (?:\w+ ){0,4}(?:plans?|insurers?|carriers?)\b", r"\binsurers?\b",
               r"\bin[- ]network\b", r"\bout[- ]of[- ]network\b", r"\bhealth plans?\b", r"\bcarriers?\b",
               r"\b(?:most|many|some|your|commercial) plans?\b", r"\bmedicare\b", r"(?-i:\bMedi-?Cal\b)|\bmedi-cal\b",
               r"\btricare\b",
               r"\bpayers?\b", r"\bVA\b", r"\bcommunity care\b")
# Words of coverage proper (billing and network status are not coverage).
COVERED_NOT_BILLED = rx(r"\bcover(?:s|ed|age)?\b", r"\breimburs", r"\bpays?\b", r"\bpay nothing\b")
COVERAGE_NEGATION = rx(r"^no\b", r"\bnot (?:\w+ )?(?:covered|billed|reimbursed|in[- ]network)\b",
                       r"\b(?:doesn['’]t|don['’]t|do not|does not|won['’]t|will not|rarely|seldom|never|isn['’]t|aren['’]t)"
                       r" (?:\w+ )?(?:cover|pay|reimburse|bill|covered|accept|take)", r"\bno (?:insurance )?coverage\b",
                       r"\bnone of (?:the |our )?(?:\w+ ){0,3}(?:plans|insurers|carriers)\b",
                       r"\b(?:is|are) (?:\w+ )?self[- ]pay\b", r"\bcoverage (?:\w+ ){0,3}is rare\b")
ROUTE_SELF_PAY = rx(r"\b(?:is|are) (?:\w+ )?(?:self[- ]pay|cash[- ]pay|private[- ]pay|out[- ]of[- ]pocket)\b")
KETAMINE_CARE = rx(r"\bketamine (?:treatment|therapy|care|sessions?)\b")
PRONOUN = rx(r"\b(?:it|they|them|this treatment)\b")
# "we do not offer loans or third-party financing", "no superbills", "cannot accept HSA": the refusal governs the term.
REFUSAL_BEFORE = rx(r"(?:\bnot|n['’]t|\bno longer|\bnever|\bunable to) (?:\w+ ){0,2}(?:offer|provide|give|issue|accept|take|"
                    r"have|supply|do|work with|partner with|use)\b[^.;]*$", r"\bno (?:\w+ )?$", r"\bnor (?:\w+ ){0,3}$",
                    r"\bused to (?:offer|accept|provide|work with|partner with)\b[^.;]*$")
NOT_AFTER = rx(r"^[^.]{0,25}\b(?:not|no longer) (?:available|accepted|provided|offered|an option)\b")
# Coverage stated as a condition or an example ("if your insurance covers it") is not a statement of fact.
# Refusing one payer or one kind of plan is not refusing insurance: "Texas Medicaid is not accepted".
PARTIAL_REFUSAL = rx(r"\bcommercial\b", r"\bmedicaid\b", r"\bmedicare\b", r"(?-i:\bMedi-?Cal\b)|\bmedi-cal\b",
                     r"\btricare\b",
                     r"\bkaiser\b", r"\bhmo\b", r"\bsome\b", r"\bcertain\b")
GENERIC_REFUSAL = rx(r"\b(?:accept|take|bill)s? (?:health )?insurance\b",
                     r"\b(?:work|deal) with (?:any )?(?:insurers|insurance)",
                     r"\bany (?:insurance|health plans?)\b",
                     r"\ball insurance\b", r"\bno insurance\b")
OUT_OF_NETWORK = rx(r"\bout[- ]of[- ]network with all\b", r"\bnot in[- ]network with any\b")
INSURANCE_SECTION = rx(r"\binsurance\b", r"\bplans\b", r"\bpayers?\b", r"\bin[- ]network\b", r"\bcoverage\b",
                       r"\bbilling\b", r"\bwe accept\b")
ACCEPTANCE = rx(r"\baccept", r"\bin[- ]network\b", r"\bbill", r"\btake\b", r"\bwork with\b", r"\bparticipat",
                r"\bcovered by\b", r"\bcontracted\b", r"\bprovider (?:for|with|in)\b", r"\bapproved\b.*\bprovider\b",
                r"\bcredentialed\b", r"\bpanels?\b")
HYPOTHETICAL = lower_rx(r"\bif\b", r"\bwhether\b", r"\bpossible\b",
                  r"\bwhen (?:you(?:['’]re| are) not|a service is not|your plan (?:does not|doesn['’]t))\b",
                  r"\bhop(?:e|es|ing) to\b", r"\bplan(?:s|ning)? to\b", r"\bcoming soon\b",
                  r"\bsoon\b", r"\bworking (?:on|toward)", r"\bin the process of\b", r"\bexpect(?:s|ing)? to\b",
                  r"\bin the future\b", r"\bnot yet\b", r"\bfor example\b", r"\be\.g\.", r"\brefer\b", r"\bdepend",
                  r"\bwhose\b",
                  r"\bCPT\b", r"\bcodes?\b")
ACCEPT_INSURANCE = lower_rx(
    r"\b(?:accept|take|bill|work with|deal with|participate with|contract with|file claims with)s? (?:[\w,()'-]+ ){0,8}?"
    r"(?:insurance|plans?|carriers|insurers?)",
    r"\b(?:approved|contracted|participating|in-network|credentialed) (?:[\w-]+ ){0,3}provider\b",
    r"\bfile (?:\w+ )?claims\b", r"\b(?:verif(?:y|ies)|checks?) your (?:\w+ )?(?:insurance|benefits|coverage)\b",
    r"\bbeneficiaries (?:are|can be) seen\b", r"\b(?:office|practice|clinic|team) (?:\w+ )?(?:accepts|bills|takes)\b",
    r"\bplans? (?:that )?we (?:participate|work|contract) with\b",
    r"\bcovered by (?:\w+ ){0,3}(?:insurance|plans?|insurers?|medicare|medicaid|tricare)\b",
    r"\bsubmit (?:\w+ )?claims (?:to|with) (?:your )?(?:insurance|insurer|plan)\b",
    r"\bin[- ]network\b", r"\binsurance (?:is |are )?accepted\b", r"\bcovered by (?:your |most )?insurance\b",
    r"\bwe (?:will )?(?:verify|check) your (?:insurance|benefits)\b",
    r"\bbill(?:ed)? (?:directly )?to (?:your )?(?:\w+ )?(?:insurance|plan|insurer)\b",
    r"\b(?:insurance|plans?|medicare|medicaid|medi-cal|tricare|carriers)\b (?:\w+ ){0,2}(?:is |are )?accepted\b",
    r"\bwe (?:\w+ )?(?:accept|bill|take)\b",  # with a payer named in the clause (checked by the caller)
)
NO_INSURANCE = lower_rx(
    r"\b(?:we are|we['’]re|is an?|are an?|remain) (?:an )?out[- ]of[- ]network\b",
    r"\bout[- ]of[- ]network (?:provider|practice|clinic|with all)\b",
    r"\b(?:cash|self|private)[- ]pay (?:only|clinic|practice|basis|model|service)\b",
    r"\bonly (?:accept )?(?:cash|self|private)[- ]pay\b",
    r"\bfee[- ]for[- ]service\b", r"\bnot (?:in[- ]network|contracted)\b",
    r"\binsurance (?:is|are) not (?:billed|accepted|taken)\b",
    r"\b(?:practice|clinic|we|office|center|centre) (?:is|are) (?:a |an )?(?:entirely |strictly |fully |exclusively )?"
    r"(?:cash|self|private)[- ]pay\b",
    r"\b(?:is|are) an? (?:entirely |strictly |fully |exclusively )?out[- ]of[- ]pocket "
    r"(?:practice|clinic|provider|office)\b",
    r"\b(?:all|every) (?:\w+ ){0,2}(?:is|are) (?:\w+ )?(?:self|cash|private)[- ]pay\b", r"^\W*no insurance billing\b",
)
COVERED = lower_rx(r"\bcover(?:s|ed|age)?\b", r"\breimburs", r"\bin[- ]network\b", r"\bpay nothing\b",
             r"\b(?:bill|accept)s? (?:[\w,()'-]+ ){0,10}?for\b",
             r"\bbill(?:ed|s)? (?:directly )?(?:to |through )?(?:your |the patient['’]s )?(?:\w+ )?"
             r"(?:insurance|plan|insurer)\b",
             r"\binsurance (?:pays|will pay)\b", r"\bprior authori[sz]ation\b", r"\bcopays?\b")
SPRAVATO = rx(r"\bspravato\b", r"\bes-?ketamine\b")
IV = rx(r"\bIV\b", r"\bintravenous", r"\binfusions?\b")
SUPERBILL = rx(r"\bsuper-?bills?\b", r"\binsurance (?:billing |claim )?forms?\b", r"\bclaim forms?\b",
               r"\b(?:itemi[sz]ed )?(?:statement|receipt|invoice|documentation|paperwork)s? (?:\w+ ){0,6}"
               r"(?:submit|reimburse|claim|send|file|insurer|insurance)",
               r"\bout[- ]of[- ]network (?:reimbursement|benefits|claims?)\b")
HSA_FSA = rx(r"\bHSA\b", r"\bFSA\b", r"\bhealth savings accounts?\b", r"\bflexible spending\b", r"\bHSA/FSA\b")
FINANCING = rx(r"\bfinanc(?:e|ing)\b", r"\bpayment plans?\b", r"\bmonthly (?:payments|installments)\b",
               r"\bpay over time\b", r"\binstal?lments?\b")


OTHER_SERVICES = rx(r"\bwellness\b", r"\bvitamins?\b", r"\bNAD\+?", r"\bhydration\b", r"\bweight[- ]loss\b",
                    r"\baesthetic", r"\bbotox\b", r"\bTMS\b")
PAYER_PATTERNS = {name: rx(*patterns) for name, patterns in PAYERS.items()}
PROVIDER_PATTERNS = {name: rx(*patterns) for name, patterns in FINANCING_PROVIDERS.items()}
ANY_PAYER = lower_rx(*(p.pattern for p in PAYER_PATTERNS.values()))


BARE_TOPIC = re.compile(r"^\W*(?:(?:insurance|financing|payment(?: plans?| options)?|superbills?|hsa|fsa|hsa/fsa|"
                        r"and|&|,|/|\s)+)\W*$", re.I)


# Every pattern that can settle a payment key or name a payer: a sentence matching none is skipped unread.
ANY_PAYMENT_WORD = any_rx(*(p.pattern for p in (INSURANCE, COVERED, ACCEPT_INSURANCE, NO_INSURANCE, ANY_PAYER,
                                                ROUTE_SELF_PAY, SUPERBILL, HSA_FSA, FINANCING,
                                                *PROVIDER_PATTERNS.values())))

def extract_payment(sentences: Iterable[Sentence], page_type: str = "other") -> Payment:
    payment = Payment()
    weak_page = page_type in ("blog", "landing")
    own_care_refused: str | None = None
    spoken_of: str | None = None  # the route the sentences before spoke of, for "It is covered by Medicare"
    label_of: str | None = None  # the route a label line just above names: "Spravato (esketamine)" over "Covered by..."
    for sentence in sentences:
        before, spoken_of = spoken_of, _route_named(sentence)  # one sentence back at most
        label, label_of = label_of, spoken_of if _is_label_line(sentence) else None
        if sentence.text.rstrip(ACCORDION_GLYPHS).endswith("?"):
            continue  # a question states nothing; its answer is read with it ("Do you take insurance? +" too)
        if not ANY_PAYMENT_WORD.search(sentence.framed):
            continue
        if OTHER_CLINICS.search(sentence.text) and not FIRST_PERSON.search(OTHER_CLINICS.sub(" ", sentence.text)):
            continue  # "In-person clinics in many cities offer IV ketamine, and some of them accept insurance"
        if weak_page and not FIRST_PERSON.search(sentence.framed) and not sentence.self_ref:
            continue  # a blog post on insurance in general says nothing about this clinic
        if sentence.kind == "heading" and BARE_TOPIC.match(sentence.text):
            continue  # a heading "Financing" or "Insurance" names a topic; the text under it says yes or no
        evidence = sentence.framed if answer_value(sentence) is not None else sentence.text
        # What the clauses before said, for "whereas IV is not" and "it"; the route the label line above names, for
        # the subjectless "Covered by most plans" under "Spravato (esketamine)" and "We accept:" under "Spravato visits".
        said: dict = {"route": before, "label_route": label, "self_ref": sentence.self_ref}
        for clause in _clauses(sentence):
            _read_clause(payment, clause, evidence, said)
            if OWN_CARE_NOT_BILLED.search(clause) and not SPRAVATO.search(clause):
                own_care_refused = own_care_refused or evidence
        _read_payers(payment, sentence)
    if payment.accepts_insurance is None and own_care_refused and not payment.spravato_covered \
            and not payment.payers:
        _set(payment, "accepts_insurance", False, own_care_refused)  # "we do not bill insurance for ketamine infusions"
    return payment


def _is_label_line(sentence: Sentence) -> bool:
    """A heading, list item or row short enough to be the label of what follows it."""
    return sentence.kind in ("heading", "item", "row") and len(sentence.text.split()) <= 8


def _route_named(sentence: Sentence) -> str | None:
    """The route a sentence speaks of (Spravato or IV), for "it" or "your copay" in the sentence after it."""
    text = sentence.text
    if ("pravato" in text or "PRAVATO" in text or "etamine" in text or "ETAMINE" in text) and SPRAVATO.search(text):
        return "spravato"
    if IV.search(text):
        return "iv"
    return None


OWN_CARE_NOT_BILLED = rx(r"\b(?:do|does|can)(?: not|n['’]t) (?:\w+ )?(?:bill|accept|take) (?:\w+ )?insurance (?:for|on) "
                         r"(?:\w+ ){0,2}(?:ketamine|infusions?|treatments?|injections?)\b",
                         r"\bour (?:\w+ ){0,2}(?:ketamine|infusions?|treatments?|injections?|sessions?) (?:are|is)"
                         r"(?: not|n['’]t) (?:billed|submitted) to (?:\w+ )?insurance\b")


def _clauses(sentence: Sentence) -> list[str]:
    """A sentence's clauses; an FAQ answer that opens with yes/no becomes the question restated."""
    answer = answer_value(sentence) if EXPLICIT_ANSWER.search(sentence.text) else None
    if answer is not None:
        question = sentence.question.rstrip("?")
        if COVERED.search(question) and not INSURANCE.search(question):
            question += " by insurance"  # "Is Spravato covered?" "Yes, by most plans."
        restated = question if answer else f"No, not {question}"
        return [restated, *_split(sentence.text)]
    return _split(sentence.text)


EXPLICIT_ANSWER = re.compile(r"^\s*(?:(?:A|Answer)\s*[:.)-]\s*)?(?:yes|no|absolutely|not)\b", re.I)


def _split(text: str) -> list[str]:
    return [c for c in CLAUSE_BREAK.split(text) if c and c.strip()]


def _set(payment: Payment, key: str, value: bool, evidence: str) -> None:
    """The first statement on a page settles a key; merging across pages happens in merge.py."""
    if getattr(payment, key) is None:
        setattr(payment, key, value)
        payment.evidence[key] = evidence


# The clinic speaking of its own patients' coverage ("Spravato treatments at the clinic are covered by Medicare").
CLINIC_SPEAKS = rx(r"\b(?:we|our|us)\b", r"\bat (?:the|our|this) (?:clinic|practice|office|center|centre)\b", r"\bhere\b")


# What the patient pays under their plan for the treatment just named: "Your share is your plan's copay".
PATIENT_SHARE = rx(r"\b(?:your|the patient['’]s) (?:share|cost|portion)\b", r"\bco-?pays?\b", r"\bco-?insurance\b")
EXCEPT_PAYER = rx(r"^(?:other than|except(?: for)?|apart from|besides|aside from)\b")
FOR_ROUTE = re.compile(r"^(?:yes,? )?(?:only |but only |just )?for (?:\w+ )?(?:spravato|es-?ketamine|IV|infusions?)\b", re.I)


# A clause that leaves its verb to the one before: "Spravato is covered by most plans, whereas IV ketamine is not".
ELLIPSIS = re.compile(r"^(?:[\w-]+ ){0,5}(?:is|are)(?P<no> not|n['’]t)?(?: (?:always|usually|typically|either|too))?\W*$",
                      re.I)
# Payers that pay for a veteran's or an injured worker's care, not health plans: "We are an approved VA Community
# Care provider for IV ketamine" says the VA pays, not that IV ketamine is covered by insurance.
SPECIAL_PAYER = rx(r"\bVA\b", r"\bveterans?\b", r"\bcommunity care\b", r"\bworkers['’]? ?comp")
HEALTH_PLANS = rx(r"\binsurance\b", r"\b(?:health|commercial|most|many|major) plans?\b", r"\binsurers?\b", r"\bmedicare\b",
                  r"\bmedicaid\b", r"\btricare\b")
EXCEPT_ROUTE = rx(r"^\W*(?:aside from|apart from|except(?: for)?|other than|besides) (?:\w+ )?(?:spravato|es-?ketamine|IV|"
                  r"infusions?)\b")
ACCORDION_GLYPHS = " +−–-▾▼›»⌄"
# Other clinics spoken of: what they take says nothing of this one.
OTHER_CLINICS = rx(r"\b(?:other|some|many|most|several) (?:\w+ )?(?:clinics|providers|practices|centers|centres)\b",
                   r"\b(?:clinics|centers|centres|providers) (?:in|near|across)\b", r"\bsome of them\b")
# A route other than Spravato and IV, for terms scoped to one route ("Are ketamine injections covered? No.").
OTHER_ROUTE = rx(r"\binjections?\b", r"\bIM\b", r"\bshots?\b", r"\blozenges?\b", r"\btroches?\b", r"\bKAP\b",
                 r"\bketamine[- ]assisted\b")
# "for every ketamine service we provide, whether that is an IV infusion or...": not one route's terms.
EVERY_SERVICE = rx(r"\b(?:every|all|any) (?:\w+ )?(?:ketamine )?(?:services?|treatments?|care)\b")
# A negation governing what follows it closely: "we are not a cash-pay practice" (but not "insurance does not
# typically cover infusions, so we are an out-of-pocket practice").
NEGATED_BEFORE = rx(r"(?:\bnot|n['’]t|\bnever|\bno longer)\s+(?:[\w-]+\s+){0,3}$")
# A clause whose subject is its heading: "Covered by most commercial plans", "Not covered by any plan we work with".
SUBJECTLESS = re.compile(r"^\W*(?:(?:is|are) )?(?:not |also |usually |often |typically |generally )?(?:covered|billed|"
                         r"reimbursed|in[- ]network)\b", re.I)
# Acceptance proper: the clinic bills or takes insurance (coverage of one route by plans says nothing of that).
BILLING_VERB = rx(r"\baccept", r"\bbill", r"\bin[- ]network\b", r"\btake\b", r"\bwork with\b", r"\bparticipat",
                  r"\bcontract", r"\bfile\b", r"\bverify\b", r"\bcredential", r"\bsubmit\b", r"\bprocess\b")


def _read_clause(payment: Payment, clause: str, evidence: str, said: dict) -> None:
    """Read one clause; ``said`` carries the route and coverage of the clauses before it, so "it" and an
    elided verb ("whereas IV ketamine is not") read as the earlier clause did. Each cue is searched once."""
    negated = is_negated(clause)
    spravato, iv = SPRAVATO.search(clause), IV.search(clause)
    if EXCEPT_ROUTE.search(clause):
        spravato = iv = None  # "Aside from Spravato, our services are self-pay": said of everything but the route
    route = "spravato" if spravato else "iv" if iv else (
        said.get("route") if PRONOUN.search(clause) or PATIENT_SHARE.search(clause) else None)
    labelled = route is None and said.get("label_route") and (SUBJECTLESS.search(clause) or ACCEPT_INSURANCE.search(clause))
    if labelled:
        route = said["label_route"]
    elided = ELLIPSIS.match(clause.strip())
    if route and FOR_ROUTE.match(clause.strip()) and said.get("covered_any") is not None:
        _set(payment, "spravato_covered" if route == "spravato" else "iv_covered", said["covered_any"], evidence)
        said["route"] = route
        return
    if route and elided and said.get("covered") is not None and route != said.get("route"):
        _set(payment, "spravato_covered" if route == "spravato" else "iv_covered", not elided.group("no"), evidence)
        said["route"] = route
        return
    coverage_negated = COVERAGE_NEGATION.search(clause)
    if route is None and coverage_negated and KETAMINE_CARE.search(clause):
        route = "iv"  # "the ketamine treatment itself is not covered": the clinic's own (non-Spravato) ketamine
    hypothetical = HYPOTHETICAL.search(clause)
    insurance = INSURANCE.search(clause)
    coverage = COVERED.search(clause) and insurance and not hypothetical
    if coverage and not route:
        said["covered_any"] = not coverage_negated  # "Yes, most plans" before "— for Spravato"
    special_only = bool(SPECIAL_PAYER.search(clause)) and not HEALTH_PLANS.search(clause)
    if route and coverage and not (special_only and not coverage_negated):
        no_coverage = bool(coverage_negated)
        only_billing = not COVERED_NOT_BILLED.search(clause)
        if not (no_coverage and only_billing):  # "we do not bill insurance for X" says nothing of coverage
            _set(payment, "spravato_covered" if route == "spravato" else "iv_covered", not no_coverage, evidence)
            said["covered"] = not no_coverage
            if not no_coverage and (CLINIC_SPEAKS.search(clause) or ANY_PAYER.search(clause)):
                _set(payment, "accepts_insurance", True, evidence)  # "Medicare covers SPRAVATO at Laurel Crest"
    elif route and ROUTE_SELF_PAY.search(clause):
        _set(payment, "spravato_covered" if route == "spravato" else "iv_covered", False, evidence)
    names_payer = bool(ANY_PAYER.search(clause))
    accept_match = ACCEPT_INSURANCE.search(clause)
    accepting = bool(accept_match) and bool(insurance or names_payer)
    if accepting and accept_match.group(0).lower().startswith("covered by") and not (
            CLINIC_SPEAKS.search(clause) or BILLING_VERB.search(clause) or said.get("self_ref")):
        accepting = False  # "it is often covered by insurance": a fact about insurers, not the clinic taking it
    if accepting and not negated and not hypothetical:
        said.setdefault("covered_any", True)  # "Do you accept insurance?" "Yes, most plans — for Spravato."
        if (spravato or iv or labelled) and not special_only:  # "We take insurance for SPRAVATO": covered for it
            _set(payment, "spravato_covered" if route == "spravato" else "iv_covered", True, evidence)
    route_scoped = (spravato or iv or OTHER_ROUTE.search(clause)) and not EVERY_SERVICE.search(clause)
    if names_payer and negated and EXCEPT_PAYER.search(clause):
        _set(payment, "accepts_insurance", True, evidence)  # "Other than workers' compensation we do not bill insurance"
    no_insurance = NO_INSURANCE.search(clause)
    if no_insurance and not hypothetical and not route_scoped \
            and (not NEGATED_BEFORE.search(clause[:no_insurance.start()]) or OUT_OF_NETWORK.search(clause)):
        _set(payment, "accepts_insurance", False, evidence)
    elif accepting and not hypothetical:
        if no_insurance and not negated:
            _set(payment, "accepts_insurance", False, evidence)
        elif not negated and (BILLING_VERB.search(clause) or not route_scoped or CLINIC_SPEAKS.search(clause)
                              or names_payer):
            _set(payment, "accepts_insurance", True, evidence)  # even if only for one route: it bills insurance
        elif not route_scoped and (GENERIC_REFUSAL.search(clause) or not PARTIAL_REFUSAL.search(clause)):
            _set(payment, "accepts_insurance", False, evidence)  # "we do not accept insurance" (not route-specific)

    for key, pattern in (("superbill", SUPERBILL), ("hsa_fsa", HSA_FSA)):
        match = pattern.search(clause)
        if match and OTHER_SERVICES.search(clause[match.end():]) and not NAMES_KETAMINE.search(clause):
            continue  # "no superbills for wellness IVs": said of the spa's other services
        if match:
            _set(payment, key, not _negated_near(clause, match), evidence)
    provider_matches = {name: found for name, pattern in PROVIDER_PATTERNS.items() if (found := pattern.search(clause))}
    financing = FINANCING.search(clause) or next(iter(provider_matches.values()), None)
    if financing:  # "A note on financing: we no longer offer CareCredit or any other financing": any refusal counts
        negated = any(_negated_near(clause, m) for m in [*FINANCING.finditer(clause), *provider_matches.values()])
        _set(payment, "financing", not negated, evidence)
        if not negated:
            for name in provider_matches:
                if name not in payment.financing_providers:
                    payment.financing_providers.append(name)
                payment.evidence.setdefault(f"provider:{name}", evidence)
            if provider_matches and "financing_providers" not in payment.evidence:
                payment.evidence["financing_providers"] = evidence
    said["route"] = route




def _negated_near(clause: str, match: re.Match) -> bool:
    """A negation right before the term ("we do not provide superbills") or right after ("... are not accepted")."""
    before = clause[max(0, match.start() - 60):match.start()]
    after = clause[match.end():match.end() + 35]
    return bool(REFUSAL_BEFORE.search(before)) or bool(NOT_AFTER.search(after)) \
        or bool(re.match(r"^\s*:?\s*no\b", after, re.I))


def _names_payer(clause: str) -> bool:
    return bool(ANY_PAYER.search(clause))


def _read_payers(payment: Payment, sentence: Sentence) -> None:
    """Payers named where the clinic says it accepts, bills or is in network with them (each with its sentence)."""
    text = sentence.framed
    lead = sentence.lead_in if sentence.kind == "item" else ""
    if lead and (is_negated(lead) or HYPOTHETICAL.search(lead)):
        return  # listed under "Not accepted:" or "Coming soon:"
    listed = sentence.kind in ("item", "row") and (INSURANCE_SECTION.search(sentence.section or sentence.heading)
                                                   or ACCEPTANCE.search(text) or ACCEPTANCE.search(lead))
    for clause in _split(text):
        if is_negated(clause) or HYPOTHETICAL.search(clause) or not (listed or ACCEPTANCE.search(clause)):
            continue
        for name, pattern in PAYER_PATTERNS.items():
            if pattern.search(clause) and name not in payment.payers:
                payment.payers.append(name)
                payment.evidence[f"payer:{name}"] = sentence.text
                payment.evidence.setdefault("payers", sentence.text)
                _set(payment, "accepts_insurance", True, f"{lead} {sentence.text}".strip())  # a payer it takes
