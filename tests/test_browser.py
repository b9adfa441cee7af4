"""The built site in a real browser (Chromium): clean loads, accessibility, profile, navigation,
search, copying BibTeX and following citations, in light and dark, on a desktop and a phone."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from helpers.browser import (
    DESKTOP,
    PHONE,
    PageLog,
    browser_missing,
    in_ci,
    keep_local,
    launch_chromium,
    serve,
    watch,
)
from helpers.realsite import (
    REPO,
    citing_pages,
    conf,
    entries,
    navigation_labels,
    profile_links,
    published_prefix,
    title,
    visible_pages,
)
from helpers.site import Site

from scholarsite.paper_pages import page_name

#: Two test processes share them, each with one Chromium (pytest-xdist's --dist loadgroup):
#: the accessibility checks in one, the rest in the other.
pytestmark = pytest.mark.xdist_group("browser")
AXE_GROUP = pytest.mark.xdist_group("axe")

#: An entry, a page of the owner's besides the homepage, and a page that cites: the real
#: site's first of each, whatever they are (no such page: the tests that need one skip).
KEY = next(iter(entries()))
OTHER = [f"{docname}.html" for docname in visible_pages() if docname != "index"]
CITING = [f"{docname}.html" for docname in citing_pages()]
PROJECT = (CITING or OTHER or [""])[0]
#: One page of each kind the site has: homepage, a page of the owner's, paper page, 404.
PAGES = [
    "index.html",
    *[PROJECT][: bool(PROJECT)],
    f"publications/{page_name(KEY)}.html",
    "404.html",
]


@pytest.fixture(scope="module")
def navigation(built_site: Site) -> list[str]:
    """The homepage toctree's labels, read from the built copy (its generated pages included)."""
    return navigation_labels(built_site.root)


THEMES = ["light", "dark"]
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
#: What a light page does without: web fonts, jQuery.
LIGHTNESS_OFFENDERS = re.compile(r"\.(woff2?|ttf|otf|eot)(\?|$)|jquery", re.IGNORECASE)
SCREENSHOTS = REPO / "test-output" / "screenshots"

Tab = tuple[Any, PageLog]


@pytest.fixture(scope="session")
def site_url(built_site: Site) -> Iterator[str]:
    with serve(built_site.out, published_prefix()) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole session. Without it the tests skip, except in CI."""
    if reason := browser_missing():
        if in_ci():
            pytest.fail(f"CI needs the browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def new_tab(browser: Any, theme: str, viewport: dict[str, int], system: str = "") -> Tab:
    """A page in a fresh context, Furo's theme preset, every non-local request refused.

    system is the operating system's colour scheme; by default the same as theme.
    """
    context = browser.new_context(viewport=viewport, color_scheme=system or theme)
    context.add_init_script(f"localStorage.setItem('theme', '{theme}')")
    log = PageLog()
    keep_local(context, log)
    page = context.new_page()
    watch(page, log)
    return page, log


@pytest.fixture(scope="session")
def tab(browser: Any) -> Iterator[Callable[[str, str], Tab]]:
    """The session's page for a theme and a viewport, made once and reused (a new context
    costs a renderer process). Theme "auto" follows the system's scheme, light until a test
    emulates another."""
    tabs: dict[tuple[str, str], Tab] = {}

    def get(theme: str, viewport: str) -> Tab:
        if (theme, viewport) not in tabs:
            system = "light" if theme == "auto" else theme
            tabs[theme, viewport] = new_tab(browser, theme, VIEWPORTS[viewport], system=system)
        return tabs[theme, viewport]

    yield get
    for page, _ in tabs.values():
        page.context.close()


def playwright_expect() -> Any:
    """Playwright's retrying assertions, imported once the browser fixture has made sure."""
    from playwright.sync_api import expect

    return expect


def open_page(tab: Tab, url: str) -> Any:
    """Load url in the tab, with no problem recorded from any earlier page."""
    page, log = tab
    log.clear()
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    return page


