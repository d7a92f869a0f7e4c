"""What a person watching a crawl sees: one line per source and for the clinic websites, not Scrapy's log.

On a terminal the current step is a live line, rewritten twice a second ("osm: 3 queries answered, 0
failed, 41 listings"), and each finished step stays as a line of its own; Scrapy's own log is cut to warnings
and errors. Elsewhere (a pipe, a file) only the finished lines are written. ``--quiet`` shows nothing.
"""

from __future__ import annotations

import sys
from typing import TextIO


def step_line(name: str, stats: dict) -> str:
    """A spider's progress in words, from its live stats."""
    if name == "clinic_site":
        answered = stats.get("pages/parsed", 0) + stats.get("pages/unchanged", 0)
        return (f"clinic websites: {stats.get('sites/listed', 0)} sites, {answered} pages read "
                f"({stats.get('pages/parsed', 0)} new or changed), {stats.get('pages/failed', 0)} failed")
    ok, failed = stats.get(f"source/{name}/ok_queries", 0), stats.get(f"source/{name}/failed_queries", 0)
    listings = stats.get("item_scraped_count", 0)
    return (f"{name}: {ok} quer{'y' if ok == 1 else 'ies'} answered, {failed} failed, "
            f"{listings} listing{'' if listings == 1 else 's'}")


class Progress:
    """Shows each spider's step as it runs (live on a terminal) and when it ends."""

    def __init__(self, stream: TextIO | None = None, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.live = enabled and self.stream.isatty()
        self._shown = 0  # length of the live line on screen

    def update(self, name: str, stats: dict) -> None:
        if self.live:
            self._write_live(step_line(name, stats) + " ...")

    def done(self, name: str, stats: dict) -> None:
        if not self.enabled:
            return
        finish = stats.get("finish_reason")
        line = step_line(name, stats) + ("" if finish in (None, "finished") else f" (stopped: {finish})")
        if self.live:
            self._write_live(line)
            self.stream.write("\n")
            self._shown = 0
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _write_live(self, line: str) -> None:
        self.stream.write("\r" + line + " " * max(0, self._shown - len(line)))
        self.stream.flush()
        self._shown = len(line)
