"""The author profile: the links conf.py sets, the avatar and favicon, a photo served small."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import published_prefix
from bs4 import BeautifulSoup
from conftest import Site
from PIL import Image

from scholarsite.profile import initials

#: The old site's profile: accessible name of each link, and its address.
PROFILE_LINKS = {
    "Email: zhengzhen.z@qq.com": "mailto:zhengzhen.z@qq.com",
    "GitHub": "https://github.com/JamesTheZ",
    "Google Scholar": "https://scholar.google.com/citations?hl=en&user=8eMsZ84AAAAJ",
    "LinkedIn": "https://www.linkedin.com/in/zheng-zhen-8a050262",
}


def test_profile_shows_name_tagline_and_links(homepage: BeautifulSoup) -> None:
    profile = homepage.select_one(".sidebar-drawer .profile")
    assert profile.select_one(".profile-name").get_text() == "Zhen Zheng (郑祯)"
    assert profile.select_one(".profile-tagline").get_text() == "ML System Research Engineer"
    links = {
        " ".join(link.get_text().split()): link["href"] for link in profile.select("a.profile-link")
    }
    assert links == PROFILE_LINKS
    for icon in profile.select("a.profile-link svg"):
        assert icon["aria-hidden"] == "true"


def target_of(href: str, page: Path, site: Site) -> Path:
    """The file a link on page leads to; an absolute path starts with the published prefix."""
    path = href.split("#")[0]
    if not path:
        return page
    if path.startswith("/"):
        prefix = published_prefix(site.root / "docs" / "conf.py")
        assert path.startswith(prefix), href
        return (site.out / path.removeprefix(prefix)).resolve()
    return (page.parent / path).resolve()


def test_profile_is_the_sidebars_brand_on_every_page(built_site: Site) -> None:
    for page in built_site.out.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        if soup.select_one(".sidebar-drawer") is None:
            continue  # the old addresses' redirect pages
        home = soup.select_one(".profile a.profile-home")
        assert home is not None, page
        assert target_of(home["href"], page, built_site) == built_site.out / "index.html", page
        assert soup.select_one(".sidebar-brand") is None, page


def test_without_a_photo_a_monogram_is_the_avatar_and_favicon(site: Site) -> None:
    site.build_ok("-D", "scholarsite_profile_photo=", "-D", "scholarsite_profile_name=Zhen Zheng")
    homepage = site.page()
    avatar = homepage.select_one(".profile img.profile-avatar")
    assert avatar["alt"] == ""  # the name is written beside it
    monogram = site.out / avatar["src"]
    svg = monogram.read_text(encoding="utf-8")
    assert ">ZZ</text>" in svg
    icon = homepage.find("link", rel="icon")
    assert (site.out / icon["href"]).read_text(encoding="utf-8") == svg
    assert homepage.find("meta", property="og:image") is None


def test_print_stylesheet_is_for_print_only(homepage: BeautifulSoup) -> None:
    sheets = {
        link["href"].split("?")[0]: link.get("media")
        for link in homepage.find_all("link", rel="stylesheet")
    }
    assert sheets["_static/print.css"] == "print"
    assert sheets["_static/profile.css"] is None


def test_a_large_photo_is_served_small(site: Site) -> None:
    """A 3556x3556 JPEG set as the photo reaches visitors resized and compressed."""
    photo = site.root / "docs" / "photo.jpg"
    Image.effect_noise((3556, 3556), 64).convert("RGB").save(photo, "JPEG", quality=95)
    assert photo.stat().st_size > 1_000_000
    site.build_ok("-D", "scholarsite_profile_photo=photo.jpg")
    avatar = site.page().select_one(".profile img.profile-avatar")
    assert avatar["width"] == avatar["height"] == "112"
    served = site.out / avatar["src"]
    with Image.open(served) as image:
        assert image.size == (224, 224)
        assert image.format == "WEBP"
    assert served.stat().st_size < 60_000
    assert not list(site.out.rglob("photo.jpg"))
    # The link preview's image is the photo too, a small JPEG at the site's address.
    share = site.page().find("meta", property="og:image")["content"]
    share_file = site.out / "_static" / share.rsplit("/", 1)[1]
    with Image.open(share_file) as image:
        assert image.size == (400, 400)
        assert image.format == "JPEG"
    assert share_file.stat().st_size < 120_000


def test_a_new_photo_reaches_every_page_of_an_incremental_build(site: Site) -> None:
    photo = site.root / "docs" / "photo.jpg"
    served: dict[str, tuple[int, int, int]] = {}
    for colour in ("red", "blue"):
        Image.new("RGB", (800, 600), colour).save(photo, "JPEG")
        site.build_ok("-D", "scholarsite_profile_photo=photo.jpg")
        for page in ("index.html", "projects/bladedisc.html"):
            avatar = site.page(page).select_one(".profile img.profile-avatar")["src"]
            with Image.open(site.out / Path(page).parent / avatar) as image:
                served[f"{colour} {page}"] = image.convert("RGB").getpixel((112, 112))
    assert served["red index.html"][0] > 200 and served["red index.html"][2] < 60
    assert served["blue index.html"][2] > 200 and served["blue index.html"][0] < 60
    assert served["blue projects/bladedisc.html"] == served["blue index.html"]
    assert len(list((site.out / "_static").glob("profile-photo-*.webp"))) == 1
    assert len(list((site.out / "_static").glob("profile-photo-*.jpg"))) == 1


def test_a_photo_that_is_not_there_stops_the_strict_build(site: Site) -> None:
    result = site.build("-D", "scholarsite_profile_photo=no-such-photo.jpg")
    assert result.returncode != 0
    assert "no-such-photo.jpg" in result.stderr


def test_a_malformed_link_setting_stops_the_strict_build(site: Site) -> None:
    result = site.build("-D", "scholarsite_profile_scholar=scholar.google.com/citations")
    assert result.returncode != 0
    assert "scholarsite_profile_scholar" in result.stderr


def test_each_sidebar_landmark_has_its_own_name(built_site: Site) -> None:
    for name in ("index.html", "projects/bladedisc.html"):
        asides = built_site.page(name).select("aside.sidebar-drawer, aside.toc-drawer")
        labels = [aside.get("aria-label") for aside in asides]
        assert len(labels) == 2 and all(labels) and len(set(labels)) == 2, (name, labels)


@pytest.mark.parametrize(
    ("name", "letters"),
    [("Zhen Zheng (郑祯)", "ZZ"), ("ada lovelace", "AL"), ("郑祯", "郑"), ("Plato", "P")],
)
def test_monogram_letters_come_from_the_name(name: str, letters: str) -> None:
    assert initials(name) == letters
