"""Every case in tests/bad_input/ fails the strict build with its own clear message.

The cases are built in process on a copy of the fixture site (tests/roots/site); two tests at
the end run ``sphinx-build`` itself, where the exit status and the terminal are the contract.

A case is a TOML file: what it breaks in a copy of the site (``[[edit]]`` tables), the extra
``sphinx-build`` options (``args``: only ``-D name=value``), and the messages the build must
print (``expect``).

Edits, applied in order, and the placeholders of ``expect``: ``tests/helpers/cases.py``.
``written = false`` says the build must stop before it writes any page.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from helpers.cases import apply_edits, expand
from helpers.site import Site

CASES_DIR = Path(__file__).parent / "bad_input"
CASES = sorted(path.stem for path in CASES_DIR.glob("*.toml"))


def load_case(name: str) -> dict[str, Any]:
    return tomllib.loads((CASES_DIR / f"{name}.toml").read_text(encoding="utf-8"))


#: The kinds of bad input issue 8 names; each must keep a case (issue 12 made an unknown entry
#: type, a repeated title, a missing year, author or venue tag, a year that is not a number and
#: a malformed DOI data-quality notes: tests/data_quality/ holds those, tests/test_rendering.py
#: builds them).
REQUIRED = [
    "refs_unbalanced_brace",
    "refs_unclosed_entry_at_end",
    "refs_duplicate_key",
    "refs_same_doi",
    "refs_missing_title",
    "refs_author_list_does_not_parse",
    "refs_not_utf8",
    "page_cite_unknown_key",
    "page_cite_blank_key",
    "refs_pdf_parent_path",
    "refs_pdf_absolute_path",
    "refs_strict_missing_pdf",
    "refs_javascript_url",
    "refs_file_url",
    "page_broken_front_matter",
    "page_link_to_missing_page",
    "refs_empty",
    "refs_missing",
    "conf_owner_names_is_a_string",
]


def test_the_corpus_covers_what_the_issue_lists() -> None:
    assert len(CASES) >= 25, CASES
    assert set(REQUIRED) - set(CASES) == set()
    for name in CASES:
        case = load_case(name)
        assert case["about"] and case["expect"] and case["edit"], name


def overrides(args: list[str]) -> dict[str, str]:
    """``-D name=value`` options as Sphinx's configuration overrides."""
    assert len(args) % 2 == 0 and set(args[::2]) <= {"-D"}, args
    return dict(arg.split("=", 1) for arg in args[1::2])


@pytest.mark.parametrize("name", CASES)
def test_bad_input_fails_with_a_clear_message(site: Site, make_app: Any, name: str) -> None:
    case = load_case(name)
    where = apply_edits(site, case["edit"])
    stopped = False
    # A case that must stop before anything is written is built as HTML, to see that it did;
    # the others need every page read and resolved, which the writing-free builder does.
    builder = "dummy" if case.get("written", True) else "html"
    try:
        site.build_in_process(make_app, builder=builder, **overrides(case.get("args", [])))
    except SystemExit as stop:
        stopped = stop.code != 0
    output = site.status + site.warnings
    assert stopped or "WARNING" in site.warnings, output  # what -W turns into a failed build
    assert "Traceback" not in output, output
    for message in case["expect"]:
        assert expand(message, where) in site.warnings, site.warnings
    if not case.get("written", True):
        assert stopped and not (site.out / "index.html").exists(), "pages written before it stopped"


def test_a_build_stopped_by_bad_data_exits_with_its_messages_only(site: Site) -> None:
    """On the command line: a non-zero exit, every problem, and no traceback report."""
    site.append(
        "refs.bib",
        "\n@inproceedings{bad2024paper,\n  year = {soon},\n  code = {javascript:alert(1)},\n}\n",
    )
    result = site.build()
    assert result.returncode != 0
    assert 'bad2024paper: missing field "title"' in result.stderr
    assert 'bad2024paper: code "javascript:alert(1)" is not an http(s) address' in result.stderr
    assert "four-digit year" not in result.stderr  # a note, not a problem
    assert "refs.bib:" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "sphinx-err-" not in result.stdout + result.stderr
    assert not (site.out / "index.html").exists()


def test_a_warning_fails_the_strict_build_on_the_command_line(site: Site) -> None:
    site.append("docs/index.md", "\nSee {cite:p}`nosuch2020paper`.\n")
    result = site.build()
    assert result.returncode != 0
    assert "index.md:" in result.stderr and "nosuch2020paper" in result.stderr


