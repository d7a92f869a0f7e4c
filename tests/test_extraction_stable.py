"""A speed change changes no fact: every labelled corpus page and every sample-web page gives exactly the facts
kept in tests/data/extraction_golden.json.gz (rewritten on purpose with `python -m tests.extraction_golden
--update` only when a change is meant to change facts)."""

from __future__ import annotations

from tests.extraction_golden import current, kept


def test_every_page_gives_the_facts_it_gave():
    before, after = kept(), current()
    assert len(after) > 300, "the corpus and the sample web are all read"
    assert sorted(after) == sorted(before), "the same pages: a page added or removed needs --update"
    changed = [page for page in after if after[page] != before[page]]
    if changed:
        page = changed[0]
        keys = sorted(k for k in after[page] if after[page][k] != before[page].get(k))
        raise AssertionError(f"{len(changed)} page(s) give other facts, first {page}: {keys}: "
                             f"{[before[page].get(k) for k in keys]} -> {[after[page][k] for k in keys]}")
