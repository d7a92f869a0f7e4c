"""``/clinic/<id>``: one clinic as a person looking for care reads it.

What to know before calling comes first (who treats, new patients, referral, telehealth, hours, languages,
Spravato certification), then what it offers, treats, takes and charges. Every fact opens onto the sentence it
was read from, its page and when it was seen: a disclosure, since a phone has no hover. "Something wrong here?"
writes an email to the address the operator gave (``clinics serve --contact``), the clinic and the field filled
in; a copy of the directory with no address says so rather than show a placeholder. The analysts' row page
(``/<db>/clinics/<id>``) shows the same facts from the same loader and partials.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import quote, unquote

from datasette import Response
from datasette.utils import tilde_encode

from datasette_config.plugins.clinic_page import CARE_GROUPS, FACT_QUERIES, LIST_LABELS, _database_name
from datasette_config.plugins.home import ROUTE_LABELS
from datasette_config.plugins.structured_data import medical_clinic
from datasette_config.plugins.words import phone_words

PLUGIN = "clinic_directory"  # the plugin as its entry point names it (pyproject.toml); its metadata holds "contact"
MAX_ID_CHARS = 100  # clinic ids are 13 characters; a longer one is no clinic and is not looked up
CLOSED = {  # statuses a patient must see before anything else: what they mean, in words
    "gone": "Closed, or no longer offers ketamine care.",
    "removed": "Removed from the directory.",
    "merged": "This listing is now part of another clinic's listing.",
}
STATUS_WORDS = {"active": "", "stale": "Not confirmed lately: call before you go.", **CLOSED}
SOURCE_WORDS = {"npi_registry": "NPI Registry (NPPES)", "osm": "OpenStreetMap", "directory": "A clinic directory",
                "seed_list": "The directory's own list of clinic websites"}
SOURCE_ORDER = {"correction": 0, "clinic_site": 1, "npi": 2}  # who said it, as clinic_care.source and corrections
UNIT_WORDS = {"per_session": "a session", "package": "for a package", "consultation": "for a consultation",
              "other": ""}
CRLF = "\r\n"  # line breaks in a mailto body (RFC 6068)
DAYS = {"Mo": "Mon", "Tu": "Tue", "We": "Wed", "Th": "Thu", "Fr": "Fri", "Sa": "Sat", "Su": "Sun"}
TRI_STATE_CARE = {key for keys in CARE_GROUPS.values() for key in keys if key not in LIST_LABELS}


async def clinic_view(datasette, request):
    """The clinic's page; an unknown id (or none a clinic could have) is a 404 that says so and points to /find."""
    clinic_id = unquote(request.url_vars["id"]).removesuffix("/")
    db = datasette.get_database(_database_name(datasette))
    facts = await load_clinic(db, clinic_id) if 0 < len(clinic_id) <= MAX_ID_CHARS else None
    if facts is None:
        html = await datasette.render_template("clinic.html", {"clinic_facts": None}, request=request,
                                               view_name="clinic")
        return Response.html(html, status=404)
    clinic = facts["clinic"]
    page_url = datasette.absolute_url(request, f"/clinic/{quote(clinic['id'], safe='')}")
    context = {"clinic_facts": facts, **report_context(datasette, request, clinic), "map_point": _map_point(clinic),
               # a closed listing is not announced to search engines as a clinic to visit
               "clinic_jsonld": None if clinic["closed"] else medical_clinic(clinic, page_url),
               "directions_url": _directions_url(clinic),
               "analyst_url": datasette.urls.row(db.name, "clinics", tilde_encode(clinic["id"]))}
    return Response.html(await datasette.render_template("clinic.html", context, request=request,
                                                         view_name="clinic"))


def report_context(datasette, request, clinic: dict) -> dict:
    """``contact`` (None when the operator gave none) and ``report(field, section, says="")`` for the templates."""
    contact = contact_address(datasette)
    page_url = datasette.absolute_url(request, f"/clinic/{quote(clinic['id'], safe='')}")
    return {"contact": contact, "report": report_links(contact, clinic, page_url)}


