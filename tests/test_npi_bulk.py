"""`clinics npi load`: the registry's bulk files in their real layout, a weekly update that leaves the registry as
the next monthly file would, and a crawl that reads the registry from the database instead of asking the API."""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from db import registry
from sample_web.npi_bulk import deactivated_row, filler_rows, rows_of, write_zip
from tests.test_recrawl import CLINICS

ROOT = Path(__file__).parent.parent
SAMPLE_RECORDS = json.loads((ROOT / "sample_web" / "api" / "npi_results.json").read_text())
MONTH_START, OCTOBER_END, NOVEMBER_END = date(2005, 5, 23), date(2026, 10, 12), date(2026, 11, 9)
FILLER = 3000

PACIFIC, COASTAL, SADDLEBACK, HARBOR = "1048127330", "1633804152", "1422619076", "1193772088"
NEW_CLINIC, REPLACEMENT, OLD_CLINIC, REACTIVATED = "1992000011", "1992000029", "1992000037", "1992000045"


def _record(number: str, name: str, street: str, zip_code: str, taxonomy: str = "261QM0801X") -> dict:
    record = copy.deepcopy(next(r for r in SAMPLE_RECORDS if r["number"] == PACIFIC))
    record["number"] = number
    record["basic"]["organization_name"] = name
    record["addresses"][1].update(address_1=street, postal_code=zip_code)
    record["taxonomies"][0]["code"] = taxonomy
    return record


def _october() -> tuple[list[dict], list[dict]]:
    """The registry a month ago: the sample web's records, one clinic that will be replaced, one deactivated NPI
    that was reactivated since (kept), and one deactivated for good (not kept)."""
    records = [copy.deepcopy(r) for r in SAMPLE_RECORDS]
    records += [_record(OLD_CLINIC, "ORANGE GROVE KETAMINE LLC", "400 GROVE AVE", "926183301"),
                _record(REACTIVATED, "LAKE FOREST KETAMINE CENTER", "9 LAKE DR", "926301100")]
    extra = [deactivated_row("1992000052", date(2024, 2, 1))]
    return records, extra


def _november(records: list[dict]) -> list[dict]:
    """The same registry a month on, as the weekly file between says it changed."""
    changed = {r["number"]: r for r in copy.deepcopy(records)}
    del changed[PACIFIC]  # deactivated
    del changed[OLD_CLINIC]  # replaced by a new NPI
    changed[REPLACEMENT] = _record(REPLACEMENT, "ORANGE GROVE KETAMINE PC", "400 GROVE AVE", "926183301")
    changed[NEW_CLINIC] = _record(NEW_CLINIC, "NEWPORT MIND KETAMINE", "1 HARBOR WAY", "926601111")
    changed[SADDLEBACK]["addresses"][1].update(address_1="27800 MEDICAL CENTER RD", postal_code="926916400")
    changed[HARBOR]["taxonomies"] = [{"code": "1223G0001X", "desc": "Dentist", "primary": True}]  # no longer kept
    changed[HARBOR]["other_names"] = []
    changed[COASTAL]["practiceLocations"] = changed[COASTAL]["practiceLocations"][:1]  # a location closed
    return sorted(changed.values(), key=lambda r: r["number"])


def _weekly_rows(october: list[dict], november: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
    """The weekly file: every NPI whose row changed, in full, and the deactivated and replaced ones."""
    before = {r["number"]: r for r in october}
    after = {r["number"]: r for r in november}
    rows, places, names = [], [], []
    for number in sorted(set(before) | set(after)):
        if number == PACIFIC:
            rows.append(deactivated_row(PACIFIC, date(2026, 11, 3)))
        elif number == OLD_CLINIC:
            row, _, _ = rows_of(before[OLD_CLINIC])
            rows.append({**row, "Replacement NPI": REPLACEMENT})
        elif before.get(number) != after.get(number):
            row, pl, other = rows_of(after[number])
            rows.append(row)
            places += pl
            names += other
    return rows, places, names


def _write(path: Path, start: date, end: date, records: list[dict], extra: list[dict] = (), filler: int = FILLER):
    rows, places, names = [], [], []
    for record in records:
        row, pl, other = rows_of(record)
        if record["number"] == REACTIVATED:
            row.update({"NPI Deactivation Date": "01/05/2025", "NPI Reactivation Date": "03/01/2025"})
        rows.append(row)
        places += pl
        names += other
    return write_zip(path, start, end, [*rows, *extra, *filler_rows(filler)], places, names)


@pytest.fixture(scope="module")
def bulk_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("nppes")
    october, extra = _october()
    november = _november(october)
    weekly = _weekly_rows(october, november)
    return {
        "october": _write(folder / "NPPES_Data_Dissemination_October_2026.zip", MONTH_START, OCTOBER_END, october, extra),
        "weekly": write_zip(folder / "NPPES_Data_Dissemination_101326_110926_Weekly.zip", date(2026, 10, 13),
                            NOVEMBER_END, *weekly),
        "november": _write(folder / "NPPES_Data_Dissemination_November_2026.zip", MONTH_START, NOVEMBER_END, november,
                           extra),
        # what the sample web's API stand-in answers, in bulk, current to a few days ago (whatever day tests run)
        "as_the_api": _write(folder / "NPPES_Data_Dissemination_November_2026_sample.zip", MONTH_START,
                             date.today() - timedelta(days=3), SAMPLE_RECORDS),
    }


def _load(db_path: Path, file: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLINICS, "npi", "load", str(file), "--db", str(db_path), *options], capture_output=True,
                          text=True, timeout=120)


