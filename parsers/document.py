"""A page as the extractors read it: main-content blocks with their headings, menus kept apart.

HTML is parsed once here, by lxml, and turned into plain blocks, so every extractor works on the same text
and none of them re-parses the page. The page is walked on lxml's own tree: building a BeautifulSoup tree of
a page-builder page (a thousand wrapper tags) cost 30 times the parse itself (see ``make bench``).
Menus, headers and footers repeat on every page of a site; they are kept as a separate, weaker list
(``menu``) instead of counting as the page's claims.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field

import lxml.etree

from parsers.page_cache import forget_page_answers, per_page
from parsers.structured import clinics_from_microdata

MAX_INPUT_CHARS = 1_500_000  # HTML read after scripts and styles are cut out; bounds the work on a pathological page
MAX_TEXT_CHARS = 200_000  # visible text kept; real clinic pages carry far less
# A start tag longer than this loses its attributes: libxml2's parser is quadratic in a tag's attribute count
# (100,000 attributes on one tag took 23 s), and no real tag comes near it.
HUGE_ATTRIBUTES = 50_000
HUGE_TAG = re.compile(rf"<([a-zA-Z][\w:-]{{0,30}})\s[^<>]{{{HUGE_ATTRIBUTES},}}>")
SCRIPT_OR_STYLE_OPEN = re.compile(r"<(script|style)\b([^>]*)>", re.I)
DROP_TAGS = ("script", "style", "noscript", "svg", "template", "iframe", "canvas", "form", "select")
CHROME_TAGS = ("nav", "header", "footer", "aside")
CHROME_ROLES = ("navigation", "contentinfo", "banner")
LINK_HINTS = {"nav", "navbar", "menu"}  # names that also mean a menu of services: such a block must be links
CHROME_HINT = re.compile(r"(?:^|[\s_-])(nav|navbar|menu|footer|site-header|header-bar|top-?bar|announcement-bar|"
                         r"breadcrumbs?|sidebar|cookie)(?:$|[\s_-])")  # searched in lower-cased class and id
NOTICE_HINT = re.compile(r"(?:^|\s)(?:alert|notice|site-notice)(?:$|\s)", re.I)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BLOCK_TAGS = set(HEADINGS) | {
    "p", "li", "tr", "dt", "dd", "summary", "blockquote", "div", "section", "article", "main", "ul", "ol",
    "table", "tbody", "thead", "details", "dl", "figure", "figcaption", "address", "br", "td", "th", "caption",
}
ITEM_TAGS = ("li", "dd", "dt")
ITEM_INSIDE = ("p", "div", "span")  # <li><p>PTSD</p></li>: still the item
READ_WHOLE = {*HEADINGS, "tr", "dl", "div", "summary"}  # block tags _Walker._read_whole may read in one piece
LAYOUT_INSIDE_ROW = ["table", "p", "h1", "h2", "h3", "h4", "ul", "ol", "div"]
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”')\]]?\s+(?=[\"“(\[]?[A-Z0-9$])")
BULLET = re.compile(r"^\s*(?:[•●▪◦‣∙·*–-]|\d{1,2}[.)])\s+")
# Characters lxml cannot hold in a text node (control characters, lone surrogates, U+FFFE/FFFF); a browser
# shows nothing for them either.
NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(slots=True)
class Block:
    """One unit of visible text: a heading, paragraph, list item, table row, FAQ question or answer."""

    text: str
    kind: str  # heading, paragraph, item, row, question
    heading: str = ""  # the nearest heading above it ("" at the top)
    level: int = 0  # heading level for headings
    section: str = ""  # every heading above it, outermost first ("Conditions we treat > Mood")
    lead_in: str = ""  # for a line of a list in plain text, the line that introduced it ("Adults living with")

    @property
    def sentences(self) -> list[str]:
        return split_sentences(self.text)




@dataclass
class Document:
    url: str | None
    title: str
    blocks: list[Block]
    menu: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    jsonld: list[str] = field(default_factory=list)  # raw ld+json script bodies
    microdata: list = field(default_factory=list)  # ClinicInfo of each schema.org clinic itemscope (itemprop)
    meta: dict[str, str] = field(default_factory=dict)
    post: bool = False  # a dated post (WordPress single post, og:type article, BlogPosting), wherever its URL is
    limits: list[str] = field(default_factory=list)  # the caps the page reached: input_chars, text_chars

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


def clean(text: str) -> str:
    """Runs of whitespace (non-breaking spaces too) as one space, none at the ends: what \\s+ and strip() do."""
    return " ".join(text.split())


ABBREVIATION = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|St|Ste|No|vs|approx|Inc|Jr|Sr|Prof|Mt|Ave|Blvd|Rd|e\.g|i\.e)|\b[A-Z])\.$")


MAX_SENTENCE_CHARS = 1_000  # a longer run without a full stop is read in pieces (bounds the per-sentence work)


def _pieces(text: str) -> list[str]:
    if len(text) <= MAX_SENTENCE_CHARS:
        return [text]
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + MAX_SENTENCE_CHARS)
        if end < len(text):
            cut = text.rfind(" ", start, end)
            end = cut if cut > start else end
        pieces.append(text[start:end])
        start = end
    return pieces


def split_sentences(text: str) -> list[str]:
    """Sentences of a block; "Dr. Okafor" and "e.g. troches" do not end one."""
    if len(text) <= MAX_SENTENCE_CHARS and "." not in text and "!" not in text and "?" not in text:
        one = clean(text)  # no sentence ends inside: most of a page builder's blocks are a word or two
        return [one] if one else []
    sentences: list[str] = []
    for part in (clean(p) for chunk in SENTENCE_END.split(text) for p in _pieces(chunk)):
        if not part:
            continue
        if sentences and ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {part}"
        else:
            sentences.append(part)
    return sentences


def parse_html(html: str | bytes, url: str | None = None) -> Document:
    """Parse a page once into blocks; scripts and styles go, JSON-LD is kept raw for structured.py."""
    forget_page_answers()
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    readable = _without_scripts(html)
    limits = ["input_chars"] if len(readable) > MAX_INPUT_CHARS else []
    readable, long_tags = _without_huge_tags(readable[:MAX_INPUT_CHARS])
    if long_tags:
        limits.append("tag_attributes")
    root = _parse(_xml_text(readable))
    if root is None:
        return Document(url=url, title="", blocks=[], limits=limits)
    # a substring test of the lower-cased page: re.I with \b took 1.5 ms over 100 KB, this 0.06 ms
    microdata = [info for _, info in clinics_from_microdata(root)] if "itemscope" in readable.lower() else []
    scripts = list(root.iter("script"))
    jsonld = [s.text or "" for s in scripts if "ld+json" in (s.get("type") or "").lower()]
    blobs = [s.text or "" for s in scripts if _is_data_blob(s)]
    meta = {}
    for m in root.iter("meta"):
        key = m.get("property") or m.get("name")
        if key and m.get("content"):
            meta[key.lower()] = m.get("content")
    title_tag = next(root.iter("title"), None)
    title = clean(_text_of(title_tag)) if title_tag is not None else ""
    for tag in [t for t in root.iter(*DROP_TAGS, lxml.etree.Comment, lxml.etree.ProcessingInstruction)]:
        _remove(tag)
    _read_buttons(root)
    body = next(root.iter("body"), root)
    post = _is_post(body, meta, jsonld)
    menu, footer, panels = _pull_chrome(body)
    main = _main_content(body)
    blocks = [block for notice in _notices_outside(body, main) for block in _Walker().walk(notice)]
    blocks += panels
    walker = _Walker()
    blocks += walker.walk(main)
    if walker.chars >= MAX_TEXT_CHARS:
        limits.append("text_chars")
    blocks += _blob_blocks(blobs, "\n".join(b.text for b in blocks))
    _mark_lead_ins(blocks)
    return Document(url=url, title=title, blocks=blocks, menu=menu, footer=footer, jsonld=jsonld, meta=meta, post=post,
                    limits=limits, microdata=microdata)


def _without_huge_tags(html: str) -> tuple[str, int]:
    """Tags whose attributes run past HUGE_TAG's limit, cut to their name, and how many. A huge tag's attributes hold
    no "<", so a page whose every stretch between two "<" is shorter has none, and the pattern is not run."""
    if len(html) < HUGE_ATTRIBUTES or max(map(len, html.split("<"))) < HUGE_ATTRIBUTES:
        return html, 0
    return HUGE_TAG.subn(r"<\1>", html)


_CONTROL_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13))


def _xml_text(html: str) -> str:
    """The page without the characters lxml cannot hold (NOT_XML_TEXT). Most pages are ASCII and have none: their
    bytes say so five times faster than the pattern."""
    if html.isascii():
        raw = html.encode("ascii")
        if len(raw.translate(None, _CONTROL_BYTES)) == len(raw):
            return html
    return NOT_XML_TEXT.sub(" ", html)


POST_CLASS = re.compile(r"(?:^|\s)(?:single-post|type-post|post-template-default|blog-post|article-template)(?:\s|$)")
POST_JSONLD = re.compile(r'"@type"\s*:\s*"(?:BlogPosting|NewsArticle|Article)"')


def _is_post(body, meta: dict[str, str], jsonld: list[str]) -> bool:
    """Blog posts often sit at the site's root ("/what-happens-at-your-first-infusion/"); their markup says so.
    WordPress marks its pages "page page-id-N" in the body class, and Yoast gives pages og:type article too."""
    body_class = body.get("class") or ""
    if WORDPRESS_PAGE.search(body_class):
        return False
    return meta.get("og:type", "").lower() == "article" or bool(POST_CLASS.search(body_class)) \
        or any(POST_JSONLD.search(raw) for raw in jsonld)


WORDPRESS_PAGE = re.compile(r"(?:^|\s)page-id-\d+(?:\s|$)")


def _main_content(body):
    """The page's <main>, else its role="main" unless that holds little of the page's text: page builders mark odd
    parts main (GoDaddy's header widget carries role="main"), and then the whole body is read."""
    main = next(body.iter("main"), None)
    if main is not None:
        return main
    main = next((t for t in body.iter() if t.get("role") == "main"), None)
    if main is None:
        return body
    inside = sum(len(t) for t in main.itertext())
    return main if inside >= 0.3 * sum(len(t) for t in body.itertext()) else body


def _mark_lead_ins(blocks: list[Block]) -> None:
    """Each list item keeps the paragraph right above its list: "Who is a candidate? People living with" + items."""
    lead = ""
    for i, block in enumerate(blocks):
        if block.kind == "item":
            if i and blocks[i - 1].kind in ("paragraph", "question", "answer") and len(blocks[i - 1].text.split()) <= 40:
                lead = blocks[i - 1].text
            block.lead_in = block.lead_in or lead
        else:
            lead = ""


def _notices_outside(body, main) -> list:
    """Site-wide notices above or beside <main> ("Please note: we are not accepting new patients"): an alert
    box is the clinic speaking to every visitor, so it is read with the content. The outermost only, and nothing
    inside <main> is looked at."""
    if main is body:
        return []
    notices = []
    walk = lxml.etree.iterwalk(body, events=("start",))
    next(walk)  # body
    for _, tag in walk:
        if tag is main:
            walk.skip_subtree()
        elif tag.get("role") in ("alert", "status") or _notice_class(tag.get("class") or ""):
            notices.append(tag)
            walk.skip_subtree()
    return notices


def _notice_class(classes: str) -> bool:
    lowered = classes.lower()
    return ("alert" in lowered or "notice" in lowered) and bool(NOTICE_HINT.search(classes))


def _parse(html: str):
    """lxml's HTML tree of a page, or None for a page with nothing in it."""
    try:
        # lxml.etree's tree, not lxml.html's: lxml.html looks up a Python class for every element it hands out
        # (a fifth of the walk's time on a page-builder page), and nothing here needs HtmlElement's methods
        return lxml.etree.fromstring(html.encode("utf-8", errors="replace"), lxml.etree.HTMLParser(encoding="utf-8"))
    except (lxml.etree.LxmlError, ValueError):
        return None


def _read_buttons(root) -> None:
    """An accordion's question is often a <button> ("Do you take insurance?"): it is read as a question, like a
    <summary>. Other buttons ("Book now", "Menu") are controls, not content, and go."""
    for button in list(root.iter("button")):
        text = clean(_text_of(button))
        toggles = button.get("aria-expanded") is not None or button.get("aria-controls") is not None \
            or "accordion" in (button.get("class") or "").lower()
        if (toggles or text.endswith("?")) and len(text.split()) >= 2:
            button.tag = "summary"
        else:
            _remove(button)


def _remove(tag) -> None:
    """Take a tag out of the tree, keeping the text that follows it (its tail)."""
    parent = tag.getparent()
    if parent is None:
        return
    if tag.tail:
        previous = tag.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tag.tail
        else:
            parent.text = (parent.text or "") + tag.tail
    parent.remove(tag)


def _text_of(tag) -> str:
    """A tag's text, its pieces joined by spaces (as a browser shows "<b>IV</b><br>ketamine")."""
    return " ".join(tag.itertext())


def fragment_text(markup: str) -> str:
    """The text of an HTML fragment kept inside JSON (an FAQ answer, a page-data string)."""
    from bs4 import BeautifulSoup  # tolerant of any fragment; only fragments, so its cost does not matter

    return BeautifulSoup(markup, "lxml").get_text(" ")


def _is_data_blob(script) -> bool:
    kind = (script.get("type") or "").lower()
    return "ld+json" not in kind and ("json" in kind or script.get("id") == "__NEXT_DATA__")


def _blob_blocks(blobs: list[str], page_text: str) -> list[Block]:
    """Text that sites built with Next.js, Squarespace or Webflow keep in JSON blobs, as paragraphs and items."""
    import json

    blocks: list[Block] = []
    for raw in blobs:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # nested deeper than Python's stack: not page text
            continue
        for text in _strings(data):
            if "<" in text and ">" in text:
                text = fragment_text(text)
            text = clean(text)
            words = len(text.split())
            if words >= 2 and text not in page_text and not text.startswith(("http", "/")):
                blocks.append(Block(text, "paragraph" if words > 8 or text.endswith(".") else "item", "",
                                    section="page data"))
    return blocks[:2000]


def _strings(data):
    """Every string value of a JSON document (iteratively deep enough for page data)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _without_scripts(html: str) -> str:
    """Cut scripts and styles (not JSON-LD) before parsing, as a browser reads them: a script's content ends
    only at its own closing tag, whatever "<script>" text it holds."""
    out, position, lowered = [], 0, html.lower()
    while (match := SCRIPT_OR_STYLE_OPEN.search(html, position)) is not None:
        close = lowered.find(f"</{match.group(1).lower()}", match.end())
        end = len(html) if close < 0 else html.find(">", close) + 1 or len(html)
        attributes = match.group(2).lower()
        keep = "ld+json" in attributes or "application/json" in attributes or "__next_data__" in attributes
        out.append(html[position:end] if keep else html[position:match.start()] + " ")
        position = end
    out.append(html[position:])
    return "".join(out)


def parse_text(text: str, url: str | None = None) -> Document:
    """Plain text (a .txt page, stdin): lines are blocks; short lines without a full stop are headings."""
    blocks: list[Block] = []
    heading = ""
    after_blank = True
    for raw in text[:MAX_TEXT_CHARS].splitlines():
        line = clean(raw)
        if not line:
            after_blank = True
            continue
        is_item = bool(BULLET.match(line))
        line = BULLET.sub("", line) if is_item else line
        # A short line after a blank line opens a section; short lines right under it are a list without
        # bullets ("CONDITIONS" then "DEPRESSION", "ANXIETY", ...).
        in_list = not after_blank and blocks and blocks[-1].kind in ("heading", "item") \
            and len(line.split()) <= 6 and not line.endswith(":")
        # Lines under a lead-in that stops mid-phrase ("Adults 18 and over living with", "We treat:") are its
        # list, however long each line is, until a line reads as a sentence of its own.
        after_lead_in = not after_blank and blocks and (LEAD_IN.search(blocks[-1].text) or (
            blocks[-1].kind == "item" and blocks[-1].lead_in)) and not re.search(r"[.!?]$", line)
        if line.endswith("?") and len(line) < 160 and not is_item:
            blocks.append(Block(line, "question", heading, section=heading))  # an FAQ question frames the next line
            after_blank = False
            continue
        if after_lead_in and not is_item:
            lead = blocks[-1].text if LEAD_IN.search(blocks[-1].text) else blocks[-1].lead_in
            blocks.append(Block(line, "item", heading, section=heading, lead_in=lead))
            after_blank = False
            continue
        if not is_item and (not in_list or SECTION_LINE.match(line)) and _looks_like_heading(line):
            heading = line
            blocks.append(Block(line, "heading", heading, level=2, section=heading))
        else:
            kind = "item" if is_item or (in_list and _looks_like_heading(line)) else "paragraph"
            blocks.append(Block(line, kind, heading, section=heading))
        after_blank = False
    title = blocks[0].text if blocks and blocks[0].kind == "heading" else ""
    post = any(POST_LINE.search(block.text) for block in blocks[:20])
    return Document(url=url, title=title, blocks=blocks, post=post)


# A blog post's byline once its markup is gone: "Post published: June 11, 2025", "Posted on", "Post category:",
# "6 min read". ("Last updated" is not one: clinics date their price and policy pages so.)
POST_LINE = re.compile(r"^(?:post published|posted(?: on)?|published(?: on)?)\s*:?\s*(?:[A-Z][a-z]+\.? \d{1,2},? \d{4}|"
                       r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d\d-\d\d)|^post category\s*:|^\d{1,2} min(?:ute)? read$", re.I)


# A line that stops where its list begins: "Adults living with", "Conditions we treat include:", "such as".
LEAD_IN = re.compile(r"(?::|\b(?:with|including|include|includes|like|such as|as|from|of|for|treat|treats|help|helps|"
                     r"offer|offers|are|is)\s*)$", re.I)


# A line of flattened text that names a section even inside a run of short lines ("Conditions", "Who we help",
# "Our treatments", "Pricing:"): the structure a page's markup had, which plain text keeps only in its words.
SECTION_LINE = re.compile(
    r"^(?:our |the )?(?:conditions?(?: we treat| treated)?|treatments?|services|therapies|what we (?:treat|offer)|"
    r"who (?:we help|we treat|it is for|is it for|can benefit)|who is a (?:good )?candidate|pricing|prices|fees|costs?|"
    r"insurance|payment(?: options)?|faqs?|frequently asked questions|our services|our treatments)\s*:?$", re.I)


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    return len(words) <= 10 and not re.search(r"[.!]$", line) and not line.startswith("$")


NOT_CHROME_WORD = re.compile(r"\S*not-(?:footer|header|nav|menu|sidebar)\S*", re.I)  # Weebly's "wsite-not-footer"


def _is_chrome(tag) -> bool:
    if tag.tag in CHROME_TAGS:
        # An article's own <header> holds its title; a table of contents in <main> is the page's own; a page
        # builder's hero <header> (the page's h1 and prose, no menu) is the top of the page's content.
        if tag.tag == "header" and _is_hero(tag):
            return False
        return tag.tag == "footer" or not any(a.tag in ("main", "article") for a in tag.iterancestors())
    if tag.get("role") in CHROME_ROLES:
        return True
    hint = _chrome_hint(tag.get("class") or "", tag.get("id") or "")
    if hint in LINK_HINTS:
        return _mostly_links(tag)  # a med spa's "menu-list" of treatments and prices is content, not navigation
    return bool(hint)


@per_page  # a page builder repeats a few class strings on hundreds of elements
def _chrome_hint(classes: str, tag_id: str) -> str | None:
    """The chrome word a tag's class and id hold ("nav", "footer"...), or None."""
    hints = f"{classes} {tag_id}"
    if not _may_hold_chrome_word(hints.lower()):
        return None  # a page builder's class strings are unique per element: eight substring tests beat the pattern
    if "not-" in hints:
        hints = NOT_CHROME_WORD.sub(" ", hints)
    hint = CHROME_HINT.search(hints.lower()) if hints.strip() else None
    return hint.group(1) if hint else None


def _may_hold_chrome_word(hints: str) -> bool:
    """A word every CHROME_HINT match holds."""
    return "nav" in hints or "menu" in hints or "footer" in hints or "header" in hints or "bar" in hints \
        or "breadcrumb" in hints or "sidebar" in hints or "cookie" in hints


def _is_hero(header) -> bool:
    return next(header.iter("h1"), None) is not None and next(header.iter("nav"), None) is None \
        and not _mostly_links(header)


def _mostly_links(tag) -> bool:
    text = len(clean(_text_of(tag)))
    linked = sum(len(clean(_text_of(a))) for a in tag.iter("a"))
    return text == 0 or linked / text >= 0.5


def _is_footer(tag) -> bool:
    hints = f"{tag.get('class') or ''} {tag.get('id') or ''}"
    if "not-" in hints:
        hints = NOT_CHROME_WORD.sub(" ", hints)
    return tag.tag == "footer" or tag.get("role") == "contentinfo" or "footer" in hints.lower()


def _pull_chrome(body) -> tuple[list[str], list[str], list[Block]]:
    """Remove navigation, headers and footers from the tree; return menu link texts, their other text, and the
    content panels page builders put inside them.

    The second list (header and footer text) is where hand-built sites keep their address and phone. Chrome is
    chrome by what it holds, not by its tag alone: an accordion answer, a tab panel or a mega-menu's paragraph
    inside a <nav> or a menu-classed <div> is the page's content and is read with it (third list).
    """
    menu: list[str] = []
    chrome_text: list[str] = []
    panels: list[Block] = []
    for tag in _outermost_chrome(body):
        if not _is_footer(tag):
            links = [clean(_text_of(a)) for a in tag.iter("a")]
            menu.extend(text for text in links if text and len(text) < 60)
            panels += _panels_in(tag)
        chrome_text.extend(clean(s) for s in tag.itertext() if s.strip())
        _remove(tag)
    return menu, chrome_text, panels


PANEL_MIN_WORDS = 8


def _panels_in(chrome) -> list[Block]:
    """Prose and questions inside a menu or header (not its links): what a page builder's accordion or tab holds."""
    if sum(len(t.split()) for t in chrome.itertext()) < PANEL_MIN_WORDS:
        return []
    copy = deepcopy(chrome)
    copy.tail = None
    for link in list(copy.iter("a")):
        _remove(link)
    blocks = _Walker().walk(copy)
    keep = [b for b in blocks if b.kind == "question" or (b.kind != "heading" and len(b.text.split()) >= PANEL_MIN_WORDS)]
    if not keep:
        return []
    # A question or heading stays when an answer follows it: "Do you take insurance?" + "Yes, ...".
    kept_ids = {id(b) for b in keep}
    out = []
    for i, block in enumerate(blocks):
        follows = i + 1 < len(blocks) and id(blocks[i + 1]) in kept_ids
        if id(block) in kept_ids and block.kind != "question" or (block.kind in ("question", "heading") and follows):
            out.append(block)
    return out


def _outermost_chrome(body) -> list:
    """Chrome tags not inside other chrome, in document order; what is inside chrome is never looked at.

    body's own classes ("ast-no-sidebar") say nothing of its parts, so body itself is not judged. lxml's own walk
    (``iterwalk``, which can skip a subtree) hands out the tags: a Python stack of every wrapper cost more.
    """
    found = []
    walk = lxml.etree.iterwalk(body, events=("start",))
    next(walk)  # body
    for _, tag in walk:
        # the cheap tests first: most tags are wrappers with neither a chrome name, role nor class word (and a page
        # builder's class strings are unique to each tag, so no answer kept for them would be asked again)
        classes, tag_id = tag.get("class") or "", tag.get("id") or ""
        if (tag.tag in CHROME_TAGS or tag.get("role") in CHROME_ROLES
                or (_may_hold_chrome_word(f"{classes} {tag_id}".lower()) and _chrome_hint(classes, tag_id))) \
                and _is_chrome(tag):
            found.append(tag)
            walk.skip_subtree()
    return found


AMOUNT_CELL = re.compile(r"^(?:\$\s?\d|free\b|complimentary\b|included\b|call\b|\d[\d,.]*\s*(?:usd|\$))", re.I)


def _label_value_row(tag) -> bool:
    """A price list built of divs, as page builders make them: two or three short leaf cells, the last an amount
    ("Depression infusion | $450"). Read as one row, like a table row, so the amount keeps its label."""
    if not 2 <= len(tag) <= 3:  # most divs are a page builder's wrappers of one child
        return False
    cells = [c for c in tag if isinstance(c.tag, str)]
    if not 2 <= len(cells) <= 3 or any(next(c.iterdescendants(*BLOCK_LEAF_INSIDE), None) is not None for c in cells):
        return False
    texts = [clean(_text_of(c)) for c in cells]
    return all(texts) and all(len(t.split()) <= 14 for t in texts) and bool(AMOUNT_CELL.match(texts[-1])) \
        and not AMOUNT_CELL.match(texts[0])


BLOCK_LEAF_INSIDE = ["div", "p", "ul", "ol", "table", "section", "h1", "h2", "h3", "h4", "h5", "h6"]


class _Walker:
    """Walks the main content in document order, emitting blocks and tracking the heading above each.

    lxml's own walk (``iterwalk``) hands out each tag's start and end, so a page nested thousands of levels deep
    exhausts no recursion and the Python side does no bookkeeping of its own for the wrappers a page builder nests.
    lxml keeps text in ``.text`` (before a tag's children) and ``.tail`` (after the tag closes). Comments and
    processing instructions are gone before the walk (``parse_html``); iterwalk would not hand out their tails.
    """

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.chars = 0
        self.heading = ""
        self.outline: list[tuple[int, str]] = []  # the headings above the current point, by level
        self.section = ""  # those headings' texts, outermost first, joined by " > "
        self.buffer: list[str] = []
        self.buffer_kind = "paragraph"

    def walk(self, root) -> list[Block]:
        opened: list = []  # the block tags being read, each with the kind of text around it, to go back to
        buffer = self.buffer  # the same list for the whole walk (_flush empties it in place)
        events = lxml.etree.iterwalk(root, events=("start", "end"))
        next(events)  # the root's own start: its text is read, its tail is not
        if root.text:
            buffer.append(root.text)
        for event, tag in events:
            if self.chars >= MAX_TEXT_CHARS:
                break
            if event == "start":
                name = tag.tag
                if name not in BLOCK_TAGS:
                    if text := tag.text:
                        buffer.append(text)
                    continue
                if buffer:
                    self._flush()  # a block tag starts: the text before it is a block of its own
                # (a div is read whole only as a label-and-amount row of two or three cells; most are wrappers of one)
                if name in READ_WHOLE and (name != "div" or 2 <= len(tag) <= 3) and self._read_whole(tag, name):
                    events.skip_subtree()
                elif name != "br":
                    kind = self.buffer_kind
                    opened.append((tag, kind))
                    # <li><p>PTSD</p></li>: a paragraph inside a list item is the item
                    self.buffer_kind = "item" if name in ITEM_TAGS or (kind == "item" and name in ITEM_INSIDE) \
                        else "paragraph"
                    if text := tag.text:
                        buffer.append(text)
                continue
            if tag is root:
                break
            if opened and opened[-1][0] is tag:
                if buffer:
                    self._flush()
                self.buffer_kind = opened.pop()[1]
            if tail := tag.tail:
                buffer.append(tail)
        self._flush()
        return self.blocks

    def _read_whole(self, tag, name: str) -> bool:
        """A heading, a table row, a definition list, a label-and-amount row or a summary is read whole (True: its
        inside is not walked)."""
        if name in HEADINGS:
            text = clean(_text_of(tag))
            if text:
                level = int(name[1])
                self.outline = [(lv, t) for lv, t in self.outline if lv < level]
                above = " > ".join(t for _, t in self.outline)
                self.blocks.append(Block(text, "heading", text, level=level, section=above))
                self.outline.append((level, text))
                self.section = f"{above} > {text}" if above else text
                self.heading = text
        elif name == "tr" and next(tag.iterdescendants(*LAYOUT_INSIDE_ROW), None) is None:
            cells = [clean(_text_of(c)) for c in tag.iter("td", "th")]
            text = " | ".join(c for c in cells if c)
            if text:
                self.blocks.append(Block(text, "row", self.heading, section=self.section))
        elif name == "dl":
            self._definition_list(tag)
        elif name == "div" and _label_value_row(tag):
            cells = [clean(_text_of(c)) for c in tag if isinstance(c.tag, str)]
            self.blocks.append(Block(" | ".join(c for c in cells if c), "row", self.heading, section=self.section))
        elif name == "summary":
            text = clean(_text_of(tag))
            if text:
                self.blocks.append(Block(text, "question", self.heading, section=self.section))
        else:
            return False
        return True

    def _definition_list(self, tag) -> None:
        """A term and its definition are one row: "Sub-Q ketamine course of eight sessions | $1,960"."""
        term = ""
        for child in tag.iter("dt", "dd"):
            text = clean(_text_of(child))
            if child.tag == "dt":
                term = text
                if text.endswith("?"):  # an FAQ as a definition list: the question frames the answer below it
                    self.blocks.append(Block(text, "question", self.heading, section=self.section))
            elif text and term.endswith("?"):
                self.blocks.append(Block(text, "paragraph", self.heading, section=self.section))
            elif text:
                self.blocks.append(Block(f"{term} | {text}" if term else text, "row", self.heading,
                                         section=self.section))

    def _flush(self) -> None:
        if not self.buffer:
            return
        joined = "".join(self.buffer)
        self.buffer.clear()
        if not joined or joined.isspace():  # most flushes end a wrapper that held only markup's whitespace
            return
        text = clean(joined)[:max(0, MAX_TEXT_CHARS - self.chars)]  # one huge node counts too
        if not text:
            return
        self.chars += len(text)
        kind = self.buffer_kind
        if kind == "paragraph" and text.endswith("?") and len(text) < 160:
            kind = "question"
        self.blocks.append(Block(text, kind, self.heading, section=self.section))
