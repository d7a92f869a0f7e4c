"""Opening hours in one normal form, from schema.org JSON-LD or from the words a clinic page uses.

The normal form is OpenStreetMap's ``opening_hours`` syntax, the most widely read one: ``Mo-Fr 09:00-17:00;
Sa 10:00-14:00``. Days closed are left out. Text that looks like hours but cannot be read ("Hours vary,
call us") yields None: the caller keeps the text as unmapped rather than storing a wrong structured value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
DAY_WORD = (r"(?:mon(?:day)?s?|tue(?:s(?:day)?)?s?|wed(?:nesday)?s?|thu(?:r(?:s(?:day)?)?)?s?|fri(?:day)?s?|"
            r"sat(?:urday)?s?|sun(?:day)?s?)\.?")
DAY_INDEX = {"mo": 0, "tu": 1, "we": 2, "th": 3, "fr": 4, "sa": 5, "su": 6}
GROUP_WORDS = {"weekdays": range(0, 5), "weekends": range(5, 7), "daily": range(7), "every day": range(7),
               "7 days a week": range(7), "seven days a week": range(7), "mon-sun": range(7)}
DAY_SPEC = re.compile(
    rf"\b(?P<spec>(?:{DAY_WORD})(?:\s*(?:-|–|—|to|through|thru)\s*(?:{DAY_WORD}))?"
    rf"(?:\s*(?:,|&|and|/)\s*(?:{DAY_WORD})(?:\s*(?:-|–|—|to|through|thru)\s*(?:{DAY_WORD}))?)*"
    r"|weekdays|weekends|daily|every day|7 days a week|seven days a week)\b", re.I)
TIME = r"(?:\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)?|noon|midnight)"
TIME_RANGE = re.compile(rf"(?P<open>{TIME})\s*(?:-|–|—|to|until|till)\s*(?P<close>{TIME})", re.I)
OSM_DAY = "(?:Mo|Tu|We|Th|Fr|Sa|Su)"
OSM_RULE = re.compile(rf"^({OSM_DAY}(?:[-,]{OSM_DAY})*) (\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*)$")
CLOSED = re.compile(r"^\W*closed\b", re.I)
SCHEMA_DAY = {name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                                "sunday"))}

Week = dict[int, list[tuple[str, str]]]


def normalise_hours(text: str) -> str | None:
    """``Mon–Fri 9:00 AM – 5:00 PM, Sat 10-2`` -> ``Mo-Fr 09:00-17:00; Sa 10:00-14:00``; None when unreadable."""
    week = parse_week(text, {})
    return format_week(week) if week else None


def parse_week(text: str, week: Week) -> Week:
    """Add to ``week`` each day's intervals the text gives: day names, then the time range they share."""
    pending: list[int] = []  # days named since the last time range, waiting for their hours
    position = 0
    while True:
        day = DAY_SPEC.search(text, position)
        times = TIME_RANGE.search(text, position)
        if day and (not times or day.start() < times.start()):
            closed = CLOSED.match(text[day.end():day.end() + 12])
            pending = [] if closed else pending + _days(day.group("spec"))
            position = day.end()
            continue
        if not times:
            break
        interval = _interval(times.group("open"), times.group("close"))
        for index in pending if interval else []:
            if interval not in week.get(index, []):
                week.setdefault(index, []).append(interval)
        pending = []
        position = times.end()
    return week


def hours_from_jsonld(nodes: Iterable[dict]) -> str | None:
    """``openingHoursSpecification`` (days with opens/closes) or ``openingHours`` strings of clinic nodes."""
    week: Week = {}
    for node in nodes:
        for spec in _as_list(_get(node, "openingHoursSpecification")):
            if not isinstance(spec, dict):
                continue
            opens, closes = _get(spec, "opens"), _get(spec, "closes")
            interval = _interval(str(opens), str(closes)) if opens and closes else None
            for day in _as_list(_get(spec, "dayOfWeek")):
                index = SCHEMA_DAY.get(str(day).rsplit("/", 1)[-1].lower())
                if index is not None and interval and interval not in week.get(index, []):
                    week.setdefault(index, []).append(interval)
        for value in _as_list(_get(node, "openingHours")):
            for rule in re.split(r"\s*;\s*", str(value).strip()):
                if OSM_RULE.match(rule):
                    _add_rule(week, rule)
                else:
                    parse_week(rule, week)
    return format_week(week) if week else None


