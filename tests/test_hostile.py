"""Hostile pages and a rough operator: extraction stays linear and bounded, a page too slow to read is counted
and keeps what was known, workers die with the crawl, the lock follows the real file, and the command line
says no in words, not tracebacks."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.hostile import PATHOLOGICAL, WRAP
from clinics.cli import cli
from clinics.lock import DatabaseLocked, RunLock
from crawlers.extraction import extract_within
from parsers.extract import extract_page
from tests.test_spiders import CLINICS, crawl


def _seconds(html: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        extract_page(html, url="https://x.example/")
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("name", [name for name in PATHOLOGICAL if name != "JSON-LD nested deep"])
def test_extraction_work_grows_linearly_with_a_hostile_page(name):
    """Four times the page, at most about four times the work (a quadratic reader took sixteen)."""
    small, large = _seconds(PATHOLOGICAL[name](25_000)), _seconds(PATHOLOGICAL[name](100_000))
    assert large / max(small, 1e-3) < 8, f"{name}: {small:.3f} s -> {large:.3f} s"


def test_a_page_past_the_caps_is_read_in_part_and_says_so():
    facts = extract_page(WRAP.format("We offer IV ketamine for depression. " * 60_000), url="https://x.example/")
    assert "input_chars" in facts.limits and "text_chars" in facts.limits
    assert any(f.key == "iv_infusion" and f.value for f in facts.routes), "what was read still counts"
    attributes = extract_page(PATHOLOGICAL["attributes on one tag"](1_000_000), url="https://x.example/")
    assert "tag_attributes" in attributes.limits


def test_json_ld_nested_past_the_stack_is_skipped_not_fatal():
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    html = f'<html><head><script type="application/ld+json">{deep}</script></head><body><p>We offer IV ketamine ' \
           f"infusions.</p></body></html>"
    facts = extract_page(html, url="https://x.example/")
    assert [f.key for f in facts.routes if f.value] == ["iv_infusion"]


def test_a_page_over_its_time_limit_is_an_error_not_a_hang():
    slow = extract_within(PATHOLOGICAL["one line of terms"](300_000), "https://x.example/", None, seconds=0.01)
    assert slow["error"] == "time_limit"
    fine = extract_within(WRAP.format("Spravato is covered by most plans."), "https://x.example/", None, seconds=10)
    assert "error" not in fine and fine["routes"]


def test_a_page_too_slow_to_read_keeps_its_facts_and_is_counted_in_the_run(web, tmp_path):
    edit, running = web
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(running.manifest["sites"]["sunrise-ketamine"] + "/\n")
    first, db = crawl(running, tmp_path, "seed_list", "clinic_site", settings={"SEED_LIST": str(seeds)})
    assert first.returncode == 0, first.stderr[-2000:]
    home = next(p for p in db["pages"].rows if p["url"].endswith(":" + p["url"].split(":")[-1]) and
                p["url"].rstrip("/").count("/") == 2)
    edit.edit("sunrise-ketamine", "index.html", "</body>", "<p>New: evening appointments.</p></body>")
    second, db = crawl(running, tmp_path, "seed_list", "clinic_site",
                       settings={"SEED_LIST": str(seeds), "EXTRACT_TIME_LIMIT": "0.000001"})
    assert second.returncode == 1
    run = list(db["crawl_runs"].rows)[-1]
    assert "clinic_site/pages/errors/extraction_time_limit" in json.loads(run["errors"])
    assert db["pages"].get(home["url"])["facts"] == home["facts"], "the page keeps the facts it had"


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_extraction_workers_exit_when_the_crawl_is_killed(sample_web, tmp_path):
    from crawlers.profiles import sample_web_settings

    args = [CLINICS, "crawl", "--profile", "sample", "--db", str(tmp_path / "clinics.db"), "--region",
            "Orange County, CA", "--set", "EXTRACT_PROCESSES=2"]
    for key, value in sample_web_settings(sample_web.api_base).items():
        args += ["--set", f"{key}={json.dumps(value) if isinstance(value, dict) else value}"]
    crawl_process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2 and crawl_process.poll() is None:
        workers = {c for c in _children(crawl_process.pid) if b"multiprocessing" in
                   (Path("/proc") / str(c) / "cmdline").read_bytes()}
        time.sleep(0.05)
    assert workers, "the crawl started no extraction workers to test"
    os.kill(crawl_process.pid, signal.SIGKILL)
    crawl_process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(map(_alive, workers)):
        time.sleep(0.1)
    assert not any(map(_alive, workers)), "a worker outlived the killed crawl"


def test_the_lock_follows_the_real_file_not_the_path(tmp_path):
    real = tmp_path / "clinics.db"
    real.touch()
    (tmp_path / "link.db").symlink_to(real)
    with RunLock(str(real)), pytest.raises(DatabaseLocked):
        with RunLock(str(tmp_path / "link.db")):
            pass


def test_impossible_thresholds_are_refused_by_the_command_line():
    result = CliRunner().invoke(cli, ["crawl", "--stale-after-runs", "-1"])
    assert result.exit_code == 2 and "-1 is not in the range" in result.output


def test_a_database_that_cannot_be_written_is_exit_2_with_a_message(monkeypatch, tmp_path):
    import db.schema

    def read_only(path):
        raise sqlite3.OperationalError("attempt to write a readonly database")
    monkeypatch.setattr(db.schema, "open_db", read_only)
    monkeypatch.setattr("clinics.session.open_db", read_only)
    (tmp_path / "clinics.db").touch()
    result = CliRunner().invoke(cli, ["reparse", "--db", str(tmp_path / "clinics.db")])
    assert result.exit_code == 2 and "cannot be opened for writing" in result.output
    assert "Traceback" not in result.output


def test_a_refused_command_leaves_the_file_as_it_was(demo_db, tmp_path):
    copy = tmp_path / "clinics.db"
    shutil.copy(demo_db, copy)
    with sqlite3.connect(copy) as db:
        db.execute("pragma wal_checkpoint(truncate)")
        clinic_id = db.execute("select id from clinics limit 1").fetchone()[0]
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    done = subprocess.run([CLINICS, "corrections", "add", clinic_id, "--field", "no_such_field", "--value", "x",
                           "--note", "wrong", "--db", str(copy)], capture_output=True, text=True)
    assert done.returncode != 0 and "valid fields" in done.stderr + done.stdout
    with sqlite3.connect(copy) as db:
        db.execute("pragma wal_checkpoint(truncate)")
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before
