"""A clinic's own words that it has closed for good: "We have permanently closed", "X Ketamine closed its
doors on June 1", "has ceased operations".

A closed clinic's site often stays up with its old service pages, so the routes it once offered are still
read; the closing notice is what says it is gone. Hours and holidays ("closed on Sundays", "closed for
Thanksgiving"), a pause ("temporarily closed") and one location of several ("our Irvine office has closed")
are not a closure.
"""

from __future__ import annotations

import re

from parsers.cues import rx

CLOSED = rx(
    r"\bpermanently closed\b|\bclosed (?:permanently|for good)\b|\bclosed (?:our|its|their) doors\b"
    r"|\bceased (?:operations|operating|practice|practicing|seeing patients)\b"
    r"|\b(?:has|have) (?:now |officially |sadly )?closed\b(?! (?:on|for|early|at|during|until|from|between)\b)"
    r"|\b(?:is|are) (?:now )?closed (?:permanently|for good)\b|\bno longer (?:in business|operating|open)\b")
NOT_A_CLOSURE = re.compile(r"\btemporar|\bholiday|\b(?:location|office|branch)\b|\bif we\b|\bwhen we\b", re.I)
MAX_NOTICE_CHARS = 300  # a notice is a sentence or two, not a paragraph that mentions closing in passing


def closure_notice(texts) -> str | None:
    """The first sentence that says the clinic has closed for good, or None."""
    for text in texts:
        if len(text) <= MAX_NOTICE_CHARS and CLOSED.search(text) and not NOT_A_CLOSURE.search(text):
            return text
    return None
