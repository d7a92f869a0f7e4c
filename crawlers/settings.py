"""Scrapy settings: polite for the real web by default; the `sample` profile (crawlers.profiles) for loopback.

Base URLs of every source are settings, so the same spiders read the real NPPES and Overpass APIs or the
sample web's stand-ins; only these URLs differ.
"""

import os
from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("ketamine-clinic-directory")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0"

BOT_NAME = "clinicbot"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# Who we are, with a way to reach us: sites can see why we visit and ask us to stop.
PROJECT_URL = "https://github.com/ketamine-clinic-directory/directory"


def user_agent(contact: str | None = None) -> str:
    """The crawler's User-Agent: the operator's address when one is given (``clinics crawl --contact``, or
    CLINICS_CONTACT), else the project's issue tracker."""
    reach = f"contact: {contact}" if contact else f"contact via {PROJECT_URL}/issues"
    return f"clinicbot/{VERSION} (+{PROJECT_URL}; directory of ketamine clinics; {reach})"


USER_AGENT = user_agent()

# Politeness
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "clinicbot"
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 5.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts this many asyncio tasks for every response's callback output, whatever it holds; the
# pipeline writes to SQLite one item at a time, so 100 (the default) only cost CPU (make bench: about
# a tenth of an unchanged re-crawl went to starting and stopping them).
CONCURRENT_ITEMS = 8
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
RETRY_TIMES = 2
TELNETCONSOLE_ENABLED = False
COOKIES_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"

# Re-crawls are conditional: the middleware below sends If-None-Match / If-Modified-Since from the
# validators stored in the `pages` table, and a 304 is not parsed again. Scrapy's RFC2616 HTTP cache is
# deliberately not used: it serves pages without asking and hides outages (docs/pitfalls.md).
# The address guard runs first (before robots.txt, 100) and sees every request again after a redirect.
DOWNLOADER_MIDDLEWARES = {"crawlers.safety.AddressGuardMiddleware": 50,
                          "crawlers.middlewares.ConditionalRequestMiddleware": 560}
# A page whose sitemap <lastmod> is older than the server's last answer for it is not asked for again, for
# this many days after that answer (sitemaps can be wrong: after it, the page is asked again). 0: always ask.
CLINIC_SITE_SITEMAP_TRUST_DAYS = 7
ITEM_PIPELINES = {"crawlers.pipelines.StorePipeline": 800}

# A crawl spread over machines (docs/scaling.md): the Redis queue a worker takes sites from (set by `clinics worker`)
# and how many sites it takes at a time.
SITE_QUEUE_URL = None
SITE_QUEUE_BATCH = 16  # as many sites at a time as requests in flight (CONCURRENT_REQUESTS)
SITE_QUEUE_HEARTBEAT_S = 10  # a worker silent this long is taken for dead (it says it is alive three times as often)
SITE_QUEUE_STALL_S = 600  # the coordinator stops (to be resumed) when no worker has answered for this long

# Where the crawl writes, and which run it belongs to (set by `clinics crawl`).
DB_PATH = "data/clinics.db"
RUN_ID = None
REGION = "Orange County, CA"

# Sources (the real ones by default)
NPI_API_URL = "https://npiregistry.cms.hhs.gov/api/"
NPI_PAGE_LIMIT = 200  # the API's maximum per request
NPI_MAX_SKIP = 1000  # the API refuses larger skips: at most 1,200 records per query
# Clinicians (NPI-1) asked for in ZIPs with a ketamine-care organisation: the API's taxonomy_description filter.
NPI_CLINICIAN_TAXONOMIES = ["Anesthesiology", "Psychiatry", "Nurse Anesthetist", "Psych/Mental Health",
                            "Emergency Medicine", "Pain Medicine"]
NPI_FROM_BULK = False  # set by the crawl when the registry loaded with `clinics npi load` covers the region, fresh
OVERPASS_API_URL = "https://overpass-api.de/api/interpreter"
OVERPASS_TIMEOUT = 90  # seconds the server may spend on one county's query ([timeout:N] in the query)
# Directories of clinics publishing schema.org listing pages (crawlers/directories.yml), and base URLs
# that override the file's per directory (the sample profile points them at loopback).
DIRECTORIES_FILE = None  # None: crawlers/directories.yml
DIRECTORY_BASE_URLS: dict = {}
# The region's seed list: clinic websites no source lists, one per line. {region} is the region's slug
# ("travis-county-tx"); a relative path is read from the working directory, else from the project.
SEED_LIST = "seeds/{region}.txt"
CLINIC_SITE_USE_SITEMAPS = True  # a site's sitemap, when robots.txt or /sitemap.xml gives one, finds pages
CLINIC_SITE_MAX_PAGES = 12  # pages read per clinic website
CLINIC_SITE_MAX_DEPTH = 2
ALLOW_LOOPBACK_SITES = False  # requests to loopback are refused (crawlers/safety.py); the sample profile allows them

# Pages are parsed in this many worker processes beside the crawl (0: in the crawl's own process). One per
# core: the crawl process itself mostly waits on the network (2,000 benchmark pages: 42 pages/s with one
# worker on two cores, 62 to 68 with two, 65 with three).
EXTRACT_PROCESSES = min(4, os.cpu_count() or 1) if (os.cpu_count() or 1) > 1 else 0
EXTRACT_TIME_LIMIT = 10.0  # seconds one page may take to read; a slower one is counted in errors and kept as it was

LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawlers.logformatter.OneLinePerPage"  # a line per page at INFO; never a body or a raw record