def _registry(db_path: Path) -> tuple[dict, list]:
    db = sqlite3.connect(db_path)
    npis = {n: json.loads(r) for n, r in db.execute("select npi, record from registry_npi")}
    locations = sorted(db.execute("select npi, n, state, zip from registry_locations"))
    return npis, locations


def test_a_monthly_file_keeps_the_clinics_and_clinicians_the_directory_needs_and_nothing_else(bulk_files, tmp_path):
    db_path = tmp_path / "clinics.db"
    done = _load(db_path, bulk_files["october"])
    assert done.returncode == 0, done.stderr
    assert f"{FILLER + len(SAMPLE_RECORDS) + 3:,} rows read" in done.stdout
    npis, locations = _registry(db_path)
    assert PACIFIC in npis and OLD_CLINIC in npis and REACTIVATED in npis
    assert "1992000052" not in npis  # deactivated for good
    assert "1128455601" not in npis  # a dentist of the sample registry
    kinds = {r["enumeration_type"] for r in npis.values()}
    assert kinds == {"NPI-1", "NPI-2"}  # organisations, and clinicians who may treat at one
    assert all(t["desc"] for r in npis.values() for t in r["taxonomies"] if t["primary"])  # NUCC descriptions
    coastal = npis[COASTAL]
    assert len(coastal["practiceLocations"]) == 2 and [n for n, *_ in locations].count(COASTAL) == 3
    harbor = npis[HARBOR]
    assert {"code": "3", "type": "Doing Business As", "organization_name": "HARBOR MIND PSYCHIATRY"} in harbor["other_names"]
    # the filler's psychiatrists and anesthesiologists are kept; its dentists, pharmacies and family doctors not
    assert 100 < sum(1 for r in npis.values() if r["enumeration_type"] == "NPI-1") < 200


def test_a_weekly_update_leaves_the_registry_as_the_next_monthly_file_would(bulk_files, tmp_path):
    updated, fresh = tmp_path / "updated.db", tmp_path / "fresh.db"
    assert _load(updated, bulk_files["october"]).returncode == 0
    done = _load(updated, bulk_files["weekly"])
    assert done.returncode == 0, done.stderr
    assert "weekly file" in done.stdout and "3 removed" in done.stdout  # deactivated, replaced, no longer kept
    assert _load(fresh, bulk_files["november"]).returncode == 0
    assert _registry(updated) == _registry(fresh)
    npis, _ = _registry(updated)
    assert PACIFIC not in npis and OLD_CLINIC not in npis and HARBOR not in npis
    assert REPLACEMENT in npis and NEW_CLINIC in npis
    assert npis[SADDLEBACK]["addresses"][1]["postal_code"] == "926916400"


def test_files_out_of_order_or_not_the_registrys_are_refused_and_change_nothing(bulk_files, tmp_path):
    db_path = tmp_path / "clinics.db"
    done = _load(db_path, bulk_files["weekly"])
    assert done.returncode == 2 and "load a monthly full file first" in done.stderr
    assert _load(db_path, bulk_files["november"]).returncode == 0
    before = _registry(db_path)
    older = _load(db_path, bulk_files["october"])
    assert older.returncode == 0 and "already current to 2026-11-09" in older.stdout
    not_a_zip = tmp_path / "NPPES_Data_Dissemination_December_2026.zip"
    not_a_zip.write_text("<html>Service unavailable</html>")
    done = _load(db_path, not_a_zip)
    assert done.returncode == 2 and "cannot be read as a zip" in done.stderr
    assert _registry(db_path) == before


def test_a_load_limited_to_states_keeps_their_npis_and_says_so(bulk_files, tmp_path):
    db_path = tmp_path / "clinics.db"
    done = _load(db_path, bulk_files["november"], "--state", "TX")
    assert done.returncode == 0 and "(TX)" in done.stdout
    db = sqlite3.connect(db_path)
    npis_by_state = dict(db.execute("select state, count(distinct npi) from registry_locations group by state"))
    assert set(npis_by_state) == {"TX"}
    found = registry.coverage(registry_db(db_path))
    assert found.covers(["TX"]) and not found.covers(["CA"])


def registry_db(db_path: Path):
    import sqlite_utils

    return sqlite_utils.Database(db_path)


