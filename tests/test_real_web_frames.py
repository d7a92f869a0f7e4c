"""Facts stated the way real clinic pages state them (issue "Facts as a reader finds them on the real web"): the
clinic in the third person or the passive, conditions under frames other than "we treat", content that page
builders put inside menus, payment contrasts and refusals, and amounts that look like prices but are not.
The examples are written here; each stands for a kind of page the corpus holds several of."""

from __future__ import annotations

from parsers.extract import extract_page
from parsers.merge import StoredPage, merge_pages

KETAMINE_PAGE = "Ketamine treatment\n\n"  # a clinic page that names ketamine somewhere, as every real one does


def facts(text: str, kind: str, url: str | None = None) -> dict:
    return {f.key: f.value for f in getattr(extract_page(KETAMINE_PAGE + text, url=url), kind)}


def prices(text: str, url: str | None = None) -> set[tuple]:
    return {(p.amount_usd, p.unit, p.sessions) for p in extract_page(KETAMINE_PAGE + text, url=url).prices}


def test_routes_the_clinic_gives_in_the_third_person_or_the_passive():
    assert facts("At Coastline Renewal, each infusion is given through an IV line.", "routes") == {"iv_infusion": True}
    assert facts("Treatment is an intramuscular shot given in the office.", "routes") == {"im_injection": True}
    assert facts("Most of our patients receive IM ketamine.", "routes") == {"im_injection": True}
    assert facts("Established patients may also choose IM injections for boosters.", "routes") == {"im_injection": True}


def test_routes_named_in_general_or_of_other_providers_are_not_offers():
    assert facts("Ketamine can be given IV, IM or orally.", "routes") == {}
    assert facts("Several national telehealth companies mail ketamine tablets to patients' homes.", "routes") == {}
    assert facts("Across the country, a single IV ketamine infusion commonly costs $400 to $800.", "routes") == {}
    assert facts("Our medical director spent eight years running an IV ketamine clinic before starting this "
                 "practice.", "routes") == {}


def test_what_a_clinic_says_it_is_not_is_a_route_not_offered():
    assert facts("We are a KAP practice, not an IV infusion center.", "routes") == {"iv_infusion": False}
    assert facts("We are not an infusion clinic.", "routes") == {"iv_infusion": False}
    assert facts("Ketamine here is given only by intramuscular injection: no IV lines, no lozenges.", "routes") == {
        "im_injection": True, "iv_infusion": False, "oral_sublingual": False}
    assert facts("Rather than Spravato, which we do not offer, we prescribe a compounded ketamine nasal spray.",
                 "routes") == {"intranasal_esketamine": False, "intranasal_ketamine": True}
    assert facts("Quarry Lane has stopped offering ketamine lozenges.", "routes") == {"oral_sublingual": False}


def test_a_therapist_who_gives_no_ketamine_offers_none_of_the_routes_named():
    page = ("Many clients receive IV infusions at a clinic or Spravato at their psychiatrist's office.\n"
            "I do not prescribe or administer ketamine in any form. This is not ketamine-assisted psychotherapy.")
    assert facts(page, "routes") == {"iv_infusion": False, "intranasal_esketamine": False}
    assert facts(page, "services") == {"kap": False}


def test_conditions_under_the_frames_real_pages_use():
    assert facts("Depression, anxiety and PTSD are the most common reasons people come to us.", "conditions") == {
        "depression": True, "anxiety": True, "ptsd": True}
    assert facts("Who is a candidate?\nAdults 18 and over living with\ndepression that has not improved after two "
                 "antidepressants\npost-traumatic stress disorder\n", "conditions") == {
        "treatment_resistant_depression": True, "ptsd": True}
    assert facts("Depression. Anxiety. PTSD. Chronic pain.", "conditions") == {
        "depression": True, "anxiety": True, "ptsd": True, "chronic_pain": True}
    assert facts("IV ketamine for veterans with PTSD and chronic pain.", "conditions") == {
        "ptsd": True, "chronic_pain": True}


def test_condition_text_that_is_not_a_claim():
    assert facts("Studies suggest ketamine may help eating disorders.", "conditions") == {}
    assert facts("PTSD is a condition that affects millions of Americans.", "conditions") == {}
    assert facts("If you are having thoughts of suicide, call or text 988.", "conditions") == {}
    assert facts("Our clinicians care for adults with depression, ADHD, insomnia and OCD.", "conditions") == {}
    assert facts("Transcranial magnetic stimulation is offered at our office for depression and OCD.",
                 "conditions") == {}


def test_a_no_aimed_at_a_condition_is_not_treated():
    assert facts("Ketamine is not used for bipolar disorder here.", "conditions") == {"bipolar_depression": False}
    assert facts("Researchers are studying ketamine for eating disorders and alcohol use disorder. We do not treat "
                 "either of these at our clinic.", "conditions") == {"eating_disorders": False, "alcohol_use": False}
    assert facts("Our KAP program is not designed for substance use disorders.", "conditions") == {
        "substance_use": False}


