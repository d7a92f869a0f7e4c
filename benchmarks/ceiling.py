"""Scrapy's own ceiling on this machine: the same URLs, settings and politeness as the real crawl, with a
callback that does nothing and no item pipeline. ``python -m benchmarks.ceiling URL_FILE``."""

from __future__ import annotations

import json
import sys

import scrapy


class DoNothingSpider(scrapy.Spider):
    name = "do_nothing"

    def __init__(self, url_file: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.urls = [line.strip() for line in open(url_file, encoding="utf-8") if line.strip()]

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        return None


def main(url_file: str) -> None:
    from clinics.crawl import crawler_settings
    from core.regions import resolve

    settings = crawler_settings("sample", "/dev/null", 0, resolve("Orange County, CA"))
    settings.setdict({"ITEM_PIPELINES": {}, "DOWNLOADER_MIDDLEWARES": {}, "LOG_LEVEL": "ERROR"}, priority="cmdline")
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DoNothingSpider)
    process.crawl(crawler, url_file=url_file)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"responses": stats.get("response_received_count", 0),
                      "elapsed_s": stats.get("elapsed_time_seconds"),
                      "bytes": stats.get("downloader/response_bytes", 0)}))


if __name__ == "__main__":
    main(sys.argv[1])
