"""Every command that writes the database runs in one kind of session: the lock for the whole run, a run row
only once the command starts one, its figures written on the way out, a run that raised closed as failed, and a run
that was killed left for the next to mark interrupted."""

from __future__ import annotations

import json

import pytest

from clinics.lock import DatabaseLocked
from clinics.session import run_session
from db.schema import open_db
from db.store import start_run


def runs(db_path):
    return [dict(r) for r in open_db(str(db_path)).query("select profile, status, exit_code, pages_changed from "
                                                          "crawl_runs order by id")]


def test_a_session_writes_its_run_with_the_figures_it_closes_with(tmp_path):
    db_path = tmp_path / "clinics.db"
    with run_session(str(db_path)) as run:
        run.start("Orange County, CA", "reparse")
        run.close(pages_changed=3)
    assert runs(db_path) == [{"profile": "reparse", "status": "ok", "exit_code": 0, "pages_changed": 3}]


def test_a_session_that_starts_no_run_writes_none(tmp_path):
    db_path = tmp_path / "clinics.db"
    with run_session(str(db_path)):
        pass
    assert runs(db_path) == []


def test_a_run_that_raises_is_closed_failed_with_the_error_and_the_lock_is_held_meanwhile(tmp_path):
    db_path = tmp_path / "clinics.db"
    with pytest.raises(RuntimeError):
        with run_session(str(db_path)) as run:
            run.start("Orange County, CA", "nightly")
            with pytest.raises(DatabaseLocked):  # a second writer is refused while the first holds the lock
                with run_session(str(db_path)):
                    pass
            raise RuntimeError("a bug mid-run")
    run = open_db(str(db_path))["crawl_runs"].get(1)
    assert (run["status"], run["exit_code"], run["finished_at"] is not None) == ("failed", 1, True)
    assert json.loads(run["errors"]) == {"exception/RuntimeError": 1}


def test_a_run_that_was_killed_is_marked_interrupted_by_the_next_crawl(tmp_path):
    db_path = tmp_path / "clinics.db"
    start_run(open_db(str(db_path)), "Orange County, CA", "nightly")  # a run whose process was killed: no close
    assert runs(db_path)[0]["status"] == "running"
    with run_session(str(db_path), close_interrupted=True):
        pass
    assert runs(db_path)[0]["status"] == "interrupted"
