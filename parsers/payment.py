"""Insurance and payment facts, each true, false or unknown, with the sentence that settles it.

Unknown is the default: only a page that says "no" makes a key False. Coverage is per route:
"insurance does not cover IV ketamine, but Spravato is covered by most plans" gives iv_covered False and
spravato_covered True and says nothing about the rest. FAQ answers are read with their question, so
"Does insurance cover Spravato?" + "Yes, most plans do." is a fact.
"""

from __future__ import annotations

from collections.abc import Iterable

from parsers.cues import CLAUSE_BREAK, Sentence, answer_value, is_negated, rx
from parsers.facts import Payment
from parsers.vocab import FINANCING_PROVIDERS, PAYERS

INSURANCE = rx(r"\binsurance\b", r"\binsurers?\b", r"\bin[- ]network\b", r"\bout[- ]of[- ]network\b",
               r"\bhealth plans?\b", r"\bcarriers?\b", r"\b(?:most|many|some|your|commercial) plans?\b",
                   r"\bmedicare\b",
               r"\bmedi-?cal\b", r"\btricare\b", r"\bpayers?\b")
# Coverage stated as a condition or an example ("if your insurance covers it") is not a statement of fact.
HYPOTHETICAL = rx(r"\bif\b", r"\bwhether\b", r"\bfor example\b", r"\be\.g\.", r"\brefer\b", r"\bdepend")
ACCEPT_INSURANCE = rx(
    r"\b(?:accept|take|bill|work with|participate with|contract with|file|submit (?:claims )?to)s? (?:\w+ ){0,4}"
    r"(?:insurance|plans|carriers|insurers)",
    r"\bin[- ]network\b", r"\binsurance (?:is |are )?accepted\b", r"\bcovered by (?:your |most )?insurance\b",
    r"\bwe (?:will )?(?:verify|check) your (?:insurance|benefits)\b",
    r"\bbill(?:ed)? (?:directly )?to (?:your )?insurance\b",
)
NO_INSURANCE = rx(
    r"\b(?:we are|we['’]re|is an?|are an?|remain) (?:an )?out[- ]of[- ]network\b",
    r"\bout[- ]of[- ]network (?:provider|practice|clinic|with all)\b",
    r"\b(?:cash|self|private)[- ]pay (?:only|clinic|practice|basis|model|service)\b",
    r"\bonly (?:accept )?(?:cash|self|private)[- ]pay\b",
    r"\bfee[- ]for[- ]service\b", r"\bnot (?:in[- ]network|contracted)\b",
)
COVERED = rx(r"\bcover(?:s|ed|age)?\b", r"\breimburs", r"\bin[- ]network\b",
             r"\bbill(?:ed|s)? (?:to )?(?:your )?insurance\b",
             r"\binsurance (?:pays|will pay)\b", r"\bprior authori[sz]ation\b", r"\bcopays?\b")
SPRAVATO = rx(r"\bspravato\b", r"\bes-?ketamine\b")
IV = rx(r"\bIV\b", r"\bintravenous", r"\binfusions?\b")
SUPERBILL = rx(r"\bsuper-?bills?\b", r"\binsurance (?:billing |claim )?forms?\b", r"\bclaim forms?\b",
               r"\b(?:itemi[sz]ed )?(?:statement|receipt|invoice|documentation)s? (?:\w+ ){0,5}"
               r"(?:submit|reimburse|claim)", r"\bout[- ]of[- ]network (?:reimbursement|benefits|claims?)\b")
HSA_FSA = rx(r"\bHSA\b", r"\bFSA\b", r"\bhealth savings accounts?\b", r"\bflexible spending\b", r"\bHSA/FSA\b")
FINANCING = rx(r"\bfinanc(?:e|ing)\b", r"\bpayment plans?\b", r"\bmonthly (?:payments|installments)\b",
               r"\bpay over time\b", r"\binstal?lments?\b")


PAYER_PATTERNS = {name: rx(*patterns) for name, patterns in PAYERS.items()}
PROVIDER_PATTERNS = {name: rx(*patterns) for name, patterns in FINANCING_PROVIDERS.items()}


def extract_payment(sentences: Iterable[Sentence]) -> Payment:
    payment = Payment()
    for sentence in sentences:
        if sentence.text.rstrip().endswith("?"):
            continue  # a question states nothing; its answer is read with it
        evidence = sentence.framed if answer_value(sentence) is not None else sentence.text
        for clause in _clauses(sentence):
            _read_clause(payment, clause, evidence)
        _read_payers(payment, sentence)
    return payment


def _clauses(sentence: Sentence) -> list[str]:
    """A sentence's clauses; an FAQ answer that opens with yes/no becomes the question restated."""
    answer = answer_value(sentence)
    if answer is not None:
        question = sentence.question.rstrip("?")
        restated = question if answer else f"No, {question}"
        return [restated, *_split(sentence.text)]
    return _split(sentence.text)


def _split(text: str) -> list[str]:
    return [c for c in CLAUSE_BREAK.split(text) if c and c.strip()]


def _set(payment: Payment, key: str, value: bool, evidence: str) -> None:
    """The first statement on a page settles a key; merging across pages happens in merge.py."""
    if getattr(payment, key) is None:
        setattr(payment, key, value)
        payment.evidence[key] = evidence


def _read_clause(payment: Payment, clause: str, evidence: str) -> None:
    negated = is_negated(clause)
    coverage = COVERED.search(clause) and INSURANCE.search(clause) and not HYPOTHETICAL.search(clause)
    if SPRAVATO.search(clause) and coverage:
        _set(payment, "spravato_covered", not negated, evidence)
    elif IV.search(clause) and coverage:
        _set(payment, "iv_covered", not negated, evidence)
    if ACCEPT_INSURANCE.search(clause) and not SPRAVATO.search(clause) and not IV.search(clause):
        if NO_INSURANCE.search(clause) and not negated:
            _set(payment, "accepts_insurance", False, evidence)
        else:
            _set(payment, "accepts_insurance", not negated, evidence)
    elif NO_INSURANCE.search(clause) and not negated:
        _set(payment, "accepts_insurance", False, evidence)
    if SUPERBILL.search(clause):
        _set(payment, "superbill", not negated, evidence)
    if HSA_FSA.search(clause):
        _set(payment, "hsa_fsa", not negated, evidence)
    providers = [name for name, pattern in PROVIDER_PATTERNS.items() if pattern.search(clause)]
    if FINANCING.search(clause) or providers:
        _set(payment, "financing", not negated, evidence)
        if not negated:
            for name in providers:
                if name not in payment.financing_providers:
                    payment.financing_providers.append(name)
            if providers and "financing_providers" not in payment.evidence:
                payment.evidence["financing_providers"] = evidence


def _read_payers(payment: Payment, sentence: Sentence) -> None:
    """Payers named where the clinic says it accepts or is in network with them."""
    text = sentence.framed
    if not (ACCEPT_INSURANCE.search(text) or INSURANCE.search(text) or sentence.kind in ("item", "row")):
        return
    if sentence.kind in ("item", "row") and not (INSURANCE.search(sentence.heading) or INSURANCE.search(text)):
        return
    for clause in _split(text):
        if is_negated(clause):
            continue
        for name, pattern in PAYER_PATTERNS.items():
            if pattern.search(clause) and name not in payment.payers:
                payment.payers.append(name)
                payment.evidence.setdefault("payers", sentence.text)
