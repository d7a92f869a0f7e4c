"""What a patient checks before calling, read from written sentences: each yes, no or unknown, with its evidence."""

from __future__ import annotations

import pytest

from parsers.extract import extract_page
from parsers.hours import normalise_hours, same_hours
from parsers.pagedate import iso_date


def care_of(html_body: str, head: str = ""):
    page = f"<html><head><title>Test Clinic</title>{head}</head><body><main>{html_body}</main></body></html>"
    return extract_page(page, url="https://clinic.example/about/").care


@pytest.mark.parametrize("sentence, expected", [
    ("<p>We are currently accepting new patients.</p>", True),
    ("<p>We are not accepting new patients at this time.</p>", False),
    ("<p>Our practice is full and closed to new patients until spring.</p>", False),
    ("<p>New patients are always welcome at our Irvine clinic.</p>", True),
])
def test_accepting_new_patients_is_tri_state(sentence, expected):
    care = care_of(sentence)
    assert care.accepting_new_patients is expected
    assert care.evidence["accepting_new_patients"]


def test_nothing_said_is_unknown_not_no():
    care = care_of("<p>We offer IV ketamine infusions for depression in Irvine.</p>")
    assert (care.accepting_new_patients, care.referral_required, care.spravato_rems, care.physician_led) == \
        (None, None, None, None)


def test_referral_stated_needed_or_not():
    assert care_of("<p>No referral is needed: you can book directly.</p>").referral_required is False
    assert care_of("<p>A referral from your psychiatrist is required before we can see you.</p>").referral_required \
        is True
    faq = "<h2>FAQ</h2><h3>Do I need a referral?</h3><p>No. You can call us directly to book.</p>"
    assert care_of(faq).referral_required is False


def test_crna_under_an_anesthesiologists_supervision():
    care = care_of("<p>Our infusions are given by a CRNA under the supervision of Dr. Maria Lopez, "
                   "a board-certified anesthesiologist.</p>")
    assert set(care.disciplines) == {"crna", "anesthesiology"}
    assert care.board_certified == ["anesthesiology"], "board certification belongs to the anesthesiologist"
    assert care.physician_led is True


def test_someone_elses_psychiatrist_is_not_the_clinics():
    care = care_of("<p>We welcome referrals from psychiatrists and therapists.</p>"
                   "<p>We ask that you have a psychiatrist or therapist involved in your care.</p>"
                   "<p>Ketamine has been used by anesthesiologists for over 50 years.</p>")
    assert care.disciplines == []


def test_certified_spravato_center_versus_education_and_refusal():
    assert care_of("<h2>Certified SPRAVATO® Treatment Center</h2><p>We offer Spravato.</p>").spravato_rems is True
    education = care_of("<p>Spravato is only available through a restricted program called the SPRAVATO REMS, "
                        "at certified treatment centers.</p>")
    assert education.spravato_rems is None
    refer = care_of("<p>If Spravato suits you better, we are happy to refer you to a REMS-certified practice.</p>")
    assert refer.spravato_rems is None
    refused = care_of("<p>We offer IV ketamine infusions. We do not offer Spravato.</p>")
    assert refused.spravato_rems is False
    assert "do not offer Spravato" in refused.evidence["spravato_rems"]


def test_telehealth_states_and_an_unknown_abbreviation_kept_unmapped():
    care = care_of("<p>Our at-home ketamine program is offered by telehealth; we are licensed in CA, NV and XZ.</p>")
    assert care.telehealth is True
    assert care.states_served == ["CA", "NV"]
    assert "state:XZ" in care.unmapped, "an abbreviation that is no state is kept as text, not dropped or guessed"


def test_languages_need_a_speaking_context():
    assert care_of("<p>Se habla español. Our staff also speaks Vietnamese.</p>").languages == ["Spanish", "Vietnamese"]
    assert care_of("<p>We have playlists in Spanish and Vietnamese.</p>").languages == []


def test_hours_from_text_and_from_json_ld():
    footer_page = ("<html><body><main><p>IV ketamine infusions.</p></main><footer><h4>Office hours</h4>"
                   "<p>Monday – Friday: 9:00 AM – 5:00 PM</p><p>Saturday: 10 AM – 2 PM</p><p>Sunday: Closed</p>"
                   "</footer></body></html>")
    assert extract_page(footer_page).care.opening_hours == "Mo-Fr 09:00-17:00; Sa 10:00-14:00"
    jsonld = ('<script type="application/ld+json">{"@type": "MedicalClinic", "name": "X", "openingHoursSpecification": '
              '[{"dayOfWeek": ["Monday", "Tuesday", "Wednesday"], "opens": "08:00", "closes": "18:00"}]}</script>')
    assert care_of("<p>IV ketamine.</p>", head=jsonld).opening_hours == "Mo-We 08:00-18:00"


def test_hours_that_do_not_parse_are_unmapped_not_guessed():
    care = care_of("<h2>Hours</h2><p>Hours vary, please call us.</p>")
    assert care.opening_hours is None
    assert any(key.startswith("hours:") for key in care.unmapped)
    assert "notice" not in " ".join(care_of("<p>Give us 24 hours' notice to cancel.</p>").unmapped)


@pytest.mark.parametrize("text, normal", [
    ("Mon-Fri 8am-5pm", "Mo-Fr 08:00-17:00"),
    ("Open 7 days a week, 8am to 8pm", "Mo-Su 08:00-20:00"),
    ("Mon–Thu 9–6, Fri 9–noon", "Mo-Th 09:00-18:00; Fr 09:00-12:00"),
    ("Tues-Sat 10:00-18:00", "Tu-Sa 10:00-18:00"),
])
def test_hours_normal_form(text, normal):
    assert same_hours(normalise_hours(text), normal)


def test_page_date_effective_beats_metadata():
    page = ('<html><head><meta property="article:modified_time" content="2025-05-01T10:00:00+00:00"></head><body>'
            "<main><h1>Pricing</h1><p>Prices effective January 1, 2026.</p><p>IV infusion: $450</p></main></body></html>")
    result = extract_page(page, url="https://clinic.example/pricing/")
    assert (result.page_date.date, result.page_date.kind) == ("2026-01-01", "effective")
    assert iso_date("03/03/2026") == "2026-03-03" and iso_date("13/45/2026") is None


def test_an_unknown_care_key_is_an_error_not_a_value_dropped():
    from parsers.facts import Care

    care = Care()
    care.set("telehealth", True, "Visits by video.")
    assert care.to_json()["telehealth"] is True
    with pytest.raises(KeyError, match="unknown fact kind 'accepting_new_patient'.*parsers/kinds.py"):
        care.set("accepting_new_patient", True, "Now welcoming new patients.")  # a misspelt key
    with pytest.raises(KeyError, match="a payment kind, not a care one"):
        care.set("hsa_fsa", True, "We take HSA cards.")  # a payment kind set on the care part
