"""The plain dataclasses every parser returns and the JSON shape ``clinics extract`` prints.

The JSON shape is a contract (issue "The whole pipeline"): later work adds keys but never renames these.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from parsers.kinds import flag, flags

# How strongly a sentence supports a fact; a stronger statement wins a conflict on the same page.
STRENGTH_MENU = 1  # a site's navigation menu names it
STRENGTH_HEADING = 2  # a heading or list item in an offering section
STRENGTH_STATEMENT = 3  # a sentence says so ("we offer", "we do not offer")


@dataclass
class Fact:
    """A route, service or condition the page states as offered (True) or as not offered (False)."""

    key: str
    value: bool
    evidence: str
    strength: int = STRENGTH_STATEMENT

    def to_json(self) -> dict:
        return {"key": self.key, "value": self.value, "evidence": self.evidence}


@dataclass
class Mention:
    """A vocabulary term named without a claim (education text, a comparison); shown by --explain."""

    key: str
    evidence: str
    reason: str


def with_flags(group: str):
    """Give a class one ``bool | None`` field (None is unknown) per fact kind of ``group`` (parsers/kinds.py), ahead
    of its own fields, before ``@dataclass`` reads them: a kind declared there needs no field written here."""
    def add(cls: type) -> type:
        own = dict(cls.__dict__.get("__annotations__", {}))
        cls.__annotations__ = {**{kind.key: "bool | None" for kind in flags(group)}, **own}
        for kind in flags(group):
            setattr(cls, kind.key, None)
        cls.GROUP = group
        return cls
    return add


class Flags:
    """Setting a yes/no fact by key: a key its group does not declare is an error, never a value dropped."""

    GROUP = ""

    def set(self, key: str, value: bool | None, evidence: str) -> None:
        if flag(key).group != self.GROUP:
            raise KeyError(f"{key!r} is a {flag(key).group} kind, not a {self.GROUP} one")
        setattr(self, key, value)
        self.evidence[key] = evidence


@dataclass
@with_flags("payment")
class Payment(Flags):
    payers: list[str] = field(default_factory=list)
    financing_providers: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


# A per-session figure outside this range is a misreading for ketamine care (an instalment, a fee, a duration read
# as a session count): kept with its evidence and flagged, never published as a price.
PLAUSIBLE_PER_SESSION_USD = (50.0, 5_000.0)


def implausible(per_session_usd: float | None) -> str | None:
    """Why a per-session price cannot be a price of ketamine care, or None when it can (or there is none)."""
    low, high = PLAUSIBLE_PER_SESSION_USD
    if per_session_usd is None or low <= per_session_usd <= high:
        return None
    return f"per-session price outside ${low:,.0f}-${high:,.0f}"


@dataclass
class Price:
    amount_usd: float
    unit: str  # per_session, package, consultation, other
    evidence: str
    sessions: int | None = None
    per_session_usd: float | None = None
    route: str | None = None
    amount_max_usd: float | None = None
    qualifier: str | None = None

    def to_json(self) -> dict:
        return {
            "amount_usd": self.amount_usd,
            "unit": self.unit,
            "sessions": self.sessions,
            "per_session_usd": self.per_session_usd,
            "route": self.route,
            "amount_max_usd": self.amount_max_usd,
            "qualifier": self.qualifier,
            "evidence": self.evidence,
        }


@dataclass
class ClinicInfo:
    """Who the page is about: name, contact and location, from JSON-LD or the page text."""

    name: str | None = None
    phone: str | None = None
    address: str | None = None
    street: str | None = None
    suite: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    website: str | None = None
    source: str | None = None  # jsonld, microdata, text

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
@with_flags("care")
class Care(Flags):
    """What a patient checks before calling (see parsers/care.py): the care kinds' flags, then lists and hours."""

    disciplines: list[str] = field(default_factory=list)
    board_certified: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    states_served: list[str] = field(default_factory=list)
    opening_hours: str | None = None  # OpenStreetMap opening_hours syntax: "Mo-Fr 09:00-17:00; Sa 10:00-14:00"
    evidence: dict[str, str] = field(default_factory=dict)  # key, or "kind:item", -> the sentence
    unmapped: dict[str, str] = field(default_factory=dict)  # "state:XZ", "hours:...", "credential:..." -> sentence

    LISTS = {"discipline": "disciplines", "board_certified": "board_certified", "language": "languages",
             "state_served": "states_served"}

    def add(self, kind: str, item: str, evidence: str) -> None:
        items = getattr(self, self.LISTS[kind])
        if item not in items:
            items.append(item)
            self.evidence[f"{kind}:{item}"] = evidence

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class PageDate:
    """A date the page states for itself: prices "effective" from, "last updated" on, or "published"."""

    date: str  # ISO 8601, "2026-01-01" (or "2026-01" when the page gives a month)
    kind: str  # effective, updated, published
    evidence: str


@dataclass
class PageFacts:
    clinic: ClinicInfo
    locations: list[ClinicInfo]
    routes: list[Fact]
    services: list[Fact]
    conditions: list[Fact]
    payment: Payment
    prices: list[Price]
    mentions: list[Mention] = field(default_factory=list)
    care: Care = field(default_factory=Care)
    page_date: PageDate | None = None
    page_type: str = "other"
    url: str | None = None
    seen_at: str | None = None
    limits: list[str] = field(default_factory=list)  # caps the page reached (parsers/document.py): read in part
    closed: str | None = None  # the sentence saying the clinic has closed for good (parsers/closure.py)

    def to_json(self, explain: bool = False) -> dict:
        out = {
            "clinic": self.clinic.to_json() | {"locations": [loc.to_json() for loc in self.locations]},
            "routes": [f.to_json() for f in self.routes],
            "services": [f.to_json() for f in self.services],
            "conditions": [f.to_json() for f in self.conditions],
            "payment": self.payment.to_json(),
            "prices": [p.to_json() for p in self.prices],
            "care": self.care.to_json(),
            "page_date": asdict(self.page_date) if self.page_date else None,
            "page_type": self.page_type,
        }
        if self.url:
            out["source_url"] = self.url
        if self.seen_at:
            out["seen_at"] = self.seen_at
        if explain:
            out["mentions"] = [asdict(m) for m in self.mentions]
        if self.limits:
            out["limits"] = self.limits
        if self.closed:
            out["closed"] = self.closed
        return out