def contact_address(datasette) -> str | None:
    """Where reports go: the address `clinics serve --contact` put in the metadata; None when none was given."""
    return ((datasette.plugin_config(PLUGIN) or {}).get("contact") or "").strip() or None


async def load_clinic(db, clinic_id: str) -> dict | None:
    """The clinic's row and every fact the page shows, each fact labelled and named by its correction field;
    None when there is no such clinic. One query by primary key, then one per fact table by clinic_id."""
    row = (await db.execute("select * from clinics where id = :id", {"id": clinic_id})).first()
    if row is None:
        return None
    facts = {name: [dict(r) for r in (await db.execute(sql, {"id": clinic_id})).rows]
             for name, sql in FACT_QUERIES.items()}
    for name, rows in facts.items():
        for fact in rows:
            _link_correction(fact, db.name)
            fact["field"] = _field(name, fact)
    for source in facts["sources"]:
        source["match_reasons"] = ", ".join(json.loads(source["match_reasons"] or "[]"))
        source["words"] = SOURCE_WORDS.get(source["source"], source["source"])
    for price in facts["prices"]:
        price.update(_price_words(price))
    facts["care_by_group"] = _care_groups(facts.pop("care"))
    facts["clinic"] = _clinic_words(dict(row))
    return facts


def _clinic_words(clinic: dict) -> dict:
    """The row, plus what a person reads: the phone as dialled, the address on one line, the status in words."""
    clinic["phone_words"] = phone_words(clinic["phone"])
    place = " ".join(part for part in (clinic["state"], clinic["zip"]) if part)
    street = f"{clinic['street']}, Suite {clinic['suite']}" if clinic["street"] and clinic["suite"] else clinic["street"]
    clinic["address"] = ", ".join(part for part in (street, clinic["city"], place) if part)
    clinic["status_words"] = STATUS_WORDS.get(clinic["status"], clinic["status"])
    clinic["closed"] = clinic["status"] in CLOSED
    return clinic


def _price_words(price: dict) -> dict:
    """ "$2,400 for a package of 6 sessions, IV infusion" and "$400 a session", as a person reads a price."""
    amount = f"${price['amount_usd']:,.0f}" + (f"–${price['amount_max_usd']:,.0f}" if price["amount_max_usd"] else "")
    what = UNIT_WORDS.get(price["unit"], price["unit"] or "")
    if price["sessions"]:
        what += f" of {price['sessions']} sessions"
    if price["route"]:
        what = ", ".join(part for part in (what, ROUTE_LABELS.get(price["route"], price["route"])) if part)
    if price["qualifier"]:
        what += f" ({price['qualifier']})"
    per_session = price["per_session_usd"] if price["unit"] != "per_session" else None
    return {"amount_words": amount, "what_words": what,
            "per_session_words": f"${per_session:,.0f} a session" if per_session else None}


def _care_groups(rows: list[dict]) -> dict[str, list[dict]]:
    """Care rows in the page's two sections, list items labelled by their kind ("Language spoken: Spanish"); of
    one kind, what a person checked first, then the clinic's own words, then the NPI Registry's."""
    groups: dict[str, list[dict]] = {name: [] for name in CARE_GROUPS}
    rows = sorted(rows, key=lambda row: SOURCE_ORDER.get(row["source"], 1))
    for name, keys in CARE_GROUPS.items():
        for key in keys:
            for row in (r for r in rows if r["key"] == key):
                if key in LIST_LABELS:
                    detail = hours_words(row["label"]) if key == "opening_hours" else row["label"]
                    row.update(label=f"{LIST_LABELS[key]}: {detail}", is_item=True)
                groups[name].append(row)
    return groups