@pytest.fixture(scope="session")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


#: Each page in both themes and both viewports, paired so that every theme meets every viewport
#: on alternate pages: (light, desktop) and (dark, phone) on the first, (dark, desktop) and
#: (light, phone) on the next, and so on. Contrast follows the theme, layout the viewport.
AXE_VIEWS = [
    (name, theme, viewport)
    for index, name in enumerate(PAGES)
    for theme, viewport in (
        [("light", "desktop"), ("dark", "phone")]
        if index % 2 == 0
        else [("dark", "desktop"), ("light", "phone")]
    )
]
assert {(theme, viewport) for _, theme, viewport in AXE_VIEWS} == {
    (theme, viewport) for theme in THEMES for viewport in VIEWPORTS
}


@AXE_GROUP
@pytest.mark.parametrize(("name", "theme", "viewport"), AXE_VIEWS)
def test_page_loads_cleanly_and_axe_finds_no_violation(
    tab: Callable[[str, str], Tab], axe: Any, site_url: str, name: str, theme: str, viewport: str
) -> None:
    page = open_page(tab(theme, viewport), site_url + name)  # loaded: its assets included
    assert page.evaluate("document.body.dataset.theme") == theme
    results = axe.run(page, options={"resultTypes": ["violations"]})
    log = tab(theme, viewport)[1]
    assert log.foreign_requests == []
    assert log.failed_requests == []
    assert log.console_errors == []
    assert len(log.requests) > 1  # the page and its assets were seen
    assert [url for url in log.requests if LIGHTNESS_OFFENDERS.search(url)] == []
    assert results.violations_count == 0, results.generate_report()


def relative_luminance(css_colour: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", css_colour)[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("theme", THEMES)
def test_homepage_in_each_theme_with_screenshot(
    tab: Callable[[str, str], Tab], site_url: str, theme: str, viewport: str
) -> None:
    """The theme really changes the colours; the screenshot is for a person to look at."""
    page = open_page(tab(theme, viewport), site_url + "index.html")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    if theme == "dark":
        assert relative_luminance(background) < 0.2, background
    else:
        assert relative_luminance(background) > 0.9, background
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"homepage-{viewport}-{theme}.png")


def test_a_request_to_another_host_is_recorded_and_refused(
    tab: Callable[[str, str], Tab], tmp_path: Path
) -> None:
    """The check every page above passes can fail: a foreign asset is seen and never fetched."""
    foreign = ["https://example.com/font.woff2", "http://192.0.2.1/script.js"]
    (tmp_path / "index.html").write_text(
        f'<link rel="stylesheet" href="local.css"><link rel="stylesheet" href="{foreign[0]}">'
        f'<script src="{foreign[1]}"></script>'
    )
    (tmp_path / "local.css").write_text("body { margin: 0 }")
    with serve(tmp_path) as url:
        open_page(tab("light", "desktop"), url + "index.html")
    log = tab("light", "desktop")[1]
    assert sorted(log.foreign_requests) == sorted(foreign)
    assert len(log.failed_requests) == len(foreign)
    assert url + "local.css" in log.requests


@pytest.mark.parametrize("system", THEMES)
def test_auto_theme_follows_the_system(
    tab: Callable[[str, str], Tab], site_url: str, system: str
) -> None:
    page = tab("auto", "desktop")[0]
    page.emulate_media(color_scheme=system)
    open_page(tab("auto", "desktop"), site_url + "index.html")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    name = page.locator(".sidebar-drawer .profile-name")
    name_colour = name.evaluate("name => getComputedStyle(name).color")
    if system == "dark":
        assert relative_luminance(background) < 0.2 < relative_luminance(name_colour)
    else:
        assert relative_luminance(background) > 0.9 > relative_luminance(name_colour)


