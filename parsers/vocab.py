"""The project's vocabularies, in one place.

Every other module (parsers, lookup tables, Datasette labels, search text, tests) imports its keys,
labels, synonyms and parents from here, so a route or condition is spelt one way everywhere.
Patterns are regular expressions matched case-insensitively against one sentence at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    patterns: tuple[str, ...]
    parent: str | None = None
    synonyms: tuple[str, ...] = field(default=())  # extra words for full-text search

    @property
    def search_words(self) -> str:
        return " ".join((self.label, *self.synonyms))


ROUTES: tuple[Term, ...] = (
    Term(
        "iv_infusion",
        "IV infusion",
        (
            r"\bIV\b(?!\s*(?:vitamin|hydration|drip therap(?:y|ies) (?:for|with) (?:vitamin|nad)))",
            r"\bintravenous(?:ly)?\b",
            r"\binfusions?\b",
        ),
        synonyms=("IV", "intravenous", "infusion", "ketamine infusion therapy"),
    ),
    Term(
        "im_injection",
        "IM injection",
        (
            r"\bIM\b(?=\s*(?:ketamine|injections?|shots?|treatment|therapy|sessions?|route|dosing|\)|,|/))",
            r"\bintramuscular(?:ly)?\b",
            r"\bketamine (?:shots?|injections?)\b",
            r"\binjections? of ketamine\b",
            r"\bIM (?:shots?|injections?)\b",
            r"(?<!trigger point )\binjections? into (?:a|the) muscle\b",
            r"\b(?:ketamine|dose|medicine|medication) (?:[\w,]+ ){0,8}?into (?:a|the|each) (?:\w+ )?muscles?\b",
            r"\b(?:shot|injection)s? (?:in|into) (?:the|your) (?:upper )?(?:shoulder|arm|thigh|hip|deltoid|buttock)\b",
        ),
        synonyms=("IM", "intramuscular", "injection", "ketamine shot"),
    ),
    Term(
        "intranasal_esketamine",
        "Spravato (intranasal esketamine)",
        (r"\bspravato\b", r"\bes-?ketamine\b"),
        synonyms=("Spravato", "esketamine", "nasal spray", "intranasal", "REMS"),
    ),
    Term(
        "intranasal_ketamine",
        "Compounded intranasal ketamine",
        (
            r"\b(?:intranasal|nasal) ketamine\b",
            r"\bcompounded (?:intranasal |nasal )?ketamine (?:nasal )?sprays?\b",
            r"\bketamine nasal sprays?\b",
            r"\bcompounded (?:ketamine )?nasal sprays?\b",
        ),
        synonyms=("ketamine nasal spray", "compounded nasal spray", "intranasal ketamine"),
    ),
    Term(
        "oral_sublingual",
        "Oral or sublingual ketamine",
        (
            r"\bsublingual(?:ly)?\b",
            r"\btroches?\b",
            r"\blozenges?\b",
            r"\bRDTs?\b",
            r"\brapid[- ]dissolv(?:e|ing) tablets?\b",
            r"\boral(?:ly)? (?:ketamine|tablets?|dos(?:e|es|ing)|route|form)\b",
            r"\bketamine (?:tablets?|troches?|lozenges?)\b",
            r"\b(?:by mouth|orally)\b",
        ),
        synonyms=("oral", "sublingual", "troches", "lozenges", "RDT", "tablets"),
    ),
    Term(
        "subcutaneous",
        "Subcutaneous ketamine",
        (
            r"\b(?:sub-?Q|sub-?cutaneous) (?:ketamine )?(?:injections?|shots?|doses?)\b",  # longest first
            r"\bsub-?cutaneous(?:ly)?\b",
            r"\bsub-?Q\b",
            r"\bunder the skin\b",
        ),
        synonyms=("subcutaneous", "SubQ", "sub-Q", "under the skin"),
    ),
)

# The medicine named, by any of its names: a page that never says it makes no route or price claims.
KETAMINE = re.compile(r"\b(?:es)?ketamine\b|\bspravato\b|\bKAP\b", re.I)

SERVICES: tuple[Term, ...] = (
    Term(
        "kap",
        "Ketamine-assisted psychotherapy (KAP)",
        (
            r"\bketamine[- ]assisted (?:psycho)?therapy\b",
            r"\bKAP\b",
            r"\bketamine[- ]assisted psychotherapy\b",
            r"\bpsychedelic[- ]assisted (?:psycho)?therapy\b",
        ),
        synonyms=("KAP", "ketamine-assisted psychotherapy", "therapy", "integration"),
    ),
    Term(
        "at_home",
        "At-home ketamine (telehealth)",
        (
            r"\bat[- ]home (?:\w+ )?ketamine\b",
            r"\bat[- ]home (?:program|treatment|therapy|dosing|sessions?|care|option)\b",
            r"\b(?:used|taken|use|take) at home\b",
            r"\bketamine (?:\w+ ){0,2}to (?:take|use) at home\b",
            r"\bketamine (?:therapy |treatment )?at home\b",
            r"\b(?:in|from) the comfort of (?:your|their) (?:own )?home\b",
            r"\bhome[- ]based ketamine\b",
            r"\bfor (?:use at|home) use\b",
            r"\bketamine (?:therapy|treatment|care)?,? at home\b",
            r"\b(?:maintenance|use|dos(?:e|es|ing)|sessions?|treatments?)(?: [\w-]+){0,2} at home\b",
            r"\b(?:use|take|using|taking) (?:it|them|the [\w-]+|your [\w-]+) at home\b",
            r"\b(?:shipped|mailed|delivered) (?:directly )?to (?:you|your (?:door|home))\b",
            r"\btake[- ]home (?:ketamine|lozenges?|troches?|tablets?|doses?|medication|kits?)\b",
            r"\b(?:send|sends|sent) (?:ketamine|lozenges?|troches?|tablets?|doses?|medication|medicine) home\b",
            r"\bsent home(?= with (?:patients|clients|you)\b)",  # "Ketamine is never sent home with patients"
            r"\bketamine (?:\w+ ){0,2}to take home\b",
        ),
        synonyms=("at-home", "telehealth", "home use"),
    ),
)

CONDITIONS: tuple[Term, ...] = (
    Term("depression", "Depression", (r"\bdepression\b", r"\bdepressive disorders?\b", r"\bMDD\b",
                                      r"\bmood disorders?\b"),
         synonyms=("MDD", "major depressive disorder")),
    Term("treatment_resistant_depression", "Treatment-resistant depression",
         (r"\btreatment[- ]resistant depression\b", r"\bTRD\b", r"\b(?:treatment-|medication-)?refractory depression\b",
          r"\bresistant depression\b",
          # as pages say it: "depression that has not lifted after two antidepressants"
          r"\bdepression (?:that |which )?(?:has|have|hasn['’]t|haven['’]t)?\s*(?:not |n['’]t )?(?:still )?(?:yet )?"
          r"(?:not |never )?(?:lifted|improved|budged|responded|gotten better|gone away|gotten easier)\b"
          r"(?=[^.;]{0,60}\b(?:medications?|medicines?|antidepressants?|treatments?|therap(?:y|ies)|SSRIs?|tried|"
          r"conventional|standard|other|options)\b)",
          r"\bdepression (?:\w+ ){0,2}(?:not|n['’]t) (?:\w+ ){0,2}(?:respond|improv|lift|budg|get better|go away)\w*"
          r"(?=[^.;]{0,60}\b(?:medications?|medicines?|antidepressants?|treatments?|therap(?:y|ies)|SSRIs?)\b)",
          r"\bdepression (?:\w+ ){0,3}(?:despite|after (?:trying|two|three|several|multiple|many))\b",
          r"\bdepression (?:that|which) (?:[\w-]+ ){1,5}(?:haven['’]t|have not|hasn['’]t|has not|didn['’]t|did not) "
          r"(?:touched|helped|worked|lifted|improved|relieved)\b"),
         parent="depression", synonyms=("TRD",)),
    Term("bipolar_depression", "Bipolar depression",
         (r"\bbipolar(?: (?:type )?(?:II|I|1|2))? (?:depression|disorder)\b", r"\bbipolar (?:ii?|type)\b", r"\bbipolar\b"),
         parent="depression", synonyms=("bipolar",)),
    Term("postpartum_depression", "Postpartum depression",
         (r"\bpost-?partum depression\b", r"\bPPD\b", r"\bperinatal depression\b"),
         parent="depression", synonyms=("PPD", "perinatal")),
    Term("suicidal_ideation", "Suicidal ideation",
         (r"\bsuicidal (?:ideation|thoughts?|thinking)\b", r"\bsuicidality\b", r"\bthoughts of suicide\b"),
         synonyms=("suicidal thoughts",)),
    Term("ptsd", "PTSD", (r"\bPTSD\b", r"\bpost[- ]?traumatic stress\b", r"\bC-?PTSD\b"),
         synonyms=("post-traumatic stress disorder", "trauma")),
    Term("anxiety", "Anxiety", (r"\banxiety\b", r"\banxiety disorders?\b"), synonyms=("anxious",)),
    Term("gad", "Generalized anxiety disorder", (r"\bGAD\b(?!-\d)", r"\bgenerali[sz]ed anxiety\b"),
         parent="anxiety", synonyms=("GAD",)),
    Term("social_anxiety", "Social anxiety", (r"\bsocial anxiety\b", r"\bsocial phobia\b"), parent="anxiety"),
    Term("panic_disorder", "Panic disorder", (r"\bpanic (?:disorder|attacks?)\b",), parent="anxiety"),
    Term("ocd", "OCD", (r"\bOCD\b", r"\bobsessive[- ]compulsive\b"), synonyms=("obsessive-compulsive disorder",)),
    Term("chronic_pain", "Chronic pain", (r"\bchronic pain\b", r"\bpain (?:conditions?|syndromes?|management)\b"),
         synonyms=("pain",)),
    Term("crps", "CRPS", (r"\bCRPS\b", r"\bcomplex regional pain\b", r"\breflex sympathetic dystrophy\b", r"\bRSD\b"),
         parent="chronic_pain", synonyms=("complex regional pain syndrome",)),
    Term("fibromyalgia", "Fibromyalgia", (r"\bfibromyalgia\b",), parent="chronic_pain"),
    Term("neuropathic_pain", "Neuropathic pain",
         (r"\bneuropath(?:ic pain|y|ies)\b", r"\bnerve pain\b", r"\bdiabetic neuropathy\b", r"\bphantom limb\b"),
         parent="chronic_pain", synonyms=("neuropathy", "nerve pain")),
    Term("migraine", "Migraine", (r"\bmigraines?\b", r"\bcluster headaches?\b", r"\bchronic headaches?\b"),
         parent="chronic_pain", synonyms=("headache",)),
    Term("substance_use", "Substance use", (r"\bsubstance use\b", r"\bSUD\b", r"\baddictions?\b",
                                            r"\bsubstance abuse\b"),
         synonyms=("SUD", "addiction")),
    Term("alcohol_use", "Alcohol use disorder",
         (r"\balcohol (?:use|abuse|dependence|addiction)\b", r"\bAUD\b", r"\balcoholism\b"),
         parent="substance_use", synonyms=("AUD", "alcohol")),
    Term("opioid_use", "Opioid use disorder",
         (r"\bopioid (?:use|abuse|dependence|addiction|withdrawal)\b", r"\bOUD\b"),
         parent="substance_use", synonyms=("OUD", "opioids")),
    Term("eating_disorders", "Eating disorders",
         (r"\beating disorders?\b", r"\banorexia\b", r"\bbulimia\b", r"\bbinge[- ]eating\b"),
         synonyms=("anorexia", "bulimia")),
    Term("tbi", "Traumatic brain injury", (r"\bTBI\b", r"\btraumatic brain injur(?:y|ies)\b"),
         synonyms=("TBI",)),
)

# Payer names as a patient would write them, with the patterns that find them.
PAYERS: dict[str, tuple[str, ...]] = {
    "Aetna": (r"\baetna\b",),
    "Anthem": (r"\banthem\b",),
    "Blue Cross": (r"\bblue cross\b",),
    "Blue Shield": (r"\bblue shield\b",),
    "Cigna": (r"\bcigna\b",),
    "UnitedHealthcare": (r"\bunited ?health ?care\b", r"\bUHC\b", r"\bunited healthcare\b"),
    "Optum": (r"\boptum\b",),
    "Humana": (r"\bhumana\b",),
    "Kaiser Permanente": (r"\bkaiser\b",),
    "Magellan": (r"\bmagellan\b",),
    "Health Net": (r"\bhealth ?net\b",),
    "Molina": (r"\bmolina\b",),
    "CalOptima": (r"\bcaloptima\b",),
    "Medicare": (r"\bmedicare\b",),
    "Medicaid": (r"\bmedicaid\b",),
    "Medi-Cal": (r"(?-i:\bMedi-?Cal\b)|\bmedi-cal\b",),
    "TRICARE": (r"\btricare\b",),
    "VA Community Care": (r"(?-i:\bVA\b)(?! care team)", r"\bveterans affairs\b", r"\bcommunity care\b"),
    "Workers' compensation": (r"\bworkers'? ?comp(?:ensation)?\b",),
    "Beacon Health Options": (r"\bbeacon\b",),
}

FINANCING_PROVIDERS: dict[str, tuple[str, ...]] = {
    "CareCredit": (r"\bcare ?credit\b",),
    "Advance Care": (r"\badvance ?care\b",),
    "Affirm": (r"\baffirm\b(?! that)",),
    "Klarna": (r"\bklarna\b",),
    "Cherry": (r"\bcherry\b(?= (?:financing|payment|app|plan))", r"\bwith cherry\b", r"\bcherry,"),
    "Sunbit": (r"\bsunbit\b",),
    "PayPal Credit": (r"\bpaypal credit\b",),
    "Proceed Finance": (r"\bproceed finance\b",),
}

PRICE_UNITS: tuple[str, ...] = ("per_session", "package", "consultation", "other")
PRICE_QUALIFIERS: tuple[str, ...] = ("from", "starting_at", "range", "per_hour", "membership")

# The clinical lead's discipline: who gives the dose or oversees it. Patterns read a person's title or
# credential ("board-certified anesthesiologist", "Jane Roe, CRNA").
DISCIPLINES: tuple[Term, ...] = (
    Term("anesthesiology", "Anesthesiology", (r"\banesthesiolog(?:ist|y)s?\b", r"\banaesthetists?\b",
                                              r"\banesthesia (?:physicians?|doctors?)\b")),
    Term("psychiatry", "Psychiatry", (r"\bpsychiatrists?\b", r"\bpsychiatric (?:physicians?|doctors?)\b",
                                      r"\b(?:board[- ]certified )?in psychiatry\b")),
    Term("emergency_medicine", "Emergency medicine", (r"\bemergency (?:medicine|room|department) (?:physicians?|doctors?)\b",
                                                      r"\bemergency physicians?\b", r"\bemergency medicine\b",
                                                      r"\bER (?:physicians?|doctors?)\b")),
    Term("crna", "Nurse anesthetist (CRNA)", (r"\bCRNAs?\b", r"\bcertified registered nurse anesthetists?\b",
                                              r"\bnurse anesthetists?\b")),
    Term("nurse_practitioner", "Nurse practitioner", (r"\bnurse practitioners?\b", r"\bPMHNP(?:-BC)?\b",
                                                      r"\bFNP(?:-C|-BC)?\b", r"(?-i:\bNP(?:-C)?\b)", r"\bAPRNs?\b")),
    Term("pain_medicine", "Pain medicine", (r"\bpain (?:medicine|management) (?:physicians?|specialists?|doctors?)\b",
                                            r"\bpain specialists?\b", r"\bpain medicine\b")),
    Term("family_medicine", "Family or internal medicine", (r"\bfamily (?:medicine|practice) (?:physicians?|doctors?)\b",
                                                            r"\binternists?\b", r"\binternal medicine\b",
                                                            r"\bfamily medicine\b", r"\bfamily physicians?\b")),
    Term("physician_assistant", "Physician assistant", (r"\bphysician assistants?\b", r"(?-i:\bPA-C\b)")),
)
DISCIPLINE_BY_KEY = {t.key: t for t in DISCIPLINES}
# NUCC taxonomy codes (longest prefix wins) of a clinician's NPI-1 record, as the disciplines above.
TAXONOMY_DISCIPLINES: dict[str, str] = {
    "207L": "anesthesiology", "2084P0800X": "psychiatry", "2084P": "psychiatry", "207P": "emergency_medicine",
    "3675": "crna", "363L": "nurse_practitioner", "208VP": "pain_medicine", "207LP2900X": "pain_medicine",
    "207Q": "family_medicine", "207R": "family_medicine", "208D": "family_medicine", "363A": "physician_assistant",
}


def discipline_of_taxonomy(code: str | None) -> str | None:
    """"367500000X" -> "crna"; None for a taxonomy that is none of the disciplines."""
    prefixes = [p for p in TAXONOMY_DISCIPLINES if (code or "").startswith(p)]
    return TAXONOMY_DISCIPLINES[max(prefixes, key=len)] if prefixes else None

# Languages a clinic says its staff speak, by their English names.
LANGUAGES: dict[str, tuple[str, ...]] = {
    "English": (r"\benglish\b",),
    "Spanish": (r"\bspanish\b", r"\bespa[ñn]ol\b"),
    "Vietnamese": (r"\bvietnamese\b", r"\bti[eế]ng vi[eệ]t\b"),
    "Mandarin": (r"\bmandarin\b",),
    "Cantonese": (r"\bcantonese\b",),
    "Chinese": (r"\bchinese\b",),
    "Korean": (r"\bkorean\b",),
    "Tagalog": (r"\btagalog\b", r"\bfilipino\b"),
    "Farsi": (r"\bfarsi\b", r"\bpersian\b"),
    "Arabic": (r"\barabic\b",),
    "Russian": (r"\brussian\b",),
    "Armenian": (r"\barmenian\b",),
    "Hindi": (r"\bhindi\b",),
    "Portuguese": (r"\bportuguese\b",),
    "French": (r"\bfrench\b",),
    "German": (r"\bgerman\b",),
    "Japanese": (r"\bjapanese\b",),
    "Hebrew": (r"\bhebrew\b",),
    "American Sign Language": (r"\bamerican sign language\b", r"(?-i:\bASL\b)"),
}

# US states and territories by name, for regions and for the states a telehealth program serves.
STATE_NAMES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR",
}
STATE_CODES = frozenset(STATE_NAMES.values()) | {"GU", "VI", "AS", "MP"}

ROUTE_BY_KEY = {t.key: t for t in ROUTES}
SERVICE_BY_KEY = {t.key: t for t in SERVICES}
CONDITION_BY_KEY = {t.key: t for t in CONDITIONS}


def condition_family(key: str) -> str:
    """The top-level condition a key belongs to (itself when it has no parent)."""
    term = CONDITION_BY_KEY.get(key)
    return term.parent or term.key if term else key
