"""The second round of real-web extraction (corpus S): comparison tables and route tours, refusals in the shapes
clinics write them, payment said per route or by a label line, and amounts that are a package worked out, a
compare-at figure or another service. Each example stands for a kind of page corpus S holds."""

from __future__ import annotations

from parsers.extract import extract_page

KETAMINE_PAGE = "Ketamine treatment\n\n"


def facts(text: str, kind: str, url: str | None = None) -> dict:
    return {f.key: f.value for f in getattr(extract_page(KETAMINE_PAGE + text, url=url), kind)}


def payment(text: str) -> dict:
    found = extract_page(KETAMINE_PAGE + text).payment
    return {key: getattr(found, key) for key in ("accepts_insurance", "spravato_covered", "iv_covered", "financing")
            if getattr(found, key) is not None}


def prices(text: str) -> set[tuple]:
    return {(p.amount_usd, p.unit, p.sessions) for p in extract_page(KETAMINE_PAGE + text).prices}


COMPARISON_TABLE = """<html><body><main><h1>SPRAVATO at Marsh Hawk</h1>
<p>We provide SPRAVATO for adults with treatment-resistant depression.</p>
<h2>How it works</h2><table>
<tr><td></td><td>SPRAVATO</td><td>IV ketamine</td><td>IM ketamine</td><td>Oral / lozenge</td></tr>
<tr><td>Typical cost</td><td>Copay</td><td>$400-$800 per infusion</td><td>$250-$500 per shot</td><td>$100 a month</td></tr>
</table></main></body></html>"""


def test_a_table_comparing_routes_offers_none_of_them_and_prices_none():
    page = extract_page(COMPARISON_TABLE)
    assert {f.key: f.value for f in page.routes} == {"intranasal_esketamine": True}
    assert page.prices == []


def test_a_tour_of_the_ways_ketamine_is_given_offers_only_what_the_clinic_says_it_gives():
    tour = ("<html><body><main><h1>How ketamine can be given</h1><h2>Intramuscular injection</h2>"
            "<p>A shot into the shoulder, widely used in emergency medicine.</p><h2>Lozenges</h2>"
            "<p>Many telehealth companies mail them for use at home.</p>"
            "<p>At Sunbelt, every treatment is given by IV infusion.</p></main></body></html>")
    assert facts(tour, "routes") == {"iv_infusion": True}


def test_refusals_in_the_shapes_clinics_write_them():
    assert facts("SPRAVATO is the only form of ketamine we provide. Infusion clinics give it through an IV.",
                 "routes") == {"intranasal_esketamine": True, "iv_infusion": False}
    assert facts("Ketamine is never given by IV at Solstice; we prescribe a lozenge taken in the office.",
                 "routes") == {"iv_infusion": False, "oral_sublingual": True}
    assert facts("We are no longer providing ketamine infusions, and our Spravato program has ended.",
                 "routes") == {"iv_infusion": False, "intranasal_esketamine": False}
    assert facts("Ketamine is given by IV in infusion clinics, and Spravato is given in psychiatry offices. Neither "
                 "of those is what we do: we offer lozenges in our office.", "routes") == {
        "iv_infusion": False, "intranasal_esketamine": False, "oral_sublingual": True}
    assert facts("We don't run infusion centers; every session is a lozenge taken with your guide.", "routes")[
        "iv_infusion"] is False


def test_what_is_not_a_refusal_of_a_route():
    assert facts("We offer IV ketamine infusions. No IV needed for our IM option.", "routes")["iv_infusion"] is True
    assert facts("We offer IV ketamine. We can't provide superbills for infusions.", "routes") == {"iv_infusion": True}
    assert "iv_infusion" not in facts("We coordinate care with our partner, Lakeside Infusion Center.", "routes")


def test_payment_per_route_and_by_label_line():
    assert payment("SPRAVATO is billed to your medical insurance.") == {"accepts_insurance": True,
                                                                        "spravato_covered": True}
    assert payment("Spravato (esketamine)\nCovered by most commercial plans and Medicare.\nIV ketamine infusions\n"
                   "Not covered by any plan we work with.")["iv_covered"] is False
    assert payment("We are an approved VA Community Care provider for IV ketamine.").get("iv_covered") is None
    assert payment("Insurers often cover SPRAVATO; it is often covered by insurance.").get("accepts_insurance") is None
    assert payment("A note on financing: we no longer offer CareCredit or any other third-party financing.") == {
        "financing": False}


def test_amounts_that_are_not_another_price():
    assert prices("The six-infusion series is $2,400 if paid at the start ($400 per infusion).") == {
        (2400.0, "package", 6)}
    assert prices("Six-infusion series: $2,550 when paid at the first visit.") == {(2550.0, "package", 6)}
    assert prices("Ketamine infusion $450. Add a hydration drip to any ketamine session for $65.") == {
        (450.0, "per_session", None)}
    assert prices("Ketamine infusion $450. Returned checks are charged a $35 fee.") == {(450.0, "per_session", None)}
