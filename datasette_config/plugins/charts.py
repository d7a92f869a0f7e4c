"""``/charts``: the figures people would rather look at than read, as Vega-Lite specs drawn in the browser.

Each chart's data is read here (one query each), so the page needs no arbitrary SQL from the reader and works on
a published copy; Vega, Vega-Lite and vega-embed come from datasette-dashboards' own static files, so nothing
is fetched from a CDN. Every chart has its figures as a table beside it, for screen readers and for copying.
A strip of points is capped at MAX_POINTS (spread evenly over the price order) so 100,000 clinics stay
drawable; the boxes are always computed from every price.
"""

from __future__ import annotations

import json
from statistics import median, quantiles

from datasette.utils.asgi import Response

from datasette_config.plugins.clinic_page import _database_name
from datasette_config.plugins.home import ROUTE_LABELS
from datasette_config.plugins.words import region_slug

MAX_POINTS = 1500
TOP_CITIES = 15
TOP_COUNTIES = 12
ACCENT = "#1d4e89"

# Prices are read as (clinic, group, price) only: the boxes need every price, but names are read afterwards for
# the points drawn (at most MAX_POINTS), which halves the page's cost at 100,000 clinics (make bench).
PRICES_BY_ROUTE_SQL = """
select p.clinic_id, p.route, min(p.per_session_usd) as price
from prices p join clinics c on c.id = p.clinic_id
where p.per_session_usd is not null and p.flag is null and c.status = 'active' and (:region = '' or c.region = :region)
group by p.clinic_id, p.route
order by price"""
NAMES_SQL = "select id, name, city from clinics where id in (select value from json_each(:ids))"
PRICES_BY_CITY_SQL = """
select c.id as clinic_id, c.city, c.lowest_price_per_session_usd as price from clinics c
where c.status = 'active' and c.lowest_price_per_session_usd is not null and c.city is not null
  and (:region = '' or c.region = :region)
order by price"""
MEASURES = {  # measure -> (column, which clinics it is asked of)
    "Covers Spravato": ("spravato_covered", "instr(c.routes, '\"intranasal_esketamine\"') > 0"),
    "Accepts new patients": ("accepting_new_patients", "1"),
    "Offers telehealth": ("telehealth", "1"),
}
SHARE_SQL = """
select coalesce(c.county, 'County not known') as county,
       case c.{column} when 1 then 'yes' when 0 then 'no' else 'not stated' end as answer, count(*) as clinics
from clinics c
where c.status = 'active' and {among} and (:region = '' or c.region = :region)
group by 1, 2"""
RUNS_SQL = """
select finished_at, region, clinics from crawl_runs
where profile != 'reparse' and finished_at is not null and clinics is not null and (:region = '' or region = :region)
order by finished_at"""


async def charts_view(datasette, request):
    name = _database_name(datasette)
    db = datasette.get_database(name)
    regions = [row[0] for row in await db.execute("select distinct region from clinics where region is not null "
                                                  "order by region")]
    wanted = request.args.get("region", "")
    region = next((r for r in regions if wanted in (r, region_slug(r))), "") if wanted else ""
    params = {"region": region}
    rows = lambda result: [dict(row) for row in result.rows]  # noqa: E731
    by_route = rows(await db.execute(PRICES_BY_ROUTE_SQL, params))
    by_city = rows(await db.execute(PRICES_BY_CITY_SQL, params))
    shares = []
    for measure, (column, among) in MEASURES.items():
        for row in rows(await db.execute(SHARE_SQL.format(column=column, among=among), params)):
            shares.append({**row, "measure": measure})
    runs = rows(await db.execute(RUNS_SQL, params))
    charts = [route_chart(by_route), city_chart(by_city), share_chart(shares), runs_chart(runs)]
    await _name_points(db, charts)
    context = {"charts": charts, "regions": [{"name": r, "slug": region_slug(r)} for r in regions],
               "region": region, "wanted_unknown": bool(wanted and not region)}
    html = await datasette.render_template("charts.html", context, request=request, view_name="charts")
    return Response.html(html, status=404 if wanted and not region else 200)


async def _name_points(db, charts: list[dict]) -> None:
    """Each drawn point gets its clinic's name and city (the points are the same objects the specs hold)."""
    points = [point for chart in charts for point in chart.get("points", [])]
    ids = sorted({point["clinic_id"] for point in points})
    names = {row["id"]: row for row in (await db.execute(NAMES_SQL, {"ids": json.dumps(ids)})).rows}
    for point in points:
        clinic = names.get(point["clinic_id"])
        point.update(name=clinic["name"] if clinic else None, city=clinic["city"] if clinic else None)


def _label(route: str | None) -> str:
    return ROUTE_LABELS.get(route, route or "Route not stated")