@pytest.mark.parametrize("name", ["index.html", *[PROJECT][: bool(PROJECT)]])
def test_profile_with_its_links_on_every_page(
    tab: Callable[[str, str], Tab], site_url: str, name: str
) -> None:
    page = open_page(tab("light", "desktop"), site_url + name)
    sidebar = page.locator(".sidebar-drawer")
    profile = sidebar.locator(".profile")
    assert profile.count() == 1
    assert profile.is_visible()
    settings = conf()
    name = settings.get("scholarsite_profile_name") or settings["author"]
    assert profile.get_by_text(name, exact=True).is_visible()
    if tagline := settings.get("scholarsite_profile_tagline"):
        assert profile.get_by_text(tagline, exact=True).is_visible()
    avatar = profile.locator("img.profile-avatar")
    assert avatar.evaluate("image => image.complete && image.naturalWidth > 0")
    assert avatar.bounding_box()["width"] == 112
    links = profile_links()
    assert profile.get_by_role("link").count() >= len(links) >= 1
    for accessible_name, address in links.items():
        link = profile.get_by_role("link", name=accessible_name, exact=True)
        assert link.is_visible(), accessible_name
        assert link.get_attribute("href") == address


def test_navigation_shows_home_projects_and_publications(
    tab: Callable[[str, str], Tab], site_url: str, navigation: list[str]
) -> None:
    page = open_page(tab("light", "desktop"), site_url + (OTHER or ["index.html"])[0])
    tree = page.locator(".sidebar-tree")
    assert len(navigation) >= 2, navigation
    for label in navigation:
        assert tree.get_by_role("link", name=label, exact=True).is_visible(), label


def test_phone_navigation_opens_from_the_menu_button(
    tab: Callable[[str, str], Tab], site_url: str, navigation: list[str]
) -> None:
    page = open_page(tab("light", "phone"), site_url + "index.html")
    projects = page.locator(".sidebar-tree").get_by_role("link", name=navigation[1], exact=True)
    assert projects.count() == 1  # so that "not in the viewport" is about this link
    expect = playwright_expect()
    expect(projects).not_to_be_in_viewport()
    page.locator("label.nav-overlay-icon").click()
    expect(projects).to_be_in_viewport()
    drawer_profile = page.locator(".sidebar-drawer .profile")
    expect(drawer_profile.get_by_role("link", name="GitHub")).to_be_in_viewport()
    # The drawer slides in all the way: its left edge reaches the screen's.
    page.wait_for_function(
        "document.querySelector('.sidebar-drawer').getBoundingClientRect().left >= 0"
    )
    page.mouse.move(PHONE["width"] - 5, PHONE["height"] - 5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "homepage-phone-light-menu.png")


def test_phone_shows_who_and_how_to_reach_him_on_first_load(
    tab: Callable[[str, str], Tab], site_url: str
) -> None:
    """On a phone the homepage shows the profile above the page, with the menu closed."""
    page = open_page(tab("light", "phone"), site_url + "index.html")
    expect = playwright_expect()
    card = page.locator("article .profile")
    settings = conf()
    name = settings.get("scholarsite_profile_name") or settings["author"]
    expect(card.get_by_text(name, exact=True)).to_be_in_viewport()
    avatar = card.locator("img.profile-avatar")
    expect(avatar).to_be_in_viewport()
    assert avatar.evaluate("image => image.complete && image.naturalWidth > 0")
    checked = 0
    links = profile_links()
    for accessible_name, address in links.items():
        link = card.get_by_role("link", name=accessible_name, exact=True)
        expect(link).to_be_in_viewport()
        assert link.get_attribute("href") == address
        checked += 1
    assert checked == len(links) > 0
    # The menu stays closed: the drawer's own copy is off screen.
    expect(page.locator(".sidebar-drawer .profile-name")).not_to_be_in_viewport()


