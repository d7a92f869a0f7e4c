"""What each compared clinic's column on ``/compare`` holds, read for all of them at once.

One query per table with ``clinic_id in (...)``: each fact table's primary key starts with clinic_id (prices has its
own index), so the page costs the same few queries whether the directory holds 20 clinics or 100,000, and the
same for two clinics as for five.
"""

from __future__ import annotations

from datasette_config.plugins.clinic_page import LIST_LABELS
from datasette_config.plugins.clinic_view import SOURCE_ORDER, STATUS_WORDS, _link_correction, hours_words
from datasette_config.plugins.words import phone_words

BEFORE_YOU_CALL = (  # (clinic_care key, the row's words): what a person decides whom to call from
    ("discipline", "Who treats"), ("physician_led", "Physician-led or physician on site"),
    ("accepting_new_patients", "Accepting new patients"), ("referral_required", "Referral required"),
    ("consultation_required", "Consultation or screening first"), ("telehealth", "Telehealth visits"),
    ("state_served", "Telehealth or at-home: states served"), ("spravato_rems", "Certified Spravato (REMS) center"),
    ("language", "Languages spoken"), ("opening_hours", "Opening hours"),
)
PAYMENT_LISTS = (("payer", "Insurers named"), ("financing_provider", "Financing through"))  # clinic_payment details
CLINIC_SQL = ("select id, name, city, phone, status, last_confirmed, last_checked_by_person from clinics "
              "where id in ({ids})")
FACT_SQL = {
    "care": "select k.clinic_id, k.key, k.detail, coalesce(d.label, nullif(k.detail, ''), k.key) as label, k.value, "
            "k.source, k.evidence, k.source_url, k.seen_at from clinic_care k "
            "left join discipline_types d on d.key = k.detail where k.clinic_id in ({ids}) order by k.key, k.detail",
    "routes": "select clinic_id, route as key, value, evidence, source_url, seen_at from clinic_routes "
              "where clinic_id in ({ids})",
    # A family counts as treated when any condition in it is: its row shows that condition's sentence.
    "families": "select clinic_id, condition_family as key, value, evidence, source_url, seen_at "
                "from clinic_conditions where clinic_id in ({ids}) order by value desc",
    "payment": "select clinic_id, key, detail, detail as label, value, evidence, source_url, seen_at "
               "from clinic_payment where clinic_id in ({ids}) order by key, detail",
    "prices": "select clinic_id, route as key, per_session_usd, evidence, source_url, seen_at, as_of from prices "
              "where clinic_id in ({ids}) and flag is null and route is not null and per_session_usd is not null "
              "order by per_session_usd",
}
CARE_KEYS = {key for key, _ in BEFORE_YOU_CALL}
LIST_KEYS = {*LIST_LABELS, *(key for key, _ in PAYMENT_LISTS)}  # kinds whose value is the items a clinic names


async def load_columns(db, ids: list[str]) -> list[dict]:
    """A column for each id that is a clinic, in the order asked: its row in words and its facts by kind, each fact
    the first said of its key (a person's correction, then the clinic's own pages, then the NPI Registry), list
    kinds as every item named."""
    if not ids:
        return []
    params = {f"id{n}": clinic_id for n, clinic_id in enumerate(ids)}
    placeholders = ", ".join(f":{name}" for name in params)
    rows = {r["id"]: dict(r) for r in (await db.execute(CLINIC_SQL.format(ids=placeholders), params)).rows}
    columns = {clinic_id: _empty_column(row) for clinic_id, row in rows.items()}
    for part, sql in FACT_SQL.items():
        facts = [dict(r) for r in (await db.execute(sql.format(ids=placeholders), params)).rows]
        for fact in sorted(facts, key=lambda f: SOURCE_ORDER.get(f.get("source"), 1)):
            _link_correction(fact, db.name)
            _place(columns[fact["clinic_id"]], part, fact)
    return [columns[clinic_id] for clinic_id in ids if clinic_id in columns]


def _empty_column(row: dict) -> dict:
    row.update(phone_words=phone_words(row["phone"]), status_words=STATUS_WORDS.get(row["status"], row["status"]))
    return {"row": row, "care": {}, "routes": {}, "families": {}, "payment": {}, "prices": {}}


def _place(column: dict, part: str, fact: dict) -> None:
    """Put a fact in its column: list kinds gather their items, any other key keeps the first fact read."""
    if part == "care" and fact["key"] not in CARE_KEYS:
        return
    key = fact["key"]
    if key == "opening_hours":
        fact["label"] = hours_words(fact["label"])
    if key in LIST_KEYS:
        column[part].setdefault(key, []).append(fact)
    elif part != "payment" or not fact["detail"]:
        column[part].setdefault(key, fact)