# -- Hostile data -------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
CODE_URL = f'https://example.org/">{SCRIPT}'  # passes the http(s) check: no spaces
HOSTILE_ENTRIES = f"""
@inproceedings{{hostile2024xss,
  author    = {{Ada Lovelace and Mallory {SCRIPT} Evil and Eve {IMG} Hacker}},
  title     = {{Pwned {SCRIPT} and {IMG}}},
  booktitle = {{Proceedings of {SCRIPT}}},
  year      = {{2024}},
  venuetag  = {{XSS'24 {SCRIPT}}},
  remark    = {{Remark {SCRIPT} {IMG}}},
  code      = {{{CODE_URL}}},
}}
"""
SCRIPT_ADDRESSES = f"""
@inproceedings{{hostile2024url,
  author    = {{Ada Lovelace}},
  title     = {{Links \\url{{javascript:alert(1)}} and \\href{{javascript:alert(2)}}{{here}}}},
  booktitle = {{Proceedings of Tricks}},
  year      = {{2024}},
  venuetag  = {{URL'24}},
  remark    = {{See \\url{{data:text/html,{SCRIPT}}}}},
}}
"""
UNSAFE_ADDRESS = re.compile(r"^(javascript|vbscript|data|file):", re.I)


def test_script_addresses_written_in_latex_stop_the_build(site: Site, make_app: Any) -> None:
    """\\url and \\href to javascript: or data: in any field are problems, each one named."""
    site.append("refs.bib", SCRIPT_ADDRESSES)
    with pytest.raises(SystemExit) as stop:
        site.build_in_process(make_app)
    assert stop.value.code != 0
    problems = [line for line in site.warnings.splitlines() if "hostile2024url:" in line]
    assert len(problems) == 3, site.warnings
    for field, address in (
        ("title", "javascript:alert(1)"),
        ("title", "javascript:alert(2)"),
        ("remark", "data:text/html,"),
    ):
        assert any(f'{field} "{address}' in line for line in problems), (field, address)
    assert "Traceback" not in site.status + site.warnings
    assert not (site.out / "index.html").exists()


def test_hostile_data_is_shown_as_text_and_links_nowhere(site: Site, make_app: Any) -> None:
    """Markup and script: addresses in refs.bib are text on every page that shows the entry."""
    site.append("refs.bib", HOSTILE_ENTRIES)
    site.append(
        "docs/index.md",
        "\nSee {cite:p}`hostile2024xss` and {cite:t}`hostile2024xss`.\n"
        "\n```{cited-publications}\n```\n",
    )
    # The markup is data: it passes, and shows as text.
    site.build_ok_in_process(make_app)

    shown_as_text = pages = 0
    for path in sorted(site.out.rglob("*.html")):
        pages += 1
        name = path.relative_to(site.out)
        html = path.read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        for tag in soup.find_all(True):
            handlers = [attribute for attribute in tag.attrs if attribute.lower().startswith("on")]
            assert not handlers, f"{name}: <{tag.name} {handlers}> from the data"
            assert not (tag.name == "img" and tag.get("src") == "x"), f"{name}: injected <img>"
            for attribute in ("href", "src", "action", "formaction"):
                value = re.sub(r"[\x00-\x20]+", "", str(tag.get(attribute, "")))
                assert not UNSAFE_ADDRESS.match(value), f"{name}: {attribute}={value!r}"
        for script in soup.find_all("script"):
            if script.get("type") == "application/ld+json":
                json.loads(script.get_text())  # still whole: the data did not end the block
            else:
                assert "alert(" not in script.get_text(), f"{name}: script from the data runs"
        for link in soup.select("a.reference.external"):
            assert "noopener" in (link.get("rel") or []), f"{name}: {link}"
        if "hostile2024xss" in html and SCRIPT in soup.get_text():
            shown_as_text += 1
    homepage = site.page()
    entry = homepage.find(id="hostile2024xss")
    assert SCRIPT in entry.get_text() and IMG in entry.get_text()
    tooltips = [a["title"] for a in homepage.find_all("a", title=True) if SCRIPT in a["title"]]
    assert tooltips, "the citation's tooltip should show the title as text"
    code = next(a for a in entry.find_all("a") if a.get_text() == "Code")
    assert code["href"] == CODE_URL
    assert shown_as_text >= 2 and pages >= 8  # the list, the paper page, ...