def _link_correction(row: dict, database: str) -> None:
    """A fact a person corrected points at its row in the corrections table, not at a page."""
    url = row.get("source_url") or ""
    if url.startswith("correction:"):
        row.update(source="correction", source_url=f"/{database}/corrections/{url.split(':', 1)[1]}")


def _field(table: str, fact: dict) -> str:
    """The field a correction of this fact names (`clinics corrections add --field`): ``route:iv_infusion``,
    ``accepting_new_patients``, ``language:Spanish``; a maintainer copies it from the report."""
    if table in ("routes", "services", "conditions"):
        return f"{table[:-1]}:{fact['key']}"
    if table == "care":
        return fact["key"] if fact["key"] in TRI_STATE_CARE or not fact["detail"] else f"{fact['key']}:{fact['detail']}"
    if table == "payment":
        return f"{fact['key']}:{fact['label']}" if fact["key"] in ("payer", "financing_provider") else fact["key"]
    return {"prices": "price", "sources": "listing", "possible_duplicates": "listing"}.get(table, table)


def hours_words(hours: str) -> str:
    """``Mo-Fr 09:00-17:30; Sa 10:00-14:00`` -> ``Mon–Fri 9 am–5:30 pm; Sat 10 am–2 pm`` (parsers/hours.py's form)."""
    def clock(match: re.Match) -> str:
        hour, minute = int(match.group(1)), match.group(2)
        words = f"{(hour - 1) % 12 + 1}{'' if minute == '00' else ':' + minute}"
        return f"{words} {'am' if hour < 12 or hour == 24 else 'pm'}"

    text = re.sub(r"\b([01]?\d|2[0-4]):([0-5]\d)\b", clock, hours.replace("00:00-24:00", "24 hours"))
    text = re.sub(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\b", lambda m: DAYS[m.group(1)], text)
    return text.replace("-", "–")


def report_links(contact: str | None, clinic: dict, page_url: str) -> Callable[..., str | None]:
    """``report(field, section, says="")``: a mailto link for a correction of one field of this clinic, or None
    when this copy of the directory has no address for reports."""
    def report(field: str, section: str, says: str = "") -> str | None:
        return report_mailto(contact, clinic, page_url, field, section, says) if contact else None
    return report


def report_mailto(contact: str, clinic: dict, page_url: str, field: str, section: str, says: str = "") -> str:
    """A ``mailto:`` whose subject names the clinic id and the field, and whose body holds what a maintainer needs
    to record it: the clinic's name, id and page, the field, and lines for what it should say and how one knows.
    Every part is percent-encoded (RFC 6068): a name with ``&`` or ``?`` cannot end the subject or start a header."""
    lines = [f"Clinic: {clinic['name']}", f"Clinic id: {clinic['id']}", f"Page: {page_url}",
             f"Field: {field} ({section})", *([f"The directory says: {says}"] if says else []), "",
             "What it should say:", "", "How you know (a phone call, the clinic's own page, you work there):", ""]
    subject = f"Correction for clinic {clinic['id']}: {field}"
    return (f"mailto:{quote(contact, safe='@')}?subject={quote(subject, safe='')}"
            f"&body={quote(CRLF.join(lines), safe='')}")


def _map_point(clinic: dict) -> dict | None:
    if clinic["latitude"] is None or clinic["longitude"] is None:
        return None
    return {"lat": clinic["latitude"], "lon": clinic["longitude"]}


def _directions_url(clinic: dict) -> str | None:
    """Directions on OpenStreetMap to the clinic's point, else to its address; None when neither is known."""
    if clinic["latitude"] is not None and clinic["longitude"] is not None:
        return f"https://www.openstreetmap.org/directions?to={clinic['latitude']}%2C{clinic['longitude']}"
    if clinic["street"] and (clinic["city"] or clinic["zip"]):
        return f"https://www.openstreetmap.org/directions?to={quote(clinic['address'], safe='')}"
    return None
