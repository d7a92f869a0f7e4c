"""A crawl tells the truth about what it reads: a clinic that says it closed is not shown as active, a registry
listing at the same place is tied to the clinic's own site, and an address is read from the page's structured
data before its text."""

from __future__ import annotations

import json

from tests.test_recrawl import crawl, query

CLOSED_CLINIC_NPI = {
    "enumeration_type": "NPI-2", "number": "1992000033", "last_updated_epoch": "1700000000000",
    "addresses": [{"country_code": "US", "address_purpose": "LOCATION", "address_1": "1100 IRVINE BLVD",
                   "address_2": "STE 204", "city": "TUSTIN", "state": "CA", "postal_code": "927800000"}],
    "practiceLocations": [], "other_names": [], "identifiers": [], "endpoints": [],
    "basic": {"organization_name": "TUSTIN GROVE KETAMINE LLC", "status": "A"},
    "taxonomies": [{"code": "261QM0801X", "desc": "Clinic/Center, Mental Health", "primary": True}],
}


def test_a_clinic_whose_site_says_it_closed_is_gone_and_its_registry_listing_is_tied_to_it(web, tmp_path):
    """sample_web/sites/tustin-grove-ketamine: the home page says it has permanently closed while its old
    infusion page is still up; the NPI Registry knows it by name and address only, with no website."""
    edit, _ = web
    edit.add_npi_record(CLOSED_CLINIC_NPI)
    seeds = edit.root / "api" / "seeds" / "orange-county-ca.txt"
    seeds.write_text(seeds.read_text() + "\n{{site:tustin-grove-ketamine}}/\n")
    db_path = tmp_path / "clinics.db"
    crawl(web[1], db_path)
    rows = query(db_path, "select * from clinics where zip = '92780' and street like '1100 Irvine%'")
    assert len(rows) == 1, [(r["name"], r["status"], r["website"]) for r in rows]
    [clinic] = rows
    assert clinic["status"] == "gone" and "permanently closed" in clinic["status_reason"], clinic["status_reason"]
    sources = query(db_path, "select source, clinic_id from sources where clinic_id = ?", (clinic["id"],))
    assert {s["source"] for s in sources} == {"npi_registry", "seed_list"}, "the registry listing is tied to the site"


def test_closing_notices_are_told_apart_from_hours_pauses_and_one_location():
    from parsers.closure import closure_notice

    said = ["Tustin Grove Ketamine has permanently closed as of September 30, 2026.",
            "We have closed our doors after six wonderful years.", "The practice has ceased operations."]
    not_said = ["We are closed on Sundays and major holidays.", "Our office is temporarily closed for repairs.",
                "Our Irvine office has closed; please visit us in Tustin.", "The clinic has closed for Thanksgiving."]
    assert [closure_notice([s]) for s in said] == said
    assert [closure_notice([s]) for s in not_said] == [None] * len(not_said)


MICRODATA_PAGE = """<html><head><title>Contact | Laguna Hills Ketamine</title></head><body>
<main><h1>Visit us</h1><p>We offer IV ketamine infusions for depression.</p>
<p>Page last updated 2026 2400 Main Street Suite 110 Irvine, CA 92614 (old office, see below)</p></main>
<footer><div itemscope itemtype="https://schema.org/MedicalClinic">
<span itemprop="name">Laguna Hills Ketamine</span>
<div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
<span itemprop="streetAddress">24000 Alicia Pkwy, Suite 12</span>, <span itemprop="addressLocality">Laguna Hills</span>,
<span itemprop="addressRegion">CA</span> <span itemprop="postalCode">92653</span></div>
<span itemprop="telephone">(949) 555-0190</span></div></footer></body></html>"""


def test_a_clinics_microdata_address_outranks_the_text_of_its_page():
    from parsers.extract import extract_page

    facts = extract_page(MICRODATA_PAGE, "https://lagunahills.example/contact/")
    assert [(loc.street, loc.suite, loc.zip, loc.source) for loc in facts.locations] == [
        ("24000 Alicia Pkwy", "12", "92653", "microdata")]
    assert facts.clinic.name == "Laguna Hills Ketamine" and facts.clinic.phone == "+19495550190"


def test_a_street_never_starts_with_a_date():
    from parsers.address import address_from_text

    found = address_from_text("Last updated: January 5, 2026 2400 Main Street, Suite 110, Irvine, CA 92614")
    assert (found.street, found.suite, found.zip) == ("2400 Main Street", "110", "92614")


