"""A clinic's status from one run to the next: active while a complete source lists it and its site answers;
after runs (or days) unconfirmed, stale, then gone; gone at once when its own pages say it stopped; and a run
that fetched nothing (a reparse) confirms and ages no one. Plain rules on plain values: db/build.py reads the
old row and writes the new one."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class AgeingRules(Protocol):
    stale_after_runs: int
    gone_after_runs: int
    stale_after_days: float | None
    gone_after_days: float | None
    confirms: bool  # False when nothing was fetched (a reparse)
    now: str


def status_update(old: dict, rules: AgeingRules, *, says_gone: str | None, listed: bool | None,
                  site_ok: bool | None) -> dict:
    """The status columns a clinic's row gets this run, given its row before (``{}`` for a new clinic).

    ``listed``: seen this run by a source that answered (True), left out by a source that answered completely
    (False), or known only from sources that failed (None). ``site_ok``: its website answered (True), failed
    (False), or it has none or no site was crawled (None). Only an answer confirms: a clinic known only from a
    source that failed this run keeps its status and its last confirmation, neither confirmed nor aged.
    """
    if says_gone:  # the clinic's own pages say it stopped or closed
        return {"status": "gone", "status_reason": says_gone,
                "missed_runs": 0, "last_confirmed": old.get("last_confirmed") if not rules.confirms else rules.now}
    if not rules.confirms:
        return {k: old[k] for k in ("status", "missed_runs", "last_confirmed") if k in old}
    if site_ok is False:
        return aged(old, rules, "its website failed this run")
    if listed is False:
        return aged(old, rules, "no source lists it any more")
    if listed or site_ok:
        return {"status": "active", "status_reason": None, "missed_runs": 0, "last_confirmed": rules.now}
    return {"status": old.get("status") or "active", "status_reason": old.get("status_reason"),
            "missed_runs": old.get("missed_runs") or 0, "last_confirmed": old.get("last_confirmed")}


def aged(old: dict, rules: AgeingRules, reason: str) -> dict:
    """One more run unconfirmed: stale after ``stale_after_runs`` (or days), gone after ``gone_after_runs``."""
    missed = (old.get("missed_runs") or 0) + 1
    last = old.get("last_confirmed")
    days = days_between(last, rules.now) if last else 0.0
    status = "active"
    if missed >= rules.stale_after_runs or (rules.stale_after_days is not None and days >= rules.stale_after_days):
        status = "stale"
    if missed >= rules.gone_after_runs or (rules.gone_after_days is not None and days >= rules.gone_after_days):
        status = "gone"
    return {"status": status, "missed_runs": missed, "last_confirmed": last,
            "status_reason": f"{reason}; unconfirmed for {missed} run(s) since {last or 'never'}"}


def days_between(start: str, end: str) -> float:
    def parse(stamp: str) -> datetime:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))

    return (parse(end) - parse(start)).total_seconds() / 86400
