"""A patient's clinic page (/clinic/<id>) over the demo database, through Datasette's test client: the name as its
title, what to know before calling first, every fact's sentence and source one tap away, the phone as a link, a
report link that writes an email to the operator's address, and nothing a hostile id or scraped text can break.
Also the operator's side: `--contact` is checked, reaches the site's metadata and the crawler's User-Agent."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest
from click.testing import CliRunner
from datasette.app import Datasette

from clinics.cli import cli
from clinics.serving import metadata_for, settings
from datasette_config.plugins.clinic_page import FACT_QUERIES
from datasette_config.plugins.clinic_view import hours_words, report_mailto

CONTACT = "reports@clinic-directory.example"
FACT_TABLES = {"routes": "clinic_routes", "services": "clinic_services", "conditions": "clinic_conditions",
               "payment": "clinic_payment", "care": "clinic_care", "prices": "prices"}


def site(db_path, contact: str | None = None) -> Datasette:
    return Datasette([str(db_path)], metadata=metadata_for(str(db_path), contact), settings=settings())


def clinic_id(db_path, name_like: str) -> str:
    return sqlite3.connect(db_path).execute("select id from clinics where name like ?", [name_like]).fetchone()[0]


def mailtos(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="(mailto:[^"]*)"', html)]


@pytest.mark.asyncio
async def test_the_page_is_titled_with_the_clinics_name(demo_db):
    page = (await site(demo_db).client.get(f"/clinic/{clinic_id(demo_db, 'Pacific Ketamine%')}")).text
    assert re.search(r"<title>\s*Pacific Ketamine Wellness\s*</title>", page)
    assert "<h1>Pacific Ketamine Wellness</h1>" in page


@pytest.mark.asyncio
async def test_before_you_call_comes_first_then_treatments_conditions_payment_prices_then_sources(demo_db):
    page = (await site(demo_db).client.get(f"/clinic/{clinic_id(demo_db, 'Pacific Ketamine%')}")).text
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", page)
    assert headings[:2] == ["Who treats", "Before you call"], headings
    order = [page.index(f"<h2>{words}") for words in ("Who treats", "Before you call", "Treatments offered",
                                                      "Conditions treated", "Insurance and payment", "Prices",
                                                      "Where this listing comes from")]
    assert order == sorted(order)
    before = page[page.index("<h2>Before you call"):page.index("<h2>Treatments offered")]
    for fact in ("Accepting new patients", "Consultation or screening before the first treatment", "Opening hours"):
        assert fact in before, fact
    assert "Nurse anesthetist (CRNA)" in page[page.index("<h2>Who treats"):page.index("<h2>Before you call")]


@pytest.mark.asyncio
async def test_every_fact_has_its_sentence_and_source_in_a_disclosure_not_a_hover(demo_db):
    clinic = clinic_id(demo_db, "Pacific Ketamine%")
    db = sqlite3.connect(demo_db)
    stated = sum(db.execute(f"select count(*) from {table} where clinic_id = ? and evidence != ''"
                            + (" and key != 'unmapped'" if table == "clinic_care" else "")
                            + (" and flag is null" if table == "prices" else ""), [clinic]).fetchone()[0]
                 for table in FACT_TABLES.values())
    page = (await site(demo_db).client.get(f"/clinic/{clinic}")).text
    disclosures = re.findall(r'<details class="evidence">(.*?)</details>', page, re.S)
    with_sentence = [d for d in disclosures if "<q>" in d]
    assert stated > 20 and len(with_sentence) == stated, "each stated fact opens onto its sentence"
    assert all(re.search(r'Seen <time datetime="[^"]+" title="[^"]+">[^<]+</time>\s+\(\d+ \w+ \d{4}\) on\s+'
                         r'<a href="https?://[^"]+"', d) for d in with_sentence)
    assert page.count("<q>") == stated, "no sentence outside a disclosure"
    sentences = [e for (e,) in db.execute("select evidence from clinic_routes where clinic_id = ?", [clinic])]
    titles = " ".join(re.findall(r'title="([^"]*)"', page))
    assert not any(s[:30] in titles for s in sentences), "a sentence is never only a hover"


@pytest.mark.asyncio
async def test_registry_facts_and_a_persons_correction_stay_distinguished(demo_db, tmp_path):
    import shutil

    from clinics.corrections import add_correction, decide_correction

    copy = tmp_path / "clinics.db"
    shutil.copy(demo_db, copy)
    clinic = clinic_id(copy, "Pacific Ketamine%")
    added = add_correction(str(copy), clinic, "language:Spanish", "yes", "Their front desk said two nurses speak Spanish",
                           "reader@example.org")
    decide_correction(str(copy), added.correction_id, "accept", "maintainer@example.org", "phoned the clinic")
    page = (await site(copy).client.get(f"/clinic/{clinic}")).text
    fact = next(li for li in re.findall(r"<li>(.*?)</li>", page, re.S) if "Language spoken: Spanish" in li)
    assert "(checked by a person)" in fact and "two nurses speak Spanish" in fact
    assert f'href="/clinics/corrections/{added.correction_id}"' in fact
    registry = next(li for li in re.findall(r"<li>(.*?)</li>", page, re.S) if "NPI Registry: authorised official" in li)
    assert "(NPPES NPI Registry, not the clinic's pages)" in registry
    assert "never</time>" not in page[page.index('class="clinic-checked"'):page.index("</p>", page.index("clinic-checked"))]


@pytest.mark.asyncio
async def test_the_phone_is_a_tel_link_in_human_form_and_the_website_a_link(demo_db):
    page = (await site(demo_db).client.get(f"/clinic/{clinic_id(demo_db, 'Pacific Ketamine%')}")).text
    assert '<a class="tel primary" href="tel:+19495550112">Call (949) 555-0112</a>' in page
    assert '<a href="http://127.0.0.2:8470/" rel="nofollow noopener">Website</a>' in page
    assert 'href="https://www.openstreetmap.org/directions?to=33.67' in page
    assert re.search(r'Last confirmed <time datetime="\d{4}-\d\d-\d\dT[^"]+" title="[^"]+">(today|yesterday|\d+ days ago)',
                     page)


@pytest.mark.asyncio
async def test_a_url_that_is_not_http_is_shown_as_text_never_as_a_link(demo_db, tmp_path):
    import shutil

    copy = tmp_path / "clinics.db"
    shutil.copy(demo_db, copy)
    clinic = clinic_id(copy, "Pacific Ketamine%")
    with sqlite3.connect(copy) as db:
        db.execute("update clinics set website = 'javascript:alert(1)' where id = ?", [clinic])
        db.execute("update clinic_care set source_url = 'JavaScript:alert(2)' where clinic_id = ?", [clinic])
        db.execute("update prices set source_url = 'data:text/html,x' where clinic_id = ?", [clinic])
    page = (await site(copy, CONTACT).client.get(f"/clinic/{clinic}")).text
    assert not re.search(r'href="\s*(javascript|data):', page, re.I)
    assert "javascript:alert(1)" in page and "JavaScript:alert(2)" in page, "shown, as text"


def test_opening_hours_read_as_a_person_says_them():
    assert hours_words("Mo-Fr 09:00-17:30; Sa 10:00-14:00") == "Mon–Fri 9 am–5:30 pm; Sat 10 am–2 pm"
    assert hours_words("Mo 08:00-12:00,13:00-18:00; Su 00:00-24:00") == "Mon 8 am–12 pm,1 pm–6 pm; Sun 24 hours"


@pytest.mark.asyncio
async def test_prices_say_as_of_when_in_words(demo_db):
    page = (await site(demo_db).client.get(f"/clinic/{clinic_id(demo_db, 'Pacific Ketamine%')}")).text
    assert "<strong>$2,400</strong> for a package of 6 sessions, IV infusion: $400 a session" in page
    assert re.search(r'as of <time datetime="\d{4}-\d\d-\d\d" title="\d{4}-\d\d-\d\d">\d{1,2} \w{3} \d{4}</time>', page)


@pytest.mark.asyncio
async def test_a_closed_clinic_says_so_before_anything_else_with_its_reason(demo_db):
    page = (await site(demo_db).client.get(f"/clinic/{clinic_id(demo_db, 'Serenity Ketamine%')}")).text
    closed = page.index('class="status-closed"')
    assert closed < page.index("<h2>Who treats")
    assert "Closed, or no longer offers ketamine care." in page[closed:closed + 400]
    assert "no longer offers ketamine care" in page[closed:closed + 400].split("reason:", 1)[1]


@pytest.mark.asyncio
async def test_a_script_in_a_scraped_name_is_shown_as_text(demo_db):
    clinic = clinic_id(demo_db, "%<script>%")
    page = (await site(demo_db, CONTACT).client.get(f"/clinic/{clinic}")).text
    assert "<script>alert" not in page
    escaped = "Sunrise Ketamine Therapy &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
    assert f"<h1>{escaped}</h1>" in page and re.search(rf"<title>\s*{re.escape(escaped)}\s*</title>", page)
    body = parse_qs(urlparse(mailtos(page)[0]).query)["body"][0]
    assert 'Clinic: Sunrise Ketamine Therapy <script>alert("x")</script>' in body, "the name reaches the email as written"


@pytest.mark.asyncio
async def test_an_unknown_clinic_is_a_404_that_says_so_and_leads_to_the_search(demo_db):
    response = await site(demo_db).client.get("/clinic/c000000000000")
    assert response.status_code == 404
    assert "There is no clinic at this address in the directory" in response.text
    assert '<a href="/find">Find a clinic</a>' in response.text and "Traceback" not in response.text


@pytest.mark.asyncio
@pytest.mark.parametrize("clinic", ["'", '"', "%27%20or%20%271%27=%271", "..%2F..%2Fetc%2Fpasswd", "../../etc/passwd",
                                    "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "x" * 5000, "%00", "~", "%E2%80%AE",
                                    "c16690697aa0a/extra", "%", "%%", ""])
async def test_a_hostile_id_is_a_404_or_the_page_never_an_error(demo_db, clinic):
    response = await site(demo_db).client.get(f"/clinic/{clinic}")
    assert response.status_code in (200, 404), response.text[:300]
    assert "<script>alert(1)" not in response.text


@pytest.mark.asyncio
async def test_the_report_links_write_to_the_operator_with_the_clinic_id_and_the_field(demo_db):
    clinic = clinic_id(demo_db, "Pacific Ketamine%")
    page = (await site(demo_db, CONTACT).client.get(f"/clinic/{clinic}")).text
    links = [urlparse(href) for href in mailtos(page)]
    assert links and all(link.path == CONTACT for link in links)
    fields = {}
    for link in links:
        query = parse_qs(link.query)
        assert set(query) == {"subject", "body"}
        subject, body = query["subject"][0], query["body"][0]
        assert subject.startswith(f"Correction for clinic {clinic}: ")
        assert f"Clinic: Pacific Ketamine Wellness\r\nClinic id: {clinic}\r\nPage: http://localhost/clinic/{clinic}" in body
        assert "What it should say:" in body
        fields[subject.split(": ", 1)[1]] = body
    assert {"who_treats", "access", "routes", "conditions", "payment", "price", "listing"} <= set(fields), "each section"
    assert "accepting_new_patients" in fields and "route:iv_infusion" in fields, "each fact, by its correction field"
    assert "The directory says: Accepting new patients: yes" in fields["accepting_new_patients"]
    assert "clinics corrections" not in page


def test_a_name_with_mail_syntax_cannot_add_a_recipient_or_a_header():
    clinic = {"id": "c1", "name": 'A & B?cc=x@evil.example&subject=Hi%20there\r\nBcc: y@evil.example'}
    link = urlparse(report_mailto(CONTACT, clinic, "http://site/clinic/c1", "phone", "Contact"))
    assert link.scheme == "mailto" and link.path == CONTACT
    query = parse_qs(link.query)
    assert set(query) == {"subject", "body"} and query["subject"] == ["Correction for clinic c1: phone"]
    assert query["body"][0].startswith(f"Clinic: {clinic['name']}\r\n")
    assert not re.search(r"[\s&?#<>\"']", link.query.replace("&body=", "", 1))


@pytest.mark.asyncio
async def test_without_a_contact_the_page_says_so_with_no_mailto_and_no_command_line(demo_db):
    ds = site(demo_db)
    clinic = clinic_id(demo_db, "Pacific Ketamine%")
    for path in (f"/clinic/{clinic}", f"/clinics/clinics/{clinic}"):
        page = (await ds.client.get(path)).text
        assert "This copy of the directory has no address for reports yet." in page, path
        assert "mailto:" not in page and "clinics corrections" not in page and "clinics decide" not in page, path


@pytest.mark.asyncio
async def test_the_contact_is_in_the_sites_metadata(demo_db):
    metadata = (await site(demo_db, CONTACT).client.get("/-/metadata.json")).json()
    assert metadata["plugins"]["clinic_directory"] == {"contact": CONTACT}


@pytest.mark.asyncio
async def test_the_crisis_line_is_said_once(demo_db):
    page = (await site(demo_db).client.get(f"/clinic/{clinic_id(demo_db, 'Pacific Ketamine%')}")).text
    assert page.count("988") == 1 and "Not medical advice" in page


@pytest.mark.asyncio
async def test_the_row_page_is_the_analysts_view_and_each_links_to_the_other(demo_db):
    ds = site(demo_db)
    clinic = clinic_id(demo_db, "Lone Star Ketamine%")
    row = (await ds.client.get(f"/clinics/clinics/{clinic}")).text
    assert row.index(f'<a href="/clinic/{clinic}">Patient view: Lone Star Ketamine') < row.index("<table")
    page = (await ds.client.get(f"/clinic/{clinic}")).text
    assert f'<a href="/clinics/clinics/{clinic}">All columns (for analysts)</a>' in page
    assert f'<a href="/compare?id={clinic}">Add to compare</a>' in page
    assert page.index("<h2>Prices") < page.index("Where this listing comes from") < page.index("All columns")


@pytest.mark.asyncio
async def test_a_clinic_without_coordinates_has_no_map(demo_db, tmp_path):
    import shutil

    copy = tmp_path / "clinics.db"
    shutil.copy(demo_db, copy)
    clinic = clinic_id(copy, "Pacific Ketamine%")
    ds = site(copy)
    assert '<div id="clinic-map"' in (await ds.client.get(f"/clinic/{clinic}")).text
    with sqlite3.connect(copy) as db:
        db.execute("update clinics set latitude = null, longitude = null where id = ?", [clinic])
    page = (await site(copy).client.get(f"/clinic/{clinic}")).text
    assert '<div id="clinic-map"' not in page and "import * as L" not in page
    assert "openstreetmap.org/directions?to=15%20Alton" in page, "directions to the address instead"


def test_the_page_reads_the_database_by_index_only(demo_db):
    """Each query of the page looks its rows up by the clinic's id through an index, so the page costs the same at
    100,000 clinics (7 ms there, measured through the test client); a pair of possible duplicates is found from
    either of its clinics (duplicate_candidates is indexed on other_id as well as by its key)."""
    db = sqlite3.connect(demo_db)
    for name, sql in {**FACT_QUERIES, "clinic": "select * from clinics where id = :id"}.items():
        plan = [row[3] for row in db.execute(f"explain query plan {sql}", {"id": "c16690697aa0a"})]
        assert not [step for step in plan if step.startswith("SCAN")], f"{name}: {plan}"


def test_serve_demo_and_crawl_refuse_a_contact_that_is_no_email_address():
    for command in ("serve", "demo", "crawl"):
        result = CliRunner().invoke(cli, [command, "--contact", "not-an-email"])
        assert result.exit_code == 2 and "'not-an-email' is not an email address" in result.output, command
    result = CliRunner().invoke(cli, ["serve"], env={"CLINICS_CONTACT": "ops at example dot org"})
    assert result.exit_code == 2 and "CLINICS_CONTACT" in result.output


@pytest.mark.parametrize("given", [["--contact", CONTACT], []])
def test_serve_puts_the_contact_in_datasettes_metadata(monkeypatch, tmp_path, given):
    db_path = tmp_path / "clinics.db"
    sqlite3.connect(db_path).close()
    started = []
    monkeypatch.setattr(os, "execvp", lambda program, args: started.append(args))
    result = CliRunner().invoke(cli, ["serve", "--db", str(db_path), *given], env={"CLINICS_CONTACT": CONTACT})
    assert result.exit_code == 0, result.output
    metadata_file = started[0][started[0].index("--metadata") + 1]
    assert json.loads(Path(metadata_file).read_text())["plugins"]["clinic_directory"] == {"contact": CONTACT}


def test_the_crawl_user_agent_carries_the_contact_from_the_option_or_the_environment(monkeypatch):
    import clinics.crawl

    seen: list[dict] = []

    def fake_run_crawl(region, db_path, profile, settings, *args, **kwargs):
        seen.append(settings)
        return clinics.crawl.RunResult(1, 0)
    monkeypatch.setattr(clinics.crawl, "run_crawl", fake_run_crawl)
    monkeypatch.delenv("CLINICS_SAMPLE_WEB", raising=False)
    runner = CliRunner()
    runner.invoke(cli, ["crawl", "--quiet", "--contact", CONTACT], env={"CLINICS_CONTACT": None})
    runner.invoke(cli, ["crawl", "--quiet"], env={"CLINICS_CONTACT": CONTACT})
    runner.invoke(cli, ["crawl", "--quiet"], env={"CLINICS_CONTACT": None})
    runner.invoke(cli, ["crawl", "--quiet", "--contact", CONTACT, "--set", "USER_AGENT=mybot"])
    agents = [settings.get("USER_AGENT") for settings in seen]
    assert agents[0] == agents[1] and agents[0].startswith("clinicbot/") and agents[0].endswith(f"; contact: {CONTACT})")
    assert agents[2] is None, "without a contact the project's User-Agent stands"
    assert agents[3] == "mybot", "a whole User-Agent given with --set is taken as written"


class _AgentLog(BaseHTTPRequestHandler):
    agents: list[str] = []

    def do_GET(self):  # noqa: N802 - the standard library's name
        self.agents.append(self.headers.get("User-Agent", ""))
        body = b"<html><body><h1>Clinic</h1><p>We offer IV ketamine infusions.</p></body></html>"
        self.send_response(404 if self.path == "/robots.txt" else 200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_website_sees_the_operators_address_in_the_crawlers_user_agent(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AgentLog)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(f"http://127.0.0.1:{server.server_port}/\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CLINICS_SAMPLE_WEB", "CLINICS_CONTACT")}
    try:
        subprocess.run([str(Path(sys.executable).parent / "clinics"), "crawl", "--profile", "sample", "--region", "92618",
                        "--db", str(tmp_path / "clinics.db"), "--spider", "seed_list", "--spider", "clinic_site",
                        "--seed-list", str(seeds), "--quiet", "--contact", CONTACT],
                       env=env, capture_output=True, text=True, timeout=120, check=False)
    finally:
        server.shutdown()
    assert _AgentLog.agents, "the crawl asked the site"
    assert all(agent.startswith("clinicbot/") and f"contact: {CONTACT}" in agent for agent in _AgentLog.agents)


def test_a_report_link_is_percent_encoded_per_rfc_6068():
    href = report_mailto("ops+reports@example.org", {"id": "c1", "name": "Zoë’s Clinic"}, "http://x/clinic/c1",
                         "language:Spanish", "Before you call", says="Language spoken: Spanish")
    assert href.startswith(f"mailto:{quote('ops+reports@example.org', safe='@')}?subject=")
    assert "Zo%C3%AB%E2%80%99s" in href and "%0D%0A" in href and " " not in href
    assert parse_qs(urlparse(href).query)["body"][0].count("\r\n") >= 6
