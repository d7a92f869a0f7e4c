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


def status_update(old: dict, rules: AgeingRules, *, says_gone: bool, listed: bool, site_ok: bool) -> dict:
    """The status columns a clinic's row gets this run, given its row before (``{}`` for a new clinic)."""
    if says_gone:  # the clinic's own pages say it stopped
        return {"status": "gone", "status_reason": "its website says it no longer offers ketamine care",
                "missed_runs": 0, "last_confirmed": old.get("last_confirmed") if not rules.confirms else rules.now}
    if not rules.confirms:
        return {k: old[k] for k in ("status", "missed_runs", "last_confirmed") if k in old}
    if listed and site_ok:
        return {"status": "active", "status_reason": None, "missed_runs": 0, "last_confirmed": rules.now}
    return aged(old, rules, "its website failed this run" if not site_ok else "no source lists it any more")


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
