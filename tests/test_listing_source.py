"""A listing source is a name, its queries and how one answer becomes listings; the base does the rest. The
source below is a whole new one, in the shape a real JSON API would need, written in a dozen lines."""

from __future__ import annotations

import json

import scrapy
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from clinics.crawl import DISCOVERY_SPIDERS
from core.regions import resolve
from crawlers.spiders.listing_source import ListingSource
from parsers.listings import SourceError


class ClinicApiSpider(ListingSource):  # a new source: nothing else to write
    name = "clinic_api"

    def queries(self):
        yield scrapy.Request("http://127.0.0.1:9/clinics.json")

    def answer(self, response):
        data = json.loads(response.text)
        if "clinics" not in data:
            raise SourceError("no clinics key: the API answered with something else")
        for row in data["clinics"]:
            listing = {"source": self.name, "source_id": row["id"], "name": row["name"], "zip": row["zip"]}
            yield self.listing(listing, "candidate", "listed by the clinic API", response, raw=row)


def answered(spider, body: dict) -> list:
    request = spider.query(scrapy.Request("http://127.0.0.1:9/clinics.json"))
    response = TextResponse(request.url, body=json.dumps(body).encode(), encoding="utf-8", request=request)
    return list(spider._answered(response))


def source():
    crawler = get_crawler(ClinicApiSpider)
    spider = crawler._create_spider()
    spider.region, spider.seen_ids = resolve("Orange County, CA"), set()
    return spider, crawler.stats


def test_a_new_source_gives_its_region_s_listings_once_and_counts_its_answer():
    spider, stats = source()
    rows = [{"id": "a", "name": "Irvine Ketamine", "zip": "92618"}, {"id": "a", "name": "again", "zip": "92618"},
            {"id": "b", "name": "Austin Ketamine", "zip": "78701"}]
    items = answered(spider, {"clinics": rows})
    assert [(i.source_id, i.name, i.source_url) for i in items] == [("a", "Irvine Ketamine", "http://127.0.0.1:9/clinics.json")]
    assert stats.get_value("source/clinic_api/ok_queries") == 1
    assert stats.get_value("source/clinic_api/outside_region") == 1


def test_an_answer_that_is_not_a_real_one_is_a_failed_query_and_gives_nothing():
    spider, stats = source()
    assert answered(spider, {"error": "rate limited"}) == []
    assert stats.get_value("source/clinic_api/failed_queries") == 1
    assert stats.get_value("source/clinic_api/ok_queries") is None


def test_the_crawl_finds_its_sources_through_scrapy_s_spider_loader():
    assert DISCOVERY_SPIDERS == ("npi_registry", "osm", "directory", "seed_list")
