"""Compare a demo database with the sample web's labels (sample_web/expected.json): what was found, what was missed.

Used by the end-to-end test, and runnable by hand: ``python tests/sample_web_expectations.py data/clinics.db``.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

from parsers.hours import same_hours
from parsers.kinds import CARE_KEYS

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = json.loads((ROOT / "sample_web" / "expected.json").read_text())
HOSTS = {s["slug"]: s["host"] for s in json.loads((ROOT / "sample_web" / "sites.json").read_text())}


def clinics_by_slug(db: sqlite3.Connection) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for clinic_id, website in db.execute("select id, website from clinics"):
        for slug, host in HOSTS.items():
            if website and f"//{host}:" in website:
                out[slug].append(clinic_id)
    return out


def compare(db_path: str, region: str = "Orange County, CA") -> dict:
    """Precision and recall of one region's crawl against the labels of that region's sites."""
    db = sqlite3.connect(db_path)
    found = clinics_by_slug(db)
    report = {"tp": defaultdict(int), "fp": defaultdict(list), "fn": defaultdict(list), "wrong": defaultdict(list)}
    for slug, label in EXPECTED.items():
        if label.get("region", "Orange County, CA") != region:
            continue
        ids = found.get(slug, [])
        if label.get("status_note", "").startswith("gone"):
            statuses = {row[0] for row in db.execute(
                f"select status from clinics where id in ({','.join('?' * len(ids))})", ids)} if ids else set()
            if statuses == {"gone"}:
                report["tp"]["clinic"] += 1
            else:
                report["fn"]["clinic"].append(f"{slug} should be kept with status gone, got {statuses or 'nothing'}")
            continue
        if not label["is_ketamine_clinic"] or not ids:
            if label["is_ketamine_clinic"] and not label.get("unreachable"):
                report["fn"]["clinic"].append(slug)
            if not label["is_ketamine_clinic"] and ids:
                report["fp"]["clinic"].append(slug)
            continue
        report["tp"]["clinic"] += 1
        if label.get("unreachable"):
            continue  # its site never answered: the clinic is known from listings, its facts cannot be
        clinic = ids[0]
        hidden = label.get("facts_only_on_disallowed_pages") or {}
        for kind, table, col in (("routes", "clinic_routes", "route"), ("conditions", "clinic_conditions", "condition"),
                                 ("services", "clinic_services", "service")):
            got = dict(db.execute(f"select {col}, value from {table} where clinic_id = ?", [clinic]).fetchall())
            want = label.get(kind, {})
            for key, value in want.items():
                if key not in got:
                    report["fn"][kind].append(f"{slug}:{key}={value}")
                elif bool(got[key]) != value:
                    report["wrong"][kind].append(f"{slug}:{key} want {value} got {bool(got[key])}")
                else:
                    report["tp"][kind] += 1
            for key, value in got.items():
                if key not in want and value:  # a stated "no" the labels leave out is not a false positive
                    report["fp"][kind].append(f"{slug}:{key}={bool(value)}")
        got_pay = dict(db.execute("select key, value from clinic_payment where clinic_id = ? and detail = ''",
                                  [clinic]).fetchall())
        for key, value in label.get("payment", {}).items():
            if key in hidden.get("payment", {}):
                continue
            if got_pay.get(key) is None:
                report["fn"]["payment"].append(f"{slug}:{key}={value}")
            elif bool(got_pay[key]) != value:
                report["wrong"]["payment"].append(f"{slug}:{key} want {value} got {bool(got_pay[key])}")
            else:
                report["tp"]["payment"] += 1
        for key, value in got_pay.items():
            if key not in label.get("payment", {}) and value is not None:
                report["fp"]["payment"].append(f"{slug}:{key}={bool(value)}")
        got_prices = {(a, u, s) for a, u, s in db.execute(
            "select amount_usd, unit, sessions from prices where clinic_id = ?", [clinic])}
        want_prices = {(float(p["amount_usd"]), p["unit"], p.get("sessions")) for p in label.get("prices", [])
                       if not p.get("page") or p["page"] not in label.get("disallowed_by_robots", [])}
        for p in want_prices:
            if p in got_prices:
                report["tp"]["prices"] += 1
            else:
                report["fn"]["prices"].append(f"{slug}:{p}")
        for p in got_prices - want_prices:
            report["fp"]["prices"].append(f"{slug}:{p}")
        if "care" in label:
            _compare_care(db, clinic, slug, label, report)
    return report


CARE_LISTS = {"discipline": "disciplines", "board_certified": "board_certified", "language": "languages",
              "state_served": "states_served"}


def _compare_care(db: sqlite3.Connection, clinic: str, slug: str, label: dict, report: dict) -> None:
    """Who treats, access, hours and the pricing page's own date, against the site's labels (kind "care")."""
    tp, fp, fn, wrong = report["tp"], report["fp"]["care"], report["fn"]["care"], report["wrong"]["care"]
    rows = db.execute("select key, detail, value from clinic_care where clinic_id = ? and source = 'clinic_site'",
                      [clinic]).fetchall()
    got = {key: value for key, detail, value in rows if key in CARE_KEYS}
    for key, value in (label.get("care") or {}).items():
        if got.get(key) is None:
            fn.append(f"{slug}:{key}={value}")
        elif bool(got[key]) != value:
            wrong.append(f"{slug}:{key} want {value} got {bool(got[key])}")
        else:
            tp["care"] += 1
    fp += [f"{slug}:{key}={bool(value)}" for key, value in got.items()
           if value is not None and key not in (label.get("care") or {})]
    for kind, name in CARE_LISTS.items():
        want, found = set(label.get(name) or []), {detail for key, detail, _ in rows if key == kind}
        tp["care"] += len(want & found)
        fn += [f"{slug}:{kind}:{item}" for item in sorted(want - found)]
        fp += [f"{slug}:{kind}:{item}" for item in sorted(found - want)]
    hours, = db.execute("select opening_hours from clinics where id = ?", [clinic]).fetchone()
    if label.get("opening_hours") or hours:
        if same_hours(label.get("opening_hours"), hours):
            tp["care"] += 1
        else:
            wrong.append(f"{slug}:opening_hours want {label.get('opening_hours')!r} got {hours!r}")
    stated = label.get("page_date")
    if stated:
        dates = {d for d, in db.execute("select page_date from prices where clinic_id = ? and source_url like ?",
                                        [clinic, f"%{stated['url_path']}"])}
        if stated["date"] in dates:
            tp["care"] += 1
        else:
            fn.append(f"{slug}:page_date {stated['date']} on {stated['url_path']} (prices there say {dates or 'none'})")


def summary(report: dict) -> str:
    lines = []
    for kind in ("clinic", "routes", "conditions", "services", "payment", "prices", "care"):
        tp = report["tp"].get(kind, 0)
        fp, fn, wrong = report["fp"].get(kind, []), report["fn"].get(kind, []), report["wrong"].get(kind, [])
        precision = tp / (tp + len(fp) + len(wrong)) if tp + len(fp) + len(wrong) else 1.0
        recall = tp / (tp + len(fn) + len(wrong)) if tp + len(fn) + len(wrong) else 1.0
        lines.append(f"{kind:11} tp={tp:3} precision={precision:.2f} recall={recall:.2f}")
        lines += [f"    FP {x}" for x in fp] + [f"    FN {x}" for x in fn] + [f"    WRONG {x}" for x in wrong]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(compare(sys.argv[1])))
