"""The release block (data/project.yml `release`) where a reader meets the book: the intro
page, the downloads (the print editions' cover has it too). Empty fields are left out."""

from __future__ import annotations

from analysis.dataset.project import Project
from analysis.escape import myst_text
from analysis.pages.print_editions import cover_lines, wording

RELEASE_INCLUDE = "_release.txt"  # under book/: the intro page includes it


def release_lines(project: Project) -> list[tuple[str, str]]:
    """(label, value) of every given field of the release block, reuse terms last."""
    words, release = wording(project).cover, project.config.release
    reuse = [(words["reuse"], release.reuse)] if release.reuse else []
    return cover_lines(project, "") + reuse


def release_markdown(project: Project) -> str:
    """The release block as a MyST list for the intro page (data text escaped)."""
    lines = release_lines(project)
    return "".join(f"- {myst_text(label)}：{myst_text(value)}\n" for label, value in lines)


def write_release(project: Project) -> None:
    """Write book/_release.txt (the intro page's release block) when it changed."""
    path = project.book / RELEASE_INCLUDE
    text = release_markdown(project)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
