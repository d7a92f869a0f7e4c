"""What an operator trips over: pointing the sources elsewhere by option, a mistyped --set, a log file that keeps
its errors, a reparse of a database holding two regions, and a radius in kilometres."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinics.cli import cli
from tests.test_recrawl import query

CLINICS = str(Path(sys.executable).parent / "clinics")
NEAR_IRVINE = "92618 + 5 km"  # three ZIPs around Pacific Ketamine Wellness: a small, quick first region
TRAVIS = "Travis County, TX"


rows = query  # a database's rows as dicts (tests/test_recrawl.py)


def clinics_crawl(*args: str) -> subprocess.CompletedProcess:
    """`clinics crawl` as cron runs it: its own process, no CLINICS_SAMPLE_WEB, every source named by option."""
    return subprocess.run([CLINICS, "crawl", "--profile", "sample", *args], capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def two_regions(sample_web, tmp_path_factory) -> dict:
    """One database, two regions: around Irvine from the NPI and Overpass stand-ins plus a seed list naming the
    sample web's failing site (logged to a file), then Travis County from a seed list alone."""
    work = tmp_path_factory.mktemp("operator")
    db_path, log_file = work / "clinics.db", work / "logs" / "crawl.log"
    near_irvine_seeds, travis_seeds = work / "irvine-seeds.txt", work / "travis-seeds.txt"
    near_irvine_seeds.write_text(sample_web.manifest["sites"]["bright-horizon-ketamine"] + "/\n")  # answers 500
    travis_seeds.write_text(sample_web.manifest["sites"]["lone-star-ketamine"] + "/\n")
    api = sample_web.api_base
    first = clinics_crawl("--region", NEAR_IRVINE, "--db", str(db_path), "--log-file", str(log_file),
                          "--spider", "npi_registry", "--spider", "osm", "--spider", "seed_list", "--spider", "clinic_site",
                          "--npi-url", f"{api}/npi/api/", "--overpass-url", f"{api}/overpass/api/interpreter",
                          "--seed-list", str(near_irvine_seeds))
    assert first.returncode == 1, first.stdout + first.stderr[-3000:]  # partial: the seed list's site fails
    second = clinics_crawl("--region", TRAVIS, "--db", str(db_path), "--spider", "seed_list",
                           "--spider", "clinic_site", "--seed-list", str(travis_seeds))
    assert second.returncode == 0, second.stdout + second.stderr[-3000:]
    return {"db": db_path, "log": log_file, "web": sample_web}


# 1. Pointing the sources elsewhere ---------------------------------------------------------------------------
def captured_settings(monkeypatch, *args: str, sample_web: str | None = None) -> dict:
    """The settings `clinics crawl` would run with, caught before any crawl starts."""
    import clinics.crawl

    seen: dict = {}

    def fake_run_crawl(region, db_path, profile, settings, *rest, **kwargs):
        seen.update(settings, profile=profile)
        return clinics.crawl.RunResult(1, 0)
    monkeypatch.setattr(clinics.crawl, "run_crawl", fake_run_crawl)
    if sample_web:
        monkeypatch.setenv("CLINICS_SAMPLE_WEB", sample_web)
    else:
        monkeypatch.delenv("CLINICS_SAMPLE_WEB", raising=False)
    result = CliRunner().invoke(cli, ["crawl", "--quiet", *args])
    assert result.exit_code == 0, result.output
    return seen


