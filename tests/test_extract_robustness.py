"""The extractor survives anything the web serves: random and hostile HTML or text never raise, stay bounded
in time, and junk yields an empty result rather than a wrong one."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.document import MAX_INPUT_CHARS
from parsers.extract import extract_page

TAGS = ["div", "p", "li", "ul", "table", "tr", "td", "h2", "details", "summary", "script", "style", "nav", "footer",
        "main", "span", "a", "br", "dl", "dt", "dd"]
WORDS = ["ketamine", "IV", "infusion", "Spravato", "not", "we", "offer", "$450", "per", "insurance", "PTSD", "no",
         "series", "of", "six", "$", "<", ">", "&amp;", "?", ".", "Yes,", "cover", "-", "—", "\x00", "é", "🙂"]


@st.composite
def html_documents(draw):
    parts = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.sampled_from(["open", "close", "text", "attr", "junk"]))
        tag = draw(st.sampled_from(TAGS))
        if kind == "open":
            parts.append(f"<{tag}>")
        elif kind == "close":
            parts.append(f"</{tag}>")
        elif kind == "attr":
            parts.append(f'<{tag} class="{draw(st.sampled_from(["menu", "footer", "faq", ""]))}" hidden>')
        elif kind == "junk":
            parts.append(draw(st.text(max_size=20)))
        else:
            parts.append(" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=15))))
    return "".join(parts)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(html_documents())
def test_random_markup_never_raises(document):
    result = extract_page(document)
    for fact in result.routes + result.conditions + result.services:
        assert fact.evidence, "a fact always carries its evidence"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_binary_junk_never_raises_and_claims_nothing(blob):
    result = extract_page(blob)
    assert not [f for f in result.routes + result.conditions if f.value] or b"ketamine" in blob.lower()


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_never_raises(text):
    extract_page(text)


def test_deep_nesting_does_not_overflow():
    extract_page("<div>" * 5000 + "We offer IV ketamine infusions." + "</div>" * 5000)


def test_huge_page_is_bounded_in_time():
    sentence = "Ketamine may help many conditions, and research into depression continues without end "
    page = "<html><body><main>" + "<p>" + sentence * 40_000 + "</p>" + "<li>PTSD</li>" * 5000 + "</main></body></html>"
    assert len(page) > MAX_INPUT_CHARS
    started = time.process_time()
    extract_page(page)
    assert time.process_time() - started < 20, "extraction of an oversized page must stay bounded"


def test_page_without_facts_gives_an_empty_result():
    result = extract_page("<html><body><h1>Privacy policy</h1><p>We respect your privacy.</p></body></html>")
    assert not (result.routes or result.conditions or result.services or result.prices)
    assert all(getattr(result.payment, k) is None for k in ("accepts_insurance", "superbill", "financing"))
