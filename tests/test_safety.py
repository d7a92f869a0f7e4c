"""The address guard: no request goes to anything but a public http(s) address, redirects and robots.txt
included; loopback only in the sample-web profile."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from crawlers.safety import AddressGuardMiddleware, refusal
from tests.test_spiders import crawl

REFUSED = [
    "http://10.0.0.5/", "http://192.168.1.1/", "http://172.16.3.4/", "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:8080/", "http://0.0.0.0/", "http://[::]/", "http://100.100.100.200/", "http://100.64.0.1/",
    "http://192.0.0.8/", "http://198.18.0.1/", "http://224.0.0.1/", "http://[fe80::1]/", "http://[fd00::1]/",
    "http://[::ffff:10.0.0.1]/", "http://[::ffff:169.254.169.254]/", "http://[::127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:a00:1::]/", "file:///etc/passwd", "javascript:alert(1)",
    "ftp://example.org/", "http:///no-host",
]


@pytest.mark.parametrize("url", REFUSED)
def test_non_public_addresses_and_other_schemes_are_refused(url):
    assert refusal(url, allow_loopback=False)


def test_a_name_is_judged_by_every_address_it_resolves_to():
    resolves = {"clinic.example": {"93.184.216.34"}, "rebind.example": {"93.184.216.34", "10.0.0.7"},
                "local.example": {"127.0.0.1"}}
    resolve = lambda host: resolves[host]  # noqa: E731
    assert refusal("https://clinic.example/", resolve=resolve) is None
    assert "10.0.0.7" in refusal("https://rebind.example/", resolve=resolve)
    assert refusal("https://local.example/", resolve=resolve)
    assert refusal("https://local.example/", allow_loopback=True, resolve=resolve) is None

    def unresolvable(host):
        raise OSError("Name or service not known")
    assert "does not resolve" in refusal("https://gone.example/", resolve=unresolvable)


def test_loopback_is_allowed_only_when_asked():
    assert refusal("http://127.0.0.5:8470/", allow_loopback=False)
    assert refusal("http://127.0.0.5:8470/", allow_loopback=True) is None
    assert refusal("http://[::ffff:127.0.0.1]/", allow_loopback=True) is None
    assert refusal("http://10.0.0.5/", allow_loopback=True), "private ranges stay refused in the sample profile"
    assert refusal("http://169.254.169.254/", allow_loopback=True)
    assert refusal("http://localhost:8470/", allow_loopback=False)


@pytest.mark.parametrize("url", ["http://93.184.216.34/", "https://[2606:4700::1111]/", "http://8.8.8.8/robots.txt"])
def test_public_addresses_pass(url):
    assert refusal(url) is None


def test_the_middleware_refuses_every_request_it_sees_and_counts_it():
    class Stats(dict):
        def inc_value(self, key):
            self[key] = self.get(key, 0) + 1
    stats = Stats()
    guard = AddressGuardMiddleware(allow_loopback=False, stats=stats)
    assert guard.process_request(Request("http://93.184.216.34/pricing/")) is None
    hop = Request("http://169.254.169.254/latest/meta-data/", meta={"redirect_urls": ["http://93.184.216.34/"]})
    with pytest.raises(IgnoreRequest, match="non-public address 169.254.169.254"):
        guard.process_request(hop)
    with pytest.raises(IgnoreRequest):
        guard.process_request(Request("http://[::ffff:10.0.0.1]/robots.txt"))
    assert stats["address_guard/refused"] == 2


def test_the_hostile_sample_site_gets_nothing_fetched_from_inside_the_network(sample_web, tmp_path):
    """A public-looking clinic site (sample_web/sites/hostile-redirects) whose robots.txt, sitemap and three pages
    answer 302 to a cloud metadata service, private addresses and IPv4 hidden in IPv6, with a javascript: link
    and a pricing page of 180 KB of amounts: nothing is fetched or stored from those targets, the site's own
    pages are, and the pricing page is read in well under its time limit."""
    site = sample_web.manifest["sites"]["hostile-redirects"]
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(site + "/\n")
    done, db = crawl(sample_web, tmp_path, "seed_list", "clinic_site", settings={"SEED_LIST": str(seeds)})
    assert done.returncode == 1 and "address_guard/refused" in done.stdout, "refusals are the run's errors"
    hosts = {urlparse(p["url"]).netloc for p in db["pages"].rows}
    assert hosts == {urlparse(site).netloc}, f"pages stored from {hosts}"
    fetched = {urlparse(p["url"]).path for p in db["pages"].rows if p["status"] == 200}
    assert fetched == {"/", "/pricing/"}, fetched
    stats = json.loads(next(db["crawl_runs"].rows)["stats"])
    assert stats.get("clinic_site/address_guard/refused", 0) >= 5, stats
    clinic = next(db["clinics"].rows)
    assert clinic["lowest_iv_price_usd"] == 450.0, "the one real price on the wall of amounts is read"