def test_source_options_set_the_source_settings_and_win_over_the_sample_web_and_set(monkeypatch, tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("https://clinic.example/\n")
    monkeypatch.chdir(tmp_path)
    settings = captured_settings(monkeypatch, "--npi-url", "http://npi.example/api/", "--seed-list", "seeds.txt",
                                 "--set", "NPI_API_URL=http://lost.example/", sample_web="http://127.0.0.1:9")
    assert settings["NPI_API_URL"] == "http://npi.example/api/", "the option wins over --set and the sample web"
    assert settings["SEED_LIST"] == str(seeds.resolve()), "a relative file is the one in the directory the user ran it from"
    assert settings["OVERPASS_API_URL"] == "http://127.0.0.1:9/overpass/api/interpreter", "not named: sample web's"
    assert settings["profile"] == "sample"


def test_a_seed_list_pattern_or_url_is_passed_as_written(monkeypatch):
    assert captured_settings(monkeypatch, "--seed-list", "lists/{region}.txt")["SEED_LIST"] == "lists/{region}.txt"
    assert captured_settings(monkeypatch, "--overpass-url", "https://overpass.example/api/interpreter",
                             "--seed-list", "https://seeds.example/list.txt") == {
        "OVERPASS_API_URL": "https://overpass.example/api/interpreter", "SEED_LIST": "https://seeds.example/list.txt",
        "profile": "default"}


@pytest.mark.parametrize("args, message", [
    (["--npi-url", "npiregistry.cms.hhs.gov/api/"], "not an http:// or https:// URL"),
    (["--overpass-url", "ftp://overpass.example/"], "not an http:// or https:// URL"),
    (["--seed-list", "no-such-seeds.txt"], "no file at no-such-seeds.txt"),
])
def test_a_source_option_that_points_nowhere_is_a_usage_error(args, message):
    result = CliRunner().invoke(cli, ["crawl", *args])
    assert result.exit_code == 2 and message in result.output


def test_the_source_options_reach_the_spiders(two_regions):
    """The first crawl named the NPI, Overpass and seed list by option only: each answered from the sample web."""
    sources = {r["source"] for r in rows(two_regions["db"], "select distinct source from sources")}
    assert {"npi_registry", "osm", "seed_list"} <= sources
    run = rows(two_regions["db"], "select stats from crawl_runs order by id limit 1")[0]
    stats = json.loads(run["stats"])
    assert stats["npi_registry/source/npi_registry/ok_queries"] and stats["osm/source/osm/ok_queries"]


def test_the_readme_lists_every_source_option():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("### Pointing the crawl elsewhere", 1)[1].split("\n#", 1)[0]
    for option in ("--npi-url", "--overpass-url", "--seed-list", "--set", "ALLOW_LOOPBACK_SITES"):
        assert option in section, option


# 2. A mistyped --set -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("setting", ["NPI_API=http://127.0.0.1:9/npi/api/", "FOO"])
def test_a_set_that_names_no_setting_is_a_usage_error_naming_the_settings(setting):
    result = CliRunner().invoke(cli, ["crawl", "--set", setting])
    assert result.exit_code == 2, result.output
    assert "NPI_API_URL" in result.output and "OVERPASS_API_URL" in result.output


def test_a_mistyped_setting_gets_the_closest_name():
    result = CliRunner().invoke(cli, ["crawl", "--set", "NPI_API=http://127.0.0.1:9/"])
    assert "unknown setting 'NPI_API'; did you mean NPI_API_URL" in result.output


def test_a_setting_the_run_sets_itself_is_refused_with_its_option():
    result = CliRunner().invoke(cli, ["crawl", "--set", "DB_PATH=/tmp/elsewhere.db"])
    assert result.exit_code == 2 and "--db" in result.output


def test_scrapy_and_project_settings_are_accepted(monkeypatch):
    settings = captured_settings(monkeypatch, "--set", "DOWNLOAD_DELAY=3", "--set", "CLINIC_SITE_MAX_PAGES=5",
                                 "--set", "USER_AGENT=clinicbot (test; a=b)")
    assert settings["DOWNLOAD_DELAY"] == "3" and settings["CLINIC_SITE_MAX_PAGES"] == "5"
    assert settings["USER_AGENT"] == "clinicbot (test; a=b)", "only the first = splits"


# 3. The log file ---------------------------------------------------------------------------------------------
def test_the_log_file_has_a_line_per_page_and_no_bodies_or_raw_records(two_regions):
    lines = two_regions["log"].read_text().splitlines()
    assert max(len(line) for line in lines) < 1000
    text = "\n".join(lines)
    assert "<html" not in text.lower() and "Scraped from" not in text
    assert "ALTON CREST" not in text and "authorized_official" not in text, "no raw NPI record"
    assert " DEBUG: " not in text
    stats = json.loads(rows(two_regions["db"], "select stats from crawl_runs order by id limit 1")[0]["stats"])
    responses = sum(v for k, v in stats.items() if k.endswith("/downloader/response_count"))
    retried = sum(v for k, v in stats.items() if k.endswith("/retry/count"))  # answers asked again, not handed on
    crawled = [line for line in lines if "] INFO: Crawled (" in line]
    assert len(crawled) == responses - retried > 10, "one line per fetched page, robots.txt and API answers included"


def test_the_log_file_keeps_the_failure(two_regions):
    text = two_regions["log"].read_text()
    failing = two_regions["web"].manifest["sites"]["bright-horizon-ketamine"]
    assert any(failing in line and (" ERROR: " in line or " WARNING: " in line) for line in text.splitlines())


# 4. Reparse a database that holds two regions ----------------------------------------------------------------
def reparse(db_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLINICS, "reparse", "--db", str(db_path), "--processes", "0", *args], capture_output=True,
                          text=True, timeout=300, check=False)


