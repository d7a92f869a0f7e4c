"""An HTML page as the plain text a reader copies out of a browser: one line per block, no markup.

The corpus scores every HTML page a second time in this form, because real pages reach the extractor
that way too (``clinics extract page.txt``, a pasted page, a grid of divs whose structure says nothing):
no bullets, no blank lines, headings and list items as short lines.
"""

from __future__ import annotations

import re

import lxml.etree

SKIPPED = {"script", "style", "template", "noscript", "head", "title", "meta", "link", "svg"}
BLOCKS = {
    "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "ul", "ol", "li", "dl", "dt",
    "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "details", "summary", "blockquote", "figure",
    "figcaption", "address", "form", "button", "br", "hr", "body", "html",
}
CELLS = {"td", "th"}


def flatten_html(html: str) -> str:
    """The visible text of a page, a line for each block element; script, style and template contents dropped."""
    try:
        root = lxml.etree.fromstring(html.encode("utf-8", errors="replace"), lxml.etree.HTMLParser(encoding="utf-8"))
    except (lxml.etree.LxmlError, ValueError):
        return ""
    if root is None:
        return ""
    body = next(root.iter("body"), root)
    pieces: list[str] = []
    stack: list = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            pieces.append(node)
            continue
        if not isinstance(node.tag, str) or node.tag in SKIPPED:
            if node.tail:
                pieces.append(node.tail)
            continue
        block = node.tag in BLOCKS
        stack.append(node.tail or "")
        stack.append("\n" if block else " " if node.tag in CELLS else "")
        stack.extend(reversed([*([node.text] if node.text else []), *node]))
        if block:
            pieces.append("\n")
    lines = (re.sub(r"[ \t\xa0]+", " ", line).strip() for line in "".join(pieces).splitlines())
    return "\n".join(line for line in lines if line)