def test_a_text_address_yields_to_structured_data_in_the_same_zip_so_one_clinic_stays_one():
    from parsers.merge import StoredPage, merge_pages

    structured = {"street": "24000 Alicia Pkwy", "suite": "12", "zip": "92653", "source": "microdata"}
    garbled = {"street": "2026 24000 Alicia Pkwy", "suite": "12", "zip": "92653", "source": "text"}
    elsewhere = {"street": "9 Orchard", "suite": None, "zip": "92618", "source": "text"}
    pages = [StoredPage(f"https://x.example/{n}", "2026-12-01", {"locations": [loc]})
             for n, loc in enumerate((garbled, structured, elsewhere))]
    assert [loc["street"] for loc in merge_pages(pages).locations] == ["24000 Alicia Pkwy", "9 Orchard"]


def test_the_same_name_at_another_street_is_a_possible_duplicate_not_a_stranger():
    from core.identity import Identity, compare

    site = Identity("c1", name="laguna hills ketamine", street="24000 alicia pkwy", zip="92653", city="laguna hills")
    registry = Identity("c2", name="laguna hills ketamine", street="23961 calle de la magdalena", zip="92653",
                        city="laguna hills", npis={"1992000041"})
    found = compare(registry, site)
    assert not found.confident and found.worth_asking
    stranger = Identity("c3", name="orchard psychiatry", street="1 other st", zip="92653", city="laguna hills")
    assert not compare(stranger, site).worth_asking


def test_markup_inside_json_ld_is_never_followed_as_a_link():
    from scrapy.http import HtmlResponse

    from crawlers.spiders.clinic_site import ClinicSiteSpider

    page = b"""<html><head><script type="application/ld+json">{"@type": "FAQPage", "text":
    "See <a href=\\"https://clinic.example/services/\\">our services</a> or <a href=\\"/pricing/\\">fees</a>"}
    </script><script>var menu = '<a href="/old-pricing/">Pricing</a>';</script></head>
    <body><a href="/ketamine-therapy/">Ketamine therapy</a></body></html>"""
    response = HtmlResponse("https://clinic.example/", body=page, encoding="utf-8")
    links = ClinicSiteSpider._relevant_links(None, response, "https://clinic.example/")
    assert links == ["https://clinic.example/ketamine-therapy/"]


def test_a_seeded_site_whose_address_is_outside_the_region_is_dropped_as_outside_it(web, tmp_path):
    edit, running = web
    seeds = edit.root / "api" / "seeds" / "orange-county-ca.txt"
    seeds.write_text(seeds.read_text() + "\n{{site:barton-springs-ketamine}}/\n")  # an Austin clinic
    db_path = tmp_path / "clinics.db"
    crawl(running, db_path)
    [listing] = query(db_path, "select decision, reason from sources where source = 'seed_list' and website like ?",
                      (f"%{running.manifest['sites']['barton-springs-ketamine'].split('//')[1]}%",))
    assert listing == {"decision": "dropped", "reason": "outside the region (by the address on its website)"}


def test_a_clinics_name_is_not_a_page_title():
    from parsers.extract import extract_page

    for title in ("Why Ketamine :: Sunrise Ketamine Clinic", "FAQ » Sunrise Ketamine Clinic"):
        page = f"<html><head><title>{title}</title></head><body><p>We offer IV ketamine.</p></body></html>"
        assert extract_page(page, "https://sunrise.example/why/").clinic.name == "Sunrise Ketamine Clinic"


def test_one_page_under_several_addresses_is_asked_for_once():
    from crawlers.spiders.clinic_site import page_key

    assert len({page_key(u) for u in ("https://c.example/", "https://c.example/index.html",
                                      "https://C.example/index.php")}) == 1
    assert len({page_key(u) for u in ("https://c.example/services", "https://c.example/services/",
                                      "https://c.example/services.html")}) == 1
    assert page_key("https://c.example/services/") != page_key("https://c.example/pricing/")


def test_dead_links_do_not_spend_the_page_budget():
    from scrapy.http import Response
    from scrapy.spidermiddlewares.httperror import HttpError
    from scrapy.utils.test import get_crawler
    from twisted.python.failure import Failure

    from crawlers.items import PageItem
    from crawlers.spiders.clinic_site import ClinicSiteSpider, page_key

    crawler = get_crawler(ClinicSiteSpider, {"CLINIC_SITE_MAX_PAGES": 3})
    crawler._apply_settings()
    spider = ClinicSiteSpider.from_crawler(crawler)
    site = "https://c.example/"
    spider.requested[site].add(page_key(site))
    spider.spent[site] = 1
    claimed = [spider._claim(f"{site}old-{n}/", site, 1, "links") for n in (1, 2)]
    assert all(claimed) and spider._claim(f"{site}pricing/", site, 1, "links") is None, "the budget of 3 is spent"
    dead = [requests[0] for requests in claimed]
    for request in dead:
        failure = Failure(HttpError(Response(request.url, status=404, request=request)))
        failure.request = request
        answered = list(spider.failed(failure))
        assert isinstance(answered[0], PageItem) and answered[0].status == 404
        if request is dead[0]:
            assert [r.url for r in answered[1:]] == [f"{site}pricing/"], "the waiting page takes the freed slot"
    assert spider.spent[site] == 2


