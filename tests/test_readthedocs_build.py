"""The site as Read the Docs builds it for a fork, served under that version's path.

.ci/run builds it first (.ci/readthedocs.py: the lock, a non-editable install, Read the Docs'
own command line and variables naming another project, version, language and domain) and
names the folder in SCHOLARSITE_RTD_BUILD. Without such a build these tests skip, except in CI.
"""

from __future__ import annotations

import json
import os
import runpy
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from helpers.browser import (
    DESKTOP,
    LOCAL_HOST,
    PageLog,
    SiteHandler,
    browser_missing,
    in_ci,
    keep_local,
    launch_chromium,
    serve,
    watch,
)
from helpers.site import REPO

BUILD_VARIABLE = "SCHOLARSITE_RTD_BUILD"
CONF = runpy.run_path(str(REPO / "docs" / "conf.py"))
#: Furo defines its colours as custom properties on body: set only when its stylesheet applied.
STYLED = (
    "getComputedStyle(document.body).getPropertyValue('--color-foreground-primary').trim() !== ''"
    " && [...document.styleSheets].every(sheet => sheet.cssRules.length > 0)"
)
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
T = TypeVar("T")


@dataclass
class ReadTheDocsBuild:
    html: Path
    canonical_url: str

    @property
    def prefix(self) -> str:
        """The path Read the Docs serves the version at, e.g. /fr/v2.0/."""
        return urlsplit(self.canonical_url).path

    def pages(self) -> list[str]:
        """Every page of the site, redirects left out."""
        redirects = {f"{source}.html" for source in CONF.get("redirects", {})}
        found = sorted(path.relative_to(self.html).as_posix() for path in self.html.rglob("*.html"))
        return [name for name in found if name not in redirects]

    def soup(self, name: str) -> BeautifulSoup:
        return BeautifulSoup((self.html / name).read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def rtd_build() -> ReadTheDocsBuild:
    folder = os.environ.get(BUILD_VARIABLE)
    if not folder:
        reason = (
            f"no Read the Docs build: {BUILD_VARIABLE} is not set (.ci/run sets it after "
            "building one with .ci/readthedocs.py)"
        )
        if in_ci():
            pytest.fail(f"CI needs the Read the Docs build: {reason}")
        pytest.skip(reason)
    record_file = Path(folder) / "readthedocs.json"
    assert record_file.is_file(), f"{BUILD_VARIABLE}={folder} holds no readthedocs.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    build = ReadTheDocsBuild(Path(record["html"]), record["READTHEDOCS_CANONICAL_URL"])
    assert (build.html / "index.html").is_file(), build.html
    return build


# -- Addresses, in the files ------------------------------------------------------------------


def test_every_canonical_and_open_graph_address_is_the_forks(rtd_build: ReadTheDocsBuild) -> None:
    base = rtd_build.canonical_url
    checked = 0
    for name in rtd_build.pages():
        page = rtd_build.soup(name)
        canonical = page.find("link", rel="canonical")
        if name in {"404.html", "search.html"}:
            continue
        expected = base if name == f"{CONF['root_doc']}.html" else base + name
        assert canonical is not None and canonical["href"] == expected, name
        og_url = page.find("meta", property="og:url")
        assert og_url is not None and og_url["content"] == expected, name
        for tag in page.find_all("meta", property="og:image"):
            assert str(tag["content"]).startswith(base), (name, tag["content"])
        for tag in page.find_all("meta", attrs={"name": "citation_pdf_url"}):
            assert str(tag["content"]).startswith(base + "files/"), (name, tag["content"])
        checked += 1
    assert checked >= 3, "pages with a canonical link"


def json_ld_urls(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in {"url", "@id"} and isinstance(item, str):
                yield item
            else:
                yield from json_ld_urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_ld_urls(item)


def test_json_ld_sitemap_and_robots_use_the_forks_address(rtd_build: ReadTheDocsBuild) -> None:
    base = rtd_build.canonical_url
    own = 0
    for name in rtd_build.pages():
        for script in rtd_build.soup(name).find_all("script", type="application/ld+json"):
            for url in json_ld_urls(json.loads(script.string or "")):
                if urlsplit(url).hostname == urlsplit(base).hostname:
                    assert url.startswith(base), (name, url)
                    own += 1
    assert own >= 1, "JSON-LD addresses on the site"
    homepage = rtd_build.soup(f"{CONF['root_doc']}.html")
    person = [
        json.loads(s.string or "") for s in homepage.find_all("script", type="application/ld+json")
    ]
    assert any(data.get("url") == base for data in person)

    sitemap = ElementTree.parse(rtd_build.html / "sitemap.xml")
    locs = [loc.text or "" for loc in sitemap.iterfind(f".//{SITEMAP}loc")]
    assert base in locs, "the homepage is listed at the site's root"
    assert all(loc.startswith(base) for loc in locs), locs
    assert len(locs) >= 3
    robots = (rtd_build.html / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {base}sitemap.xml" in robots


def test_no_file_names_the_owners_own_address(rtd_build: ReadTheDocsBuild) -> None:
    """A fork's site never points at the address in conf.py (the owner's site)."""
    owners = CONF["site_address"]
    assert owners != rtd_build.canonical_url
    searched = 0
    for path in rtd_build.html.rglob("*"):
        if path.suffix in {".html", ".xml", ".txt", ".js", ".json"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert owners not in text, path.relative_to(rtd_build.html)
            searched += 1
    assert searched >= 10
    not_found = rtd_build.soup("404.html")
    addresses = [
        str(tag.get("href") or tag.get("src") or "")
        for tag in not_found.find_all(["a", "link", "script", "img"])
    ]
    paths = [address for address in addresses if address and address.startswith("/")]
    assert paths and all(path.startswith(rtd_build.prefix) for path in paths), paths


# -- In the browser, served as Read the Docs serves it ----------------------------------------


class ReadTheDocsHandler(SiteHandler):
    """The version's files under its path; a missing address gets its 404.html, status 404."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        not_found = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not not_found.is_file():
            super().send_error(code, message, explain)
            return
        body = not_found.read_bytes()
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="session")
def rtd_url(rtd_build: ReadTheDocsBuild) -> Iterator[str]:
    with serve(rtd_build.html, rtd_build.prefix, ReadTheDocsHandler) as url:
        yield url


class BrowserThread:
    """Chromium driven from a thread of its own.

    test_browser.py holds Playwright's sync API in the main thread for the whole session, and
    one thread can hold only one; each check here runs in this thread, on its one page.
    """

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1)
        self.executor.submit(self._start).result()

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.chromium = launch_chromium(self.playwright)
        options: dict[str, Any] = {"viewport": DESKTOP}
        context = self.chromium.new_context(**options)
        self.log = PageLog()
        keep_local(context, self.log)
        self.page = context.new_page()
        watch(self.page, self.log)

    def _stop(self) -> None:
        self.chromium.close()
        self.playwright.stop()

    def run(self, check: Callable[[Any, PageLog], T]) -> T:
        """Run check(page, log) in the browser's thread; its failures are raised here."""
        return self.executor.submit(check, self.page, self.log).result()

    def close(self) -> None:
        self.executor.submit(self._stop).result()
        self.executor.shutdown()


@pytest.fixture(scope="session")
def rtd_browser(rtd_build: ReadTheDocsBuild) -> Iterator[BrowserThread]:
    if reason := browser_missing():
        if in_ci():
            pytest.fail(f"CI needs the browser tests: {reason}")
        pytest.skip(reason)
    browser = BrowserThread()
    yield browser
    browser.close()


def load(page: Any, log: PageLog, url: str) -> Any:
    """Load url, with nothing recorded from an earlier page and nothing still in flight."""
    log.clear()
    response = page.goto(url, wait_until="load")
    assert response is not None, url
    page.wait_for_load_state("networkidle")  # the favicon too
    return response


def failed_besides_the_page(page: Any, log: PageLog) -> list[str]:
    """Failed requests, leaving out the page itself (a 404 page's own status is 404)."""
    return [entry for entry in log.failed_requests if not entry.startswith(page.url)]


def test_every_page_is_styled_under_the_versions_path(
    rtd_build: ReadTheDocsBuild, rtd_url: str, rtd_browser: BrowserThread
) -> None:
    pages = rtd_build.pages()

    def check(page: Any, log: PageLog) -> list[str]:
        styled = []
        for name in pages:
            response = load(page, log, rtd_url + name)
            assert response.status == HTTPStatus.OK, name
            assert page.evaluate(STYLED), f"{name}: Furo's stylesheet did not apply"
            assert failed_besides_the_page(page, log) == [], name
            assert log.foreign_requests == [], name
            styled.append(name)
        return styled

    styled = rtd_browser.run(check)
    assert styled == pages and len(styled) >= 5


def test_a_deep_missing_address_shows_the_styled_404_page(
    rtd_url: str, rtd_browser: BrowserThread
) -> None:
    def check(page: Any, log: PageLog) -> list[str]:
        response = load(page, log, rtd_url + "no/such/page/at/any/depth.html")
        assert response.status == HTTPStatus.NOT_FOUND
        assert page.evaluate(STYLED), "the 404 page's stylesheet did not load at depth"
        assert failed_besides_the_page(page, log) == []
        assert len(log.requests) > 3  # the page, its stylesheets, scripts and images
        links = page.eval_on_selector_all(
            "a[href]",
            "links => links.map(link => link.href).filter(href => href.startsWith('http'))",
        )
        here = page.url.split("#")[0]
        local = [
            link
            for link in links
            if urlsplit(link).hostname == LOCAL_HOST and link.split("#")[0] != here
        ]
        for link in local:
            assert link.startswith(rtd_url), link
            status = page.request.get(link).status
            assert status == HTTPStatus.OK, f"{link}: HTTP {status}"
        return local

    local = rtd_browser.run(check)
    assert len(local) >= 2, "links from the 404 page into the site"


def test_redirects_land_on_their_targets(rtd_url: str, rtd_browser: BrowserThread) -> None:
    redirects = CONF.get("redirects", {})

    def check(page: Any, log: PageLog) -> int:
        for source, target in redirects.items():
            source_url = rtd_url + f"{source}.html"
            load(page, log, source_url)
            page.wait_for_url(urljoin(source_url, target))
            assert page.evaluate(STYLED), source
        return len(redirects)

    assert rtd_browser.run(check) >= 1
