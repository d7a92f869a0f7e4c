"""A crawl spread over worker processes through a loopback redis-server gives the clinics and facts a crawl in one
process gives, loses nothing when a worker is killed, and resumes when its coordinator is stopped."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_recrawl import CLINICS

# In CI (.ci/run installs redis-server) a missing server fails the tests instead of skipping them: a broken install
# step must not pass quietly.
pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None and os.environ.get("CI") != "true",
                                reason="needs Debian's redis-server on PATH (.ci/run installs it)")
REGION = "Orange County, CA"
TABLES = (("clinics", "id"), ("clinic_care", "clinic_id, key, detail, source"), ("clinic_routes", "clinic_id, route"),
          ("clinic_conditions", "clinic_id, condition"), ("clinic_payment", "clinic_id, key, detail"), ("prices", "id"),
          ("pages", "url"))
MOMENTS = {"first_seen", "last_seen", "last_changed", "last_confirmed", "seen_at", "run_id", "as_of", "fetched_at",
           "last_ok_at", "verified_at", "lowest_iv_price_as_of", "lowest_price_per_session_as_of", "body"}
# Which page a fact cites, when several pages of one site state it equally (a footer's hours), is the one seen last
# (parsers/merge.py): it depends on the second each page was fetched in, not on which process fetched it.
CITATION = {"evidence", "source_url", "page_type"}


@pytest.fixture
def redis_url(tmp_path):
    """A redis-server of the test's own, on loopback, keeping nothing on disk."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def single_process(sample_web, tmp_path_factory) -> Path:
    """The region crawled the usual way, in one process."""
    db_path = tmp_path_factory.mktemp("single") / "clinics.db"
    done = _crawl(sample_web, db_path)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return db_path


def _env(sample_web) -> dict:
    return {**os.environ, "CLINICS_SAMPLE_WEB": sample_web.api_base}


def _crawl(sample_web, db_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLINICS, "crawl", "--region", REGION, "--db", str(db_path), *args], env=_env(sample_web),
                          capture_output=True, text=True, timeout=300)


def _coordinator(sample_web, db_path: Path, redis_url: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([CLINICS, "crawl", "--region", REGION, "--db", str(db_path), "--queue", redis_url, *args],
                            env=_env(sample_web), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _worker(sample_web, redis_url: str) -> subprocess.Popen:
    return subprocess.Popen([CLINICS, "worker", redis_url, "--wait", "60"], env=_env(sample_web),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finished(process: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def _comparable(db_path: Path) -> dict[str, list[dict]]:
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    found = {}
    for table, order in TABLES:
        rows = db.execute(f"select * from {table} order by {order}")
        left_out = MOMENTS | (CITATION if table.startswith("clinic_") or table == "prices" else set())
        found[table] = [{k: _without_moments(k, row[k]) for k in row.keys() if k not in left_out} for row in rows]
    return found


def _without_moments(column: str, value):
    """A page's facts without the moment they were read."""
    if column != "facts" or value is None:
        return value
    facts = json.loads(value)
    facts.pop("seen_at", None)
    return facts


def _same_as_one_process(db_path: Path, single: Path) -> None:
    got, expected = _comparable(db_path), _comparable(single)
    for table, _ in TABLES:
        assert got[table] == expected[table], table


def _claimed_sites(redis_url: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    return sum(client.llen(key) for key in client.scan_iter("clinics:claimed:*"))


def test_two_workers_give_the_clinics_and_facts_of_a_crawl_in_one_process(sample_web, single_process, redis_url,
                                                                         tmp_path):
    db_path = tmp_path / "clinics.db"
    workers = [_worker(sample_web, redis_url) for _ in range(2)]
    # 4 sites at a time, so that neither worker takes all 14 of the region's sites at once
    code, out, err = _finished(_coordinator(sample_web, db_path, redis_url, "--set", "SITE_QUEUE_BATCH=4"))
    assert code in (0, 1), err[-2000:]
    assert "clinics: 15" in out and "pages: 119 fetched" in out
    responses = []
    for worker in workers:
        worker_code, worker_out, worker_err = _finished(worker, timeout=60)
        assert worker_code == 0, worker_err[-2000:]
        responses.append(int(worker_out.split(": ", 1)[1].split(" responses")[0]))
    assert all(responses) and sum(responses) == 119  # both worked, and no page was fetched twice
    _same_as_one_process(db_path, single_process)


def test_a_worker_killed_mid_run_loses_no_site(sample_web, single_process, redis_url, tmp_path):
    db_path = tmp_path / "clinics.db"
    coordinator = _coordinator(sample_web, db_path, redis_url, "--set", "SITE_QUEUE_HEARTBEAT_S=2")
    doomed = _worker(sample_web, redis_url)
    deadline = time.monotonic() + 120
    while _claimed_sites(redis_url) == 0:  # it has taken its first sites
        assert time.monotonic() < deadline and coordinator.poll() is None, "the worker never took a site"
        time.sleep(0.02)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    survivor = _worker(sample_web, redis_url)
    code, out, err = _finished(coordinator)
    assert code in (0, 1), err[-2000:]
    assert "its sites are queued again" in err
    assert _finished(survivor, timeout=60)[0] == 0
    _same_as_one_process(db_path, single_process)


def test_a_stopped_coordinator_started_again_resumes_its_run(sample_web, single_process, redis_url, tmp_path):
    db_path = tmp_path / "clinics.db"
    first = _coordinator(sample_web, db_path, redis_url)
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + 120
    while not client.llen("clinics:pending"):  # discovery done, the sites queued, no worker yet
        assert time.monotonic() < deadline and first.poll() is None, first.stderr.read()[-2000:] if first.poll() else ""
        time.sleep(0.05)
    first.send_signal(signal.SIGTERM)
    code, out, _ = _finished(first, timeout=60)
    assert code == 130 or "interrupted" in out  # stopped, nothing rebuilt
    workers = [_worker(sample_web, redis_url) for _ in range(2)]
    code, out, err = _finished(_coordinator(sample_web, db_path, redis_url))
    assert code in (0, 1), err[-2000:]
    assert "resuming the unfinished run" in err
    for worker in workers:
        assert _finished(worker, timeout=60)[0] == 0
    _same_as_one_process(db_path, single_process)