def test_pages_are_chosen_by_what_the_site_holds_not_by_words_in_their_urls():
    from scrapy.http import HtmlResponse

    from crawlers.spiders.clinic_site import ClinicSiteSpider

    page = b"""<html><body><p>We offer IV ketamine infusions.</p><a href="/what-to-expect/">What to expect</a>
    <a href="/privacy-policy/">Privacy</a><a href="/pricing/">Fees</a><a href="/blog/2026/05/news/">News</a></body></html>"""
    response = HtmlResponse("https://c.example/", body=page, encoding="utf-8")
    links = ClinicSiteSpider._relevant_links(None, response, "https://c.example/")
    assert links == ["https://c.example/pricing/", "https://c.example/what-to-expect/"]


def _crawl_process(running, db_path, *args):
    import os
    import subprocess

    from tests.test_recrawl import CLINICS

    env = {**os.environ, "CLINICS_SAMPLE_WEB": running.api_base}
    return subprocess.Popen([CLINICS, "crawl", "--region", "Orange County, CA", "--db", str(db_path), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_run_that_reaches_nothing_fails_with_its_reason_and_touches_no_clinic(web, tmp_path):
    import os
    import subprocess

    from tests.test_recrawl import CLINICS

    _, running = web
    db_path = tmp_path / "clinics.db"
    crawl(running, db_path)
    before = query(db_path, "select id, status, missed_runs, last_confirmed from clinics order by id")
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("http://127.0.0.1:9/\n")
    env = {k: v for k, v in os.environ.items() if k != "CLINICS_SAMPLE_WEB"}  # the real profile: loopback refused
    done = subprocess.run([CLINICS, "crawl", "--region", "Orange County, CA", "--db", str(db_path), "--npi-url",
                           "http://127.0.0.1:9/api/", "--overpass-url", "http://127.0.0.1:9/api/interpreter",
                           "--seed-list", str(seeds)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stdout + done.stderr[-2000:]
    assert "no source or website answered" in done.stdout and "address guard" in done.stdout
    assert query(db_path, "select status from crawl_runs order by id desc limit 1") == [{"status": "failed"}]
    assert query(db_path, "select id, status, missed_runs, last_confirmed from clinics order by id") == before


def test_an_interrupted_run_stops_within_seconds_and_says_so(web, tmp_path):
    import signal
    import time

    _, running = web
    db_path = tmp_path / "clinics.db"
    crawl(running, db_path)
    before = query(db_path, "select id, status, missed_runs, last_confirmed from clinics order by id")
    process = _crawl_process(running, db_path, "--set", "DOWNLOAD_DELAY=1", "--set", "AUTOTHROTTLE_ENABLED=False")
    time.sleep(3)
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    out, err = process.communicate(timeout=60)
    assert time.monotonic() - started < 25, "stopped within seconds of Ctrl+C"
    assert process.returncode == 4, out + err[-2000:]
    assert "interrupted" in out and "Traceback" not in err
    assert query(db_path, "select status from crawl_runs order by id desc limit 1") == [{"status": "interrupted"}]
    assert query(db_path, "select id, status, missed_runs, last_confirmed from clinics order by id") == before


def test_a_second_address_of_a_page_read_is_not_stored_twice():
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from crawlers.items import PageItem
    from crawlers.spiders.clinic_site import ClinicSiteSpider

    crawler = get_crawler(ClinicSiteSpider)
    crawler._apply_settings()
    spider = ClinicSiteSpider.from_crawler(crawler)
    site = "https://c.example/"
    body = b'<html><head><link rel="canonical" href="https://c.example/services/"></head><body>IV ketamine</body></html>'

    def read(url):
        response = HtmlResponse(url, body=body, encoding="utf-8", request=Request(url))
        return [item for item in spider.parse(response, site, 1) if isinstance(item, PageItem)]

    assert len(read("https://c.example/services/")) == 1
    assert read("https://c.example/our-services.php?") == [], "its canonical page was read already"
    assert spider._claim("https://c.example/services", site, 1, "links") is None, "nor asked for again"


STALE_NPI = {
    "enumeration_type": "NPI-2", "number": "1992000041", "last_updated_epoch": "1600000000000",
    "addresses": [{"country_code": "US", "address_purpose": "LOCATION", "address_1": "23961 CALLE DE LA MAGDALENA",
                   "address_2": "STE 300", "city": "LAGUNA HILLS", "state": "CA", "postal_code": "926530000",
                   "telephone_number": "949-555-0100"}],
    "practiceLocations": [], "other_names": [], "identifiers": [], "endpoints": [],
    "basic": {"organization_name": "LAGUNA HILLS KETAMINE", "status": "A"},
    "taxonomies": [{"code": "261QM0801X", "desc": "Clinic/Center, Mental Health", "primary": True}],
}


def test_a_site_read_as_its_clinic_would_want(web, tmp_path):
    """sample_web/sites/laguna-hills-ketamine: the address in microdata beside text that runs a date into it,
    the conditions on a page whose URL names none, an escaped link inside JSON-LD, titles "Page :: Clinic",
    and a registry record with the clinic's name at a stale address and phone."""
    edit, running = web
    edit.add_npi_record(STALE_NPI)
    seeds = edit.root / "api" / "seeds" / "orange-county-ca.txt"
    seeds.write_text(seeds.read_text() + "\n{{site:laguna-hills-ketamine}}/\n")
    db_path = tmp_path / "clinics.db"
    crawl(running, db_path)
    host = running.manifest["sites"]["laguna-hills-ketamine"].split("//")[1]
    [clinic] = query(db_path, "select * from clinics where website like ?", (f"%{host}%",))
    assert (clinic["name"], clinic["street"], clinic["suite"], clinic["zip"]) == (
        "Laguna Hills Ketamine", "24000 Alicia Pkwy", "12", "92653")
    conditions = {r["condition"] for r in query(db_path, "select condition from clinic_conditions where clinic_id = ?",
                                                (clinic["id"],))}
    assert {"ocd", "fibromyalgia"} <= conditions, "read from /the-experience/, a page its URL does not name"
    pages = [r["url"] for r in query(db_path, "select url from pages where url like ?", (f"%{host}%",))]
    assert not [u for u in pages if "\\\\" in u or u.endswith("//") or "/fees" in u], pages
    [registry] = query(db_path, "select clinic_id from sources where source_id = '1992000041'")
    pairs = query(db_path, "select * from possible_duplicates")
    assert registry["clinic_id"] == clinic["id"] or any(
        {p["clinic_id"], p["other_id"]} == {clinic["id"], registry["clinic_id"]} for p in pairs), \
        "the registry's listing under the same name is the clinic, or at least a possible duplicate of it"


def test_pages_a_sitemap_vouches_for_are_not_asked_and_their_links_are_followed_from_the_sitemaps_depth(tmp_path):
    """A page whose sitemap <lastmod> is older than the server's last answer is not requested: its stored links are
    followed as a 304's would be, breadth first, so a page the sitemap lists keeps the sitemap's depth and the links
    it holds are still followed (here c/, linked from b/ only)."""
    from scrapy.http import Request, XmlResponse
    from scrapy.utils.test import get_crawler

    from crawlers.items import VouchedPagesItem
    from crawlers.spiders.clinic_site import ClinicSiteSpider
    from db.schema import open_db
    from db.store import now_iso, upsert_page

    site = "https://c.example/"
    db_path = tmp_path / "c.db"
    db = open_db(db_path)
    for path, links in (("a/", [f"{site}b/"]), ("b/", [f"{site}c/"])):
        upsert_page(db, {"url": f"{site}{path}", "site": site, "status": 200, "verified_at": now_iso(),
                         "links": json.dumps(links)})
    db.close()
    crawler = get_crawler(ClinicSiteSpider, {"DB_PATH": str(db_path), "CLINIC_SITE_MAX_DEPTH": 2,
                                             "CLINIC_SITE_MAX_PAGES": 10, "CLINIC_SITE_SITEMAP_TRUST_DAYS": 7})
    crawler._apply_settings()
    spider = ClinicSiteSpider.from_crawler(crawler)
    spider.requested[site].add(site)
    spider.spent[site] = 1
    entries = "".join(f"<url><loc>{site}{path}</loc><lastmod>2020-01-01</lastmod></url>" for path in ("a/", "b/"))
    sitemap = XmlResponse(f"{site}sitemap.xml", body=f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
                                                    f'schemas/sitemap/0.9">{entries}</urlset>'.encode())
    out = list(spider._read_sitemap(sitemap, site))
    spider.closed("finished")
    assert [r.url for r in out if isinstance(r, Request)] == [f"{site}c/"], "only the page no sitemap vouches for"
    assert [item.urls for item in out if isinstance(item, VouchedPagesItem)] == [[f"{site}a/", f"{site}b/"]]
