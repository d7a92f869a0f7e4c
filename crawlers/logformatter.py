"""One log line per page and per failure, never a page's body or a registry's raw record.

Scrapy's own formatter logs each page as "Crawled" at DEBUG and each item whole ("Scraped from ...", with the
page's body or the NPI record) at DEBUG: a log file kept at DEBUG took 6 MB for 117 pages, so a nightly run's
errors rotated out. Here the page line is INFO and an item is named, not printed.
"""

from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter


class OneLinePerPage(LogFormatter):
    def crawled(self, request, response, spider):
        """Each fetched page (or robots.txt, sitemap, API answer) as one INFO line: status, URL, referer."""
        return {**super().crawled(request, response, spider), "level": logging.INFO}

    def scraped(self, item, response, spider):
        """What the spider handed on, by kind and source only: the page's own "Crawled" line already says it."""
        return {"level": logging.DEBUG, "msg": "Scraped %(kind)s from %(src)s",
                "args": {"kind": type(item).__name__, "src": _source(response, spider)}}

    def dropped(self, item, exception, response, spider):
        entry = super().dropped(item, exception, response, spider)
        return {**entry, "msg": "Dropped %(kind)s: %(exception)s", "args": {"kind": type(item).__name__,
                                                                           "exception": exception}}

    def item_error(self, item, exception, response, spider):
        return {"level": logging.ERROR, "msg": "Error processing %(kind)s from %(src)s",
                "args": {"kind": type(item).__name__, "src": _source(response, spider)}}


def _source(response, spider) -> str:
    """The response an item came from, or the spider's start when it came from none."""
    if response is None:
        return f"{spider.name} start"
    return response.getErrorMessage() if hasattr(response, "getErrorMessage") else str(response)
