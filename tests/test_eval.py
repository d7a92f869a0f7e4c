"""The extractor meets the extraction issue's bar on every tuned set of the labelled corpus (tests/corpus), set by
set, and the scorer scores honestly: no label leaks into the input, and the sealed set stays sealed."""

from __future__ import annotations

import json
from pathlib import Path

from clinics.evaluate import evaluate, format_evaluation, share
from clinics.flatten import flatten_html

CORPUS = Path(__file__).parent / "corpus"


# Sets held to the whole bar, each on its own. The sets written after real pages (R, S and their held thirds) are
# held to the figures they have reached, so no change can quietly lose ground on them; the bar for unseen
# pages is measured on the sealed set, which is never a test.
AT_THE_BAR = ("a", "b", "c")
FLOORS = {  # group -> figure -> lowest accepted value (a little under what the set reached, 2026-12-04)
    "r": {"routes_p": 0.95, "routes_r": 0.95, "conditions_p": 0.95, "conditions_r": 0.92, "payment": 0.90,
          "prices": 0.92},
    "r as text": {"routes_p": 0.95, "routes_r": 0.93, "conditions_p": 0.94, "conditions_r": 0.94, "payment": 0.90,
                  "prices": 0.86},
    "r-held": {"routes_p": 0.95, "routes_r": 0.95, "conditions_p": 0.92, "conditions_r": 0.87, "payment": 0.88,
               "prices": 0.89},
    "s": {"routes_p": 0.97, "routes_r": 0.93, "conditions_p": 0.90, "conditions_r": 0.95, "payment": 0.87,
          "prices": 0.94},
    "s-held": {"routes_p": 0.97, "routes_r": 0.94, "conditions_p": 0.88, "conditions_r": 0.88, "payment": 0.86,
               "prices": 0.90},
}


def test_every_set_at_the_bar_meets_it_on_its_own():
    evaluation = evaluate(CORPUS)
    assert evaluation.cases >= 80
    assert set(AT_THE_BAR) <= set(evaluation.groups)
    failures = [f for f in evaluation.failures() if f.split(":")[0] in AT_THE_BAR]
    assert not failures, format_evaluation(evaluation)


def test_sets_written_after_real_pages_keep_the_figures_they_have_reached():
    evaluation = evaluate(CORPUS)
    for group, floors in FLOORS.items():
        report = evaluation.groups[group]
        figures = {"routes_p": report.facts["routes"].precision, "routes_r": report.facts["routes"].recall,
                   "conditions_p": report.facts["conditions"].precision,
                   "conditions_r": report.facts["conditions"].recall,
                   "payment": report.payment_overall, "prices": report.price_recall}
        lost = {k: round(v, 3) for k, v in figures.items() if v < floors[k]}
        assert not lost, f"{group} lost ground: {lost} (floors {floors})"


def _case(root: Path, folder: str, text: str, label: dict, suffix: str = ".txt") -> None:
    (root / folder).mkdir(exist_ok=True)
    (root / folder / f"001_page{suffix}").write_text(text)
    (root / folder / "001_page.json").write_text(json.dumps(label))


def test_scorer_counts_a_wrong_fact_against_the_extractor(tmp_path):
    _case(tmp_path, "x", "We offer IV ketamine infusions for PTSD. We do not offer Spravato.",
          {"routes": {"iv_infusion": True, "im_injection": True}, "conditions": {"ptsd": True}, "payment": {},
           "prices": []})
    report = evaluate(tmp_path).groups["x"]
    assert report.facts["routes"].tp == 1 and report.facts["routes"].fn == ["001_page: im_injection (got None)"]
    assert report.negations.fp == ["001_page: intranasal_esketamine=false (label None)"]


def test_the_page_is_read_at_its_labelled_url_not_one_made_from_its_page_type(tmp_path):
    # On a blog URL a bare list under a heading is general text; with no URL the same page is a service page.
    page = "Ketamine treatments\n\nIV ketamine infusions\nSpravato\n"
    _case(tmp_path, "x", page, {"page_type": "services", "url": "https://clinic.example/blog/routes/",
                                "routes": {}, "prices": []})
    assert evaluate(tmp_path).groups["x"].facts["routes"].tp == 0


def test_sealed_set_is_reported_apart_and_its_misses_stay_hidden(tmp_path):
    label = {"routes": {"im_injection": True}, "prices": []}
    _case(tmp_path, "r", "We offer IV ketamine infusions.", label)
    _case(tmp_path, "sealed", "We offer IV ketamine infusions.", label)
    evaluation = evaluate(tmp_path)
    assert list(evaluation.groups) == ["r", "sealed"]
    assert evaluation.tuned.cases == 1  # the sealed page is not in the pooled detail
    assert any(f.startswith("r:") for f in evaluation.failures())
    assert not any(f.startswith("sealed") for f in evaluation.failures())
    printed = format_evaluation(evaluation)
    assert "im_injection" in printed and printed.count("im_injection") == 1  # r's miss only
    assert printed.count("im_injection") < format_evaluation(evaluation, unseal=True).count("im_injection")


def test_html_pages_marked_for_it_are_also_scored_as_flattened_text(tmp_path):
    html = ("<html><body><nav><a href='/'>Home</a></nav><main><h2>Our treatments</h2><ul><li>IV ketamine infusions"
            "</li><li>Spravato</li></ul><script>var x = 'IM injections';</script></main></body></html>")
    _case(tmp_path, "r", html, {"text_form": True, "routes": {"iv_infusion": True}, "prices": []}, suffix=".html")
    evaluation = evaluate(tmp_path)
    assert set(evaluation.groups) == {"r", "r as text"}
    assert flatten_html(html).splitlines() == ["Home", "Our treatments", "IV ketamine infusions", "Spravato"]


def test_figures_are_cut_not_rounded_so_a_miss_never_prints_as_the_bar():
    assert share(0.947) == "0.94" and share(0.95) == "0.95" and share(1.0) == "1.00"


def test_any_set_named_sealed_keeps_its_misses_out_of_the_pooled_detail(tmp_path):
    label = {"routes": {"im_injection": True}, "prices": []}
    _case(tmp_path, "sealed-2", "We offer IV ketamine infusions.", label)
    evaluation = evaluate(tmp_path)
    assert evaluation.tuned.cases == 0 and "im_injection" not in format_evaluation(evaluation)
