"""Corrections people send about a listing: recorded as pending, then accepted or rejected by a maintainer.

Deciding one rebuilds the clinic's region from what is stored (nothing is fetched), so the directory shows it
at once; every later build applies it again (``db/corrections.py``), until the page it stands on changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from clinics.session import run_session
from core.regions import resolve
from db.corrections import CorrectionError, basis_of, normalise_value, parse_field
from db.schema import open_db
from db.store import now_iso

DECISIONS = {"accept": "accepted", "reject": "rejected"}


@dataclass
class CorrectionResult:
    correction_id: int
    status: str
    run_id: int | None = None
    changes: int = 0


def add_correction(db_path: str, clinic_id: str, field: str, value: str, note: str | None = None,
                   submitted_by: str | None = None) -> CorrectionResult:
    """Record a pending correction; an unknown clinic, field or value is refused and nothing is written."""
    db = open_db(db_path)
    clinic = next(iter(db.query("select id, name from clinics where id = ?", [clinic_id])), None)
    if clinic is None:
        raise CorrectionError(f"no clinic with id {clinic_id!r} (ids are in the clinics table, e.g. "
                              f"'clinics search' or the clinic's page in Datasette)")
    parsed = parse_field(field)
    stored = normalise_value(parsed, value)
    if not (note or "").strip():
        raise CorrectionError("--note is required: say what is wrong and how you know")
    with db.atomic():
        table = db["corrections"]
        table.insert({"clinic_id": clinic_id, "field": parsed.name, "value": stored, "note": note.strip(),
                      "submitted_by": submitted_by, "submitted_at": now_iso(), "status": "pending"})
        return CorrectionResult(table.last_pk, "pending")


def decide_correction(db_path: str, correction_id: int, decision: str, decided_by: str | None = None,
                      note: str | None = None) -> CorrectionResult:
    """Accept or reject a pending correction, then rebuild its clinic's region so the directory shows it."""
    if decision not in DECISIONS:
        raise CorrectionError(f"decision must be one of {', '.join(DECISIONS)}")
    with run_session(db_path) as run:
        db = run.db
        correction = next(iter(db.query("select * from corrections where id = ?", [correction_id])), None)
        if correction is None:
            raise CorrectionError(f"no correction #{correction_id} (see 'clinics corrections list')")
        if correction["status"] != "pending":
            raise CorrectionError(f"correction #{correction_id} is already {correction['status']}; add a new one")
        clinic = next(iter(db.query("select * from clinics where id = ?", [correction["clinic_id"]])))
        update = {"status": DECISIONS[decision], "decided_by": decided_by, "decided_at": now_iso(),
                  "decision_note": note}
        if decision == "accept":
            update["basis"] = json.dumps(basis_of(db, clinic, parse_field(correction["field"])))
        with db.atomic():
            if decision == "accept":  # the latest accepted correction of a field is the one that stands
                db.execute("update corrections set status = 'superseded', superseded_at = ?, superseded_reason = ? "
                           "where clinic_id = ? and field = ? and status = 'accepted'",
                           [update["decided_at"], f"replaced by correction #{correction_id}", clinic["id"],
                            correction["field"]])
            db["corrections"].update(correction_id, update)
        if clinic["region"]:  # the directory shows the decision once the clinic's region is rebuilt
            region = resolve(clinic["region"])
            run.start(region.name, "correction")
            built = run.rebuild(region)
            run.close(stats=built.stats())
    return CorrectionResult(correction_id, DECISIONS[decision], run.run_id, run.changes)


def list_corrections(db_path: str, status: str | None = None) -> list[dict]:
    db = open_db(db_path)
    where, args = ("where k.status = ?", [status]) if status else ("", [])
    return [dict(r) for r in db.query(
        f"select k.id, k.status, k.clinic_id, c.name, k.field, k.value, k.note, k.submitted_by, k.submitted_at, "
        f"k.decided_by, k.decided_at, k.superseded_reason from corrections k left join clinics c "
        f"on c.id = k.clinic_id {where} order by k.id", args)]
