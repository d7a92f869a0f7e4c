"""Parsers on written examples: the facts a user relies on, with their evidence."""

from __future__ import annotations

from parsers.extract import extract_page


def facts(result, kind):
    return {f.key: f.value for f in getattr(result, kind)}


def test_pricing_page_reads_routes_payment_and_prices(page):
    result = extract_page(page("iv_clinic_pricing.html"), url="http://127.0.0.2/pricing/")
    assert facts(result, "routes") == {"iv_infusion": True, "intranasal_esketamine": False}
    pay = result.payment
    assert (pay.iv_covered, pay.superbill, pay.hsa_fsa, pay.financing) == (False, True, True, True)
    assert pay.spravato_covered is None, "nothing on the page settles Spravato coverage"
    assert pay.financing_providers == ["CareCredit"]
    prices = {(p.amount_usd, p.unit, p.sessions, p.per_session_usd, p.route) for p in result.prices}
    assert prices == {
        (450.0, "per_session", None, 450.0, "iv_infusion"),
        (2400.0, "package", 6, 400.0, "iv_infusion"),
        (150.0, "consultation", None, None, None),
    }


def test_instalments_and_deposits_are_not_prices(page):
    result = extract_page(page("iv_clinic_pricing.html"))
    amounts = {p.amount_usd for p in result.prices}
    assert 95.0 not in amounts and 100.0 not in amounts


def test_negated_route_is_false_not_missing(page):
    result = extract_page(page("iv_clinic_pricing.html"))
    spravato = [f for f in result.routes if f.key == "intranasal_esketamine"]
    assert spravato and spravato[0].value is False
    assert spravato[0].evidence == "We do not offer Spravato at this time."


def test_jsonld_graph_with_trailing_comma_gives_clinic_location(page):
    clinic = extract_page(page("iv_clinic_pricing.html")).clinic
    assert (clinic.name, clinic.street, clinic.suite, clinic.city, clinic.zip) == (
        "Harbor Ketamine Center", "2100 Harbor Blvd", "210", "Costa Mesa", "92627")
    assert clinic.phone == "+19495550142" and clinic.latitude == 33.6512


def test_every_fact_keeps_its_evidence_snippet(page):
    result = extract_page(page("iv_clinic_pricing.html"))
    for fact in result.routes + result.conditions:
        assert fact.evidence
    for key in ("iv_covered", "superbill", "hsa_fsa", "financing"):
        assert result.payment.evidence[key]
    assert all(p.evidence for p in result.prices)


def test_footer_blog_link_is_not_a_condition_claim(page):
    result = extract_page(page("iv_clinic_pricing.html"))
    assert "ocd" not in facts(result, "conditions")


def test_plain_insurance_negation():
    result = extract_page("We do not accept insurance. Payment is due at the time of service.")
    assert result.payment.accepts_insurance is False
    assert result.payment.evidence["accepts_insurance"] == "We do not accept insurance."


def test_route_specific_coverage():
    text = ("Insurance does not cover IV ketamine, but Spravato is covered by most plans; "
            "we provide superbills and accept HSA/FSA cards.")
    pay = extract_page(text).payment
    assert (pay.iv_covered, pay.spravato_covered, pay.superbill, pay.hsa_fsa) == (False, True, True, True)
    assert pay.accepts_insurance is None


def test_seed_002_names_subcutaneous_and_iv_as_mentions(seed):
    result = extract_page(seed("002_bdecd049e4700643.txt"))
    named = {m.key for m in result.mentions} | {f.key for f in result.routes}
    assert {"subcutaneous", "iv_infusion"} <= named


def test_seed_003_names_iv_esketamine_and_oral(seed):
    result = extract_page(seed("003_040380d6f776cf3b.txt"))
    named = {m.key for m in result.mentions} | {f.key for f in result.routes}
    assert {"iv_infusion", "intranasal_esketamine", "oral_sublingual"} <= named


def test_research_framing_is_a_mention_not_a_treated_condition(seed):
    result = extract_page(seed("000_a2dabe4c87fefb68.txt"))
    assert not [f for f in result.conditions if f.value], "an education article treats no one"
    assert {"ptsd", "ocd", "crps"} <= {m.key for m in result.mentions}


def test_conditions_we_treat_list_counts_and_contraindication_does_not():
    html = """<html><body><main><h2>Conditions We Treat</h2><ul><li>Treatment-resistant depression (TRD)</li>
    <li>PTSD</li><li>Generalized anxiety disorder</li></ul>
    <p>Studies suggest ketamine may help eating disorders.</p>
    <p>You are not a candidate if you have uncontrolled hypertension, active psychosis or mania.</p>
    <p>We also help patients with chronic pain such as CRPS.</p></main></body></html>"""
    conditions = facts(extract_page(html), "conditions")
    assert conditions == {"treatment_resistant_depression": True, "ptsd": True, "gad": True,
                          "chronic_pain": True, "crps": True}


def test_phones_are_normalised_to_e164_and_suites_kept_apart():
    from parsers.address import normalise_phone, split_suite

    assert {normalise_phone(p) for p in ("(949) 555-0142", "949.555.0142", "+1 949 555 0142", "949-555-0142")} == {
        "+19495550142"}
    assert normalise_phone("call us today") is None
    assert split_suite("100 Example Pkwy, Suite 200") == ("100 Example Pkwy", "200")
    assert split_suite("2870 Harbor Gate Blvd Unit B") == ("2870 Harbor Gate Blvd", "B")