def forget_routes(db_path: Path) -> dict[str, str]:
    """Blank every clinic's routes, as a build from an older extractor might have left them; region by clinic."""
    db = sqlite3.connect(db_path)
    db.execute("update clinics set routes = null")
    db.commit()
    db.close()
    return {r["id"]: r["region"] for r in rows(db_path, "select id, region from clinics where status = 'active'")}


def test_reparse_rebuilds_every_region_the_database_holds(two_regions, tmp_path):
    copy = tmp_path / "clinics.db"
    shutil.copy(two_regions["db"], copy)
    regions = forget_routes(copy)
    assert set(regions.values()) == {"92618 + 5 km", TRAVIS}
    done = reparse(copy)
    assert done.returncode == 0, done.stderr[-2000:]
    after = {r["id"]: r for r in rows(copy, "select id, region, routes from clinics where status = 'active'")}
    assert {clinic_id: after[clinic_id]["region"] for clinic_id in regions} == regions, "each keeps its region"
    assert all(after[clinic_id]["routes"] for clinic_id in regions), "both regions rebuilt"
    assert "in 2 region(s)" in done.stdout
    run = rows(copy, "select region, profile from crawl_runs order by id desc limit 1")[0]
    assert run == {"region": f"92618 + 5 km; {TRAVIS}", "profile": "reparse"}


def test_reparse_with_a_region_rebuilds_only_that_region(two_regions, tmp_path):
    copy = tmp_path / "clinics.db"
    shutil.copy(two_regions["db"], copy)
    regions = forget_routes(copy)
    done = reparse(copy, "--region", TRAVIS)
    assert done.returncode == 0, done.stderr[-2000:]
    after = {r["id"]: r["routes"] for r in rows(copy, "select id, routes from clinics")}
    assert all(bool(after[clinic_id]) == (region == TRAVIS) for clinic_id, region in regions.items())


def test_regions_held_are_read_from_clinics_and_listings_latest_crawl_last(tmp_path):
    from db.queries import regions_held
    from db.schema import open_db

    db = open_db(str(tmp_path / "clinics.db"))
    db["crawl_runs"].insert_all([{"region": "TX", "profile": "default"}, {"region": "Orange County, CA; TX",
                                                                          "profile": "identity decision"},
                                 {"region": "Orange County, CA", "profile": "default"}])
    db["clinics"].insert_all([{"id": "a", "region": "TX"}, {"id": "b", "region": None}])
    db["sources"].insert_all([{"source": "osm", "source_id": "n/1", "region": "Orange County, CA"},
                              {"source": "osm", "source_id": "n/2", "region": "78701, 78703"}])
    assert regions_held(db) == ["78701, 78703", "TX", "Orange County, CA"]


# 5. A radius in kilometres -----------------------------------------------------------------------------------
def test_a_radius_in_km_is_a_region():
    result = CliRunner().invoke(cli, ["regions", "92618 + 5 km"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("92618 + 5 km: 3 ZIP codes")
    assert "seed list: seeds/92618-5-km.txt" in result.output


def test_km_and_miles_cover_the_same_ground():
    from core.regions import resolve

    assert resolve("92618 + 8.04672 km").zips == resolve("92618 + 5 mi").zips
    assert resolve("92618 within 5 miles").zips == resolve("92618 + 5 mi").zips


@pytest.mark.parametrize("region", ["92618 + 5", "92618 + 5 ft", "92618 + 5 leagues"])
def test_a_radius_without_a_known_unit_says_the_unit_must_be_miles_or_km(region):
    result = CliRunner().invoke(cli, ["regions", region])
    assert result.exit_code == 2 and "the unit must be miles or km" in result.output
    assert "needs a state" not in result.output
