"""A jieba user dictionary of domain terms for the book's Chinese full-text search."""

from __future__ import annotations

from analysis.dataset.catalogue import load_catalogue
from analysis.dataset.project import Project
from analysis.escape import search_term

DICT_NAME = "_search_dict.txt"


def terms(project: Project) -> list[str]:
    """Curated terms (data/catalogue/search_terms.txt) plus every indicator label."""
    curated = (project.catalogue / "search_terms.txt").read_text(encoding="utf-8").splitlines()
    words = [w.strip() for w in curated if w.strip() and not w.startswith("#")]
    words += list(load_catalogue(project).indicators["label_zh"])
    return list(dict.fromkeys(w for w in map(search_term, words) if w))


def write_search_dict(project: Project) -> None:
    """Write book/_search_dict.txt (jieba format: word, frequency); Sphinx loads it at build."""
    text = "".join(f"{word} 100000\n" for word in terms(project))
    (project.book / DICT_NAME).write_text(text, encoding="utf-8")
