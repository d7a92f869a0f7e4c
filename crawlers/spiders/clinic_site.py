"""Each listed clinic's own website: the home page and a bounded number of relevant pages on the same host.

Pages come from the site's sitemap when it has one (robots.txt ``Sitemap:`` lines, else ``/sitemap.xml``),
and from links chosen by text and path (services, conditions, pricing, insurance, FAQ, locations). Blog
posts and archives are skipped; every site has the same page budget. The spider only fetches and hands
pages on; the pipeline parses them.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict, deque
from datetime import timedelta
from html import unescape
from urllib.parse import urljoin, urlparse

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawlers.freshness import newer_lastmod
from crawlers.items import PageItem, VouchedPagesItem
from crawlers.page_store import DatabasePages
from crawlers.site_worker import SiteWorker
from crawlers.spiders.region import RegionSpider
from db.queries import candidate_websites
from db.schema import open_db
from db.store import now_iso
from parsers.urls import site_root

RELEVANT = re.compile(
    r"servic|treat|therap|ketamine|spravato|esketamine|infusion|injection|condition|pric|cost|fee|insurance|"
    r"payment|financ|faq|question|location|contact|about|kap|program|depress|ptsd|anxiety|pain|what-we|"
    r"new-patient|getting-started|how-it-works|our-|invest|rates", re.I)
SKIP = re.compile(r"\.(?:pdf|jpe?g|png|gif|svg|webp|mp4|zip|docx?|css|js|ico)$|/wp-(?:admin|login)|/cart|/login|"
                  r"/tag/|/category/|/author/|/feed/?$|/page/\d+", re.I)
ANCHOR = re.compile(r"<a\b([^>]*)>(.{0,2000}?)</a\s*>", re.I | re.S)  # bounded: an unclosed <a> costs 2,000 chars
HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
TAG = re.compile(r"<[^>]*>")
# Sitemap entries that are posts or archives, not the pages that say what a clinic offers.
NOT_A_PAGE = re.compile(r"/blog/|/news/|/posts?/|/\d{4}/\d{2}/|/events?/|/press/", re.I)
# Pages that never say what a clinic offers: a page budget is not spent on them.
NOT_USEFUL = re.compile(r"privacy|terms|accessib|career|jobs|cookie|disclaimer|legal|hipaa|notice-of|login|account|"
                        r"cart|checkout|shop|store|gift|press|media|testimonial|review|/team/.+|/staff/.+|/thank", re.I)
SKIPPED_SITEMAPS = re.compile(r"post|blog|categor|tag|author|product|attachment|image|video|news", re.I)
KETAMINE_PAGE = re.compile(r"ketamine|spravato|esketamine", re.I)
MAX_SITEMAPS_PER_SITE = 5
MAX_LASTMODS_PER_SITE = 2000


class ClinicSiteSpider(RegionSpider):
    name = "clinic_site"

    def __init__(self, sites: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.only_sites = [s for s in (sites or "").split(",") if s]
        self.requested: dict[str, set[str]] = defaultdict(set)  # site -> pages asked for (their page_key)
        self.spent: dict[str, int] = defaultdict(int)  # site -> pages asked for that did not fail (the budget)
        self.waiting: dict[str, list[tuple[str, int, str]]] = defaultdict(list)  # pages past the budget, in order
        self.waiting_keys: dict[str, set[str]] = defaultdict(set)  # their page keys: a link seen again is one look
        self.read: dict[str, set[str]] = defaultdict(set)  # site -> pages that answered (page_key), canonical too
        self.sitemaps_asked: dict[str, set[str]] = defaultdict(set)
        self.lastmods: dict[str, dict[str, str]] = defaultdict(dict)  # site -> page URL -> its sitemap <lastmod>
        # site -> robots.txt and sitemap requests not answered yet: the home page waits for them, so that it too
        # carries its <lastmod>, and its links do not claim pages before the sitemap vouches for them
        self.sitemap_requests_out: dict[str, int] = defaultdict(int)
        # site -> pages its sitemap vouched for (with their stored links and depth), not yet stored
        self.vouched: dict[str, deque[tuple[str, list[str], int]]] = defaultdict(deque)
        self._db: DatabasePages | None = None
        self.snapshots: dict = {}  # site -> SnapshotPages, for the sites a worker was handed (clinics/worker.py)
        self.worker: SiteWorker | None = None  # set when the crawl is a worker's (SITE_QUEUE_URL)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        if crawler.settings.get("SITE_QUEUE_URL"):
            spider.worker = SiteWorker(spider, crawler)
        return spider

    async def start(self):
        if self.worker is not None:
            return  # a worker's sites come from the queue, a batch at a time, whenever it is idle
        websites = self.only_sites or self._websites()
        for root in sorted({site_root(w) for w in websites} - {None}):  # crawlers/safety.py refuses non-public hosts
            for request in self.site_start(root):
                yield request

    def site_start(self, root: str):
        """A site's first requests: robots.txt (then its sitemaps, then the home page), or the home page."""
        self.requested[root].add(page_key(root))
        self.spent[root] += 1
        if self.settings.getbool("CLINIC_SITE_USE_SITEMAPS"):
            self.sitemap_requests_out[root] += 1
            yield scrapy.Request(urljoin(root, "/robots.txt"), callback=self.parse_robots, errback=self.no_sitemap,
                                 cb_kwargs={"site": root}, meta={"handle_httpstatus_list": [404]}, priority=1,
                                 dont_filter=True)
        else:
            yield self._request(root, root, depth=0)

    def _on_idle(self):
        """Nothing left to fetch: home pages still waiting for a sitemap go now; a worker reports its batch of sites
        and takes the next."""
        self._release_waiting_home_pages()
        if self.worker is not None:
            self.worker.next_batch()

    def forget_site(self, site: str) -> None:
        """A worker's site is done: what was kept of it goes, so a worker's memory does not grow with the run."""
        for state in (self.requested, self.spent, self.waiting, self.waiting_keys, self.read, self.sitemaps_asked,
                      self.lastmods, self.sitemap_requests_out, self.vouched, self.snapshots):
            state.pop(site, None)

    def _websites(self) -> list[str]:
        """Websites of the region's listings and clinics, written to the database by the discovery spiders."""
        region = self.resolve_region()
        db = open_db(self.settings.get("DB_PATH"))
        websites = candidate_websites(db, region)
        db.close()
        self.crawler.stats.set_value("sites/listed", len({site_root(w) for w in websites} - {None}))
        return websites

    # Sitemaps ------------------------------------------------------------------------------------------
    def parse_robots(self, response, site: str):
        yield from self._then_answered(self._read_robots(response, site), response, site)

    def _read_robots(self, response, site: str):
        sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url)) if response.status == 200 else []
        for url in sitemaps or [urljoin(site, "/sitemap.xml")]:
            yield from self._sitemap_request(url, site)

    def _sitemap_request(self, url: str, site: str):
        asked, parts = self.sitemaps_asked[site], _url_parts(url)
        if parts is None or parts.netloc != urlparse(site).netloc or url in asked or len(asked) >= MAX_SITEMAPS_PER_SITE \
                or len(url) > self.settings.getint("URLLENGTH_LIMIT"):  # dropped by Scrapy without an answer
            return
        try:  # not filtered as a duplicate: a request the filter dropped would never answer, and the home page waits
            request = scrapy.Request(url, callback=self.parse_sitemap, errback=self.no_sitemap, cb_kwargs={"site": site},
                                     meta={"handle_httpstatus_list": [404]}, priority=1, dont_filter=True)
        except ValueError:  # "//host/sitemap.xml" and the like: no scheme
            self.crawler.stats.inc_value("sites/sitemap_entries_unreadable")
            return
        asked.add(url)
        self.sitemap_requests_out[site] += 1
        yield request

    def _sitemap_answered(self, site: str):
        """One robots.txt or sitemap request done (answered or failed); the last one lets the home page go."""
        self.sitemap_requests_out[site] -= 1
        if self.sitemap_requests_out[site] == 0:
            yield self._request(site, site, depth=0)

    def parse_sitemap(self, response, site: str):
        yield from self._then_answered(self._read_sitemap(response, site), response, site)

    def _then_answered(self, requests, response, site: str):
        """What reading robots.txt or a sitemap asks for next, then the answer counted, whatever the reading
        raised: a file that breaks the reader must not keep the home page waiting forever."""
        found = []
        try:
            found.extend(requests)
        except Exception:  # noqa: BLE001 - what was found before the failure is kept
            self.logger.exception("not read: %s", response.url)
            self.crawler.stats.inc_value("sites/sitemap_unreadable")
        yield from found
        yield from self._sitemap_answered(site)

    def _release_waiting_home_pages(self):
        """Should a robots.txt or sitemap request ever vanish without an answer, the crawl would go idle with
        home pages still waiting for it: they are sent then, before the spider may close."""
        waiting = [site for site, out in self.sitemap_requests_out.items() if out > 0]
        for site in waiting:
            self.sitemap_requests_out[site] = 0
            self.crawler.stats.inc_value("sites/home_page_sent_when_idle")
            self.crawler.engine.crawl(self._request(site, site, depth=0))
        if waiting:
            raise DontCloseSpider

    def _read_sitemap(self, response, site: str):
        if response.status != 200:
            return
        body = response.body
        try:
            if body[:2] == b"\x1f\x8b":  # sitemap.xml.gz
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            sitemap = Sitemap(body)
        except Exception:  # noqa: BLE001 - lxml raises several kinds for a body that is not a sitemap
            self.crawler.stats.inc_value("sites/sitemap_unreadable")
            return
        entries = {}  # loc -> (its parts, its lastmod); an entry whose URL does not parse is skipped and counted
        for entry in sitemap:
            parts = _url_parts(entry.get("loc") or "")
            if parts is None:
                self.crawler.stats.inc_value("sites/sitemap_entries_unreadable")
            else:
                entries[entry["loc"]] = (parts, entry.get("lastmod"))
        if sitemap.type == "sitemapindex":
            for url, (parts, _) in entries.items():
                if not SKIPPED_SITEMAPS.search(parts.path):
                    yield from self._sitemap_request(url, site)
            return
        self.crawler.stats.inc_value("sites/sitemaps_read")
        host = urlparse(site).netloc
        on_host = {url: (parts, lastmod) for url, (parts, lastmod) in entries.items() if parts.netloc == host}
        fetchable = [url for url, (parts, _) in on_host.items() if not SKIP.search(url) and not parts.query]
        # the dates of pages that may be asked for, not only those claimed here: a page reached by a link has its
        # date too (up to MAX_LASTMODS_PER_SITE; where two sitemaps date a page, the later date)
        dates = self.lastmods[site]
        for url in fetchable:
            if (url in dates or len(dates) < MAX_LASTMODS_PER_SITE) and on_host[url][1]:
                dates[url] = newer_lastmod(dates.get(url), on_host[url][1])
        # Every page the site lists is a candidate, whatever words its URL has (an "approach" page may hold half
        # the conditions); a sitemap has no link text, so pages whose path names a topic go first, then the
        # shallowest. Posts, archives and legal pages are left out.
        pages = [url for url in fetchable if not NOT_A_PAGE.search(on_host[url][0].path)
                 and not NOT_USEFUL.search(on_host[url][0].path)]
        pages.sort(key=lambda url: (not RELEVANT.search(on_host[url][0].path), url.count("/"), url))
        for url in pages:
            yield from self._claim(url, site, depth=1, why="sitemap") or ()
        yield from self._vouched_pages(site)

    def no_sitemap(self, failure):
        self.crawler.stats.inc_value("sites/sitemap_failed")
        yield from self._sitemap_answered(failure.request.cb_kwargs["site"])

    # Pages ---------------------------------------------------------------------------------------------
    def _claim(self, url: str, site: str, depth: int, why: str) -> list[scrapy.Request] | None:
        """A page not asked for yet (under any of its addresses), while the site's page budget lasts: the requests
        it takes (None when it is not claimed: asked already, or waiting past the budget for a slot that a failed
        fetch gives back). A page its sitemap vouches for is not requested at all: its stored links are followed
        as a 304's would be, and it is stored as vouched for (``_vouched_pages``)."""
        key = page_key(url)
        if key in self.requested[site]:
            return None
        if self.spent[site] >= self.settings.getint("CLINIC_SITE_MAX_PAGES"):
            if key not in self.waiting_keys[site]:
                self.waiting[site].append((url, depth, why))
                self.waiting_keys[site].add(key)
                self.crawler.stats.inc_value("sites/page_budget_reached")
            return None
        self.requested[site].add(key)
        self.spent[site] += 1
        self.crawler.stats.inc_value(f"pages/found_by_{why}")
        links = self._links_if_vouched(url, site)
        if links is None:
            return [self._request(url, site, depth)]
        self.read[site].add(key)
        self.vouched[site].append((url, links, depth))
        return []

    def _links_if_vouched(self, url: str, site: str) -> list[str] | None:
        """The stored links of a page whose sitemap <lastmod> vouches that it is unchanged since the server last
        answered for it (crawlers/middlewares.py decides the same for the requests it sees); None: ask for it.
        Deciding here spares the page a trip through Scrapy's scheduler, middlewares and item pipeline: most of an
        unchanged nightly re-crawl's pages."""
        trust_days = self.settings.getfloat("CLINIC_SITE_SITEMAP_TRUST_DAYS")
        lastmod = self.lastmods[site].get(url)
        if not lastmod or not trust_days:
            return None
        return self.stored(site).vouched_links(url, lastmod, timedelta(days=trust_days))

    def stored(self, site: str):
        """What the last crawl stored of the site's pages (crawlers/page_store.py): the database, or the snapshot a
        worker was handed with the site."""
        if site in self.snapshots:
            return self.snapshots[site]
        if self._db is None:
            self._db = DatabasePages(open_db(self.settings.get("DB_PATH")))
        return self._db

    def closed(self, reason):
        if self._db is not None:
            self._db.db.close()

    def _vouched_pages(self, site: str):
        """The pages vouched for since the last call: their stored links followed, breadth first (as their answers
        would have come back, so a page the sitemap lists is claimed at the sitemap's depth, not a link's), then
        all of them stored as one item."""
        queue, urls = self.vouched[site], []
        while queue:
            url, links, depth = queue.popleft()
            urls.append(url)
            if depth < self.settings.getint("CLINIC_SITE_MAX_DEPTH"):
                for link in links:
                    yield from self._claim(link, site, depth + 1, why="links") or ()
        if urls:
            self.crawler.stats.inc_value("pages/vouched_without_a_request", len(urls))
            yield VouchedPagesItem(site=site, urls=urls, seen_at=now_iso())

    def _give_back(self, site: str):
        """A page that failed spends no budget: its slot goes to the next page waiting for one."""
        self.spent[site] -= 1
        while self.waiting[site]:
            url, depth, why = self.waiting[site].pop(0)
            self.waiting_keys[site].discard(page_key(url))
            claimed = self._claim(url, site, depth, why)
            if claimed is not None:
                yield from claimed
                yield from self._vouched_pages(site)
                return

    def _request(self, url: str, site: str, depth: int) -> scrapy.Request:
        """A conditional page request, with the page's sitemap <lastmod> when a sitemap dated it."""
        meta = {"conditional": True, "handle_httpstatus_list": [304], "site": site}
        if lastmod := self.lastmods[site].get(url):
            meta["sitemap_lastmod"] = lastmod
        return scrapy.Request(url, callback=self.parse, errback=self.failed, cb_kwargs={"site": site, "depth": depth},
                              meta=meta)

    def parse(self, response, site: str, depth: int):
        headers = response.headers
        not_modified = "not_modified" in response.flags
        if self._copy_of_a_page_read(response, site):
            self.crawler.stats.inc_value("pages/duplicate_of_canonical")
            return
        links = response.meta.get("stored_links") if not_modified else None
        if links is None and response.status == 200 and hasattr(response, "css"):
            links = self._relevant_links(response, site)
        yield PageItem(url=response.url, site=site, status=304 if not_modified else response.status,
                       fetched_at=now_iso(), body=b"" if not_modified else response.body,
                       etag=_header(headers, b"ETag"), last_modified=_header(headers, b"Last-Modified"), links=links,
                       requested="not_requested" not in response.flags)
        if response.status != 200 or depth >= self.settings.getint("CLINIC_SITE_MAX_DEPTH"):
            return
        for link in links or []:
            yield from self._claim(link, site, depth + 1, why="links") or ()
        yield from self._vouched_pages(site)

    def _copy_of_a_page_read(self, response, site: str) -> bool:
        """A page whose canonical link names a page of the site already read is a second address of it: not
        stored twice. Otherwise the page stands for its canonical address too, which is not fetched again."""
        if response.status != 200 or not hasattr(response, "text"):
            return False
        own, canonical = page_key(response.url), _canonical_key(response)
        if canonical and canonical != own and canonical in self.read[site]:
            return True
        self.read[site].update({own, canonical} - {None})
        self.requested[site].update({own, canonical} - {None})
        return False

    def _relevant_links(self, response, site: str) -> list[str]:
        """Same-host links whose path or text looks relevant first; then, on a page about ketamine care, its
        other links too (a clinic's "Our approach" or "What to expect" holds facts its URL does not name).
        Anchors are found by pattern, not by building a second tree of the page: the pipeline's parse is the
        page's only one (make bench)."""
        host = urlparse(site).netloc
        links: dict[str, None] = {}
        others: dict[str, None] = {}
        about_ketamine = bool(KETAMINE_PAGE.search(response.text))
        for attributes, inner in ANCHOR.findall(_outside_scripts(response.text)):
            found = HREF.search(attributes)
            if not found:
                continue
            raw = unescape(next(g for g in found.groups() if g is not None).strip())
            if "\\" in raw:
                continue  # an escaped quote or slash: text of some data format, no address
            href = urljoin(response.url, raw).split("#")[0]
            parsed = urlparse(href)
            if parsed.scheme not in ("http", "https") or parsed.netloc != host or parsed.query or SKIP.search(href):
                continue
            text = unescape(TAG.sub(" ", inner))
            if RELEVANT.search(parsed.path) or RELEVANT.search(text):
                links.setdefault(href)
            elif about_ketamine and not NOT_A_PAGE.search(parsed.path) and not NOT_USEFUL.search(parsed.path):
                others.setdefault(href)
        return [*links, *(href for href in others if href not in links)]

    def failed(self, failure):
        request = failure.request
        site = request.meta.get("site") or site_root(request.url)
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.crawler.stats.inc_value("pages/refused_by_robots_or_filter")
            if request.url == site and "robots.txt" in str(failure.value):
                # The site keeps what it said before but is not confirmed: an error of the run, not of the site.
                self.logger.warning("robots.txt refuses the home page of %s", site)
                self.crawler.stats.inc_value("sites/errors/home_page_refused_by_robots_txt")
            elif request.url != site:
                yield from self._give_back(site)  # a page not fetched spends no budget
            return
        status = failure.value.response.status if failure.check(HttpError) else None
        self.logger.warning("fetch failed: %s (%s)", request.url, failure.getErrorMessage())
        self.crawler.stats.inc_value(f"pages/errors/{status or type(failure.value).__name__}")
        yield PageItem(url=request.url, site=site, status=status, fetched_at=now_iso(),
                       error=failure.getErrorMessage()[:300])
        if request.url != site:  # a dead link; the home page failing is the site failing
            yield from self._give_back(site)


