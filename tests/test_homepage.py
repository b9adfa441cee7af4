"""The homepage holds every fact of the old page, and the build is what the README promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from bibdata import ENTRIES, authors, title
from bs4 import BeautifulSoup
from conftest import REPO, Site

OLD_PAGE = (REPO / "tests" / "data" / "old-about.md").read_text(encoding="utf-8")


def visible_text(element) -> str:
    return " ".join(element.get_text(" ").split())


def test_page_title_is_the_owners_name(homepage: BeautifulSoup) -> None:
    assert homepage.title.string == "Zhen Zheng"
    assert homepage.h1.get_text(strip=True).rstrip("¶") == "Zhen Zheng"


def test_bio_and_hiring_note_are_there(homepage: BeautifulSoup) -> None:
    text = visible_text(homepage.article)
    assert "Principal Research Engineer at Microsoft" in text
    assert "🔥We are hiring!" in text
    assert "ðŸ" not in text


def test_every_web_link_of_the_old_page_is_there(homepage: BeautifulSoup) -> None:
    old_links = set(re.findall(r"\]\((https?://[^)\s]+)\)", OLD_PAGE))
    links = {a["href"] for a in homepage.article.find_all("a", href=True)}
    assert len(old_links) > 10
    assert old_links - links == set()


def test_projects_section(homepage: BeautifulSoup) -> None:
    section = homepage.find(id="projects")
    assert section is not None
    text = visible_text(section)
    for group in (
        "Machine Learning Optimizing Compiler",
        "Machine Learning Kernel Library",
        "Heterogeneous Computing",
    ):
        assert group in text
    for project in ("BladeDISC", "RECom", "MonoNN", "Flash-LLM", "VersaPipe"):
        assert section.find("a", string=project) is not None, project


def test_every_publication_is_listed_with_title_and_authors_in_order(homepage) -> None:
    section = homepage.find(id="publications")
    for key in ENTRIES:
        entry = section.find(id=key)
        assert entry is not None, key
        text = " ".join(entry.p.get_text().replace("*", "").split())
        assert title(key) in text, key
        assert ", ".join(authors(key)) in text, key


def test_publications_are_newest_year_first(homepage: BeautifulSoup) -> None:
    years = [
        int(ENTRIES[node["id"]].fields["year"])
        for node in homepage.find(id="publications").select(".citation")
    ]
    assert len(years) == len(ENTRIES)
    assert years == sorted(years, reverse=True)


@pytest.mark.parametrize("old_address", ["about.html", "about/index.html"])
def test_old_addresses_redirect_home(built_site: Site, old_address: str) -> None:
    page = built_site.page(old_address)
    refresh = page.find("meta", attrs={"http-equiv": "refresh"})
    target = refresh["content"].split("url=")[-1]
    resolved = (built_site.out / old_address).parent / target
    assert resolved.resolve() == (built_site.out / "index.html").resolve()


def test_missing_pdfs_link_to_the_publisher_and_are_summed_up(site: Site) -> None:
    local = {key: e.fields["pdf"] for key, e in ENTRIES.items() if "pdf" in e.fields}
    assert local
    for name in local.values():
        (site.root / "files" / name).unlink(missing_ok=True)
    result = site.build_ok()
    summary = [line for line in result.stdout.splitlines() if "not in files/" in line]
    assert len(summary) == 1
    assert all(name in summary[0] for name in local.values())
    page = site.page()
    for key, name in local.items():
        links = {a.get_text(): a["href"] for a in page.find(id=key).select("a.publication-link")}
        assert links["PDF"].startswith("https://"), key
        assert not (site.out / "files" / name).exists()


def test_present_pdfs_are_served_from_files(site: Site) -> None:
    local = {key: e.fields["pdf"] for key, e in ENTRIES.items() if "pdf" in e.fields}
    for name in local.values():
        (site.root / "files" / name).write_bytes(b"%PDF-1.4\n%test " + name.encode() + b"\n%%EOF\n")
    result = site.build_ok()
    assert "not in files/" not in result.stdout
    page = site.page()
    for key, name in local.items():
        links = {a.get_text(): a["href"] for a in page.find(id=key).select("a.publication-link")}
        assert links["PDF"] == f"files/{name}"
        assert (site.out / "files" / name).read_bytes() == (site.root / "files" / name).read_bytes()


def test_strict_mode_turns_a_missing_pdf_into_an_error(site: Site) -> None:
    missing = next(e.fields["pdf"] for e in ENTRIES.values() if "pdf" in e.fields)
    (site.root / "files" / missing).unlink(missing_ok=True)
    result = site.build("-D", "scholarsite_require_files=1")
    assert result.returncode != 0
    assert missing in result.stderr
    assert "Traceback" not in result.stderr


def test_read_the_docs_build_command(site: Site) -> None:
    """The command Read the Docs runs, with the settings of .readthedocs.yaml."""
    config = (REPO / ".readthedocs.yaml").read_text()
    assert "configuration: docs/conf.py" in config
    assert "fail_on_warning: true" in config
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-T",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-d",
        "_build/doctrees",
        "-D",
        "language=en",
        "docs",
        "_build/html",
    ]
    result = subprocess.run(command, cwd=site.root, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert (site.root / "_build/html/index.html").exists()


def test_code_is_ruff_clean() -> None:
    ruff = Path(sys.executable).parent / "ruff"
    for check in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [str(ruff), *check, "src", "tests", "docs/conf.py"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
