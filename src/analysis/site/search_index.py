"""The search page's index: every sentence and table row of every page, with its anchor.

Sphinx's own search lists titles only (its excerpts are fetched page by page, which browsers
block on file://) and drops numbers from queries. The book's search page instead matches the
query as a substring of these sentences, so a number (630) or a whole indicator name finds
the sentence that states it, and shows that sentence. The index is a script
(`searchsnippets.js`, loaded like Sphinx's `searchindex.js`), so it works offline.

Bounds: a sentence is cut at MAX_CHARS, a page keeps at most MAX_SNIPPETS sentences.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from analysis.files import write_if_changed

MAX_CHARS = 240
MAX_SNIPPETS = 20_000
INDEX_NAME = "searchsnippets.js"
# elements whose text is one unit of the index; a unit inside another unit is skipped
UNITS = ("h1", "h2", "h3", "h4", "p", "li", "tr", "figcaption", "dt", "dd", "caption")
SKIP = ("script", "style", "button", "img", "svg")
# the permalink glyph (#, ¶) Sphinx puts after each heading and caption
PERMALINK = "a.headerlink"
_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")


def _anchor(element: Tag) -> str:
    """The id of the element or of its nearest ancestor with one (a row, a section)."""
    for node in [element, *element.parents]:
        if isinstance(node, Tag) and node.get("id"):
            return str(node["id"])
    return ""


def _headers(row: Tag) -> list[str]:
    """The column headers of the table a body row belongs to ([] for a header row)."""
    table = row.find_parent("table")
    head = table.find("thead") if table is not None else None
    if head is None or row.find_parent("thead") is not None:
        return []
    first = head.find("tr")
    return [c.get_text(" ", strip=True) for c in first.find_all(("td", "th"))] if first else []


def _text(element: Tag) -> str:
    """A unit's text; a table row as 列名：值 pairs (the values alone when headers are
    missing), empty cells left out."""
    if element.name == "tr":
        cells = [c.get_text(" ", strip=True) for c in element.find_all(("td", "th"))]
        headers = _headers(element)
        if len(headers) == len(cells):
            return "；".join(f"{h}：{c}" if h else c for h, c in zip(headers, cells, strict=True)
                            if c)
        return "｜".join(c for c in cells if c)
    return " ".join(element.get_text("").split())  # inline elements join without spaces


def page_snippets(body: str) -> list[list[str]]:
    """[sentence, anchor] pairs of a page body's text, in reading order."""
    soup = BeautifulSoup(body, "html.parser")
    for tag in [*soup.find_all(SKIP), *soup.select(PERMALINK)]:
        tag.decompose()
    out: list[list[str]] = []
    for element in soup.find_all(UNITS):
        if element.find_parent(UNITS) is not None or element.find_parent("thead") is not None:
            continue
        anchor = _anchor(element)
        text = _text(element)
        parts = [text] if element.name == "tr" else _SENTENCE.findall(text)
        for part in parts:
            part = part.strip()
            if part:
                out.append([part[:MAX_CHARS], anchor])
            if len(out) >= MAX_SNIPPETS:
                return out
    return out


def store(folder: Path, page: str, title: str, body: str) -> None:
    """Keep one page's entry (written when Sphinx writes the page; kept between builds)."""
    path = folder / f"{page}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"page": page, "title": title, "snippets": page_snippets(body)}
    path.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")


def write_index(folder: Path, pages: list[str], out: Path) -> None:
    """Write the script that sets `window.SNIPPETS` from the stored entries of `pages`."""
    entries = []
    for page in pages:
        path = folder / f"{page}.json"
        if path.is_file():
            entries.append(json.loads(path.read_text(encoding="utf-8")))
    # ASCII-only JSON, `<` escaped: nothing in the data can close the script element
    data = json.dumps(entries, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")
    write_if_changed(out, f"window.SNIPPETS = {data};\n")
