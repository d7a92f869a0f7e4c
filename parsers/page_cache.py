"""Answers kept for the page being read, and forgotten before the next one.

A page asks the same pure question many times (the same class string on hundreds of elements, the same sentence
asked by several rules); keeping the answer for the page saves that work, and forgetting it before the next page
(``forget_page``, called by parsers/extract.py) means no page is read faster for the page before it, so the
benchmark's per-page figures are what one page costs.
"""

from __future__ import annotations

from functools import lru_cache

_CACHES: list = []
_DICTS: list[dict] = []


def per_page(function):
    cached = lru_cache(maxsize=None)(function)
    _CACHES.append(cached)
    return cached


def page_dict() -> dict:
    """A dict emptied before each page, for answers keyed by what a plain cache would hash slowly (a vocabulary is
    a tuple of dataclasses: its id is the key)."""
    answers: dict = {}
    _DICTS.append(answers)
    return answers


def forget_page_answers() -> None:
    for cache in _CACHES:
        cache.cache_clear()
    for answers in _DICTS:
        answers.clear()
