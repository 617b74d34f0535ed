"""Sphinx fixes for the book, loaded through `sphinx: extra_extensions` in book/_config.yml.

- Generated sources: the appendix and its downloads are written from data/ when the build
  starts, so a stock `jupyter-book build book/` works on a fresh clone (they are not
  committed). `policybook build` writes them itself just before it starts Sphinx, from the
  dataset it has already loaded, and says so in $POLICYBOOK_GENERATED (the book's folder):
  loading every period again in Sphinx's process made each build slower the more periods
  the book had.
- Chinese interface: the .po catalogues in book/_locale/<language>/LC_MESSAGES/ are compiled
  when the build starts and take precedence over the packages' own translations (Sphinx,
  the PyData and book themes leave strings in English or in Taiwan wording); myst-nb's
  hard-coded label of collapsible outputs is given in the book's language.
- Search that answers: every page's sentences and table rows go into `searchsnippets.js`
  (analysis.site.search_index), which the search page (book/_templates/search.html) matches as
  substrings and shows with their anchors (Sphinx's own index is not read).
- Navigation loaded, not baked in: `booknav.js` (analysis.site.navigation) holds the sidebar that
  every page fills in, so a page does not change when the table of contents does.
- Sphinx 7.4 writes an inline script added after the builder started twice (once as filename
  None, once as ''; sphinx-doc/sphinx#13402), so sphinx-thebe's `const THEBE_JS_URL = ...`
  is declared twice and every page logs a SyntaxError.
"""

from __future__ import annotations

import gettext
import io
import os
from pathlib import Path

import yaml
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
from sphinx import locale

GENERATED_ENV = "POLICYBOOK_GENERATED"  # the book folder whose generated sources are written


def _drop_duplicate_scripts(app, env, docnames) -> None:
    """Scripts added with filename None since the builder started are also in the registry,
    from which the HTML builder adds them again (as '') before writing: keep that copy."""
    files = getattr(app.builder, "_js_files", None)
    if files is not None:
        files[:] = [js for js in files if js.filename is not None]


def _write_generated(app, config) -> None:
    """Write the appendix and downloads of the project holding the book, unless the command
    that started Sphinx wrote them (GENERATED_ENV names this book)."""
    if os.environ.get(GENERATED_ENV) == str(Path(app.srcdir).resolve()):
        return
    # deferred: loaded when Sphinx reaches this step, not when it loads the extension
    from analysis.dataset.project import Project
    from analysis.pages.appendix import write_appendix

    root = Path(app.srcdir).resolve().parent
    if not (root / "data" / "catalogue").is_dir():
        return
    project = Project(root)
    write_appendix(project)


def _install_templates(app, config) -> None:
    """book/_templates first: Chinese versions of theme components (absolute, because the
    build may run with another configuration directory)."""
    folder = Path(app.srcdir) / "_templates"
    if folder.is_dir():
        config.templates_path = [str(folder), *config.templates_path]


def _install_translations(app, config) -> None:
    """Compile the book's .po catalogues and put them in front of the installed ones."""
    folder = Path(app.srcdir) / "_locale" / str(config.language) / "LC_MESSAGES"
    for po in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        with po.open("rb") as f:
            catalog = read_po(f, locale=str(config.language))
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        ours = gettext.GNUTranslations(buffer)
        key = ("general", po.stem)
        installed = app.translator if po.stem == "sphinx" else locale.translators.get(key)
        if installed is not None:
            ours.add_fallback(installed)
        locale.translators[key] = ours
        if po.stem == "sphinx":  # the translator the HTML templates are given
            app.translator = ours


HIDDEN_LABEL = "显示或隐藏内容"


def _visit_hidden(self, node) -> None:
    """myst-nb's collapsible output, with its summary labelled in the book's language."""
    start = len(self.body)
    visit_HideCellInput(self, node)
    for i in range(start, len(self.body)):
        self.body[i] = self.body[i].replace('aria-label="Toggle hidden content"',
                                            f'aria-label="{HIDDEN_LABEL}"')


def _snippets_folder(app):
    return Path(app.doctreedir) / "snippets"


def _store_snippets(app, pagename, templatename, context, doctree) -> None:
    """Keep the sentences of each written page (pages Sphinx skips keep their entry)."""
    if doctree is None or "body" not in context:
        return

    # deferred: loaded when Sphinx reaches this step, not when it loads the extension
    from analysis.site.search_index import store

    title = BeautifulSoup(context.get("title", ""), "html.parser").get_text()
    store(_snippets_folder(app), pagename, title, context["body"])


def _write_snippets(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return

    # deferred: loaded when Sphinx reaches this step, not when it loads the extension
    from analysis.site.search_index import INDEX_NAME, write_index

    order: list[str] = []

    def visit(doc: str) -> None:  # table-of-contents order, then any other page
        if doc not in order:
            order.append(doc)
            for child in app.env.toctree_includes.get(doc, []):
                visit(child)

    visit(app.config.root_doc)
    pages = [d for d in order if d in app.env.found_docs]
    pages += sorted(set(app.env.found_docs) - set(pages))
    write_index(_snippets_folder(app), pages, Path(app.outdir) / INDEX_NAME)


def _write_nav(app, exception) -> None:
    """booknav.js: the sidebar every page loads (analysis.site.navigation)."""
    if exception is not None or app.builder.format != "html":
        return


    # deferred: loaded when Sphinx reaches this step, not when it loads the extension
    from analysis.site.navigation import NAV_NAME, nav_html, write_nav

    toc = yaml.safe_load((Path(app.srcdir) / "_toc.yml").read_text(encoding="utf-8")) or {}
    titles = {doc: title.astext() for doc, title in app.env.titles.items()}
    write_nav(Path(app.outdir) / NAV_NAME, nav_html(toc, titles))


def setup(app):
    app.connect("config-inited", _write_generated)
    app.connect("config-inited", _install_translations)
    app.connect("config-inited", _install_templates)

    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden, depart_HideCellInput))
    app.connect("env-before-read-docs", _drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", _store_snippets)
    app.connect("build-finished", _write_snippets)
    app.connect("build-finished", _write_nav)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
