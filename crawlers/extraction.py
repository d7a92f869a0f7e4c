"""Reading pages in worker processes: each page within a time limit, and workers that die with their parent.

Extraction is bounded by the parsers' own caps (parsers/document.py, MAX_* in prices and terms), but a page
can still be built to be slow; ``extract_within`` gives up on one after ``seconds`` and says so instead of
holding the crawl. A worker process exits within a second of the process that started it dying (a SIGKILL,
the OOM killer), so no orphan keeps memory or the crawl's output pipe.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PAGE_TIME_LIMIT_S = 10.0


class _TooSlow(Exception):
    pass


def _too_slow(signum, frame):
    raise _TooSlow


def extract_within(content: str | bytes, url: str | None, seen_at: str | None,
                   seconds: float = PAGE_TIME_LIMIT_S) -> dict:
    """The page's facts (``pages.facts``), or ``{"error": why}`` when reading it took longer than ``seconds`` or
    broke the reader; the caller keeps what it knew of the page. The limit is a SIGALRM timer, so it applies
    in a process's main thread (a worker's, or the crawl's own when it reads pages itself)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        return _extract(content, url, seen_at)
    previous = signal.signal(signal.SIGALRM, _too_slow)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            return _extract(content, url, seen_at)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)  # the alarm is one-shot: after this line none can come
    except _TooSlow:  # raised in the reading, or in the instant before the timer was cleared
        return {"error": "time_limit", "detail": f"reading the page took over {seconds:g} s"}
    finally:
        signal.signal(signal.SIGALRM, previous)


def _extract(content: str | bytes, url: str | None, seen_at: str | None) -> dict:
    # imported where pages are read (a worker, or the crawl itself with EXTRACT_PROCESSES = 0): the extractor's
    # cues take 0.2 CPU s to build, which a crawl process that hands every page to its workers never needs
    from parsers.extract import extract_facts

    try:
        return extract_facts(content, url=url, seen_at=seen_at)
    except RecursionError:
        return {"error": "recursion", "detail": "the page nests deeper than the reader's stack"}


def exit_with_parent(parent: int) -> None:
    """A worker initializer (``initargs=(os.getpid(),)``): leave as soon as ``parent`` is gone, which the worker
    sees as being re-parented; a parent killed while the worker was still starting is caught at once."""
    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def worker_pool(processes: int) -> ProcessPoolExecutor:
    """Extraction workers (spawned: no copy of the crawl's reactor or database handles) that die with this one."""
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=exit_with_parent, initargs=(os.getpid(),))
