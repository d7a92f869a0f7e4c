"""A clinic's status from run to run (core/status.py), as plain rules: no crawl, no database."""

from __future__ import annotations

from dataclasses import dataclass

from core.status import aged, status_update


@dataclass
class Rules:
    stale_after_runs: int = 3
    gone_after_runs: int = 6
    stale_after_days: float | None = None
    gone_after_days: float | None = None
    confirms: bool = True
    now: str = "2026-12-04T00:00:00+00:00"


OLD = {"status": "active", "missed_runs": 0, "last_confirmed": "2026-11-27T00:00:00+00:00"}


def test_a_listed_clinic_whose_site_answers_is_confirmed():
    assert status_update(OLD, Rules(), says_gone=None, listed=True, site_ok=True) == {
        "status": "active", "status_reason": None, "missed_runs": 0, "last_confirmed": Rules.now}


def test_unconfirmed_runs_make_a_clinic_stale_then_gone_and_say_why():
    row = dict(OLD)
    statuses = []
    for _ in range(6):
        row = {**row, **status_update(row, Rules(), says_gone=None, listed=False, site_ok=True)}
        statuses.append(row["status"])
    assert statuses == ["active", "active", "stale", "stale", "stale", "gone"]
    assert row["status_reason"].startswith("no source lists it any more; unconfirmed for 6 run(s)")
    assert row["last_confirmed"] == OLD["last_confirmed"]  # kept: when it was last seen


def test_a_failed_site_ages_the_clinic_and_days_can_count_instead_of_runs():
    update = status_update(OLD, Rules(stale_after_days=5), says_gone=None, listed=True, site_ok=False)
    assert update["status"] == "stale" and update["status_reason"].startswith("its website failed this run")


def test_a_clinic_that_says_it_stopped_is_gone_at_once():
    update = status_update(OLD, Rules(), says_gone="its website says it has closed", listed=True, site_ok=True)
    assert update["status"] == "gone" and update["missed_runs"] == 0
    assert update["status_reason"] == "its website says it has closed"


def test_a_run_that_fetched_nothing_confirms_and_ages_no_one():
    stale = {"status": "stale", "missed_runs": 4, "last_confirmed": OLD["last_confirmed"]}
    assert status_update(stale, Rules(confirms=False), says_gone=None, listed=True, site_ok=True) == stale
    assert status_update({}, Rules(confirms=False), says_gone=None, listed=False, site_ok=False) == {}


def test_a_clinic_no_run_could_build_ages_too():
    assert aged({"missed_runs": 5}, Rules(), "no source lists it any more")["status"] == "gone"


def test_a_clinic_known_only_from_sources_that_failed_is_neither_confirmed_nor_aged():
    stale = {"status": "stale", "status_reason": "no source lists it any more", "missed_runs": 3,
             "last_confirmed": OLD["last_confirmed"]}
    assert status_update(stale, Rules(), says_gone=None, listed=None, site_ok=None) == stale
    assert status_update(OLD, Rules(), says_gone=None, listed=None, site_ok=True)["last_confirmed"] == Rules.now, \
        "its own website answering confirms it"