def _boxes(groups: dict[str, list[float]]) -> list[dict]:
    """Lowest, quartiles, median and highest of each group, from every value (not only the drawn points)."""
    boxes = []
    for group, values in groups.items():
        low_q, _, high_q = quantiles(values, n=4, method="inclusive") if len(values) > 1 else (values[0],) * 3
        boxes.append({"group": group, "low": min(values), "q1": low_q, "median": median(values), "q3": high_q,
                      "high": max(values), "clinics": len(values)})
    return boxes


def _spread(points: list[dict]) -> list[dict]:
    """At most MAX_POINTS, taken evenly along the list's order (prices ascending), so the shape survives."""
    if len(points) <= MAX_POINTS:
        return points
    step = len(points) / MAX_POINTS
    return [points[int(i * step)] for i in range(MAX_POINTS)]


def _strip(points: list[dict], groups: dict[str, list[float]], title: str, group_title: str, description: str) -> dict:
    boxes = _boxes(groups)
    drawn = _spread(points)
    order = [box["group"] for box in sorted(boxes, key=lambda box: box["median"])]
    y = {"field": "group", "type": "nominal", "title": None, "sort": order}
    price_axis = {"type": "quantitative", "title": "Price per session (USD)", "axis": {"format": "$,.0f"}}
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json", "description": description,
        "width": "container", "height": {"step": 34}, "autosize": {"type": "fit-x", "contains": "padding"},
        "layer": [
            {"data": {"values": boxes}, "mark": {"type": "rule", "color": "#777"},
             "encoding": {"y": y, "x": {"field": "low", **price_axis}, "x2": {"field": "high"}}},
            {"data": {"values": boxes}, "mark": {"type": "bar", "size": 18, "color": "#c9d6e8", "opacity": 0.9},
             "encoding": {"y": y, "x": {"field": "q1", **price_axis}, "x2": {"field": "q3"}, "tooltip": [
                 {"field": "group", "title": group_title}, {"field": "clinics", "title": "Clinics"},
                 {"field": "median", "title": "Median", "format": "$,.0f"},
                 {"field": "low", "title": "Lowest", "format": "$,.0f"},
                 {"field": "high", "title": "Highest", "format": "$,.0f"}]}},
            {"data": {"values": boxes}, "mark": {"type": "tick", "color": "#000", "thickness": 2, "size": 18},
             "encoding": {"y": y, "x": {"field": "median", **price_axis}}},
            {"data": {"values": drawn},
             "mark": {"type": "point", "filled": True, "size": 50, "color": ACCENT, "opacity": 0.75, "cursor": "pointer"},
             "encoding": {"y": y, "yOffset": {"field": "jitter", "type": "quantitative",
                                                                       "scale": {"domain": [-1, 1], "range": [6, 28]}},
                          "x": {"field": "price", **price_axis}, "href": {"field": "url"},
                          "tooltip": [{"field": "name", "title": "Clinic"}, {"field": "city", "title": "City"},
                                      {"field": "price", "title": "Per session", "format": "$,.0f"}]}},
        ],
    }
    table = {"columns": [group_title, "Clinics", "Lowest", "Median", "Highest"],
             "rows": [[b["group"], b["clinics"], *(f"${b[k]:,.0f}" for k in ("low", "median", "high"))]
                      for b in sorted(boxes, key=lambda box: box["median"])]}
    return {"id": title.lower().replace(" ", "-"), "title": title, "spec": spec, "table": table, "points": drawn,
            "drawn": len(drawn), "total": len(points)}


def _point(row: dict, group: str, index: int) -> dict:
    """A dot: its group and price, the clinic's page, and a fixed vertical jitter so equal prices do not hide
    one another (the name and city come later, for the dots drawn)."""
    return {"group": group, "price": row["price"], "clinic_id": row["clinic_id"], "url": f"/clinic/{row['clinic_id']}",
            "jitter": ((index * 7919) % 200) / 100 - 1}


def route_chart(rows: list[dict]) -> dict:
    points = [_point(row, _label(row["route"]), i) for i, row in enumerate(rows)]
    groups: dict[str, list[float]] = {}
    for point in points:
        groups.setdefault(point["group"], []).append(point["price"])
    chart = _strip(points, groups, "Price per session by treatment", "Treatment",
                   "Each clinic's lowest listed price per session for each treatment it prices; box from the lower "
                   "to the upper quartile, black tick at the median, line from lowest to highest.")
    chart["intro"] = ("Each dot is a clinic's lowest listed price per session for that treatment (a package is "
                      "divided by its sessions). The box spans the middle half of the prices, the black tick is the "
                      "median. Click a dot to open the clinic.")
    return chart


