"""The author profile: the links conf.py sets, the avatar and favicon, a photo served small."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from helpers.realsite import REPO, conf, profile_links, published_prefix
from helpers.site import Site
from PIL import Image

from scholarsite.profile import MONOGRAM_FILE, initials


def profile_of(page: BeautifulSoup) -> Tag:
    profile = page.select_one(".sidebar-drawer .profile")
    assert profile is not None
    return profile


def test_profile_shows_name_tagline_and_links(homepage: BeautifulSoup) -> None:
    settings = conf()
    profile = profile_of(homepage)
    name = profile.select_one(".profile-name")
    assert name and name.get_text() == (
        settings.get("scholarsite_profile_name") or settings["author"]
    )
    tagline = profile.select_one(".profile-tagline")
    assert (tagline.get_text() if tagline else "") == settings.get(
        "scholarsite_profile_tagline", ""
    )
    links = {
        " ".join(link.get_text().split()): link["href"] for link in profile.select("a.profile-link")
    }
    assert links == profile_links()
    icons = profile.select("a.profile-link svg")
    assert len(icons) == len(links)
    assert all(icon["aria-hidden"] == "true" for icon in icons)


def target_of(href: str, page: Path, site: Site) -> Path:
    """The file a link on page leads to; an absolute path starts with the published prefix."""
    path = href.split("#")[0]
    if not path:
        return page
    if path.startswith("/"):
        prefix = published_prefix(REPO)
        assert path.startswith(prefix), href
        return (site.out / path.removeprefix(prefix)).resolve()
    return (page.parent / path).resolve()


def test_profile_is_the_sidebars_brand_on_every_page(built_site: Site) -> None:
    checked = 0
    for page in built_site.out.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        if soup.select_one(".sidebar-drawer") is None:
            continue  # the old addresses' redirect pages
        home = soup.select_one(".profile a.profile-home")
        assert home is not None, page
        assert target_of(str(home["href"]), page, built_site) == built_site.out / "index.html"
        assert soup.select_one(".sidebar-brand") is None, page
        checked += 1
    assert checked >= 3


def test_avatar_and_favicon_are_served(built_site: Site, homepage: BeautifulSoup) -> None:
    """The photo conf.py names, served small; without one, a monogram (also the favicon)."""
    avatar = profile_of(homepage).select_one("img.profile-avatar")
    assert avatar is not None and avatar["alt"] == ""  # the name is written beside it
    served = built_site.out / str(avatar["src"])
    monogram = built_site.out / "_static" / MONOGRAM_FILE
    settings = conf()
    letters = initials(settings.get("scholarsite_profile_name") or settings["author"])
    assert f">{letters}</text>" in monogram.read_text(encoding="utf-8")
    if conf().get("scholarsite_profile_photo"):
        with Image.open(served) as image:
            assert image.size == (224, 224) and image.format == "WEBP"
    else:
        assert served == monogram
    icon = homepage.find("link", rel="icon")
    assert isinstance(icon, Tag)
    if not conf().get("html_favicon"):
        assert (built_site.out / str(icon["href"])).read_bytes() == monogram.read_bytes()


def test_print_stylesheet_is_for_print_only(homepage: BeautifulSoup) -> None:
    sheets = {
        str(link["href"]).split("?")[0]: link.get("media")
        for link in homepage.find_all("link", rel="stylesheet")
    }
    assert sheets["_static/print.css"] == "print"
    assert sheets["_static/profile.css"] is None


def test_a_large_photo_is_served_small(site: Site, make_app: Any) -> None:
    """A 3556x3556 JPEG set as the photo reaches visitors resized and compressed."""
    photo = site.docs / "photo.jpg"
    Image.effect_noise((3556, 3556), 64).convert("RGB").save(photo, "JPEG", quality=95)
    assert photo.stat().st_size > 1_000_000
    site.build_ok_in_process(make_app, scholarsite_profile_photo="photo.jpg")
    avatar = profile_of(site.page()).select_one("img.profile-avatar")
    assert avatar is not None and avatar["width"] == avatar["height"] == "112"
    served = site.out / str(avatar["src"])
    with Image.open(served) as image:
        assert image.size == (224, 224)
        assert image.format == "WEBP"
    assert served.stat().st_size < 60_000
    assert not list(site.out.rglob("photo.jpg"))
    # The link preview's image is the photo too, a small JPEG at the site's address.
    share = site.page().find("meta", property="og:image")
    assert isinstance(share, Tag)
    share_file = site.out / "_static" / str(share["content"]).rsplit("/", 1)[1]
    with Image.open(share_file) as image:
        assert image.size == (400, 400)
        assert image.format == "JPEG"
    assert share_file.stat().st_size < 120_000


def test_without_a_photo_a_monogram_is_the_avatar_and_favicon(site: Site, make_app: Any) -> None:
    site.build_ok_in_process(make_app)
    homepage = site.page()
    avatar = profile_of(homepage).select_one("img.profile-avatar")
    assert avatar is not None and avatar["alt"] == ""
    monogram = site.out / str(avatar["src"])
    svg = monogram.read_text(encoding="utf-8")
    assert ">AL</text>" in svg
    icon = homepage.find("link", rel="icon")
    assert isinstance(icon, Tag)
    assert (site.out / str(icon["href"])).read_text(encoding="utf-8") == svg
    assert homepage.find("meta", property="og:image") is None


def test_a_new_photo_reaches_every_page_of_an_incremental_build(site: Site, make_app: Any) -> None:
    photo = site.docs / "photo.jpg"
    served: dict[str, tuple[int, ...]] = {}
    for colour in ("red", "blue"):
        Image.new("RGB", (800, 600), colour).save(photo, "JPEG")
        site.build_ok_in_process(make_app, scholarsite_profile_photo="photo.jpg")
        for page in ("index.html", "projects/engine.html"):
            avatar = profile_of(site.page(page)).select_one("img.profile-avatar")
            assert avatar is not None
            with Image.open(site.out / Path(page).parent / str(avatar["src"])) as image:
                served[f"{colour} {page}"] = image.convert("RGB").getpixel((112, 112))  # type: ignore[assignment]
    assert served["red index.html"][0] > 200 and served["red index.html"][2] < 60
    assert served["blue index.html"][2] > 200 and served["blue index.html"][0] < 60
    assert served["blue projects/engine.html"] == served["blue index.html"]
    assert len(list((site.out / "_static").glob("profile-photo-*.webp"))) == 1
    assert len(list((site.out / "_static").glob("profile-photo-*.jpg"))) == 1


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("scholarsite_profile_photo", "no-such-photo.jpg"),
        ("scholarsite_profile_scholar", "scholar.google.com/citations"),
        ("scholarsite_profile_email", "not an address"),
    ],
)
def test_an_unusable_profile_setting_is_reported(
    site: Site, make_app: Any, setting: str, value: str
) -> None:
    site.build_in_process(make_app, **{setting: value})
    assert setting in site.warnings and "WARNING" in site.warnings, site.warnings


def test_each_sidebar_landmark_has_its_own_name(built_site: Site) -> None:
    for name in ("index.html", "publications/index.html"):
        asides = built_site.page(name).select("aside.sidebar-drawer, aside.toc-drawer")
        labels = [aside.get("aria-label") for aside in asides]
        assert len(labels) == 2 and all(labels) and len(set(labels)) == 2, (name, labels)


@pytest.mark.parametrize(
    ("name", "letters"),
    [("Zhen Zheng (郑祯)", "ZZ"), ("ada lovelace", "AL"), ("郑祯", "郑"), ("Plato", "P")],
)
def test_monogram_letters_come_from_the_name(name: str, letters: str) -> None:
    assert initials(name) == letters
