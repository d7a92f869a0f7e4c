"""Facets of the clinics table that stay fast at national scale: ``keys`` for its JSON lists of keys (routes,
conditions) and ``counted`` for its plain columns (region, city, status, the yes/no kinds).

The table page without a filter or a search, the page a crowd opens, reads both from ``facet_counts``, which
every build writes (db/build.py): a few rows per facet instead of counting 100,000 clinics per facet per
request. Any filter or search counts the rows it selects, as Datasette's own facets do.

Datasette's ``array`` facet copies every column of every row into a DISTINCT set before counting (so a
value listed twice in one row counts once); at 100,000 clinics that is over a second per facet. Our lists
never repeat a key (the build writes them), so ``keys`` counts ``json_each`` over the one column. Selecting
a value filters with Datasette's own ``__arraycontains``, as the array facet does.
"""

from __future__ import annotations

import re

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ArrayFacet, ColumnFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from datasette_config.plugins.response_cache import NO_CACHE_KEY
from parsers.kinds import FLAGS
from parsers.vocab import CONDITIONS, ROUTES, SERVICES

# What a facet shows beside each value: the vocabulary's words for keys, yes/no for the yes/no kinds; the value
# itself stays in the URL that selects it.
KEY_WORDS = {t.key: t.label for t in (*ROUTES, *CONDITIONS, *SERVICES)}
YES_NO = {1: "yes", 0: "no"}
FLAG_COLUMNS = {kind.key for kind in FLAGS} | {"accepts_insurance", "spravato_covered", "iv_covered", "superbill",
                                               "hsa_fsa", "financing"}


def facet_label(column: str, value) -> str:
    if column in FLAG_COLUMNS:
        return YES_NO.get(value, str(value))
    return KEY_WORDS.get(value, str(value)) if isinstance(value, str) else str(value)


STORED_SQL = 'select "column", value, count from facet_counts order by "column", count desc, value'
WHERE = re.compile(r"\bwhere\b", re.I)


async def stored_counts(facet, column: str, limit: int) -> list | None:
    """The whole table's counts for ``column`` when the page is the unfiltered clinics table; None otherwise,
    for a column the build does not count, or when the database has no facet_counts (an older file): then the
    rows are counted. The table is read once per request for all the page's facets."""
    if facet.table != "clinics" or facet.params or WHERE.search(facet.sql):
        return None
    stored = getattr(facet.request, "_stored_facet_counts", None)
    if stored is None:
        stored = {}
        try:
            for row in (await facet.ds.execute(facet.database, STORED_SQL)).rows:
                stored.setdefault(row["column"], []).append(row)
        except Exception:  # noqa: BLE001 - no such table: count the rows as Datasette would
            pass
        facet.request._stored_facet_counts = stored
    return stored.get(column, [])[:limit] or None  # a column no build counts (a facet asked for in the URL): live


# Rows are grouped by their whole list first (an index on the column walks them in order), then each distinct
# list is expanded once and weighted by how many rows carry it: clinics share few distinct route lists, so
# the route facet at 100,000 clinics costs about 10 ms instead of 150 ms of json_each over every row.
FACET_SQL = """
select j.value as value, sum(lists.n) as count
from (select {col}, count(*) as n from ({sql}) group by {col}) as lists, json_each(lists.{col}) j
group by j.value order by count desc, j.value limit {limit}"""


class StoredFirst:
    """Facet results from the stored counts on the unfiltered clinics table, else from ``live_sql`` over the rows
    the page selects; ``filter_arg`` is the query-string key that selects a value."""

    type = ""
    live_sql = ""
    facet_arg = ""  # the query-string key that asks for this facet

    async def suggest(self):
        return []

    def filter_arg(self, column: str) -> str:
        return column

    def shown(self, value):
        return value

    async def facet_results(self):
        size, pairs = self.get_facet_size(), self.get_querystring_pairs()
        results, timed_out = [], []
        for source_and_config in self.get_configs():
            config, source = source_and_config["config"], source_and_config["source"]
            column = config.get("column") or config["simple"]
            rows = await stored_counts(self, column, size + 1)
            if rows is None:
                try:
                    rows = (await self.ds.execute(self.database, self.live_sql.format(
                        col=escape_sqlite(column), sql=self.sql, limit=size + 1), self.params, truncate=False,
                        custom_time_limit=self.ds.setting("facet_time_limit_ms"))).rows
                except QueryInterrupted:
                    timed_out.append(column)
                    self.request.scope[NO_CACHE_KEY] = True  # a page missing a facet is not kept
                    continue
            key, values = self.filter_arg(column), []
            for row in rows[:size]:
                value = self.shown(row["value"])
                selected = (key, str(value)) in pairs
                change = path_with_removed_args if selected else path_with_added_args
                values.append({"value": value, "label": facet_label(column, value), "count": row["count"],
                               "selected": selected, "toggle_url": self.ds.absolute_url(
                                   self.request, self.ds.urls.path(change(self.request, {key: value})))})
            results.append({"name": column, "type": self.type, "results": values, "hideable": source != "metadata",
                            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request,
                                                                                   {self.facet_arg: column})),
                            "truncated": len(rows) > size})
        return results, timed_out


class KeysFacet(StoredFirst, ArrayFacet):
    """A JSON list column; a value is selected with Datasette's own ``__arraycontains``, as the array facet does."""

    type, live_sql, facet_arg = "keys", FACET_SQL, "_facet_keys"

    def filter_arg(self, column: str) -> str:
        return f"{column}__arraycontains"

    def shown(self, value):
        return str(value)


# Datasette's own column facet query, for a filtered page or a column the build does not count
LIVE_SQL = """
select {col} as value, count(*) as count from ({sql}) where {col} is not null
group by {col} order by count desc, value limit {limit}"""


class CountedFacet(StoredFirst, ColumnFacet):
    """Datasette's column facet, read from facet_counts on the unfiltered clinics table."""

    type, live_sql, facet_arg = "counted", LIVE_SQL, "_facet"


@hookimpl
def register_facet_classes():
    return [KeysFacet, CountedFacet]