def test_accordion_buttons_and_panels_inside_menus_are_read_as_content():
    html = """<html><head><title>FAQ | Bluestem Ketamine</title></head><body>
    <nav class="main-menu"><a href="/">Home</a><a href="/faq/">FAQ</a>
      <div class="mega-panel"><button aria-expanded="false">Who do you treat with ketamine?</button>
      <div hidden>We treat adults with treatment-resistant depression and PTSD at our Omaha clinic.</div></div></nav>
    <main><h1>Questions</h1><p>Call us with anything else about ketamine.</p></main></body></html>"""
    result = extract_page(html, url="https://bluestem.example/faq/")
    assert {f.key: f.value for f in result.conditions} == {"treatment_resistant_depression": True, "ptsd": True}


def test_payment_contrasts_refusals_receipts_and_hopes():
    pay = extract_page(KETAMINE_PAGE + "Spravato is covered by most insurance plans, whereas IV ketamine is not.").payment
    assert (pay.spravato_covered, pay.iv_covered, pay.accepts_insurance) == (True, False, None)
    assert extract_page(KETAMINE_PAGE + "We do not deal with insurers at all.").payment.accepts_insurance is False
    assert extract_page(KETAMINE_PAGE + "We can give you an itemized receipt for your insurer.").payment.superbill
    hope = extract_page(KETAMINE_PAGE + "We hope to be in network with Aetna next year.").payment
    assert hope.accepts_insurance is None and hope.payers == []
    billed = extract_page(KETAMINE_PAGE + "SPRAVATO is billed to your medical insurance.").payment
    assert billed.accepts_insurance is True


def test_amounts_that_are_not_prices_of_ketamine_care():
    assert prices("A 45-minute ketamine infusion is $450.") == {(450.0, "per_session", None)}
    assert prices("Six 60-minute infusions for $2,400.") == {(2400.0, "package", 6)}
    assert prices("A $100 deposit holds your appointment; the infusion itself is $500.") == {
        (500.0, "per_session", None)}
    assert prices("96365 | IV infusion, first hour | $140") == set()
    assert prices("For comparison, IV clinics in the region often charge $3,000 for a six-infusion series.") == set()
    assert prices("Wellness drips from $149") == set()


def test_a_price_alone_on_its_line_takes_the_card_title_above_it():
    page = "Pricing\nIV Ketamine Infusion\n$450\nSix-infusion series\n$2,400\nNAD+ drip\n$300\n"
    assert prices(page) == {(450.0, "per_session", None), (2400.0, "package", 6)}


def test_an_iv_hydration_spa_is_no_ketamine_clinic():
    spa = """<html><head><title>IV Therapy | Salt & Saline</title></head><body>
    <nav><a href="/iv-therapy/">IV Therapy</a><a href="/membership/">Membership</a></nav>
    <main><h1>IV Therapy</h1><h2>Our drips</h2><ul><li>Myers' Cocktail $175</li><li>NAD+ infusion $350</li></ul>
    <p>Each IV infusion is given in our lounge by a registered nurse. Sessions are $150 each.</p></main></body></html>"""
    page = extract_page(spa, url="https://saltandsaline.example/iv-therapy/")
    assert page.routes == [] and page.prices == []
    site = merge_pages([StoredPage(url="https://saltandsaline.example/iv-therapy/", seen_at="2026-12-01",
                                   facts=page.to_json() | {"prices": [], "locations": []})])
    assert not site.offers_ketamine


def test_a_limit_on_who_is_not_a_no_to_the_care():
    assert facts("We offer IV ketamine. We do not prescribe ketamine to anyone under 18.", "routes") == {
        "iv_infusion": True}
    assert facts("We offer IV ketamine infusions; we don't, however, bill insurance for them.", "routes") == {
        "iv_infusion": True}
    assert facts("We treat depression, PTSD and anxiety with ketamine. We do not treat either of these in patients "
                 "under 18.", "conditions") == {"depression": True, "ptsd": True, "anxiety": True}
    assert facts("Our IV ketamine is not only used for depression but also for PTSD.", "conditions") == {
        "depression": True, "ptsd": True}


def test_words_that_look_like_cues_but_are_not():
    assert facts("We offer many services, including IV ketamine infusions and Spravato.", "routes") == {
        "iv_infusion": True, "intranasal_esketamine": True}
    assert facts("At low doses, IV ketamine relieves depression.", "conditions") == {}
    assert facts("After the infusion you will be sent home with a driver.", "services") == {}
    assert facts("We also offer trigger point injections into the muscle.", "routes") == {}
    assert prices("Our IV ketamine infusions are $400 per session, less than other clinics charge.") == {
        (400.0, "per_session", None)}
    assert prices("IV ketamine infusions are $450 per session at our office, Los Angeles, CA 90012.") == {
        (450.0, "per_session", None)}
