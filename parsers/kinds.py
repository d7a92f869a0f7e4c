"""Every yes/no/unknown fact kind a clinic states about itself, declared once.

A kind added to ``FLAGS`` gets, with no other edit: its field on the page's ``Payment`` or ``Care``
(``parsers/facts.py``), its ``clinics`` column (with a facet and an index when ``facet``), its row in the
lookup table that labels it, its fact rows, change signature and search words in the build, its line on the
clinic page (``section``), its correction field, and its column description on the published site. A care
kind is read from its own patterns by ``parsers/care.py``; a payment kind is read by the clause rules of
``parsers/payment.py`` (coverage is per route and per clause, more than patterns can say). ``example`` is a
sentence that states the kind: tests/test_fact_kinds.py walks it from a page to the database to the clinic page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    """Where a group's kinds live: the page's part (``PageFacts.payment``), the fact table and the label table."""

    name: str
    table: str
    lookup: str
    index_no: bool  # a stated "no" is searchable too ("no accepts insurance"); a care "no" is not ("Spravato")
    sections: tuple[str, ...]  # the clinic page's parts its kinds can be shown in


GROUPS = {
    "payment": Group("payment", "clinic_payment", "payment_keys", index_no=True, sections=("payment",)),
    "care": Group("care", "clinic_care", "care_keys", index_no=False, sections=("who_treats", "access")),
}


@dataclass(frozen=True)
class FlagKind:
    key: str
    label: str
    group: str  # a key of GROUPS
    meaning: str  # the column's description: what 1, 0 and blank say
    section: str  # one of its group's sections
    example: str  # a sentence on a clinic's own page that says yes
    says_yes: tuple[str, ...] = ()  # care kinds: patterns of a sentence that says yes (negated, it says no)
    says_no: tuple[str, ...] = ()  # care kinds: patterns that say no outright
    facet: bool = False  # a facet of the clinics table, and an index for it


def _payment(key: str, label: str, meaning: str, example: str, facet: bool = False) -> FlagKind:
    return FlagKind(key, label, "payment", meaning, "payment", example, facet=facet)


FLAGS: tuple[FlagKind, ...] = (
    _payment("accepts_insurance", "Accepts insurance", "1 accepts insurance, 0 says it does not, blank unknown",
             "We accept most major insurance plans.", facet=True),
    _payment("spravato_covered", "Spravato covered by insurance",
             "1 Spravato billed to or covered by insurance, 0 stated not covered, blank unknown",
             "Spravato is covered by most insurance plans.", facet=True),
    _payment("iv_covered", "IV ketamine covered by insurance",
             "1 IV ketamine covered by insurance, 0 stated not covered, blank unknown",
             "Our IV ketamine infusions are covered by insurance."),
    _payment("superbill", "Superbills for out-of-network claims",
             "1 gives superbills for out-of-network claims, 0 says it does not, blank unknown",
             "We provide a superbill you can submit to your insurer."),
    _payment("hsa_fsa", "HSA/FSA accepted", "1 takes HSA/FSA cards, 0 says it does not, blank unknown",
             "We accept HSA and FSA cards."),
    _payment("financing", "Financing or payment plans",
             "1 offers financing or payment plans, 0 says it does not, blank unknown",
             "We offer financing and payment plans."),
    FlagKind(
        "accepting_new_patients", "Accepting new patients", "care",
        "1 says it is accepting new patients, 0 says it is not, blank unknown", "access",
        "We are accepting new patients.",
        says_yes=(r"\b(?:accepting|welcoming|taking|seeing|open to|now booking) (?:\w+ ){0,2}new (?:patients|clients)\b",
                  r"\bnew (?:patients|clients) (?:are )?(?:always )?welcome\b", r"\bnow accepting patients\b"),
        says_no=(r"\b(?:closed|full) to new (?:patients|clients)\b", r"\bwait ?list for new (?:patients|clients)\b",
                 r"\b(?:practice|schedule|panel|caseload) is (?:currently )?full\b"), facet=True),
    FlagKind(
        "referral_required", "Referral required", "care",
        "1 a referral is required, 0 the clinic says none is needed, blank unknown", "access",
        "A referral is required before your first visit.",
        says_yes=(r"\breferrals? (?:\w+ ){0,5}(?:is |are )?(?:required|needed|necessary|mandatory)\b",
                  r"\brequires? (?:a |an )?(?:\w+ ){0,2}referral\b", r"\bneed (?:a |an )?(?:\w+ ){0,2}referral\b",
                  r"\bmust be referred\b", r"\bby referral only\b", r"\breferral[- ]only\b",
                  r"\bonly (?:accept|see|treat) (?:\w+ ){0,2}referred\b"),
        says_no=(r"\bno referrals? (?:is |are )?(?:needed|required|necessary)\b", r"\bwithout (?:a |any )?referral\b",
                 r"\bself[- ]referrals? (?:are )?(?:welcome|accepted)\b", r"\b(?:can|may) self[- ]refer\b",
                 r"\breferrals? (?:is |are )?(?:not|never) (?:required|needed|necessary)\b")),
    FlagKind(
        "consultation_required", "Consultation or screening before the first treatment", "care",
        "1 a consultation or screening comes before the first treatment, blank unknown", "access",
        "Every new patient begins with a consultation.",
        says_yes=(r"\b(?:consultation|screening|evaluation|assessment|intake)s? (?:\w+ ){0,5}(?:is |are )?"
                  r"(?:required|needed|necessary|mandatory)\b",
                  r"\b(?:requires?|must (?:complete|have|schedule|book|undergo)|need to (?:complete|have|schedule)) "
                  r"(?:a |an )?(?:\w+ ){0,3}(?:consultation|screening|evaluation|assessment|intake)\b",
                  r"\b(?:every|each|all) (?:new )?patients? (?:\w+ ){0,2}(?:begins?|starts?) with (?:a |an )?(?:\w+ ){0,3}"
                  r"(?:consultation|screening|evaluation|assessment)\b",
                  r"\bbefore (?:your|the|any|a) first (?:\w+ )?(?:infusion|treatment|session|dose|injection)\b.*"
                  r"\b(?:consultation|screening|evaluation|assessment)\b",
                  r"\b(?:consultation|screening|evaluation|assessment)\b.*\bbefore (?:your|the|any|a) first (?:\w+ )?"
                  r"(?:infusion|treatment|session|dose|injection)\b",
                  r"\b(?:every|each|all) new (?:\w+ )?(?:patient|client)s? (?:has|have|gets?|needs?|completes?|books?) "
                  r"(?:a |an )?(?:\w+ ){0,2}(?:consultation|screening|evaluation|assessment)"
                  r"(?: visit| appointment)? first\b"),
        says_no=(r"\bno (?:\w+ )?(?:consultation|screening|evaluation) (?:is )?(?:needed|required|necessary)\b",)),
    FlagKind(
        "physician_led", "Physician-led or physician on site", "care",
        "1 physician-led, physician-supervised or a physician on site, blank unknown", "who_treats",
        "Our clinic is physician-led.",
        says_yes=(r"\bphysician[- ](?:led|owned|run|directed|supervised)\b",
                  r"\b(?:physician|doctor|MD|psychiatrist|anesthesiologist)s?,? (?:is |are )?(?:always )?"
                  r"(?:on[- ]site|present|in the (?:building|clinic|office))\b",
                  r"\b(?:physician|doctor|psychiatrist|anesthesiologist|Dr\.)[^.;?]{0,60}\b(?:stays?|remains?|is|are) "
                  r"(?:always )?(?:on[- ]site|present) (?:for|during|until|whenever|at) ",
                  r"\b(?:Dr\.|physician|medical director)[^.;?]{0,60}\b(?:personally )?(?:oversees|supervises|"
                  r"administers|gives|performs|starts) (?:every|each|all|your)\b",
                  r"\bon[- ]site (?:physician|doctor|MD)s?\b",
                  r"\b(?:led|run|owned|directed|founded|overseen|supervised) by (?:a |an |our |two )?(?:\w+[- ]){0,2}"
                  r"(?:physicians?|doctors?|MDs?|anesthesiologists?|psychiatrists?|medical directors?)\b",
                  r"\bunder the (?:direct |close )?(?:supervision|direction|care) of (?:a |an |our )?(?:\w+[- ]){0,2}"
                  r"(?:physician|doctor|anesthesiologist|psychiatrist|medical director|Dr\.?)\b",
                  r"\b(?:administered|given|performed|monitored) (?:\w+ ){0,2}by (?:a |an |our )?(?:\w+[- ]){0,2}"
                  r"(?:physicians?|doctors?|anesthesiologists?|psychiatrists?)\b"),
        says_no=(r"\bno (?:physician|doctor) (?:is )?on[- ]site\b",)),
    FlagKind(
        "spravato_rems", "Certified Spravato (REMS) treatment center", "care",
        "1 says it is a certified Spravato (REMS) treatment center, 0 says it does not offer Spravato, blank unknown",
        "access", "We are a certified Spravato treatment center.",
        says_yes=(r"\bcertified (?:spravato|esketamine)\W{0,3} (?:treatment )?(?:center|centre|clinic|provider|site|"
                  r"location|healthcare setting)\b",
                  r"\bREMS[- ]certified\b",
                  r"\bcertified (?:\w+ ){0,3}(?:in|through|under|with|by) the (?:spravato\W{0,3} )?REMS\b",
                  r"\b(?:enrolled|registered) (?:\w+ ){0,2}(?:in|with) the (?:spravato\W{0,3} )?REMS\b",
                  r"\b(?:spravato|esketamine)\W{0,3} (?:REMS )?certified\b"), facet=True),
    FlagKind(
        "telehealth", "Telehealth visits", "care",
        "1 offers telehealth visits, 0 says visits are in person only, blank unknown", "access",
        "We offer telehealth visits.",
        says_yes=(r"\btele-?health\b", r"\btele-?medicine\b", r"\bvirtual (?:visits?|appointments?|consultations?|"
                  r"follow[- ]ups?|care|sessions?)\b", r"\bvideo (?:visits?|appointments?|consultations?|calls?)\b",
                  r"\bonline (?:consultations?|appointments?|visits?)\b", r"\b(?:held|done|offered|available|conducted|"
                  r"meet|seen) (?:\w+ )?(?:by|over|via) video\b"),
        says_no=(r"\bin[- ]person only\b", r"\bno (?:telehealth|virtual) (?:visits|appointments|option)\b")),
    FlagKind(
        "by_appointment_only", "By appointment only", "care", "1 says it sees patients by appointment only", "access",
        "We see patients by appointment only.",
        says_yes=(r"\bby appointment only\b", r"\bappointment[- ]only\b", r"\bappointments? (?:is |are )?required\b",
                  r"\bonly by appointment\b"),
        says_no=(r"\bwalk[- ]ins? (?:are )?(?:welcome|accepted)\b(?!\s+for\s+(?!ketamine|infusions?|treatments?|all\b))",)),
)


def flags(group: str) -> tuple[FlagKind, ...]:
    """The kinds of one group, in their declared order."""
    if group not in GROUPS:
        raise KeyError(f"unknown fact group {group!r}: one of {', '.join(GROUPS)}")
    return tuple(k for k in FLAGS if k.group == group)


def keys(group: str) -> tuple[str, ...]:
    return tuple(k.key for k in flags(group))


def labels(group: str) -> dict[str, str]:
    return {k.key: k.label for k in flags(group)}


FLAG_BY_KEY = {k.key: k for k in FLAGS}
PAYMENT_KEYS, CARE_KEYS = keys("payment"), keys("care")
PAYMENT_LABELS, CARE_LABELS = labels("payment"), labels("care")


def flag(key: str) -> FlagKind:
    """The kind of ``key``; an unknown key is an error that says where kinds are declared."""
    try:
        return FLAG_BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown fact kind {key!r}: declare it in parsers/kinds.py FLAGS") from None


def _check(kinds: tuple[FlagKind, ...]) -> None:
    """A misdeclared kind fails at import, not as a silently empty column."""
    seen: set[str] = set()
    for kind in kinds:
        if kind.key in seen:
            raise ValueError(f"fact kind {kind.key} is declared twice")
        if kind.group not in GROUPS or kind.section not in GROUPS[kind.group].sections:
            raise ValueError(f"fact kind {kind.key}: group must be one of {list(GROUPS)}, and section one of its own")
        if kind.group == "care" and not kind.says_yes:
            raise ValueError(f"care kind {kind.key} needs says_yes patterns")
        seen.add(kind.key)


_check(FLAGS)