INDEX_FILE = re.compile(r"/(?:index|default|home)\.(?:html?|php|aspx?)$", re.I)
PAGE_SUFFIX = re.compile(r"\.(?:html?|php|aspx?)$", re.I)


@functools.lru_cache(maxsize=8192)  # asked of every link of every page: a site's menu links repeat on each page
def page_key(url: str) -> str:
    """One key for the addresses of one page: ``/`` and ``/index.html``, ``/services``, ``/services/`` and
    ``/services.html`` are asked for once."""
    parts = urlparse(url)
    path = PAGE_SUFFIX.sub("", INDEX_FILE.sub("/", parts.path or "/")).rstrip("/")
    return f"{parts.netloc.lower()}{path}"


CANONICAL = re.compile(r"<link\b[^>]*\brel\s*=\s*[\"']?canonical\b[^>]*>", re.I)
MAX_HEAD_CHARS = 100_000  # where a canonical link is looked for


def _canonical_key(response) -> str | None:
    """The page_key of the page's ``<link rel="canonical">`` on its own host, or None."""
    tag = CANONICAL.search(response.text[:MAX_HEAD_CHARS])
    found = HREF.search(tag.group(0)) if tag else None
    if not found:
        return None
    canonical = urljoin(response.url, unescape(next(g for g in found.groups() if g is not None).strip()))
    return page_key(canonical) if urlparse(canonical).netloc == urlparse(response.url).netloc else None


def _outside_scripts(html: str) -> str:
    """The page without its scripts' contents: markup inside a script (JSON-LD text, a template) is data, not a
    link; an escaped ``href=\\"/x/\\"`` in JSON-LD became a fetched URL. One pass, whatever the page holds."""
    out, position, lowered = [], 0, html.lower()
    while (start := lowered.find("<script", position)) != -1:
        out.append(html[position:start])
        close = lowered.find("</script", start)
        position = len(html) if close == -1 else close + len("</script")
    out.append(html[position:])
    return " ".join(out)


def _url_parts(url: str):
    """urlparse's parts of a URL, or None for one it refuses ("http://[broken/" raises ValueError)."""
    try:
        return urlparse(url) if url else None
    except ValueError:
        return None


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None
