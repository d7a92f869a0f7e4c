"""One run of a command that writes the database, whichever command it is (crawl, reparse, a correction decided,
an identity decision): the writer's lock, the run's row in ``crawl_runs``, the rebuild of the regions it touched,
and the figures the run closes with, in that order.

    with run_session(db_path) as run:
        run.start(region.name, "reparse")
        ...
        run.rebuild(region)
        run.close(pages_changed=changed)

A run that raises is closed "failed" with the error's name before the error goes on; a run that is killed is
left "running", and the next crawl to hold the lock marks it interrupted (its writes were atomic).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlite_utils

from clinics.lock import RunLock
from core.regions import Region
from db.build import BuildResult, RunContext, build_clinics
from db.schema import open_db
from db.store import finish_run, start_run

# A run's exit codes, as cron sees them: all well; some source or site failed; the run could not start; it ran
# but reached no source and no site (offline); it was stopped by a signal. Only 0 and 1 rebuilt clinics.
EXIT_OK, EXIT_PARTIAL, EXIT_NOT_STARTED, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4


@dataclass
class Session:
    db: sqlite_utils.Database
    run_id: int | None = None
    clinics: int = 0
    facts: int = 0
    changes: int = 0
    possible_duplicates: int = 0
    closing: dict = field(default_factory=dict)

    def start(self, region_label: str, profile: str) -> int:
        """The run's row in crawl_runs: from here on the run is part of the directory's history."""
        self.run_id = start_run(self.db, region_label, profile)
        return self.run_id

    def rebuild(self, region: Region, **context) -> BuildResult:
        """Rebuild one region's clinics for this run (nothing fetched unless ``confirms=True`` is passed)."""
        context.setdefault("confirms", False)
        built = build_clinics(self.db, RunContext(run_id=self.run_id, region_name=region.name,
                                                  region_zips=set(region.zips), **context))
        self.clinics += built.clinics
        self.facts += built.facts
        self.changes += built.changes
        self.possible_duplicates += built.possible_duplicates
        return built

    def close(self, status: str = "ok", exit_code: int = 0, **figures) -> None:
        """What the run closes with, written when the session ends."""
        self.closing = {"status": status, "exit_code": exit_code, **figures}


@contextmanager
def run_session(db_path: str, close_interrupted: bool = False) -> Iterator[Session]:
    """Hold the writer's lock for the whole run; close the run's row on the way out if it was started."""
    with RunLock(db_path):
        db = open_db(db_path)
        if close_interrupted:
            _close_interrupted_runs(db)
        session = Session(db)
        try:
            yield session
        except Exception as error:
            if session.run_id is not None:
                finish_run(db, session.run_id, status="failed", exit_code=EXIT_PARTIAL,
                           errors={f"exception/{type(error).__name__}": 1})
            raise
        if session.run_id is not None:
            totals = {"clinics": session.clinics, "facts": session.facts, "changes": session.changes}
            finish_run(db, session.run_id, **{"status": "ok", "exit_code": 0, **totals, **session.closing})


def _close_interrupted_runs(db) -> None:
    """A run still marked running while we hold the lock was killed: say so (its writes were atomic)."""
    for row in db.query("select id from crawl_runs where status = 'running'"):
        db["crawl_runs"].update(row["id"], {"status": "interrupted", "exit_code": EXIT_PARTIAL,
                                            "errors": '{"interrupted": 1}'})
