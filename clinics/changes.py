"""What changed, clinic by clinic: the ``changes`` table read back and put in words for ``clinics changes``.

A crawl's summary counts its changes; an operator checking a run needs to see which ones ("IV infusion:
offered -> not offered") without opening Datasette. Reading is one query; everything after it is pure
formatting, unit tested in tests/test_changes_command.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby

import sqlite_utils

from core.regions import resolve
from parsers.kinds import FLAG_BY_KEY
from parsers.vocab import CONDITION_BY_KEY, DISCIPLINE_BY_KEY, ROUTE_BY_KEY, SERVICE_BY_KEY

SINCE_FORMS = "a date (2024-05-01), an ISO timestamp (2024-05-01T09:30:00Z) or a time back (7d, 12h)"
RELATIVE = re.compile(r"^\s*(\d+)\s*([dh])\s*$", re.I)
JSON_KEYS = ("clinic_id", "name", "city", "region", "field", "old_value", "new_value", "changed_at", "run_id")

CLINIC_FIELD_LABELS = {"name": "Name", "phone": "Phone", "website": "Website", "street": "Street", "suite": "Suite",
                       "city": "City", "zip": "ZIP code", "status": "Status"}
LIST_KIND_LABELS = {"discipline": "Discipline", "board_certified": "Board certified", "language": "Language",
                    "state_served": "State served", "opening_hours": "Opening hours", "payer": "Insurer",
                    "financing_provider": "Financing provider"}
PRICE_UNITS = {"per_session": "per session", "package": "package", "consultation": "consultation", "other": "other"}
YES, NO = {"true", "1"}, {"false", "0"}


class SinceError(ValueError):
    """A --since that is none of the accepted forms."""


@dataclass
class Selection:
    """The changes asked for, and how to say what was asked ("since ...", "in run 7 ...")."""

    rows: list[dict]
    scope: str


def parse_since(text: str, now: datetime | None = None) -> str:
    """The moment ``text`` names, as UTC in the form ``changed_at`` is stored in, so strings compare as times."""
    relative = RELATIVE.match(text)
    if relative:
        unit = {"d": "days", "h": "hours"}[relative.group(2).lower()]
        moment = (now or datetime.now(UTC)) - timedelta(**{unit: int(relative.group(1))})
    else:
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise SinceError(f"{text!r} is not a time: give {SINCE_FORMS}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def region_name(db: sqlite_utils.Database, text: str) -> str:
    """The region name clinics are filed under: a stored name as given, else what ``clinics crawl --region``
    would resolve ``text`` to ("Orange County, California" -> "Orange County, CA"). Raises RegionError."""
    if db.execute("select 1 from clinics where region = ? limit 1", [text]).fetchone():
        return text
    return resolve(text).name


def select_changes(db: sqlite_utils.Database, since: str | None = None, region: str | None = None,
                   clinic_id: str | None = None) -> Selection:
    """Changes since a moment, or (without one) those of the latest run that recorded any, within the filters."""
    where, args = [], []
    within = "".join([f" in {region}" if region else "", f" for clinic {clinic_id}" if clinic_id else ""])
    if region is not None:
        where.append("c.region = ?")
        args.append(region)
    if clinic_id is not None:
        where.append("ch.clinic_id = ?")
        args.append(clinic_id)
    if since is not None:
        scope = f"since {since}"
        where.append("ch.changed_at >= ?")
        args.append(since)
    else:
        latest = _latest_run(db, where, args)
        if latest is None:
            return Selection([], f"recorded{within}")
        scope = _describe_run(db, latest)
        where.append("ch.run_id = ?")
        args.append(latest)
    rows = db.query(f"""
        select ch.clinic_id, c.name, c.city, c.region, ch.field, ch.old_value, ch.new_value, ch.changed_at, ch.run_id
        from changes ch left join clinics c on c.id = ch.clinic_id
        {"where " + " and ".join(where) if where else ""}
        order by c.name collate nocase, ch.clinic_id, ch.changed_at, ch.id""", args)
    return Selection([dict(row) for row in rows], scope + within)


def _latest_run(db: sqlite_utils.Database, where: list[str], args: list) -> int | None:
    row = db.execute(f"""
        select max(ch.run_id) from changes ch left join clinics c on c.id = ch.clinic_id
        {"where " + " and ".join(where) if where else ""}""", args).fetchone()
    return row[0]


def _describe_run(db: sqlite_utils.Database, run_id: int) -> str:
    run = next(iter(db.query("select region, profile, started_at from crawl_runs where id = ?", [run_id])), None)
    if run is None:
        return f"in run {run_id}"
    return f"in run {run_id} ({run['region']}, {run['profile']}, started {(run['started_at'] or '?')[:16]})"


def field_label(field: str) -> str:
    """A ``changes.field`` in words: "route:iv_infusion" -> "IV infusion", "price:iv_infusion:package:6" ->
    "Price, IV infusion, package of 6"."""
    kind, _, rest = field.partition(":")
    key, _, detail = rest.partition(":")
    if not rest:
        return CLINIC_FIELD_LABELS.get(field, field)
    if kind == "route":
        return ROUTE_BY_KEY[key].label if key in ROUTE_BY_KEY else f"Route {key}"
    if kind == "service":
        return SERVICE_BY_KEY[key].label if key in SERVICE_BY_KEY else f"Service {key}"
    if kind == "condition":
        return f"Treats {CONDITION_BY_KEY[key].label if key in CONDITION_BY_KEY else key}"
    if kind in ("payment", "care"):
        if detail:
            shown = DISCIPLINE_BY_KEY[detail].label if key == "discipline" and detail in DISCIPLINE_BY_KEY else detail
            return f"{LIST_KIND_LABELS.get(key, key)} {shown}"
        return FLAG_BY_KEY[key].label if key in FLAG_BY_KEY else key
    if kind == "price":
        return _price_label(key, detail)
    return field


def _price_label(route: str, unit_and_sessions: str) -> str:
    unit, _, sessions = unit_and_sessions.partition(":")
    unit_words = f"package of {sessions}" if unit == "package" and sessions else PRICE_UNITS.get(unit, unit)
    route_words = None if route == "unspecified" else (ROUTE_BY_KEY[route].label if route in ROUTE_BY_KEY else route)
    return ", ".join(part for part in ("Price", route_words, unit_words) if part)


def value_text(field: str, value: str | None) -> str:
    """A stored value in words for its field: yes/no facts as "offered", "yes", "unknown"; prices in dollars."""
    kind, _, rest = field.partition(":")
    blank = value is None or value == "" or value == "unknown"
    if not rest:
        return ("not listed" if kind == "status" else "none") if blank else value
    if kind == "price":
        return "none" if blank else ", ".join(_dollars(amount) for amount in value.split(", "))
    if kind in ("route", "service"):
        words = ("offered", "not offered")
    elif kind in ("payment", "care") and rest.count(":"):  # one item of a list: a payer, a language...
        words = ("listed", "stated not")
        if blank:
            return "not listed"
    else:
        words = ("yes", "no")
    if blank:
        return "unknown"
    return words[0] if value in YES else words[1] if value in NO else value


def _dollars(amount: str) -> str:
    """ "450" -> "$450", "450-600" -> "$450-$600" (the build's text for an amount and a range)."""
    return "-".join(f"${part}" for part in amount.split("-"))


def change_line(row: dict) -> str:
    """One change: "IV infusion: offered -> not offered (2024-05-02)"."""
    old, new = value_text(row["field"], row["old_value"]), value_text(row["field"], row["new_value"])
    return f"{field_label(row['field'])}: {old} -> {new} ({(row['changed_at'] or '?')[:10]})"


def clinic_header(row: dict) -> str:
    """ "Calm Mind Ketamine, Irvine (calm-mind-irvine)"; a clinic row that is missing shows its id alone."""
    name = ", ".join(part for part in (row["name"], row["city"]) if part)
    return f"{name} ({row['clinic_id']})" if name else row["clinic_id"]


def format_changes(selection: Selection) -> str:
    """The report: a heading, then each clinic's header and its changes, indented; or plainly that there are none."""
    rows = selection.rows
    if not rows:
        return f"no changes {selection.scope}"
    clinics = len({row["clinic_id"] for row in rows})
    lines = [f"{len(rows)} change(s) to {clinics} clinic(s) {selection.scope}"]
    for _, changes in groupby(rows, key=lambda row: row["clinic_id"]):
        changes = list(changes)
        lines += ["", clinic_header(changes[0]), *(f"  {change_line(row)}" for row in changes)]
    return "\n".join(lines)


def json_rows(selection: Selection) -> list[dict]:
    """The changes as plain records, with the values as stored (not in words), for scripts."""
    return [{key: row[key] for key in JSON_KEYS} for row in selection.rows]
