"""The cheap first looks (parsers/gate.py) skip only sentences that could not state a fact: every labelled corpus
page and every sample-web page gives the same facts with the gates open."""

from __future__ import annotations

from pathlib import Path

import parsers.cues
from parsers.cues import lower_rx
from parsers.extract import extract_facts
from parsers.gate import literal_gate, required_words

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([*ROOT.glob("tests/corpus/*/*.html"), *ROOT.glob("tests/corpus/*/*.txt"),
                *ROOT.glob("sample_web/sites/**/*.html")])


def test_gate_matches_its_words_anywhere_in_lower_cased_text():
    gate = literal_gate(["pain", "patient", "psychiatr", r"\bnp\b"])
    assert all(gate.search(t) for t in ("chronic pain", "our patients", "psychiatrists", "an np"))
    assert not any(gate.search(t) for t in ("parking", "inpatient"[:2], "snpx"))


def test_one_scan_answers_every_gate_even_where_their_words_overlap():
    spray, medicine = literal_gate(["es-ketamine"]), literal_gate(["ketamine"])
    edge_only = literal_gate([r"\bcover"])
    assert spray.search("Our ES-KETAMINE program") and medicine.search("Our ES-KETAMINE program")
    assert edge_only.search("coverage varies") and not edge_only.search("recovery")
    later = literal_gate(["troche"])  # a gate made after texts were scanned still sees them
    assert later.search("Our ES-KETAMINE program, or troches") and not later.search("Our ES-KETAMINE program")


def test_gates_change_no_fact(monkeypatch):
    assert len(PAGES) > 150
    gated = {page: extract_facts(page.read_bytes(), url=f"https://clinic.example/{page.stem}/") for page in PAGES}
    monkeypatch.setattr(parsers.cues, "GATED", False)  # every cue's and vocabulary term's gate, read from its patterns
    for page in PAGES:
        assert extract_facts(page.read_bytes(), url=f"https://clinic.example/{page.stem}/") == gated[page], page.name


def test_lower_cased_cues_keep_case_sensitive_branches_case_sensitive():
    cues = lower_rx(r"\bfoo\b|\bBar\b", r"(?:(?-i:\bNP\b)|\bnurse\b)")
    assert all(cues.search(t) for t in ("FOO here", "a bar", "an NP", "Nurse"))
    assert not any(cues.search(t) for t in ("an np", "food", "snp"))


def test_required_words_are_what_every_match_holds():
    assert required_words(r"\b(?:had |have )?tried (?:an? )?clinic") == ["clinic"]
    assert required_words(r"\btrials?\b") == ["trial"]
    assert required_words(r"(?<!run )\b(?:iv|infusion) (?:clinics|centers)\b") == [" centers", " clinics"]
    assert required_words(r"\b(?:can|may) be (?:given|taken)") == [" be given", " be taken"]
    assert required_words(r"^no\b") == ["no"]
    assert required_words(r"\b[a-z]{2}\w+") is None  # classes only: nothing to gate on
