"""People's decisions about clinic identity: "these two are the same clinic" or "they are not".

A decision is kept in ``identity_decisions`` and read by every later build, so a crawl never undoes it.
Recording one rebuilds the clinics' region from what is stored (nothing is fetched), so the directory
shows the decision at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinics.session import run_session
from core.regions import resolve
from db.schema import open_db
from db.store import now_iso

DECISIONS = ("same", "not_same")


class DecisionError(ValueError):
    """A decision that cannot be recorded (an unknown clinic, a clinic paired with itself)."""


@dataclass
class DecisionResult:
    run_id: int
    clinics: int
    changes: int
    possible_duplicates: int


def decide(db_path: str, clinic_id: str, other_id: str, decision: str, note: str | None = None,
           decided_by: str | None = None) -> DecisionResult:
    """Record that ``other_id`` is (``same``: merged into ``clinic_id``) or is not the same clinic, then rebuild."""
    if decision not in DECISIONS:
        raise DecisionError(f"decision must be one of {', '.join(DECISIONS)}")
    if clinic_id == other_id:
        raise DecisionError("a clinic cannot be paired with itself")
    with run_session(db_path) as run:
        db = run.db
        rows = {r["id"]: r for r in db.query("select id, region from clinics where id in (?, ?)", [clinic_id, other_id])}
        missing = [c for c in (clinic_id, other_id) if c not in rows]
        if missing:
            raise DecisionError(f"no clinic with id {', '.join(missing)} (see the clinics table or possible_duplicates)")
        with db.atomic():
            db.execute("delete from identity_decisions where (clinic_id = ? and other_id = ?) "
                       "or (clinic_id = ? and other_id = ?)", [clinic_id, other_id, other_id, clinic_id])
            db["identity_decisions"].insert({"clinic_id": clinic_id, "other_id": other_id, "decision": decision,
                                             "note": note, "decided_by": decided_by, "decided_at": now_iso()})
        region_names = sorted({r["region"] for r in rows.values() if r["region"]})
        run_id = run.start("; ".join(region_names), "identity decision")
        for name in region_names:
            run.rebuild(resolve(name))
    return DecisionResult(run_id, run.clinics, run.changes, run.possible_duplicates)


def possible_duplicates(db_path: str) -> list[dict]:
    db = open_db(db_path)
    return [dict(r) for r in db.query("select * from possible_duplicates order by score desc, clinic_id")]
