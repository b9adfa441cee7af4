"""Incremental builds write what a clean build writes, and a no-op rebuild does no work."""

from __future__ import annotations

import filecmp
import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import synth  # noqa: E402

STRICT = ["-W", "--keep-going", "-n", "-j", "1", "-b", "html"]


def build(root: Path, out: str = "out", *options: str) -> str:
    """Build *root*'s docs/ strictly; return sphinx's output (verbose, so the counts show)."""
    command = [
        sys.executable, "-m", "sphinx", *STRICT, "-v", *options,
        "-d", str(root / f"{out}-doctrees"), str(root / "docs"), str(root / out),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, cwd=root, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING" not in result.stderr, result.stderr[-3000:]
    return result.stdout


def assert_same_html(root: Path) -> None:
    """The incremental output in out/ equals a clean build's, every file byte for byte.

    Pages, sitemap.xml, files/: all of it, so nothing stale or missing ships. The search
    index is compared for what it finds: after a page is removed, Sphinx keeps that page's
    words in it with no page to point to.
    """
    build(root, "clean")
    incremental = {path.relative_to(root / "out") for path in (root / "out").rglob("*")}
    clean = {path.relative_to(root / "clean") for path in (root / "clean").rglob("*")}
    assert incremental == clean
    differing = [
        str(path)
        for path in sorted(clean)
        if (root / "clean" / path).is_file()
        and path.name != "searchindex.js"
        and not filecmp.cmp(root / "out" / path, root / "clean" / path, shallow=False)
    ]
    assert differing == []
    assert search_index(root / "out") == search_index(root / "clean")


def search_index(out: Path) -> dict:
    """Sphinx's search index, without the words that point to no page."""
    text = (out / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    for name in ("terms", "titleterms"):
        index[name] = {word: pages for word, pages in index[name].items() if pages != []}
    return index


def read_counts(output: str) -> tuple[int, int, int]:
    """Sphinx's "updating environment: A added, C changed, R removed" of one build."""
    match = re.search(r"(\d+) added, (\d+) changed, (\d+) removed", output)
    assert match, output
    return int(match[1]), int(match[2]), int(match[3])


def test_speed_extension_changes_no_output(tmp_path: Path) -> None:
    """The site built with scholarsite.speed is the site built without it, byte for byte."""
    fast = built_site(tmp_path / "fast")
    slow = tmp_path / "slow"
    conf = synth.make_site(slow, 17) / "conf.py"
    text = conf.read_text(encoding="utf-8")
    assert '"scholarsite.speed",' in text
    conf.write_text(text.replace('"scholarsite.speed",', ""), encoding="utf-8")
    build(slow)
    fast_files = sorted(path.relative_to(fast / "out") for path in (fast / "out").rglob("*.html"))
    slow_files = sorted(path.relative_to(slow / "out") for path in (slow / "out").rglob("*.html"))
    assert fast_files == slow_files
    assert [
        str(path)
        for path in fast_files
        if not filecmp.cmp(fast / "out" / path, slow / "out" / path, shallow=False)
    ] == []


def built_site(root: Path, n: int = 17) -> Path:
    """A copy of the site with an *n*-entry refs.bib, built once."""
    synth.make_site(root, n)
    build(root)
    return root


def test_page_edit_gives_the_clean_build(tmp_path: Path) -> None:
    root = built_site(tmp_path / "site")
    synth.edit_page(root / "docs", 1)
    assert read_counts(build(root)) == (0, 1, 0)
    assert_same_html(root)


def test_cited_entry_edit_gives_the_clean_build_formatting_only_that_entry(tmp_path: Path) -> None:
    """A cited entry's title and venue tag change: the list, and every page citing it, follow."""
    root = built_site(tmp_path / "site")
    synth.edit_entry(root / "refs.bib", 1)
    output = build(root)
    match = re.search(r"formatted (\d+) entr(?:y|ies), reused (\d+)", output)
    assert match, output
    assert (int(match[1]), int(match[2])) == (1, 16)
    assert "entries of refs.bib reused" in output  # parsed once, by the publications extension
    assert_same_html(root)


def test_noop_rebuild_reads_nothing_and_formats_nothing(tmp_path: Path) -> None:
    for n in (17, 400):
        root = tmp_path / f"n{n}"
        docs = synth.make_site(root, n)
        options = []
        if n > 17 and "scholarsite_paper_pages" in (docs / "conf.py").read_text(encoding="utf-8"):
            # a page per entry would make this test slow, and it is about the bibliography
            options = ["-D", "scholarsite_paper_pages=0"]
        build(root, "out", *options)
        output = build(root, "out", *options)
        read = re.findall(r"reading sources\.\.\. \[[ \d]+%\] (\S+)", output)
        assert read_counts(output) == (0, 0, 0), (n, read)
        assert "no targets are out of date" in output, n
        assert "bibliography unchanged, formatted entries reused" in output, n
        # the bulky data (parsed entries, formatted citations) stays on disk
        assert "parsed entries of refs.bib in use" not in output, n
        assert "stored cite data read" not in output, n


def test_lost_stored_data_is_rebuilt_and_old_copies_are_removed(tmp_path: Path) -> None:
    """Formatted citations live beside the environment pickle: one file, recreated if lost."""
    root = built_site(tmp_path / "site")
    doctrees = root / "out-doctrees"
    [stored] = doctrees.glob("scholarsite-cite-*")
    stored.unlink()
    synth.edit_entry(root / "refs.bib", 1)
    output = build(root)
    assert "is gone; formatting afresh" in output
    assert_same_html(root)
    synth.edit_page(root / "docs", 1)
    build(root)
    assert len(list(doctrees.glob("scholarsite-cite-*"))) == 1
    assert_same_html(root)


def test_removed_entry_takes_its_paper_page_with_it(tmp_path: Path) -> None:
    """An entry deleted from refs.bib leaves no page behind, as in a clean build."""
    root = built_site(tmp_path / "site")
    page = root / "out" / "publications" / "fu2016refactoring.html"
    assert page.is_file()
    refs = root / "refs.bib"
    text, count = re.subn(
        r"^@\w+\{fu2016refactoring,.*?^\}\n",
        "",
        refs.read_text(encoding="utf-8"),
        flags=re.M | re.S,
    )
    assert count == 1
    refs.write_text(text, encoding="utf-8")
    build(root)
    assert not page.exists()
    assert_same_html(root)
