"""The HSDS 3.0 export (``clinics export hsds``) is valid HSDS and holds what the database holds.

Every exported row is validated against its table's JSON schema from the HSDS 3.0 specification (kept outside
the project, in ../shared/formats/hsds-3.0), with the tabular form's own requirements added: the fields
``tabular_required`` names, flat rows, the ``datapackage_type`` dates and times, and ids that resolve.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner

from clinics.cli import cli
from clinics.hsds import LANGUAGE_CODES, TABLES, export_hsds, hsds_id, schedules
from db.schema import open_db
from parsers.vocab import LANGUAGES

SCHEMAS = Path(__file__).parents[2] / "shared/formats/hsds-3.0"
# A field holding another row's id, and the table that row is in (attribute.link_id names its own: link_entity).
REFERENCES = {"organization_id": "organization", "service_id": "service", "location_id": "location",
              "service_at_location_id": "service_at_location", "phone_id": "phone", "contact_id": "contact",
              "program_id": "program", "taxonomy_term_id": "taxonomy_term", "taxonomy_id": "taxonomy",
              "parent_organization_id": "organization"}


@pytest.fixture(scope="module")
def hsds():
    """The specification's schemas, a registry resolving their ``$ref``s, and a validator per table."""
    if not SCHEMAS.is_dir():
        pytest.skip(f"the HSDS 3.0 schemas are not at {SCHEMAS} (../shared/formats/hsds-3.0 beside the project): "
                    "the export cannot be validated without them")
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    schemas = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMAS.glob("*.json")}
    tabular = json.loads((SCHEMAS / "compiled/tabular.json").read_text(encoding="utf-8"))
    registry = Registry().with_resources(
        (name, Resource.from_contents(schema, default_specification=DRAFT202012)) for name, schema in schemas.items())
    formats = FormatChecker()
    formats.checks("uri")(lambda value: not isinstance(value, str) or bool(urlparse(value).scheme
                                                                              and urlparse(value).netloc))
    formats.checks("date-time", raises=ValueError)(
        lambda value: not isinstance(value, str) or bool(datetime.fromisoformat(value.replace("Z", "+00:00"))))

    def validator(schema: dict):
        return Draft202012Validator(schema, registry=registry, format_checker=formats)

    tables = {table: validator({"allOf": [{"$ref": f"{table}.json"}],
                                "required": schemas[f"{table}.json"].get("tabular_required", [])})
              for table in (name.removesuffix(".json") for name in schemas)}
    return {"schemas": schemas, "tables": tables, "tabular": validator(tabular)}


def load(out: Path) -> dict[str, list[dict]]:
    return {table: json.loads((out / f"{table}.json").read_text(encoding="utf-8")) for table in TABLES}


def problems(export: dict[str, list[dict]], hsds: dict) -> list[str]:
    """Everything wrong with an export, as HSDS's tabular form reads it; empty when it is valid."""
    found = [f"tabular.json: {e.message}" for e in hsds["tabular"].iter_errors(export)]
    ids = {table: {row.get("id") for row in rows} for table, rows in export.items()}
    for table, rows in export.items():
        properties = hsds["schemas"][f"{table}.json"]["properties"]
        for row in rows:
            where = f"{table} {row.get('id')}"
            found += [f"{where}: {e.message}" for e in hsds["tables"][table].iter_errors(row)]
            found += [f"{where}: {key} is no field of {table}" for key in row if key not in properties]
            found += [f"{where}: {key} is not flat" for key, value in row.items() if isinstance(value, list | dict)]
            found += [f"{where}: {key} {row[key]!r} is no {kind}" for key, kind in _typed(properties, row)
                      if not _parses(kind, row[key])]
            found += [f"{where}: {key} points at no {target} row" for key, target in _references(row)
                      if row[key] not in ids.get(target, set())]
        for key, spec in properties.items():
            values = [row[key] for row in rows if key in row]
            if spec.get("constraints", {}).get("unique") and len(values) != len(set(values)):
                found.append(f"{table}.{key} is not unique")
    return found


def _typed(properties: dict, row: dict):
    return [(key, properties[key]["datapackage_type"]) for key in row
            if key in properties and "datapackage_type" in properties[key]]


def _parses(kind: str, value: str) -> bool:
    parse = {"date": date.fromisoformat, "time": time.fromisoformat,
             "datetime": lambda v: datetime.fromisoformat(v.replace("Z", "+00:00"))}[kind]
    try:
        parse(value)
    except (TypeError, ValueError):
        return False
    return True


