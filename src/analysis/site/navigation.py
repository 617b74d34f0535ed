"""The book's navigation, written once per build and loaded by every page.

Baked into each page, the sidebar made every page depend on the table of contents: adding a
period either rewrote every page or, with Sphinx's incremental build, left the pages it did
not rewrite without a link to the new period. Now each page's sidebar holds a placeholder
(book/_templates/sbt-sidebar-nav.html) that policybook.js fills from `booknav.js`, so a new
period rewrites only its own pages and those whose content depends on it.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from analysis.files import write_if_changed

NAV_NAME = "booknav.js"


def nav_html(toc: dict, titles: dict[str, str]) -> str:
    """The sidebar's parts and chapters (the theme's markup), links relative to the root."""
    out = []
    for part in toc.get("parts", []):
        out.append('<p aria-level="2" class="caption" role="heading"><span class="caption-text">'
                   f'{escape(str(part.get("caption", "")))}</span></p><ul class="nav bd-sidenav">')
        for chapter in part.get("chapters", []):
            doc = str(chapter["file"])
            out.append(f'<li class="toctree-l1"><a class="reference internal" '
                       f'data-doc="{escape(doc)}" href="{escape(doc)}.html">'
                       f"{escape(titles.get(doc, doc))}</a></li>")
        out.append("</ul>")
    return "".join(out)


def write_nav(out: Path, html: str) -> None:
    """`window.BOOK_NAV = "...";` (ASCII, `<` escaped: no text can close the script)."""
    text = f"window.BOOK_NAV = {json.dumps(html, ensure_ascii=True)};\n".replace("<", "\\u003c")
    write_if_changed(out, text)
