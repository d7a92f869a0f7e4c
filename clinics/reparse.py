"""Re-derive every clinic's facts from the stored pages, without fetching anything.

When the extractor improves, the whole database improves at once: each stored body is read again, its
facts replaced, and clinics rebuilt. Changes it causes are recorded like a crawl's, in a run of its own.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from clinics.session import run_session
from core.regions import Region, RegionError, resolve
from crawlers.extraction import extract_within, worker_pool
from db.queries import regions_held
from db.store import stored_body, update_page


@dataclass
class ReparseResult:
    run_id: int
    pages: int
    pages_changed: int
    clinics: int
    changes: int
    regions: list[str] = field(default_factory=list)  # the regions whose clinics were rebuilt


def reparse(db_path: str, regions: list[Region] | None = None, processes: int = 0) -> ReparseResult:
    """Read every stored page again (in ``processes`` worker processes, 0 for this one) and rebuild the clinics of
    ``regions``, by default of every region the database holds (a page belongs to whichever region listed it)."""
    with run_session(db_path) as run:
        db = run.db
        regions = _held_regions(db) if regions is None else regions
        run_id = run.start("; ".join(region.name for region in regions), "reparse")
        pages = changed = 0
        failed: dict[str, int] = {}
        with db.atomic():
            rows = db.query("select url, body, facts, fetched_at, last_ok_at from pages where body is not null")
            for row, facts in _facts_of(rows, processes):
                pages += 1
                if "error" in facts:  # too slow or too deep to read: the page keeps the facts it had
                    failed[facts["error"]] = failed.get(facts["error"], 0) + 1
                    continue
                if facts != row["old_facts"]:
                    changed += 1
                    update_page(db, row["url"], {"facts": json.dumps(facts, sort_keys=True),
                                                 "page_type": facts["page_type"]})
        for region in regions:
            run.rebuild(region)
        run.close(pages_changed=changed, stats={"reparse/pages": pages},
                  **({"errors": {f"reparse/pages/errors/extraction_{k}": n for k, n in failed.items()}} if failed else {}))
    return ReparseResult(run_id, pages, changed, run.clinics, run.changes, [region.name for region in regions])


def _held_regions(db) -> list[Region]:
    """The regions the database holds, resolved; a stored name that no longer resolves stops the run before it starts."""
    regions = []
    for name in regions_held(db):
        try:
            regions.append(resolve(name))
        except RegionError as error:
            raise RegionError(f"the database holds region {name!r}, which no longer resolves ({error}); "
                              "rebuild the others one by one with --region") from None
    return regions


def _facts_of(rows: Iterable[dict], processes: int) -> Iterator[tuple[dict, dict]]:
    """Each stored page with its facts read again, in the pages' order.

    Workers get the compressed body (a seventh of the bytes to pass) and only a few pages per worker are
    in flight at once, so memory stays flat however many pages the database holds.
    """
    jobs = (_job(row) for row in rows)
    if processes <= 0:
        yield from ((row, _extract_stored(*args)) for row, args in jobs)
        return
    with worker_pool(processes) as pool:
        in_flight: deque = deque()
        for row, args in jobs:
            in_flight.append((row, pool.submit(_extract_stored, *args)))
            if len(in_flight) >= 4 * processes:
                row, future = in_flight.popleft()
                yield row, future.result()
        while in_flight:
            row, future = in_flight.popleft()
            yield row, future.result()


def _job(row: dict) -> tuple[dict, tuple]:
    old = json.loads(row["facts"]) if row["facts"] else {}
    seen_at = old.get("seen_at") or row["last_ok_at"] or row["fetched_at"]
    return {"url": row["url"], "old_facts": old}, (row["body"], row["url"], seen_at)


def _extract_stored(compressed_body: bytes, url: str, seen_at: str | None) -> dict:
    return extract_within(stored_body({"body": compressed_body}), url, seen_at)
