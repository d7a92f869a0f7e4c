"""Re-derive every clinic's facts from the stored pages, without fetching anything.

When the extractor improves, the whole database improves at once: each stored body is read again, its
facts replaced, and clinics rebuilt. Changes it causes are recorded like a crawl's, in a run of its own.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from clinics.lock import RunLock
from clinics.regions import Region
from db.build import RunContext, build_clinics
from db.schema import open_db
from db.store import finish_run, start_run, stored_body
from parsers.extract import extract_page


@dataclass
class ReparseResult:
    run_id: int
    pages: int
    pages_changed: int
    clinics: int
    changes: int


def reparse(db_path: str, region: Region) -> ReparseResult:
    with RunLock(db_path):
        db = open_db(db_path)
        run_id = start_run(db, region.name, "reparse")
        pages = changed = 0
        with db.atomic():
            for row in db.query("select url, body, facts, fetched_at, last_ok_at from pages where body is not null"):
                old = json.loads(row["facts"]) if row["facts"] else {}
                seen_at = old.get("seen_at") or row["last_ok_at"] or row["fetched_at"]
                facts = asdict(extract_page(stored_body(row), url=row["url"], seen_at=seen_at))
                pages += 1
                if facts != old:
                    changed += 1
                    db["pages"].update(row["url"], {"facts": json.dumps(facts, sort_keys=True),
                                                    "page_type": facts["page_type"]})
        built = build_clinics(db, RunContext(run_id=run_id, region_name=region.name, region_zips=set(region.zips),
                                             confirms=False))
        finish_run(db, run_id, status="ok", exit_code=0, pages_changed=changed, clinics=built.clinics,
                   facts=built.facts, changes=built.changes, stats={"reparse/pages": pages})
        return ReparseResult(run_id, pages, changed, built.clinics, built.changes)
