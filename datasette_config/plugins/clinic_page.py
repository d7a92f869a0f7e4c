"""What a clinic's pages show: the fact queries and sections, the routes, and the filters the templates use.

The patient's page is ``/clinic/<id>`` (``clinic_view.py``); the analysts' row page ``row-<db>-clinics.html`` gets
the same facts from the same loader. The templates escape all of it (scraped text is data, never markup).
"""

from __future__ import annotations

import re

from datasette import hookimpl
from datasette.utils import tilde_decode

from datasette_config.plugins.words import ago, day_words, phone_words, region_slug
from parsers.kinds import flags

FACT_QUERIES = {
    "routes": "select r.route as key, t.label, r.value, r.evidence, r.source_url, r.seen_at from clinic_routes r "
              "left join route_types t on t.key = r.route where r.clinic_id = :id order by r.value desc, t.label",
    "services": "select s.service as key, t.label, s.value, s.evidence, s.source_url, s.seen_at from clinic_services s "
                "left join service_types t on t.key = s.service where s.clinic_id = :id order by s.value desc",
    "conditions": "select k.condition as key, t.label, k.condition_family as family, k.value, k.evidence, "
                  "k.source_url, k.seen_at "
                  "from clinic_conditions k left join condition_types t on t.key = k.condition "
                  "where k.clinic_id = :id order by k.condition_family, t.label",
    "payment": "select p.key, coalesce(nullif(p.detail, ''), l.label, p.key) as label, p.value, p.evidence, "
               "p.source_url, p.seen_at from clinic_payment p left join payment_keys l on l.key = p.key "
               "where p.clinic_id = :id order by p.key, p.detail",
    "prices": "select amount_usd, amount_max_usd, unit, sessions, per_session_usd, route, qualifier, evidence, "
              "source_url, seen_at, page_date, page_date_kind, as_of from prices where clinic_id = :id and flag is null "
              "order by route, per_session_usd",
    # Who treats, Spravato certification, access: the clinic's own words and the NPI registry's, apart.
    "care": "select k.key, k.detail, coalesce(l.label, d.label, nullif(k.detail, ''), k.key) as label, k.value, "
            "k.source, k.evidence, k.source_url, k.seen_at from clinic_care k "
            "left join care_keys l on l.key = k.key left join discipline_types d on d.key = k.detail "
            "where k.clinic_id = :id and k.key != 'unmapped' order by k.source desc, k.key, k.detail",
    # Every listing merged into this clinic, and why identity put it here.
    "sources": "select source, source_id, name, street, suite, city, zip, source_url, match_reasons, last_seen "
               "from sources where clinic_id = :id order by source, source_id",
    # The pairs the clinic is first in, by the primary key; those it is second in, from the primary key's covering
    # index read whole (duplicate_candidates has no index on other_id): 1 ms at 20,000 pairs, where the view's own
    # "or" had SQLite read every clinic (50 ms at 100,000 clinics).
    "possible_duplicates": "select other_id, other_name, score, reasons from possible_duplicates where clinic_id = :id "
                           "union all select clinic_id, clinic_name, score, reasons from possible_duplicates "
                           "where other_id = :id and clinic_id in "
                           "(select clinic_id from duplicate_candidates where other_id = :id)",
}


CARE_GROUPS = {  # section of the clinic page -> the clinic_care keys shown in it, in order
    "who_treats": ("discipline", "board_certified", *(k.key for k in flags("care") if k.section == "who_treats"),
                   "npi_official", "npi_clinician"),
    "access": (*(k.key for k in flags("care") if k.section == "access"), "state_served", "language", "opening_hours"),
}
LIST_LABELS = {"discipline": "Clinical lead or staff", "board_certified": "Board certified in",
               "npi_official": "NPI Registry: authorised official",
               "npi_clinician": "NPI Registry: clinician at this address",
               "state_served": "Telehealth or at-home: state served",
               "language": "Language spoken", "opening_hours": "Opening hours"}


SAFE_LINK = re.compile(r"(?:https?://|/(?![/\\]))[^\s<>\"'`]*", re.I)


def link_url(url) -> str | None:
    """The URL when it may go into an href: http(s), or a path on this site; None for anything else
    (``javascript:``, ``data:``, ``//other-host``), which the templates show as text."""
    text = str(url or "").strip()
    return text if SAFE_LINK.fullmatch(text) else None


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters.update(link_url=link_url, ago=ago, day_words=day_words, phone_words=phone_words, region_slug=region_slug)


@hookimpl(specname="extra_template_vars")
def clinic_row_template_vars(view_name, table, database, request, datasette):
    """The analysts' row page of a clinic shows its facts, with their evidence, under Datasette's raw row."""
    if view_name != "row" or table != "clinics" or request is None:
        return {}

    async def clinic_facts():
        from datasette_config.plugins.clinic_view import load_clinic, report_context

        facts = await load_clinic(datasette.get_database(database), tilde_decode(request.url_vars.get("pks", "")))
        return {"clinic_facts": facts, **report_context(datasette, request, facts["clinic"])} if facts else {}

    return clinic_facts


HOME_SQL = {
    "last_run": "select id, finished_at, status from crawl_runs where profile != 'reparse' and finished_at is not null "
                "order by id desc limit 1",
    "counts": "select count(*) as clinics, sum(status = 'active') as active, count(distinct city) as cities, "
              "(select count(*) from prices) as prices from clinics",
}


def _database_name(datasette) -> str | None:
    """The directory's database: ``clinics`` as `clinics serve` names it, else the first one served
    (``clinics serve --db other.db`` serves it as ``other``)."""
    names = [name for name in datasette.databases if name != "_internal"]
    return "clinics" if "clinics" in names else (names[0] if names else None)


async def _home(datasette) -> dict:
    """What the home page says about the data: how many clinics, when last crawled."""
    name = _database_name(datasette)
    if name is None:
        return {}
    db = datasette.get_database(name)
    if not await db.table_exists("crawl_runs"):
        return {}
    last = (await db.execute(HOME_SQL["last_run"])).first()
    counts = (await db.execute(HOME_SQL["counts"])).first()
    return {"directory": {"db": name, "last_run": dict(last) if last else None,
                          "counts": dict(counts) if counts else {}}}


@hookimpl(specname="extra_template_vars")
def directory_template_vars(view_name, request, datasette):
    if view_name == "index":
        return lambda: _home(datasette)
    return {}


@hookimpl
def register_routes():
    """The compare, results and clinic pages are views of their own, not template pages that check their path."""
    from datasette_config.plugins.charts import charts_view
    from datasette_config.plugins.clinic_view import clinic_view
    from datasette_config.plugins.compare import compare_view
    from datasette_config.plugins.find import find_view

    return [(r"^/compare/?$", compare_view), (r"^/find/?$", find_view), (r"^/clinic/(?P<id>.*)$", clinic_view),
            (r"^/charts/?$", charts_view)]

