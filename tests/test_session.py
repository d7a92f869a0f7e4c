"""Every command that writes the database runs in one kind of session: the lock for the whole run, a run row
only once the command starts one, its figures written on the way out, and a run that died left for the next
to mark interrupted."""

from __future__ import annotations

import pytest

from clinics.lock import DatabaseLocked
from clinics.session import run_session
from db.schema import open_db


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


def test_a_run_that_died_is_marked_interrupted_by_the_next_crawl_and_the_lock_is_held_meanwhile(tmp_path):
    db_path = tmp_path / "clinics.db"
    with pytest.raises(RuntimeError):
        with run_session(str(db_path)) as run:
            run.start("Orange County, CA", "nightly")
            with pytest.raises(DatabaseLocked):  # a second writer is refused while the first holds the lock
                with run_session(str(db_path)):
                    pass
            raise RuntimeError("killed mid-run")
    assert runs(db_path)[0]["status"] == "running"
    with run_session(str(db_path), close_interrupted=True):
        pass
    assert runs(db_path)[0]["status"] == "interrupted"
