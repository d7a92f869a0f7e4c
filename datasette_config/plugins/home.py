"""The home page: what the directory holds and how fresh it is, for the search that opens it."""

from __future__ import annotations

from datasette import hookimpl

from datasette_config.plugins.words import ago, day_words
from parsers.vocab import ROUTES

ROUTE_LABELS = {t.key: t.label for t in ROUTES}

FRESHNESS_SQL = ("select finished_at, profile, status from crawl_runs where profile != 'reparse' "
                 "and finished_at is not null order by id desc limit 1")
REGIONS_SQL = "select value, count from facet_counts where \"column\" = 'region' order by count desc"
ROUTES_SQL = "select value, count from facet_counts where \"column\" = 'routes' order by count desc"


async def home_facts(datasette) -> dict:
    """Regions held, the last crawl in words, whether this copy is the demo (crawled from the sample web,
    whose planted faults make a first run "partial" on purpose), and the commonest routes to start from."""
    from datasette_config.plugins.clinic_page import _database_name

    name = _database_name(datasette)
    if name is None:
        return {}
    db = datasette.get_database(name)
    if not (await db.table_exists("crawl_runs") and await db.table_exists("facet_counts")):
        return {"home": {"db": name}}
    last = (await db.execute(FRESHNESS_SQL)).first()
    return {"home": {
        "db": name,
        "regions": [dict(r) for r in (await db.execute(REGIONS_SQL)).rows],
        "routes": [{"value": r["value"], "label": ROUTE_LABELS.get(r["value"], r["value"]), "count": r["count"]}
                   for r in (await db.execute(ROUTES_SQL)).rows],
        "crawled_words": ago(last["finished_at"]) if last else None,
        "crawled_at": last["finished_at"] if last else None,
        "is_demo": bool(last and last["profile"] == "sample"),
        "published": published_copy(datasette, db),
    }}


def published_copy(datasette, db) -> dict | None:
    """A published copy (``clinics serve --published``) is downloadable whole: its size, checksum, build day and
    commit, from the metadata ``clinics publish`` wrote. None for the working database."""
    from datasette_config.plugins.clinic_view import PLUGIN  # that module imports this one's labels

    published = (datasette.plugin_config(PLUGIN) or {}).get("published")
    if not published or db.is_mutable:
        return None
    commit = published.get("commit") or ""
    return {**published, "megabytes": f"{published['bytes'] / 1e6:.1f}", "day": day_words(published["built_at"]),
            "short_commit": commit[:12] + ("-dirty" if commit.endswith("-dirty") else "")}


@hookimpl(specname="extra_template_vars")
def home_template_vars(view_name, datasette):
    if view_name == "index":
        return lambda: home_facts(datasette)
    return {}