def city_chart(rows: list[dict]) -> dict:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["city"]] = counts.get(row["city"], 0) + 1
    cities = set(sorted(counts, key=lambda city: (-counts[city], city))[:TOP_CITIES])
    points = [_point(row, row["city"], i) for i, row in enumerate(rows) if row["city"] in cities]
    groups: dict[str, list[float]] = {}
    for point in points:
        groups.setdefault(point["group"], []).append(point["price"])
    chart = _strip(points, groups, "Price per session by city", "City",
                   "Each open clinic's lowest listed price per session, by city.")
    shown = f"the {TOP_CITIES} cities with the most priced clinics" if len(counts) > TOP_CITIES else "every city"
    chart["intro"] = (f"Each dot is an open clinic's lowest listed price per session of any treatment, for {shown}. "
                      "Click a dot to open the clinic.")
    return chart


def share_chart(rows: list[dict]) -> dict:
    """One bar per question and county (the TOP_COUNTIES with most clinics), split into yes, no and not stated."""
    answers = ["yes", "no", "not stated"]
    size: dict[str, int] = {}
    for row in rows:
        size[row["county"]] = size.get(row["county"], 0) + row["clinics"]
    counties = sorted(size, key=lambda county: (-size[county], county))[:TOP_COUNTIES]
    rows = [row for row in rows if row["county"] in counties]
    for row in rows:
        row["answer_order"] = answers.index(row["answer"])
        row["bar"] = f"{row['measure']} · {row['county']}"
    bars = [f"{measure} · {county}" for measure in MEASURES for county in counties]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": "Share of open clinics in each county that say yes, say no or do not say, for three questions.",
        "data": {"values": rows}, "width": "container", "height": {"step": 28},
        "autosize": {"type": "fit-x", "contains": "padding"},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "bar", "type": "nominal", "title": None, "sort": bars, "axis": {"labelLimit": 260}},
            "x": {"aggregate": "sum", "field": "clinics", "stack": "normalize", "title": "Share of clinics",
                  "axis": {"format": "%"}},
            "color": {"field": "answer", "type": "nominal", "title": "Clinic says",
                      "scale": {"domain": answers, "range": [ACCENT, "#c0392b", "#bbbbbb"]},
                      "legend": {"orient": "top"}},
            "order": {"field": "answer_order", "type": "quantitative"},
            "tooltip": [{"field": "measure", "title": "Question"}, {"field": "county", "title": "County"},
                        {"field": "answer", "title": "Says"}, {"field": "clinics", "title": "Clinics"}]},
    }
    totals: dict[tuple, dict] = {}
    for row in rows:
        totals.setdefault((row["measure"], row["county"]), dict.fromkeys(answers, 0))[row["answer"]] += row["clinics"]
    table = {"columns": ["Question", "County", "Yes", "No", "Not stated", "Share yes"],
             "rows": [[measure, county, c["yes"], c["no"], c["not stated"],
                       f"{100 * c['yes'] / max(1, sum(c.values())):.0f}%"]
                      for (measure, county), c in sorted(totals.items())]}
    shown = f" (the {TOP_COUNTIES} counties with the most clinics)" if len(size) > TOP_COUNTIES else ""
    return {"id": "shares-by-county", "title": "Spravato coverage, new patients and telehealth, by county",
            "intro": f"For each county{shown}, the share of open clinics that say yes, that say no, and that do not "
                     "say. Spravato coverage is asked only of clinics that offer Spravato.",
            "spec": spec, "table": table}


def runs_chart(rows: list[dict]) -> dict:
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": "Clinics each crawl found and confirmed, over time, one line per region.",
        "data": {"values": rows}, "width": "container", "height": 220,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "mark": {"type": "line", "point": {"size": 60, "filled": True}},
        "encoding": {"x": {"field": "finished_at", "type": "temporal", "title": "Crawl finished",
                           "axis": {"format": "%-d %b %Y", "tickCount": 6}},
                     "y": {"field": "clinics", "type": "quantitative", "title": "Clinics confirmed",
                           "scale": {"zero": True}},
                     "color": {"field": "region", "type": "nominal", "title": "Region"},
                     "tooltip": [{"field": "region", "title": "Region"},
                                 {"field": "finished_at", "type": "temporal", "title": "Finished",
                                  "format": "%-d %b %Y %H:%M"},
                                 {"field": "clinics", "title": "Clinics"}]},
    }
    table = {"columns": ["Crawl finished", "Region", "Clinics confirmed"],
             "rows": [[row["finished_at"], row["region"], row["clinics"]] for row in rows]}
    return {"id": "clinics-per-crawl", "title": "Clinics confirmed per crawl",
            "intro": "How many clinics each crawl found listed and confirmed, one line per region.",
            "spec": spec, "table": table}
