"""Every yes/no fact kind declared in parsers/kinds.py goes the whole way with no other edit: its example sentence
on a clinic's page is read, merged into the clinic's row and its fact table with the sentence as evidence, shown
in its section of the clinic page, and described on the published site."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from datasette.app import Datasette

from clinics.serving import metadata_for
from db.build import RunContext, build_clinics
from db.schema import open_db
from db.store import save_listing, save_page
from parsers.extract import extract_page
from parsers.facts import Care
from parsers.kinds import FLAGS, GROUPS, flag

SITE = "http://127.0.0.9:8000/"
PAGE = """<html><head><title>Harbor Ketamine Center</title></head><body><main>
<h1>Harbor Ketamine Center</h1>
<p>We offer IV ketamine infusions for treatment-resistant depression.</p>
<p>{sentence}</p>
<p>Harbor Ketamine Center, 200 Harbor Blvd, Costa Mesa, CA 92627. Call (949) 555-0142.</p>
</main></body></html>"""
HEADINGS = {"payment": "Insurance and payment", "who_treats": "Who treats", "access": "Before you call"}


def _section(html: str, section: str) -> str:
    """The part of the clinic page under the section's heading, up to the next heading."""
    start = html.index(f"<h2>{HEADINGS[section]}")
    return html[start:html.index("<h2", start + 4)]


def test_the_page_without_an_example_states_no_kind():
    facts = extract_page(PAGE.format(sentence=""), url=SITE)
    assert all(getattr(getattr(facts, kind.group), kind.key) is None for kind in FLAGS)


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", FLAGS, ids=lambda kind: kind.key)
async def test_a_kind_goes_from_its_page_to_the_database_and_the_clinic_page(kind, tmp_path):
    html = PAGE.format(sentence=kind.example)
    facts = extract_page(html, url=SITE, seen_at="2026-11-01T00:00:00Z")
    assert getattr(getattr(facts, kind.group), kind.key) is True, f"{kind.key}: its example is not read as yes"

    db = open_db(str(tmp_path / "clinics.db"))
    save_page(db, {"url": SITE, "site": SITE, "status": 200, "fetched_at": "2026-11-01T00:00:00Z",
                   "body": html.encode()}, asdict(facts), run_id=None)
    save_listing(db, {"source": "osm", "source_id": "node/1", "name": "Harbor Ketamine Center", "website": SITE,
                      "zip": "92627", "decision": "candidate", "raw": {"id": 1}}, None)
    build_clinics(db, RunContext(run_id=None, region_name="Orange County, CA", region_zips={"92627"}))
    clinic = next(db["clinics"].rows)
    assert clinic[kind.key] == 1
    fact = next(db.query(f"select * from {GROUPS[kind.group].table} where clinic_id = ? and key = ?",
                         [clinic["id"], kind.key]))
    assert fact["value"] == 1 and kind.example in fact["evidence"] and fact["source_url"] == SITE
    assert db[GROUPS[kind.group].lookup].get(kind.key)["label"] == kind.label
    assert kind.label in clinic["search_text"]

    path = str(tmp_path / "clinics.db")
    metadata = metadata_for(path)
    described = metadata["databases"]["clinics"]["tables"]["clinics"]
    assert described["columns"][kind.key] == kind.meaning and ({"counted": kind.key} in described["facets"]) == kind.facet
    ds = Datasette([path], metadata=metadata)
    response = await ds.client.get(f"/clinics/clinics/{clinic['id']}")
    assert response.status_code == 200
    section = _section(response.text, kind.section)
    assert kind.label in section and kind.example in section, f"{kind.key} is not shown under {kind.section}"


def test_an_unknown_kind_is_an_error_that_says_where_kinds_are_declared():
    with pytest.raises(KeyError, match="declare it in parsers/kinds.py"):
        flag("wheelchair_acces")
    with pytest.raises(KeyError, match="unknown fact kind"):
        Care().set("accepting_new_patient", True, "Now welcoming new patients.")
