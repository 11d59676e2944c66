"""The README and the docs pages hold together: every relative link reaches a file (and a heading, when it
names one), every README picture exists, and every dependency says why it is there."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# Pages other branches of issue 23/24/25 are writing while the README was split: a link to one of them is
# allowed to dangle until it arrives, and then is checked like any other (see the last test).
PENDING: set[str] = set()
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1\s*$", re.S | re.M)
CODE_SPAN = re.compile(r"(`+).+?\1", re.S)


def prose(text: str) -> str:
    """The page without fenced blocks and code spans: a link shown as code is not a link."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip())  # a link in a heading keeps its text
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for line in FENCE.sub("", page.read_text(encoding="utf-8")).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            base = slug(match.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(page: Path) -> list[str]:
    return [target for target in LINK.findall(prose(page.read_text(encoding="utf-8")))
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I)]  # http:, https:, mailto: …


def broken(page: Path, root: Path = REPO) -> list[str]:
    problems = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        shown = f"{page.relative_to(root)} -> {target}"
        if not file.exists():
            if str(file.relative_to(root)) not in PENDING:
                problems.append(f"{shown}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            problems.append(f"{shown}: no heading with that anchor")
    return problems


def test_the_link_checker_catches_a_missing_file_and_a_missing_heading(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "there.md").write_text("# Right here\n\n## Run on PostgreSQL\n")
    page.write_text("[ok](there.md#run-on-postgresql) [gone](nowhere.md) [bad anchor](there.md#nowhere) "
                    "`[code](ignored.md)` [web](https://example.com/x.md) [self](#page)\n\n# Page\n")
    assert broken(page, root=tmp_path) == ["page.md -> nowhere.md: no such file",
                                           "page.md -> there.md#nowhere: no heading with that anchor"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_reaches_a_file_and_heading(page):
    assert broken(page) == []


def test_the_readme_stays_a_short_introduction_with_pictures_and_links():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 300
    pictures = [t for t in LINK.findall(prose(readme)) if t.startswith("docs/images/")]
    assert "docs/images/insights.png" in pictures and len(pictures) >= 5
    linked = {t.partition("#")[0] for t in relative_links(REPO / "README.md")}
    pages = {str(p.relative_to(REPO)) for p in PAGES if p.name != "README.md"}
    assert sorted(pages - linked) == [], "docs pages the README does not link to"


def test_the_docs_index_links_every_page():
    index = REPO / "docs" / "README.md"
    linked = {(index.parent / t.partition("#")[0]).resolve() for t in relative_links(index)}
    assert sorted(p.name for p in PAGES if p.parent.name == "docs" and p != index and p not in linked) == []


def test_every_dependency_says_why_it_is_there():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + [d for group in project["optional-dependencies"].values() for d in group]
    names = {re.match(r"[A-Za-z0-9_.-]+", d).group(0).lower() for d in wanted}
    page = (REPO / "docs" / "dependencies.md").read_text(encoding="utf-8").lower()
    assert sorted(n for n in names if not re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", page)) == []


def test_pages_written_on_other_branches_are_still_pending():
    """Once a pending page exists, take it out of PENDING so its links are checked like any other."""
    assert sorted(p for p in PENDING if (REPO / p).exists()) == []


def test_the_reviews_page_lists_every_review_question_with_its_key():
    from incident_kit.review.models import SECTIONS

    page = (REPO / "docs" / "reviews.md").read_text(encoding="utf-8")
    table = page.split("## The questions a review asks", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "(`" in line]
    assert [(s.title, s.key) for s in SECTIONS] == \
        [tuple(re.match(r"\| (.+?) \(`(\w+)`\)", row).groups()) for row in rows]
    assert all(s.question in row for s, row in zip(SECTIONS, rows))
