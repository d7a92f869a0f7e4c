"""The extractor meets the extraction issue's bar on the labelled corpus (tests/corpus), and the scorer scores."""

from __future__ import annotations

import json
from pathlib import Path

from clinics.evaluate import evaluate, format_report

CORPUS = Path(__file__).parent / "corpus"


def test_labelled_corpus_meets_the_bar():
    report = evaluate(CORPUS)
    assert report.cases >= 80
    assert not report.failures(), format_report(report)


def test_scorer_counts_a_wrong_fact_against_the_extractor(tmp_path):
    case = tmp_path / "x"
    case.mkdir()
    (case / "001_page.txt").write_text("We offer IV ketamine infusions for PTSD. We do not offer Spravato.")
    (case / "001_page.json").write_text(json.dumps({"routes": {"iv_infusion": True, "im_injection": True},
                                                    "conditions": {"ptsd": True}, "payment": {}, "prices": []}))
    report = evaluate(tmp_path)
    assert report.facts["routes"].tp == 1 and report.facts["routes"].fn == ["001_page: im_injection (got None)"]
    assert report.negations.fp == ["001_page: intranasal_esketamine=false (label None)"]