def _references(row: dict):
    refs = [(key, REFERENCES[key]) for key in row if key in REFERENCES]
    if "parent_id" in row:
        refs.append(("parent_id", "taxonomy_term"))
    if "link_id" in row:
        refs.append(("link_id", row.get("link_entity")))
    return refs


def copy_db(source: Path, target: Path) -> Path:
    """The demo database copied (WAL and all) for a test that changes it; the session's own stays as it is."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def test_demo_export_is_valid_hsds_and_holds_every_listed_clinic(demo_db, tmp_path, hsds):
    result = export_hsds(demo_db, tmp_path)
    export = load(tmp_path)
    assert not problems(export, hsds), problems(export, hsds)[:20]
    db = sqlite3.connect(demo_db)
    clinics = [r[0] for r in db.execute("select id from clinics where status not in ('merged', 'removed')")]
    assert {row["external_identifier"] for row in export["location"]} == set(clinics)
    assert {row["id"] for row in export["location"]} == {hsds_id("location", c) for c in clinics}
    assert len(export["service"]) == len(export["service_at_location"]) == len(clinics)
    unflagged = db.execute("select count(*) from prices p join clinics c on c.id = p.clinic_id where p.flag is null "
                           "and c.status not in ('merged', 'removed')").fetchone()[0]
    assert len(export["cost_option"]) == unflagged > 0
    organizations = {r[0] for r in db.execute("select coalesce(organization_id, 'clinic:' || id) from clinics "
                                              "where status not in ('merged', 'removed')")}
    assert len(export["organization"]) == len(organizations) < len(clinics)  # the demo's chains share one
    for table in ("schedule", "attribute", "language", "taxonomy_term", "phone", "address", "organization_identifier"):
        assert export[table], f"{table} is empty"
    assert result.counts == {table: len(rows) for table, rows in export.items()}
    manifest = json.loads((tmp_path / "datapackage.json").read_text())
    assert [r["path"] for r in manifest["resources"]] == [f"{table}.json" for table in TABLES]
    assert manifest["licenses"][0]["name"] == "ODbL-1.0"


def test_a_clinics_facts_reach_its_service(demo_db, tmp_path):
    export_hsds(demo_db, tmp_path)
    export = load(tmp_path)
    db = sqlite3.connect(demo_db)
    db.row_factory = sqlite3.Row
    clinic = db.execute("select id, phone from clinics where routes like '%iv_infusion%' and opening_hours is not null "
                        "and phone is not null order by id limit 1").fetchone()
    service_id, location_id = hsds_id("service", clinic["id"]), hsds_id("location", clinic["id"])
    terms = {t["id"]: t["code"] for t in export["taxonomy_term"]}
    codes = {terms[a["taxonomy_term_id"]] for a in export["attribute"] if a["link_id"] == service_id}
    assert "route:iv_infusion" in codes
    assert [p["number"] for p in export["phone"] if p["location_id"] == location_id] == [clinic["phone"]]
    assert any(s["freq"] == "WEEKLY" for s in export["schedule"] if s["location_id"] == location_id)


def test_a_stated_no_is_no_attribute_but_is_in_the_fees_description(demo_db, tmp_path):
    export_hsds(demo_db, tmp_path)
    export = load(tmp_path)
    clinic_id = sqlite3.connect(demo_db).execute(
        "select id from clinics where accepts_insurance = 0 order by id limit 1").fetchone()[0]
    service = next(s for s in export["service"] if s["id"] == hsds_id("service", clinic_id))
    assert "Accepts insurance: no." in service["fees_description"]
    term = hsds_id("taxonomy_term", "payment:accepts_insurance")
    assert not [a for a in export["attribute"] if a["link_id"] == service["id"] and a["taxonomy_term_id"] == term]


def test_an_empty_database_exports_every_table_empty(tmp_path, hsds):
    db_path = tmp_path / "empty.db"
    open_db(str(db_path))
    result = export_hsds(db_path, tmp_path / "out")
    export = load(tmp_path / "out")
    assert export == {table: [] for table in TABLES}
    assert not problems(export, hsds)
    assert set(result.counts.values()) == {0}
    assert json.loads((tmp_path / "out/datapackage.json").read_text())["database"]["clinics"] == {}


def test_exporting_again_writes_the_same_files(demo_db, tmp_path):
    export_hsds(demo_db, tmp_path / "first")
    export_hsds(demo_db, tmp_path / "second")
    for table in TABLES:
        assert (tmp_path / "first" / f"{table}.json").read_bytes() == (tmp_path / "second" / f"{table}.json").read_bytes()
    manifests = [json.loads((tmp_path / run / "datapackage.json").read_text()) for run in ("first", "second")]
    for manifest in manifests:
        manifest.pop("created")  # the one thing that differs: when each export was written
    assert manifests[0] == manifests[1]


def test_ids_are_uuids_derived_from_the_clinic_and_the_fact():
    assert hsds_id("location", "cd685a451ff73") == hsds_id("location", "cd685a451ff73")
    assert hsds_id("location", "cd685a451ff73") != hsds_id("service", "cd685a451ff73")
    assert uuid.UUID(hsds_id("location", "cd685a451ff73")).version == 5


def test_merged_and_removed_clinics_are_left_out(demo_db, tmp_path, hsds):
    db_path = copy_db(demo_db, tmp_path / "clinics.db")
    with sqlite3.connect(db_path) as db:
        merged, removed, survivor = [r[0] for r in db.execute(
            "select clinic_id from prices where flag is null group by clinic_id order by clinic_id limit 3")]
        db.execute("update clinics set status = 'merged', merged_into = ? where id = ?", [survivor, merged])
        db.execute("update clinics set status = 'removed' where id = ?", [removed])
    result = export_hsds(db_path, tmp_path / "out")
    export = load(tmp_path / "out")
    assert not problems(export, hsds), problems(export, hsds)[:20]
    assert result.left_out == 2
    gone = {hsds_id(kind, c) for c in (merged, removed) for kind in ("location", "service")}
    linked = [row for rows in export.values() for row in rows
              if gone & {row.get("id"), row.get("service_id"), row.get("location_id"), row.get("link_id")}]
    assert not linked, linked[:3]
    assert hsds_id("service", survivor) in {s["id"] for s in export["service"]}


def test_schedules_read_opening_hours_rules_and_keep_the_rest_as_text():
    rows = schedules("Mo-We,Fr 09:00-12:00,13:00-17:00; Sa-Mo 10:00-24:00; by appointment", "c1", "loc")
    weekly = [(r["byday"], r["opens_at"], r["closes_at"]) for r in rows if "freq" in r]
    assert weekly == [("MO,TU,WE,FR", "09:00", "12:00"), ("MO,TU,WE,FR", "13:00", "17:00")]
    assert [r["description"] for r in rows if "freq" not in r] == [
        "Opening hours as stated: Sa-Mo 10:00-24:00", "Opening hours as stated: by appointment"]
    assert schedules(None, "c1", "loc") == []


def test_every_language_the_parser_knows_has_an_iso_code():
    assert set(LANGUAGES) <= set(LANGUAGE_CODES), set(LANGUAGES) - set(LANGUAGE_CODES)


def test_the_command_writes_the_export_and_says_what_it_wrote(demo_db, tmp_path):
    result = CliRunner().invoke(cli, ["export", "hsds", str(tmp_path / "out"), "--db", str(demo_db)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "HSDS 3.0.0 export" in lines[0]
    locations = len(load(tmp_path / "out")["location"])
    assert f"{locations} location," in lines[0]


def test_the_command_without_a_database_says_so_and_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["export", "hsds", str(tmp_path / "out"), "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "no database at" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "out").exists()


def test_the_validation_itself_finds_broken_rows(hsds):
    """The checks above mean something: each kind of fault in a small export is reported."""
    org, service = hsds_id("organization", "o"), hsds_id("service", "s")
    export = {table: [] for table in TABLES}
    export["organization"] = [{"id": org, "name": "O", "description": "d", "website": "not a url"}]
    export["service"] = [{"id": service, "organization_id": org, "name": "S", "status": "open",
                          "assured_date": "yesterday", "colour": "blue"}]
    export["attribute"] = [{"id": "not-a-uuid", "link_id": service, "taxonomy_term_id": hsds_id("taxonomy_term", "x")}]
    export["schedule"] = [{"id": hsds_id("schedule", "1"), "location_id": hsds_id("location", "l"), "opens_at": "9am"}]
    found = "\n".join(problems(export, hsds))
    for fault in ("'not a url' is not a 'uri'", "'open' is not one of", "assured_date 'yesterday' is no date",
                  "colour is no field of service", "'not-a-uuid' is not a 'uuid'", "'link_entity' is a required",
                  "taxonomy_term_id points at no taxonomy_term", "location_id points at no location",
                  "opens_at '9am' is no time"):
        assert fault in found, f"{fault!r} not in:\n{found}"
