"""What a person sees while a crawl runs: a line per step (live on a terminal), not Scrapy's log; nothing with
--quiet."""

from __future__ import annotations

import io
import os
import pty
import subprocess

from clinics.progress import Progress, step_line
from tests.test_recrawl import CLINICS


def test_each_step_is_said_in_words():
    assert step_line("osm", {"source/osm/ok_queries": 1, "source/osm/failed_queries": 0, "item_scraped_count": 1}) \
        == "osm: 1 query answered, 0 failed, 1 listing"
    assert step_line("clinic_site", {"sites/listed": 7, "pages/parsed": 30, "pages/unchanged": 4, "pages/failed": 1}) \
        == "clinic websites: 7 sites, 34 pages read (30 new or changed), 1 failed"


def test_off_a_terminal_only_finished_steps_are_written_and_quiet_writes_nothing():
    stream = io.StringIO()
    progress = Progress(stream)
    progress.update("osm", {})
    progress.done("osm", {"finish_reason": "shutdown"})
    assert stream.getvalue() == "osm: 0 queries answered, 0 failed, 0 listings (stopped: shutdown)\n"
    silent = io.StringIO()
    Progress(silent, enabled=False).done("osm", {})
    assert silent.getvalue() == ""


def test_on_a_terminal_the_crawl_shows_live_steps_instead_of_scrapys_log(sample_web, tmp_path):
    master, terminal = pty.openpty()
    env = {**os.environ, "CLINICS_SAMPLE_WEB": sample_web.api_base}
    process = subprocess.Popen([CLINICS, "crawl", "--region", "Travis County, TX", "--db", str(tmp_path / "c.db")],
                               env=env, stdout=subprocess.PIPE, stderr=terminal, text=True)
    os.close(terminal)
    shown = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the crawl closed the terminal
            break
        if not data:
            break
        shown += data
    summary = process.communicate(timeout=300)[0]
    screen = shown.decode()
    assert process.returncode == 0, summary + screen[-2000:]
    for step in ("npi_registry: ", "osm: ", "directory: ", "seed_list: ", "clinic websites: 7 sites"):
        assert f"\r{step}" in screen, step
    assert " INFO: " not in screen and "[scrapy" not in screen, "Scrapy's own log stays off the terminal"
    assert summary.startswith("run 1: exit 0 (ok)")