def format_week(week: Week) -> str:
    """Consecutive days with the same intervals become one rule: ``Mo-Fr 09:00-17:00``."""
    rules: list[str] = []
    index = 0
    while index < 7:
        if index not in week:
            index += 1
            continue
        intervals = sorted(week[index])
        end = index
        while end + 1 < 7 and sorted(week.get(end + 1, [])) == intervals:
            end += 1
        days = DAYS[index] if end == index else f"{DAYS[index]}{',' if end == index + 1 else '-'}{DAYS[end]}"
        rules.append(f"{days} {','.join(f'{o}-{c}' for o, c in intervals)}")
        index = end + 1
    return "; ".join(rules)


def same_hours(one: str | None, other: str | None) -> bool:
    """Two normal forms that say the same week ("Mo,Tu 9-5" and "Mo-Tu 9-5" alike)."""
    return _week_of(one) == _week_of(other)


def _week_of(normal: str | None) -> dict:
    week: Week = {}
    for rule in re.split(r"\s*;\s*", (normal or "").strip()):
        _add_rule(week, rule)
    return {day: sorted(intervals) for day, intervals in week.items()}


def _add_rule(week: Week, rule: str) -> None:
    match = OSM_RULE.match(rule)
    if not match:
        return
    intervals = [tuple(part.split("-")) for part in match.group(2).split(",")]
    for index in _days(match.group(1)):
        for interval in intervals:
            if interval not in week.get(index, []):
                week.setdefault(index, []).append(interval)


def _days(spec: str) -> list[int]:
    lowered = spec.lower().strip()
    if lowered in GROUP_WORDS:
        return list(GROUP_WORDS[lowered])
    days: list[int] = []
    for part in re.split(r"\s*(?:,|&|\band\b|/)\s*", lowered):
        ends = [DAY_INDEX[w[:2]] for w in re.findall(r"[a-z]+", part) if w[:2] in DAY_INDEX and w not in
                ("to", "through", "thru")]
        if len(ends) == 2:
            first, last = ends
            days += list(range(first, last + 1)) if first <= last else [*range(first, 7), *range(0, last + 1)]
        elif ends:
            days.append(ends[0])
    return days


def _interval(opens: str, closes: str) -> tuple[str, str] | None:
    start, end = _clock(opens), _clock(closes)
    if start is None or end is None:
        return None
    has_meridiem = lambda t: bool(re.search(r"[ap]\.?m|noon|midnight", t, re.I))  # noqa: E731
    if not has_meridiem(closes) and not has_meridiem(opens) and end <= start and end + 12 * 60 <= 24 * 60:
        end += 12 * 60  # "9-5": office hours, not a night shift
    if not has_meridiem(opens) and has_meridiem(closes) and re.search(r"p\.?m", closes, re.I) \
            and start + 12 * 60 < end:
        start += 12 * 60  # "1-5 pm"
    if end <= start and end != 0:
        return None
    return _hhmm(start), _hhmm(end if end else 24 * 60)


def _clock(text: str) -> int | None:
    """Minutes after midnight of "9", "9:30 am", "5 PM", "17:00", "noon"; None for nonsense."""
    text = text.strip().lower()
    if text == "noon":
        return 12 * 60
    if text == "midnight":
        return 0
    match = re.match(r"^(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?$", text)
    if not match:
        return None
    hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").replace(".", "")
    if minute > 59 or hour > 24 or (meridiem and not 1 <= hour <= 12):
        return None
    if meridiem == "pm" and hour != 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    return hour * 60 + minute


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _get(node: dict, key: str):
    return next((v for k, v in node.items() if k.lower() == key.lower()), None)


def _as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]
