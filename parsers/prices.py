"""Prices of ketamine care in USD, normalised to a unit, a package size and a per-session figure.

A wrong price is worse than none: instalments, savings, deposits, fees, copays and the prices of a
multi-service clinic's other services (IV vitamins, NAD+, semaglutide, Botox) are left out. A price is kept
only when its sentence, table row or heading ties it to ketamine care.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from parsers.cues import FIRST_PERSON, NAMES_KETAMINE, Sentence, clause_around, lower_rx, rx
from parsers.facts import Price
from parsers.page_cache import per_page
from parsers.terms import find_terms, routes_as_columns, routes_side_by_side
from parsers.vocab import ROUTES, SERVICES

AMOUNT = r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?"
RANGE = re.compile(AMOUNT + r"\s*(?:-|–|—|to)\s*" + AMOUNT, re.I)
SINGLE = re.compile(AMOUNT)
# Instalments and financing terms (a monthly membership fee, by contrast, is a price: see MEMBERSHIP).
INSTALMENT = rx(r"\bas low as\b", r"\baffirm\b", r"\bklarna\b", r"\bcare ?credit\b", r"\bcherry\b", r"\bsunbit\b",
                r"\bfinanc", r"\bpayments? of\b", r"\binstal+ments?\b", r"\bpayment plan\b", r"\badvance care\b")
PER_MONTH = rx(r"/\s?mo(?:nth)?\b", r"\bper month\b", r"\ba month\b", r"\bmonthly\b")
MARKET_PRICE = lower_rx(r"\bnationally\b", r"\bon average\b", r"\bmost clinics\b", r"\btypically (?:run|cost|range|charge)",
                  r"\baround the (?:country|nation|region|state)\b",
                  r"\busually cost", r"\bacross the (?:valley|country|region|nation|state|county)\b",
                  r"\bwithme\b", r"\bsavings? program", r"\bmanufacturer", r"\bas little as\b",
                  r"\bfor comparison\b", r"\b(?:often|commonly|can) (?:charge|cost|run)\b",
                  r"\bother (?:clinics|providers)\b",
                  r"\bin the (?:region|area)\b(?=[^$]{0,40}\bcharge)", r"\belsewhere\b",
                  r"\bcommonly costs?\b", r"\btypically \$", r"\busually \$", r"\boften \$",
                  r"\bpatients (?:usually|typically|often|generally) pay\b")
NOT_A_PRICE = lower_rx(
    r"\bdeposit\b", r"\bno-?show\b", r"\bcancel+ations?\b", r"\blate fee\b", r"\breschedul", r"\bhours['’]? notice\b",
    r"\bmissed (?:appointment|session|visit)s?\b", r"\bsav(?:e|es|ed|ing|ings)\b",
        r"\bdiscount\b",
    r"\bco-?pays?\b", r"\bco-?insurance\b", r"\bdeductible\b", r"\bCPT\b", r"\bbilled to\b", r"\bannual(?:ly)?\b",
    r"\bper year\b", r"\bcap(?:ped)?\b", r"\breimburse", r"\bgift cards?\b", r"\brefund",
    r"(?:^|\|\s*)9\d{4}\b", r"\b[JG]\d{4}\b",  # CPT and HCPCS codes opening a row: amounts billed to insurance
    r"\bprevious(?:ly)?\b", r"\bformer(?:ly)?\b", r"\bused to (?:cost|be)\b",
    r"\bpay \$[\d,]+ (?:at|on|before|with) (?:your|each|the)\b", r"\badd-?ons?\b",
    r"\b(?:instal+ments?|payments?) of \$",
    r"\bcredit (?:toward|towards|on)\b", r"\brefer a friend\b", r"\breturned (?:checks?|payments?)\b",
    r"\bno longer appl", r"\b(?:was|were) \$[\d,]", r"\b(?:over|above|more than|under|below|less than) \$[\d,]",
    r"\badd (?:a|an|any) (?:[\w-]+ ){0,4}to (?:any|your|a|each)\b", r"\bworks? out to\b", r"\bcomes? out to\b",
)
# The same kind, written with signs: "$50 off", "+$75". Kept apart: an alternative that does not begin at a word
# boundary makes Python's re try the whole list at every character.
NOT_A_PRICE_SIGN = re.compile(r"\$[\d,.]+\s*off\b|\+\s?\$", re.I)
OTHER_SERVICE = lower_rx(
    r"\bvitamins?\b", r"\bNAD(?:\+|\b)", r"\bhydration\b", r"\bmyers\b", r"\bglutathione\b", r"\bB-?12\b",
    r"\bsemaglutide\b", r"\btirzepatide\b", r"\bweight[- ]loss\b", r"\bbotox\b", r"\bfillers?\b", r"\bhormones?\b",
    r"\btestosterone\b", r"\bHRT\b", r"\b(?:hydra)?facials?\b", r"\bPRP\b", r"\burgent care\b", r"\bTMS\b", r"\blab work\b",
    r"\bmedication (?:management|visits?|follow-?ups?)\b", r"\bpeptides?\b", r"\biron\b",
    r"\bpsychiatric evaluation\b", r"\bfollow-up medication\b", r"\bhangover\b", r"\bimmunity\b", r"\bdetox\b",
    r"\bdrips?\b", r"\bwellness\b", r"\bpeer (?:support )?groups?\b",
    r"\bsupport groups?\b",
    r"\bno medicine\b", r"\bwithout (?:ketamine|medicine)\b", r"\btalk (?:therapy|session)\b",
    r"\b(?:standard|regular|usual) (?:therapy|counseling) (?:rate|sessions?)\b",
    r"\blidocaine\b", r"\bnerve blocks?\b", r"\bepidurals?\b", r"\btrigger[- ]point\b", r"\bacupuncture\b",
    r"\bmassage\b", r"\banti-?nausea\b", r"\bondansetron\b", r"\bzofran\b", r"\bper unit\b", r"/\s?unit\b",
)
KETAMINE_CARE = rx(r"\bketamine\b", r"\bspravato\b", r"\besketamine\b", r"\binfusions?\b", r"\bKAP\b",
                   r"\btroches?\b", r"\blozenges?\b", r"\binjections?\b", r"\bsessions?\b", r"\btreatments?\b",
                   r"\bconsult(?:ation)?s?\b", r"\bevaluations?\b", r"\bassessments?\b", r"\bintake\b",
                   r"\bboosters?\b", r"\bmaintenance\b", r"\bdos(?:e|ing)\b", r"\bpsychotherapy\b",
                   r"\bseries\b", r"\bpackages?\b", r"\bIM\b", r"\bIV\b", r"\bmembership\b", r"\bprogram\b",
                   r"\bprotocol\b", r"\bfirst visit\b")
CONSULTATION = rx(r"\bconsult(?:ation)?s?\b", r"\bevaluations?\b", r"\bassessments?\b", r"\bintake\b",
                  r"\bscreening\b", r"\bfirst visit\b", r"\binitial visit\b")
PER_SESSION = rx(r"\bper (?:infusion|session|treatment|injection|visit|dose|shot)\b", r"\beach\b", r"\bboosters?\b",
                 r"/\s?(?:session|infusion|treatment)",
                 r"\ba (?:session|infusion|treatment)\b", r"\bsingle (?:infusion|session|treatment)\b",
                 r"\b(?:one|1) (?:infusion|session|treatment|injection)\b")
EXPLICIT_PER = rx(r"\bper (?:infusion|session|treatment|injection|visit|dose|shot)\b", r"/\s?(?:session|infusion)")
PER_HOUR = rx(r"\bper hour\b", r"/\s?h(?:ou)?r\b", r"\bhourly\b", r"\ban hour\b")
MEMBERSHIP = rx(r"\bmembership\b", r"\bsubscription\b")
MEMBERSHIP_OF_KETAMINE = rx(r"\bketamine\b", r"\bspravato\b", r"\bKAP\b", r"\btroches?\b", r"\blozenges?\b",
                            r"\bRDTs?\b", r"\bmedication\b", r"\bmaintenance\b", r"\binfusions?\b", r"\bat[- ]home\b")
# A monthly fee of a ketamine programme (at-home lozenges, maintenance), as against an instalment.
MONTHLY_PROGRAMME = rx(r"\bprogram(?:me)?\b", r"\bmaintenance\b", r"\blozenges?\b", r"\btroches?\b", r"\bRDTs?\b",
                       r"\bat[- ]home\b", r"\bketamine care\b", r"\bplan\b(?! (?:with|through|from))")
# A section of the page that lists what things cost: an amount alone there, or a "rate", is a price of its care.
PRICE_SECTION = rx(r"\bpric", r"\bfees?\b", r"\bcosts?\b", r"\brates\b", r"\bself[- ]pay\b", r"\binvestment\b")
RATE = rx(r"\brate\b")
STARTING_AT = rx(r"\bstart(?:ing|s)? (?:at|from)\b")
FROM = rx(r"\bfrom \$")
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
# "a 45-minute infusion" is one infusion of 45 minutes, never 45 infusions.
DURATION = r"(?:minutes?|mins?|hours?|hrs?|hour-long|day|days|weeks?|mg|milligrams?)\b"
NUMBER = r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
UNIT_NOUN = (r"(?:ketamine |IV |iv |im |spravato |kap )?"
             r"(?:infusions?|sessions?|treatments?|injections?|visits?|doses?|shots?|dosing sessions?)")
PACKAGE = [
    re.compile(rf"\b(?:series|package|bundle|course|set|pack) of {NUMBER}\b", re.I),
    re.compile(rf"\b{NUMBER}(?![- ]?{DURATION})(?:[- ](?!for\b|of\b)(?:[a-z][\w-]*|\d+[- ]?{DURATION})){{0,3}}"
               rf"[- ](?:{UNIT_NOUN})\b", re.I),
    re.compile(rf"\({NUMBER}\)\s*{UNIT_NOUN}", re.I),
    re.compile(rf"\b{NUMBER}[- ](?:infusion|session|treatment|injection)[- ](?:series|package|bundle|course)\b", re.I),
    re.compile(rf"\b{NUMBER}[- ]pack\b", re.I),  # "Ketamine 4-Pack"
    re.compile(rf"\b{NUMBER}[- ]day (?:\w+ )?(?:series|protocol|course|package)\b", re.I),  # one infusion a day
]
PACKAGE_WORD = rx(r"\bseries\b", r"\bpackage\b", r"\bbundle\b", r"\bcourse\b", r"\binduction\b")


def extract_prices(sentences: Iterable[Sentence]) -> list[Price]:
    prices: list[Price] = []
    seen: set[tuple] = set()
    above: list[Sentence] = []  # the last few sentences, nearest last
    sentences = list(sentences)
    compared: str | None = None  # the section of a table whose header compares routes, while its rows run
    package: tuple[int, Price] | None = None  # the last package read, and the sentence it was read in
    for i, sentence in enumerate(sentences):
        if sentence.kind != "row" or sentence.section != compared:
            compared = sentence.section if sentence.kind == "row" and routes_as_columns(sentence.text) else None
        if compared is not None or (routes_side_by_side(sentence.heading) and not FIRST_PERSON.search(sentence.text)
                                    and not sentence.text.rstrip().endswith((".", "!", "?"))):
            continue  # "Typical cost | $200-$300 a month | $400-$800 per infusion": what each route costs in general
        label = _label_above(sentence, above) if "$" in sentence.text else ""
        above = [*above[-2:], sentence]
        if "$" not in sentence.text:
            continue
        following = sentences[i + 1] if i + 1 < len(sentences) else None
        if following and _bare(sentence.text) and NO_MEDICINE.search(following.text) and "$" not in following.text:
            continue  # "Integration Session" / "$150" / "50-minute talk session with our therapist, no medicine"
        before = above[-2] if len(above) >= 2 else None  # ``above`` already ends with this sentence
        if before and _bare(sentence.text) and before.heading == sentence.heading and OTHER_SERVICE.search(before.text) \
                and not NAMES_KETAMINE.search(before.text):
            continue  # "Hydration, recovery and NAD+ drips for long shifts. From $139."
        for price in _prices_in(sentence, label):
            if price.unit in ("package", "other") and not price.sessions and following:
                _count_from_description(price, following)
            if package and package[0] >= i - 1 and price.unit == "per_session" and _bare(sentence.text) \
                    and abs(price.amount_usd - (package[1].per_session_usd or -1)) < 1:
                continue  # "$2,670" / "$445 per infusion": the package's figure worked out, not another price
            if price.unit == "package" and price.per_session_usd:
                package = (i, price)
            key = (price.amount_usd, price.amount_max_usd, price.unit, price.sessions, price.route)
            if key not in seen:
                seen.add(key)
                prices.append(price)
    return prices


# What an amount alone on its line may carry besides the amount: "$450", "From $395", "$2,400 (6 infusions)".
BARE_WORDS = re.compile(r"\b(?:from|starting(?: at)?|only|just|per|each|a|an|the|session|infusion|treatment|injection|"
                        r"visit|dose|shot|hour|series|package|total|usd|\d+|one|two|three|four|five|six|seven|eight|"
                        r"nine|ten|twelve|infusions|sessions|treatments|injections|visits|minutes?|min|month|mo|monthly|"
                        r"hr|hours)\b", re.I)


def _count_from_description(price: Price, following: Sentence) -> None:
    """A card's amount alone on its line, with its sessions in the description under it: "Induction series" /
    "$2,850" / "Six IV infusions over two to three weeks"."""
    if "$" in following.text or len(price.evidence.split()) > 4:
        return
    sessions = _sessions(following.text)
    if sessions and sessions > 1:
        price.unit, price.sessions = "package", sessions
        price.per_session_usd = round(price.amount_usd / sessions, 2)
        price.qualifier = None if price.qualifier == "membership" else price.qualifier


@per_page  # asked of a sentence once per amount in it, and by the rules around it
def _bare(text: str) -> bool:
    """An amount alone on its line, with at most its unit: "$450", "From $395", "$445 per infusion"."""
    return not BARE_WORDS.sub(" ", SINGLE.sub(" ", text)).strip(" -–—:|()*.,/")


def _label_above(sentence: Sentence, above: list[Sentence]) -> str:
    """What names the service of an amount alone on its line: the nearest short title-like line of the three above
    it (a card's title, a flattened table's first cell; not a sentence of the card's text), else the heading."""
    for previous in reversed(above):
        if "$" in previous.text:
            break
        if len(previous.text.split()) <= 10 and previous.kind in ("heading", "item", "paragraph", "row") \
                and not previous.text.rstrip().endswith((".", "!", "?")):
            return previous.text
    return sentence.heading


MAX_AMOUNTS_PER_SENTENCE = 30


def _prices_in(sentence: Sentence, label: str = "") -> list[Price]:
    text = sentence.text
    if "$" not in text:
        return []
    out: list[Price] = []
    # A sentence with several amounts is read piece by piece, each amount with the words around it (up to
    # MAX_AMOUNTS_PER_SENTENCE: more is a wall of figures, not a price list a patient reads).
    for segment in _segments(text)[:MAX_AMOUNTS_PER_SENTENCE]:
        price = _read_segment(segment, sentence, label)
        if price:
            out.append(price)
    return out


def _segments(text: str) -> list[str]:
    """Split text so each piece holds one amount (or one range) and the words that belong to it."""
    pieces = re.split(r"(?<=\S)\s*(?:;|"
                      r",(?=\s+(?:and\s+)?(?:a|an|the|or|with|which|saving|\d|\$|our|each|single|package|series))|"
                      r"\band\b(?=[^$]*\$)|\|(?=[^|]*\$[^|]*$))\s*", text)
    pieces = [part for piece in pieces for part in _one_amount_each(piece)]
    merged: list[str] = []
    for piece in pieces:
        if merged and "$" not in merged[-1]:
            merged[-1] = f"{merged[-1]} {piece}"
        elif merged and "$" not in piece:
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged or [text]


AMOUNT_WITH_UNIT = re.compile(AMOUNT + r"(?:\s*(?:-|–|—|to)\s*" + AMOUNT + r")?"
                              r"(?:\s*(?:per|/|each|an?)\s*[a-z]+)?", re.I)


def _one_amount_each(text: str) -> list[str]:
    """A flattened table ("Consultation $175 Notes... IV Infusion $425 ...") cut after each amount and its unit."""
    matches = list(AMOUNT_WITH_UNIT.finditer(text))
    if len(matches) < 2:
        return [text]
    parts, start = [], 0
    for match in matches[:-1]:
        parts.append(text[start:match.end()])
        start = match.end()
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def _amount(whole: str, cents: str | None) -> float:
    value = float(whole.replace(",", ""))
    return value + (float(cents) / 100 if cents else 0.0)


NO_MEDICINE = rx(r"\bno medicine\b", r"\bwithout (?:ketamine|medicine)\b", r"\btalk (?:therapy|session)\b")
COMPARE_AT = rx(r"regular price\b", r"\bcompare at\b", r"\boriginal price\b")  # Shopify glues "USDRegular price"
SALE_PRICE = rx(r"sale price\b")
# A copay or coinsurance governs every amount of its clause: "you pay your copay, between $0 and $50 per treatment".
COPAY_CLAUSE = lower_rx(r"\bco-?pays?\b", r"\bco-?insurance\b", r"\bdeductible\b", r"\bout[- ]of[- ]pocket max")


def _clause_of(segment: str, sentence: Sentence) -> str:
    at = sentence.text.find(segment.strip())
    return clause_around(sentence.text, at, at + len(segment.strip())) if at >= 0 else segment


def _read_segment(segment: str, sentence: Sentence, label: str = "") -> Price | None:
    # A list item, a table row, or an amount alone on its line under the card heading that names the service
    # ("IV Ketamine Infusion" / "$450 per session") is read with its heading.
    bare = _bare(sentence.text) and sentence.kind != "heading"
    if bare and label and label != sentence.heading:
        context = f"{sentence.heading} {label} {segment}"  # a card's title, then its badge ("Recommended start")
    else:
        context = f"{sentence.heading} {segment}" if sentence.kind in ("row", "item") or bare else segment
    route_context = context
    if context == segment and len(sentence.text.split()) <= 8:
        context = f"{sentence.heading} {segment}"  # "$650–$1,100 depending on length" under "Pain Infusion"
    if NOT_A_PRICE.search(segment) or NOT_A_PRICE_SIGN.search(segment):
        return None
    clause = _clause_of(segment, sentence)
    amount = SINGLE.search(segment)
    seg_at = max(sentence.text.find(segment.strip()), 0)
    at = sentence.text.find(amount.group(0), seg_at) if amount else -1
    if at > 0 and sentence.text[:at].rstrip().endswith("(") and "$" in sentence.text[:at]:
        return None  # "$2,400 if paid at the start ($400 per infusion)": the package's figure worked out
    if COMPARE_AT.search(segment) and SALE_PRICE.search(sentence.text):
        return None  # a shop's "Regular price" beside its "Sale price" is the compare-at figure
    upto = sentence.text[:at + len(amount.group(0))] if at >= 0 else sentence.text  # the words up to the amount
    if COPAY_CLAUSE.search(clause) or MARKET_PRICE.search(upto):
        return None
    if PER_MONTH.search(segment) and (INSTALMENT.search(segment) or not (
            MEMBERSHIP.search(context) or MONTHLY_PROGRAMME.search(context))):
        return None
    if MEMBERSHIP.search(context) and not MEMBERSHIP_OF_KETAMINE.search(f"{context} {sentence.text} {sentence.section}"):
        return None  # a primary-care or spa membership, not a ketamine programme
    tied = KETAMINE_CARE.search(segment) or (context != segment and KETAMINE_CARE.search(context)) \
        or (PRICE_SECTION.search(sentence.section) and (bare or RATE.search(segment)))
    names_ketamine = NAMES_KETAMINE.search(segment)
    other = OTHER_SERVICE.search(segment)
    if other and not names_ketamine and not re.search(r"evaluation|medication|therapy|counseling", other.group(0), re.I):
        return None  # "Our NAD+ infusion ($450)" on a ketamine page
    if (OTHER_SERVICE.search(sentence.heading) or OTHER_SERVICE.search(context)) \
            and not names_ketamine and not NAMES_KETAMINE.search(context):
        return None
    if not tied:
        return None
    rng = RANGE.search(segment)
    if rng:
        amount, amount_max = _amount(rng.group(1), rng.group(2)), _amount(rng.group(3), rng.group(4))
    else:
        single = SINGLE.search(segment)
        if not single:
            return None
        amount, amount_max = _amount(single.group(1), single.group(2)), None
    if amount <= 0 or amount > 50_000:
        return None
    unit, sessions, qualifier = _unit(segment, context)
    if unit in ("per_session", "other") and bare and context != segment and not EXPLICIT_PER.search(segment):
        unit, sessions, qualifier = _unit(context, context)  # "Six-infusion series" above "$2,400"
    if rng:
        qualifier = "range"
    per_session = amount if unit == "per_session" else None
    if unit == "package" and sessions:
        per_session = round(amount / sessions, 2)
    return Price(amount_usd=amount, unit=unit, evidence=sentence.text, sessions=sessions,
                 per_session_usd=per_session, route=_route(segment, route_context), amount_max_usd=amount_max,
                 qualifier=qualifier)


def _unit(segment: str, context: str) -> tuple[str, int | None, str | None]:
    qualifier = None
    if STARTING_AT.search(segment):
        qualifier = "starting_at"
    elif FROM.search(segment):
        qualifier = "from"
    if MEMBERSHIP.search(segment):
        return "other", None, "membership"
    sessions = _sessions(segment)
    consultation = CONSULTATION.search(segment)
    paid_when = consultation and consultation.group(0).lower().endswith("visit") and sessions and sessions > 1 \
        and PACKAGE_WORD.search(segment)  # "a series of six, paid at the first visit" is the series
    if consultation and not PER_SESSION.search(segment) and not paid_when:
        return "consultation", None, qualifier
    if sessions and sessions > 1 and (PACKAGE_WORD.search(segment) or not EXPLICIT_PER.search(segment)):
        return "package", sessions, qualifier
    if PER_HOUR.search(segment):
        return "other", None, "per_hour"
    if PER_SESSION.search(segment) or sessions == 1:
        return "per_session", None, qualifier
    if PACKAGE_WORD.search(segment):
        return "package", None, qualifier
    if re.search(r"\b(?:infusion|session|treatment|injection|shot|dose|visit)s?\b", context, re.I):
        return "per_session", None, qualifier
    return "other", None, qualifier


def _sessions(segment: str) -> int | None:
    for pattern in PACKAGE:
        m = pattern.search(segment)
        if m:
            word = m.group(1).lower()
            return WORD_NUMBERS.get(word) or int(word)
    return None


def _route(segment: str, context: str) -> str | None:
    for text in (segment, context):
        found = find_terms(text, ROUTES)
        if len(found) == 1:
            return found[0][0].key
        if not found and find_terms(text, SERVICES):
            return None
    return None
