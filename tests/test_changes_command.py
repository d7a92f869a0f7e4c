"""`clinics changes`: what changed, clinic by clinic, in words, from a small database built by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from clinics.changes import SinceError, change_line, field_label, parse_since, value_text
from clinics.cli import cli
from db.schema import open_db

CLINICS = [
    {"id": "calm-irvine", "name": "Calm Mind Ketamine", "city": "Irvine", "region": "Orange County, CA",
     "status": "active"},
    {"id": "hill-austin", "name": "Hill Country Infusions", "city": "Austin", "region": "Travis County, TX",
     "status": "active"},
]
RUNS = [
    {"id": 1, "region": "Orange County, CA", "profile": "default", "started_at": "2024-05-01T03:17:00Z",
     "status": "ok"},
    {"id": 2, "region": "Travis County, TX", "profile": "default", "started_at": "2024-05-08T03:17:00Z",
     "status": "ok"},
]
CHANGE_COLUMNS = ("clinic_id", "field", "old_value", "new_value", "changed_at", "run_id")
CHANGES = [
    ("calm-irvine", "status", None, "active", "2024-05-01T03:20:00Z", 1),
    ("calm-irvine", "route:iv_infusion", "true", "false", "2024-05-01T03:20:00Z", 1),
    ("calm-irvine", "price:iv_infusion:per_session", "450", "475", "2024-05-08T03:20:00Z", 2),
    ("hill-austin", "payment:accepts_insurance", "unknown", "true", "2024-05-08T03:21:00Z", 2),
    ("hill-austin", "phone", "5125550100", "5125550199", "2024-05-08T03:21:00Z", 2),
]


@pytest.fixture
def db_path(tmp_path) -> str:
    path = str(tmp_path / "clinics.db")
    db = open_db(path)
    db["crawl_runs"].insert_all(RUNS)
    db["clinics"].insert_all(CLINICS)
    db["changes"].insert_all([dict(zip(CHANGE_COLUMNS, row, strict=True)) for row in CHANGES])
    return path


def run(*args: str):
    return CliRunner().invoke(cli, ["changes", *args])


def test_fields_are_put_in_the_vocabulary_words():
    assert field_label("route:iv_infusion") == "IV infusion"
    assert field_label("payment:accepts_insurance") == "Accepts insurance"
    assert field_label("price:iv_infusion:package:6") == "Price, IV infusion, package of 6"
    assert field_label("price:unspecified:per_session") == "Price, per session"
    assert field_label("condition:ptsd").startswith("Treats ")
    assert field_label("zip") == "ZIP code"
    assert field_label("something:new") == "something:new"  # a field kind this module does not know stays readable


def test_values_say_yes_no_unknown_and_dollars():
    assert value_text("route:iv_infusion", "true") == "offered"
    assert value_text("route:iv_infusion", "0") == "not offered"
    assert value_text("care:accepting_new_patients", "1") == "yes"
    assert value_text("payment:accepts_insurance", None) == "unknown"
    assert value_text("payment:accepts_insurance", "unknown") == "unknown"
    assert value_text("care:language:Spanish", None) == "not listed"
    assert value_text("price:iv_infusion:per_session", "450-600") == "$450-$600"
    assert value_text("price:iv_infusion:per_session", "450, 500") == "$450, $500"
    assert value_text("status", None) == "not listed"


def test_a_change_line_has_field_old_new_and_day():
    row = {"field": "price:iv_infusion:per_session", "old_value": "450", "new_value": "475",
           "changed_at": "2024-05-08T03:20:00Z"}
    assert change_line(row) == "Price, IV infusion, per session: $450 -> $475 (2024-05-08)"


def test_since_accepts_a_date_a_timestamp_and_a_time_back():
    now = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
    assert parse_since("2024-05-01", now) == "2024-05-01T00:00:00Z"
    assert parse_since("2024-05-01T09:30:00+02:00", now) == "2024-05-01T07:30:00Z"
    assert parse_since("7d", now) == "2024-05-03T12:00:00Z"
    assert parse_since("12h", now) == "2024-05-10T00:00:00Z"
    with pytest.raises(SinceError, match="7d"):
        parse_since("last week", now)


def test_without_since_the_latest_run_with_changes_is_shown_grouped_by_clinic(db_path):
    result = run("--db", db_path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "3 change(s) to 2 clinic(s) in run 2 (Travis County, TX, default, started 2024-05-08T03:17)",
        "",
        "Calm Mind Ketamine, Irvine (calm-irvine)",
        "  Price, IV infusion, per session: $450 -> $475 (2024-05-08)",
        "",
        "Hill Country Infusions, Austin (hill-austin)",
        "  Accepts insurance: unknown -> yes (2024-05-08)",
        "  Phone: 5125550100 -> 5125550199 (2024-05-08)",
    ]


def test_since_spans_runs_and_leaves_out_older_changes(db_path):
    every = run("--db", db_path, "--since", "2024-04-30")
    assert "5 change(s) to 2 clinic(s)" in every.output
    assert "  IV infusion: offered -> not offered (2024-05-01)" in every.output
    assert "  Status: not listed -> active (2024-05-01)" in every.output
    later = run("--db", db_path, "--since", "2024-05-08T03:20:30Z")
    assert "2 change(s) to 1 clinic(s)" in later.output and "Calm Mind" not in later.output


def test_region_filters_on_the_clinics_region_in_any_form_crawl_takes(db_path):
    stored = run("--db", db_path, "--since", "2024-01-01", "--region", "Orange County, CA")
    assert "Calm Mind Ketamine" in stored.output and "Hill Country" not in stored.output
    spelled_out = run("--db", db_path, "--since", "2024-01-01", "--region", "Travis County, Texas")
    assert "Hill Country" in spelled_out.output and "Calm Mind" not in spelled_out.output
    # without --since: the latest run that changed anything within the filters, and only its changes
    latest = run("--db", db_path, "--region", "Orange County, CA")
    assert "1 change(s) to 1 clinic(s) in run 2" in latest.output and "$450 -> $475" in latest.output


def test_the_default_run_is_the_latest_that_changed_the_clinics_asked_for(db_path):
    db = open_db(db_path)
    db["clinics"].insert({"id": "quiet-tustin", "name": "Quiet Clinic", "city": "Tustin",
                          "region": "Orange County, CA", "status": "active"})
    db["changes"].insert({"clinic_id": "quiet-tustin", "field": "route:im_injection", "old_value": None,
                          "new_value": "true", "changed_at": "2024-05-01T03:22:00Z", "run_id": 1})
    result = run("--db", db_path, "--clinic", "quiet-tustin")
    assert result.output.splitlines() == [
        "1 change(s) to 1 clinic(s) in run 1 (Orange County, CA, default, started 2024-05-01T03:17) "
        "for clinic quiet-tustin", "", "Quiet Clinic, Tustin (quiet-tustin)",
        "  IM injection: unknown -> offered (2024-05-01)"]


def test_an_unknown_region_is_a_usage_error(db_path):
    result = run("--db", db_path, "--region", "Orange Cnty, CA")
    assert result.exit_code == 2
    assert "Orange County" in result.output


def test_json_lists_every_change_with_its_clinic(db_path):
    result = run("--db", db_path, "--since", "2024-01-01", "--clinic", "hill-austin", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["field"] for row in rows] == ["payment:accepts_insurance", "phone"]
    assert rows[0] == {"clinic_id": "hill-austin", "name": "Hill Country Infusions", "city": "Austin",
                       "region": "Travis County, TX", "field": "payment:accepts_insurance", "old_value": "unknown",
                       "new_value": "true", "changed_at": "2024-05-08T03:21:00Z", "run_id": 2}


def test_no_changes_says_so_and_exits_0(db_path):
    result = run("--db", db_path, "--since", "2030-01-01")
    assert result.exit_code == 0
    assert result.output.strip() == "no changes since 2030-01-01T00:00:00Z"
    empty = run("--db", db_path, "--clinic", "no-such-clinic")
    assert empty.exit_code == 0 and empty.output.strip() == "no changes recorded for clinic no-such-clinic"


def test_a_bad_since_is_a_usage_error_naming_the_accepted_forms(db_path):
    result = run("--db", db_path, "--since", "last tuesday")
    assert result.exit_code == 2
    assert "2024-05-01" in result.output and "7d" in result.output and "ISO timestamp" in result.output


def test_a_missing_database_is_a_usage_error(tmp_path):
    result = run("--db", str(tmp_path / "none.db"))
    assert result.exit_code == 2 and "no database at" in result.output
