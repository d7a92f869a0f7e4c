"""SQL functions for "near me" questions: distance in miles, and the coordinates of a US ZIP code.

Registered on every Datasette connection, so a canned query can ask for clinics within N miles of a ZIP.
ZIP centroids come from the offline `zipcodes` gazetteer.
"""

from __future__ import annotations

import math
from functools import lru_cache

from datasette import hookimpl

EARTH_RADIUS_MILES = 3958.8


def distance_miles(lat1, lon1, lat2, lon2):
    if None in (lat1, lon1, lat2, lon2):
        return None
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a)), 2)


@lru_cache(maxsize=4096)
def _zip_point(zip_code):
    import zipcodes

    try:
        found = zipcodes.matching(str(zip_code).strip()[:5])
    except (TypeError, ValueError):
        return None
    return (float(found[0]["lat"]), float(found[0]["long"])) if found else None


def zip_latitude(zip_code):
    point = _zip_point(zip_code)
    return point[0] if point else None


def zip_longitude(zip_code):
    point = _zip_point(zip_code)
    return point[1] if point else None


def miles_per_degree_longitude(lat):
    """Miles in one degree of longitude at a latitude: the near-ZIP query's box and flat-earth pre-filter."""
    return None if lat is None else 69.17 * math.cos(math.radians(float(lat)))


@hookimpl
def prepare_connection(conn):
    conn.create_function("distance_miles", 4, distance_miles, deterministic=True)
    conn.create_function("miles_per_degree_longitude", 1, miles_per_degree_longitude, deterministic=True)
    conn.create_function("zip_latitude", 1, zip_latitude, deterministic=True)
    conn.create_function("zip_longitude", 1, zip_longitude, deterministic=True)


@hookimpl
def startup(datasette):
    """Load the gazetteer before the first request: loading it inside a query (about a second) ran into the
    SQL time limit, so the first "near a ZIP" search after a restart failed."""
    _zip_point("92618")