@pytest.mark.parametrize(("loaded", "states", "age", "bulk", "said"), [
    (False, ["CA"], 0, False, "no bulk registry loaded"),
    (True, ["CA"], 20, True, "the bulk registry"),
    (True, ["CA"], 36, False, "36 days old, past --npi-max-age 35"),
    (True, ["CA", "NV"], 1, False, "holds CA, TX only"),
])
def test_the_crawl_reads_the_bulk_registry_only_when_it_covers_the_region_and_is_fresh(loaded, states, age, bulk, said):
    found = registry.Coverage("f.zip", "2026-11-09", {"CA", "TX"} if len(states) > 1 else None) if loaded else None
    today = date.fromordinal(date(2026, 11, 9).toordinal() + age)
    chosen, why = registry.bulk_serves(found, states, 35, today)
    assert chosen is bulk and said in why


def test_a_crawl_from_the_bulk_registry_gives_the_clinics_and_facts_the_api_gives(bulk_files, sample_web, tmp_path):
    import os

    from_api, from_bulk = tmp_path / "api.db", tmp_path / "bulk.db"
    assert _load(from_bulk, bulk_files["as_the_api"]).returncode == 0
    env = {**os.environ, "CLINICS_SAMPLE_WEB": sample_web.api_base}
    said = {}
    for db_path in (from_api, from_bulk):
        done = subprocess.run([CLINICS, "crawl", "--region", "Orange County, CA", "--db", str(db_path)], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 1), done.stderr[-2000:]  # the sample web keeps one failing site
        said[db_path] = done.stdout
    assert "NPI registry read from the NPI Registry API (no bulk registry loaded" in said[from_api]
    assert "NPI registry read from the bulk registry (NPPES_Data_Dissemination_November_2026_sample.zip" in said[from_bulk]
    for table, order in (("clinics", "id"), ("clinic_care", "clinic_id, key, detail, source"),
                         ("clinic_routes", "clinic_id, route"), ("clinic_conditions", "clinic_id, condition"),
                         ("prices", "id")):
        assert _comparable(from_api, table, order) == _comparable(from_bulk, table, order), table
    npi_requests = {db: _npi_requests(db) for db in (from_api, from_bulk)}
    assert npi_requests[from_bulk] == 0 < npi_requests[from_api]
    # the public copy leaves the registry out (the crawl's input, CMS's to publish) and says which file was read
    published = subprocess.run([CLINICS, "publish", "--db", str(from_bulk), str(tmp_path / "public")],
                               capture_output=True, text=True, timeout=300)
    assert published.returncode == 0, published.stderr
    copy = sqlite3.connect(tmp_path / "public" / "current" / "clinics.db")
    assert copy.execute("select count(*) from registry_npi").fetchone()[0] == 0
    loads = copy.execute("select file from registry_loads").fetchall()
    assert loads == [("NPPES_Data_Dissemination_November_2026_sample.zip",)]
    assert copy.execute("select count(*) from clinics").fetchone()[0] == 15


MOMENTS = {"first_seen", "last_seen", "last_changed", "last_confirmed", "seen_at", "run_id", "as_of",
           "lowest_iv_price_as_of", "lowest_price_per_session_as_of"}
# Which page a fact cites, when several pages of one site state it equally (a footer's hours), is the one seen last
# (parsers/merge.py): it depends on the second each page was fetched in, not on where the listings came from.
CITATION = {"evidence", "source_url", "page_type"}


def _comparable(db_path: Path, table: str, order: str) -> list[dict]:
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    rows = db.execute(f"select * from {table} order by {order}")
    left_out = MOMENTS | (CITATION if table != "clinics" else set())
    return [{k: row[k] for k in row.keys() if k not in left_out} for row in rows]


def _npi_requests(db_path: Path) -> int:
    stats = json.loads(sqlite3.connect(db_path).execute("select stats from crawl_runs").fetchone()[0])
    return stats.get("npi_registry/downloader/request_count", 0)


def test_the_whole_country_is_discovered_from_the_bulk_registry_without_a_request(bulk_files, sample_web, tmp_path):
    import os
    import time

    db_path = tmp_path / "clinics.db"
    assert _load(db_path, bulk_files["as_the_api"]).returncode == 0
    env = {**os.environ, "CLINICS_SAMPLE_WEB": sample_web.api_base}
    started = time.monotonic()
    done = subprocess.run([CLINICS, "crawl", "--region", "US", "--spider", "npi_registry", "--db", str(db_path)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert "NPI registry read from the bulk registry" in done.stdout
    db = sqlite3.connect(db_path)
    states = {state for (state,) in db.execute("select distinct state from sources where source = 'npi_registry'")}
    assert states == {"CA", "TX"}  # the sample registry's two states, out of every state asked for
    assert db.execute("select count(*) from clinics where state in ('CA', 'TX')").fetchone()[0] >= 18
    assert _npi_requests(db_path) == 0
    assert time.monotonic() - started < 120  # the API would take 29,793 ZIP queries at the polite delay


def test_states_and_the_country_resolve_to_their_zip_codes():
    from core.regions import resolve

    country, two = resolve("US"), resolve("CA, TX")
    assert country.name == "US" and two.name == "CA; TX"
    assert country.contains_zip("92618") and country.contains_zip("78701") and country.contains_zip("99501")
    assert set(two.zips) < set(country.zips) and len(country.counties) > 3000
    assert len(two.boxes) == len(two.counties)  # Overpass is asked county by county
