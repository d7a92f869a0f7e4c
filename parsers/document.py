"""A page as the extractors read it: main-content blocks with their headings, menus kept apart.

HTML is parsed once here (BeautifulSoup on lxml) and turned into plain blocks, so every extractor works
on the same text and none of them re-parses the page. Menus, headers and footers repeat on every page of a
site; they are kept as a separate, weaker list (``menu``) instead of counting as the page's claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

MAX_INPUT_CHARS = 1_500_000  # HTML read after scripts and styles are cut out; bounds the work on a pathological page
MAX_TEXT_CHARS = 200_000  # visible text kept; real clinic pages carry far less
SCRIPT_OR_STYLE_OPEN = re.compile(r"<(script|style)\b([^>]*)>", re.I)
DROP_TAGS = ("script", "style", "noscript", "svg", "template", "iframe", "canvas", "form", "button", "select")
CHROME_TAGS = ("nav", "header", "footer", "aside")
CHROME_HINT = re.compile(r"(?:^|[\s_-])(?:nav|navbar|menu|footer|site-header|breadcrumbs?|sidebar|cookie)(?:$|[\s_-])",
                         re.I)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BLOCK_TAGS = set(HEADINGS) | {
    "p", "li", "tr", "dt", "dd", "summary", "blockquote", "div", "section", "article", "main", "ul", "ol",
    "table", "tbody", "thead", "details", "dl", "figure", "figcaption", "address", "br", "td", "th", "caption",
}
LAYOUT_INSIDE_ROW = ["table", "p", "h1", "h2", "h3", "h4", "ul", "ol", "div"]
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”')\]]?\s+(?=[\"“(\[]?[A-Z0-9$])")
BULLET = re.compile(r"^\s*(?:[•●▪◦‣∙·*–-]|\d{1,2}[.)])\s+")
WHITESPACE = re.compile(r"\s+")


@dataclass
class Block:
    """One unit of visible text: a heading, paragraph, list item, table row, FAQ question or answer."""

    text: str
    kind: str  # heading, paragraph, item, row, question
    heading: str = ""  # the nearest heading above it ("" at the top)
    level: int = 0  # heading level for headings
    section: str = ""  # every heading above it, outermost first ("Conditions we treat > Mood")

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
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


def clean(text: str) -> str:
    return WHITESPACE.sub(" ", text.replace("\xa0", " ")).strip()


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
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    soup = BeautifulSoup(_without_scripts(html)[:MAX_INPUT_CHARS], "lxml")
    jsonld = [s.get_text() for s in soup.find_all("script", attrs={"type": re.compile("ld\\+json", re.I)})]
    blobs = [s.get_text() for s in soup.find_all("script") if _is_data_blob(s)]
    meta = {}
    for m in soup.find_all("meta"):
        key = m.get("property") or m.get("name")
        if key and m.get("content"):
            meta[key.lower()] = m["content"]
    title = clean(soup.title.get_text()) if soup.title else ""
    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    body = soup.body or soup
    menu, footer = _pull_chrome(body)
    main = body.find("main") or body.find(attrs={"role": "main"}) or body
    blocks = _Walker().walk(main)
    blocks += _blob_blocks(blobs, "\n".join(b.text for b in blocks))
    return Document(url=url, title=title, blocks=blocks, menu=menu, footer=footer, jsonld=jsonld, meta=meta)


def _is_data_blob(script: Tag) -> bool:
    kind = (script.get("type") or "").lower()
    return "ld+json" not in kind and ("json" in kind or script.get("id") == "__NEXT_DATA__")


def _blob_blocks(blobs: list[str], page_text: str) -> list[Block]:
    """Text that sites built with Next.js, Squarespace or Webflow keep in JSON blobs, as paragraphs and items."""
    import json

    blocks: list[Block] = []
    for raw in blobs:
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for text in _strings(data):
            if "<" in text and ">" in text:
                text = BeautifulSoup(text, "lxml").get_text(" ")
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
        if not is_item and not in_list and _looks_like_heading(line):
            heading = line
            blocks.append(Block(line, "heading", heading, level=2, section=heading))
        else:
            kind = "item" if is_item or (in_list and _looks_like_heading(line)) else "paragraph"
            blocks.append(Block(line, kind, heading, section=heading))
        after_blank = False
    title = blocks[0].text if blocks and blocks[0].kind == "heading" else ""
    return Document(url=url, title=title, blocks=blocks)


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    return len(words) <= 10 and not re.search(r"[.!]$", line) and not line.startswith("$")


def _is_chrome(tag: Tag) -> bool:
    if tag.name in CHROME_TAGS:
        return True
    if tag.get("role") in ("navigation", "contentinfo", "banner"):
        return True
    hints = " ".join(tag.get("class", [])) + " " + (tag.get("id") or "")
    return bool(hints.strip()) and bool(CHROME_HINT.search(hints))


def _is_footer(tag: Tag) -> bool:
    hints = " ".join(tag.get("class", [])) + " " + (tag.get("id") or "")
    return tag.name == "footer" or tag.get("role") == "contentinfo" or "footer" in hints.lower()


def _pull_chrome(body: Tag) -> tuple[list[str], list[str]]:
    """Remove navigation, headers and footers from the tree; return menu link texts and their other text.

    The second list (header and footer text) is where hand-built sites keep their address and phone.
    """
    menu: list[str] = []
    chrome_text: list[str] = []
    outermost = [t for t in body.find_all(True) if _is_chrome(t) and not any(_is_chrome(p) for p in t.parents)]
    for tag in outermost:
        if not _is_footer(tag):
            links = [clean(a.get_text(" ")) for a in tag.find_all("a")]
            menu.extend(text for text in links if text and len(text) < 60)
        chrome_text.extend(clean(s) for s in tag.stripped_strings)
        tag.extract()
    return menu, chrome_text


AMOUNT_CELL = re.compile(r"^(?:\$\s?\d|free\b|complimentary\b|included\b|call\b|\d[\d,.]*\s*(?:usd|\$))", re.I)


def _label_value_row(tag: Tag) -> bool:
    """A price list built of divs, as page builders make them: two or three short leaf cells, the last an amount
    ("Depression infusion | $450"). Read as one row, like a table row, so the amount keeps its label."""
    cells = tag.find_all(True, recursive=False)
    if not 2 <= len(cells) <= 3 or any(c.find(BLOCK_LEAF_INSIDE) for c in cells):
        return False
    texts = [clean(c.get_text(" ")) for c in cells]
    return all(texts) and all(len(t.split()) <= 14 for t in texts) and bool(AMOUNT_CELL.match(texts[-1])) \
        and not AMOUNT_CELL.match(texts[0])


BLOCK_LEAF_INSIDE = ["div", "p", "ul", "ol", "table", "section", "h1", "h2", "h3", "h4", "h5", "h6"]


@dataclass
class _EndOfBlock:
    previous_kind: str


class _Walker:
    """Walks the main content in document order, emitting blocks and tracking the heading above each.

    Iterative, with an explicit stack: a page nested thousands of levels deep must not exhaust recursion.
    """

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.chars = 0
        self.heading = ""
        self.outline: list[tuple[int, str]] = []  # the headings above the current point, by level
        self.buffer: list[str] = []
        self.buffer_kind = "paragraph"

    def walk(self, root: Tag) -> list[Block]:
        stack: list = list(reversed(list(root.children)))
        while stack and self.chars < MAX_TEXT_CHARS:
            node = stack.pop()
            if isinstance(node, _EndOfBlock):
                self._flush()
                self.buffer_kind = node.previous_kind
            elif isinstance(node, NavigableString):
                self.buffer.append(str(node))
            elif isinstance(node, Tag):
                stack.extend(self._visit_tag(node))
        self._flush()
        return self.blocks

    def _visit_tag(self, tag: Tag) -> list:
        """Handle one tag; return what to push on the stack (its children, last first, and an end marker)."""
        name = tag.name
        if name not in BLOCK_TAGS:
            return list(reversed(list(tag.children)))
        self._flush()
        if name in HEADINGS:
            text = clean(tag.get_text(" "))
            if text:
                level = int(name[1])
                self.outline = [(lv, t) for lv, t in self.outline if lv < level]
                self.blocks.append(Block(text, "heading", text, level=level, section=self.section))
                self.outline.append((level, text))
                self.heading = text
        elif name == "tr" and tag.find(LAYOUT_INSIDE_ROW) is None:
            cells = [clean(c.get_text(" ")) for c in tag.find_all(["td", "th"])]
            text = " | ".join(c for c in cells if c)
            if text:
                self.blocks.append(Block(text, "row", self.heading, section=self.section))
        elif name == "dl":
            self._definition_list(tag)
        elif name == "div" and _label_value_row(tag):
            cells = [clean(c.get_text(" ")) for c in tag.find_all(True, recursive=False)]
            self.blocks.append(Block(" | ".join(c for c in cells if c), "row", self.heading, section=self.section))
        elif name == "summary":
            text = clean(tag.get_text(" "))
            if text:
                self.blocks.append(Block(text, "question", self.heading, section=self.section))
        elif name != "br":
            previous_kind = self.buffer_kind
            self.buffer_kind = "item" if name in ("li", "dd", "dt") else "paragraph"
            return [_EndOfBlock(previous_kind), *reversed(list(tag.children))]
        return []

    @property
    def section(self) -> str:
        return " > ".join(text for _, text in self.outline)

    def _definition_list(self, tag: Tag) -> None:
        """A term and its definition are one row: "Sub-Q ketamine course of eight sessions | $1,960"."""
        term = ""
        for child in tag.find_all(["dt", "dd"]):
            text = clean(child.get_text(" "))
            if child.name == "dt":
                term = text
            elif text:
                self.blocks.append(Block(f"{term} | {text}" if term else text, "row", self.heading,
                                         section=self.section))

    def _flush(self) -> None:
        text = clean("".join(self.buffer))
        self.buffer = []
        if not text:
            return
        self.chars += len(text)
        kind = self.buffer_kind
        if kind == "paragraph" and text.endswith("?") and len(text) < 160:
            kind = "question"
        self.blocks.append(Block(text, kind, self.heading, section=self.section))