def test_desktop_shows_the_profile_once(tab: Callable[[str, str], Tab], site_url: str) -> None:
    page = open_page(tab("light", "desktop"), site_url + "index.html")
    assert page.locator(".profile-name").count() == 2  # the sidebar's and the phone's copy
    assert page.locator(".sidebar-drawer .profile-name").is_visible()
    assert not page.locator("article .profile-name").is_visible()


def test_search_finds_a_publication_by_a_title_word(
    tab: Callable[[str, str], Tab], site_url: str
) -> None:
    word = max(re.findall(r"\w+", title(KEY)), key=len)
    page = open_page(tab("light", "desktop"), site_url + f"search.html?q={word}")
    first_result = page.locator("#search-results li a").first
    first_result.wait_for(timeout=10_000)
    hrefs = page.locator("#search-results li a").evaluate_all(
        "links => links.map(link => link.href)"
    )
    pages = {urlsplit(href).path.removeprefix(urlsplit(site_url).path) for href in hrefs}
    assert pages & {"index.html", "", f"publications/{page_name(KEY)}.html"}, hrefs


def test_copying_an_entrys_bibtex_puts_exactly_that_entry_on_the_clipboard(
    tab: Callable[[str, str], Tab], site_url: str
) -> None:
    page, log = tab("light", "desktop")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_page((page, log), site_url + "index.html")
    page.evaluate("navigator.clipboard.writeText('nothing copied yet')")
    box = page.locator(f"[id='{KEY}'] details.publication-bibtex")
    box.locator("summary").click()
    source = box.locator("pre")
    source.hover()
    box.locator("button.copybtn").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    shown = source.inner_text()
    assert copied.startswith(f"@{entries()[KEY].original_type}{{{KEY},"), copied
    assert copied.rstrip("\n") == shown.rstrip("\n")
    assert copied.rstrip().endswith("}")
    assert log.console_errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_citation_on_a_project_page_lands_on_its_entry(
    tab: Callable[[str, str], Tab], site_url: str, viewport: str
) -> None:
    if not CITING:
        pytest.skip("no page of the site cites an entry")
    page = open_page(tab("light", viewport), site_url + CITING[0])
    citations = page.locator("span.bibtex-citation a.reference")
    assert citations.count() >= 1, f"{CITING[0]} cites nothing that shows"
    citation = citations.first
    href = citation.get_attribute("href")
    assert href is not None and "#" in href, href
    key = href.split("#", 1)[1]
    citation.click()
    page.wait_for_url(re.compile(f"#{re.escape(key)}$"))
    entry = page.locator(f"[id='{key}']")
    playwright_expect()(entry).to_be_in_viewport()
    # Not under the phone's sticky header either: the entry's own first line is on top there.
    assert entry.evaluate(
        """element => {
            const box = element.getBoundingClientRect();
            const onTop = document.elementFromPoint(box.left + 8, Math.max(box.top, 0) + 8);
            return box.top >= 0 && element.contains(onTop);
        }"""
    ), key


def test_homepage_prints_as_a_plain_page_with_link_addresses(
    tab: Callable[[str, str], Tab], site_url: str
) -> None:
    page = open_page(tab("light", "desktop"), site_url + "index.html")
    page.emulate_media(media="print")
    try:
        hidden = 0
        for chrome in (
            ".sidebar-tree",
            ".sidebar-search",
            ".toc-drawer",
            "footer",
            ".profile-home",
        ):
            found = page.locator(chrome)
            assert found.count() >= 1, f"{chrome} matches nothing: the check would prove nothing"
            assert not found.first.is_visible(), chrome
            hidden += 1
        assert hidden == 5
        contact = page.locator(".profile a.profile-link")
        assert contact.count() >= 1 and contact.first.is_visible()
        external = page.locator("article a.reference.external[href^='https://']").first
        address = external.get_attribute("href")
        after = external.evaluate("link => getComputedStyle(link, '::after').content")
        assert address and address in after
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert relative_luminance(background) == 1.0
    finally:
        page.emulate_media(media="screen")
