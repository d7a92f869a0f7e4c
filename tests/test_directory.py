"""Directory listing pages read as schema.org data, whatever the directory: JSON-LD ItemList, microdata, pages."""

from __future__ import annotations

from parsers.address import usps_street
from parsers.directory import read_directory_page
from parsers.listings import directory_listing

PAGE = "https://directory.example/us/tx/travis-county/"

ITEM_LIST = """<html><head><link rel="next" href="/us/tx/travis-county/page/2/">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"},
 {"@type": "ItemList", "itemListElement": [
  {"@type": "ListItem", "position": 1, "url": "https://directory.example/clinic/lone-star/",
   "item": {"@type": ["MedicalClinic", "LocalBusiness"], "name": "Lone Star Ketamine Wellness Center",
            "url": "https://lonestar.example/", "telephone": "(512) 555-0120",
            "address": {"@type": "PostalAddress", "streetAddress": "1201 W. 6th St. Ste 300",
                        "addressLocality": "Austin", "addressRegion": "TX", "postalCode": "78703"},
            "geo": {"@type": "GeoCoordinates", "latitude": 30.2735, "longitude": -97.7555}}},
  {"@type": "ListItem", "position": 2, "url": "https://directory.example/clinic/nameless/"},
 ]}]}</script></head><body><a rel="next" href="/us/tx/travis-county/page/2/">Next</a></body></html>"""

MICRODATA = """<html><body>
<article itemscope itemtype="https://schema.org/MedicalClinic">
  <h2 itemprop="name">Bull Creek Infusion Center</h2>
  <a itemprop="url" href="https://bullcreek.example/">Website</a>
  <span itemprop="telephone">512-555-0130</span>
  <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
    <span itemprop="streetAddress">4301 Bull Creek Road, Suite 150</span>,
    <span itemprop="addressLocality">Austin</span>, <span itemprop="addressRegion">TX</span>
    <span itemprop="postalCode">78731</span></div>
  <a rel="bookmark" href="/clinic/bull-creek/">Details</a>
  <div itemprop="review" itemscope itemtype="https://schema.org/Review"><span itemprop="name">Great</span></div>
</article><a rel="prev" href="/us/tx/travis-county/">Previous</a></body></html>"""


def test_item_list_gives_each_clinic_its_website_and_the_directorys_page_for_it():
    page = read_directory_page(ITEM_LIST, PAGE)
    assert page.formats == ["jsonld"] and page.next_url == "https://directory.example/us/tx/travis-county/page/2/"
    [entry] = page.entries  # the bare ListItem names no clinic: nothing to identify it by
    assert entry.detail_url == "https://directory.example/clinic/lone-star/" and entry.position == 1
    clinic = entry.clinic
    assert (clinic.name, clinic.website, clinic.street, clinic.suite, clinic.zip) == (
        "Lone Star Ketamine Wellness Center", "https://lonestar.example/", "1201 W. 6th St.", "300", "78703")
    assert (clinic.latitude, clinic.longitude) == (30.2735, -97.7555)
    listing = directory_listing("finder", entry, PAGE)
    assert listing["source_id"] == "finder:https://directory.example/clinic/lone-star/"
    assert listing["phone"] == "+15125550120" and listing["source_url"] == entry.detail_url


def test_microdata_is_the_fallback_and_nested_scopes_stay_apart():
    page = read_directory_page(MICRODATA, PAGE + "page/2/")
    assert page.formats == ["microdata"] and page.next_url is None, "rel=prev is not a next page"
    [entry] = page.entries
    clinic = entry.clinic
    assert clinic.name == "Bull Creek Infusion Center", "the review's name is not the clinic's"
    assert (clinic.street, clinic.suite, clinic.city, clinic.zip) == ("4301 Bull Creek Road", "150", "Austin", "78731")
    assert clinic.website == "https://bullcreek.example/"
    assert entry.detail_url == "https://directory.example/clinic/bull-creek/"


def test_a_page_without_clinic_data_reads_as_empty_not_as_an_error():
    assert read_directory_page("<html><body><h1>Access denied</h1></body></html>", PAGE).entries == []
    assert read_directory_page(b"\x00\x01binary", PAGE).entries == []
    assert read_directory_page("", PAGE).entries == []


def test_streets_are_shown_in_usps_form_without_abbreviating_names():
    assert usps_street("1201 West 6th Street") == "1201 W 6th St"
    assert usps_street("4301 Bull Creek Road") == "4301 Bull Creek Rd"
    assert usps_street("500 North Street") == "500 North St"
    assert usps_street("200 Main Street Northwest") == "200 Main St NW"
