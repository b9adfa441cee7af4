"""The author profile in the sidebar: avatar, name, tagline and contact links, set in conf.py."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

# The formats the photo is saved in, registered now: saving in a format Pillow has not
# registered first imports every one of its plugins (PDF and dozens more), on every cold build.
from PIL import JpegImagePlugin, WebPImagePlugin  # noqa: F401  isort: skip
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from .fileutil import write_if_changed
from .state import state

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).parent / "templates"
#: The avatar's size on the page, in CSS pixels; profile.css says the same.
AVATAR_CSS_PX = 112
#: The served photo has twice as many pixels a side, sharp on high-density screens.
PHOTO_PX = 2 * AVATAR_CSS_PX
PHOTO_WEBP_QUALITY = 80
#: The link preview's image (Open Graph): a JPEG, which every site that unfurls links reads.
SHARE_IMAGE_PX = 400
SHARE_IMAGE_JPEG_QUALITY = 82
MONOGRAM_FILE = "profile-monogram.svg"
#: The html_context entries holding the avatar's and the link preview image's file names.
AVATAR_CONTEXT = "scholarsite_profile_avatar"
SHARE_IMAGE_CONTEXT = "scholarsite_profile_share_image"
#: The monogram's circle: a blue-to-violet gradient that stands out on white and on near-black.
MONOGRAM_COLOURS = ("#2156d9", "#6d3bd6")


@dataclass(frozen=True)
class ProfileLink:
    """One contact link: what it is (the icon's name), its visible label and its address."""

    kind: str
    label: str
    url: str
    #: Words a screen reader says before the label, e.g. "Email:" before the address.
    hidden_prefix: str = ""


@dataclass(frozen=True)
class Profile:
    """Everything the sidebar template shows."""

    name: str
    tagline: str
    avatar: str  # a file in _static/
    is_photo: bool
    links: tuple[ProfileLink, ...]
    share_image: str = ""  # a file in _static/: the photo for link previews, if there is one


def profile_links(config: Config) -> tuple[list[ProfileLink], list[str]]:
    """The links the settings ask for, in a fixed order, and any setting that is not usable."""
    links: list[ProfileLink] = []
    problems: list[str] = []
    if email := config.scholarsite_profile_email.strip():
        if re.fullmatch(r"[^@\s/:]+@[^@\s/:]+\.[^@\s/:]+", email):
            links.append(ProfileLink("email", email, f"mailto:{email}", "Email: "))
        else:
            problems.append(f"scholarsite_profile_email {email!r} is not an email address")
    for kind, label, setting, base in (
        ("github", "GitHub", "scholarsite_profile_github", "https://github.com/"),
        ("scholar", "Google Scholar", "scholarsite_profile_scholar", None),
        ("linkedin", "LinkedIn", "scholarsite_profile_linkedin", "https://www.linkedin.com/in/"),
    ):
        value = config[setting].strip()
        if not value:
            continue
        if value.startswith("https://"):
            links.append(ProfileLink(kind, label, value))
        elif base is not None and re.fullmatch(r"[A-Za-z0-9_.-]+", value):
            links.append(ProfileLink(kind, label, base + value))
        else:
            expected = "an https:// address" + (" or a user name" if base else "")
            problems.append(f"{setting} {value!r} is not {expected}")
    return links, problems


def initials(name: str) -> str:
    """The monogram's letters: the first letter of the name's first two words, before any (...).

    "Zhen Zheng (郑祯)" gives "ZZ"; a name written without spaces, such as "郑祯", gives "郑".
    """
    words = name.split("(")[0].split() or [name]
    return "".join(word[0] for word in words[:2]).upper()


def monogram_svg(letters: str) -> str:
    """A round avatar: the letters in white on a colour gradient, legible in light and dark."""
    start, end = MONOGRAM_COLOURS
    size = 48 if len(letters) > 1 else 56
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120">'
        '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{start}"/><stop offset="1" stop-color="{end}"/>'
        "</linearGradient></defs>"
        '<circle cx="60" cy="60" r="60" fill="url(#g)"/>'
        '<text x="60" y="60" dy=".35em" text-anchor="middle" fill="#fff" '
        'font-family="system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif" '
        f'font-size="{size}" font-weight="600" letter-spacing="1">{html.escape(letters)}</text>'
        "</svg>\n"
    )


#: The photo's served copies: the avatar, and the link preview's image.
PHOTO_COPIES = ((PHOTO_PX, "webp"), (SHARE_IMAGE_PX, "jpg"))


def resized_photos(source: Path, target_dir: Path) -> list[str]:
    """Square copies of the photo, one per :data:`PHOTO_COPIES` (its size in pixels a side and
    its format); their file names. The photo is decoded once for all of them.

    Each name carries a hash of the source, so that a new photo gets a new address and no
    visitor's browser keeps showing the old one.
    """
    source_bytes = source.read_bytes()
    targets: list[tuple[Path, int, str]] = []
    for size, kind in PHOTO_COPIES:
        digest = hashlib.sha256(source_bytes + str(size).encode()).hexdigest()[:12]
        target = target_dir / f"profile-photo-{digest}.{kind}"
        for stale in target_dir.glob(f"profile-photo-*.{kind}"):
            if stale != target:
                stale.unlink()
        targets.append((target, size, kind))
    missing = [(target, size, kind) for target, size, kind in targets if not target.exists()]
    if missing:
        with Image.open(source) as image:
            # A JPEG decoded at the smallest scale still twice the largest copy's size: a
            # camera's photo is decoded in a fraction of the time and memory, and LANCZOS makes
            # the rest.
            largest = 2 * max(size for size, _ in PHOTO_COPIES)
            image.draft("RGB", (largest, largest))
            upright = ImageOps.exif_transpose(image).convert("RGB")
        for target, size, kind in missing:
            square = ImageOps.fit(upright, (size, size), Image.Resampling.LANCZOS)
            if kind == "webp":
                square.save(target, "WEBP", quality=PHOTO_WEBP_QUALITY, method=6)
            else:
                square.save(target, "JPEG", quality=SHARE_IMAGE_JPEG_QUALITY, optimize=True)
    return [target.name for target, _, _ in targets]


def generated_dir(app: Sphinx) -> Path:
    """Where the avatar and the monogram are written: beside the doctrees, not in docs/."""
    return Path(app.doctreedir) / "scholarsite-profile"


def prepare_profile(app: Sphinx, config: Config) -> None:
    """Check the profile settings and write the avatar (and the default favicon) to serve.

    They are written beside the doctrees, not added to html_static_path: the build's own
    folders must not change the configuration, or two builds of the same sources would differ.
    """
    generated = generated_dir(app)
    generated.mkdir(parents=True, exist_ok=True)
    write_if_changed(generated / MONOGRAM_FILE, monogram_svg(initials(profile_name(config))))
    _, problems = profile_links(config)
    avatar, share_image = MONOGRAM_FILE, ""
    if photo := config.scholarsite_profile_photo.strip():
        source = Path(app.confdir, photo)
        try:
            avatar, share_image = resized_photos(source, generated)
        except (OSError, UnidentifiedImageError) as error:
            problems.append(f"scholarsite_profile_photo {photo!r} is not a readable image: {error}")
    if share_image and getattr(config, "ogp_image", "") is None:
        # The photo is the link preview's image unless conf.py names another.
        config.ogp_image = f"_static/{share_image}"
        config.ogp_image_alt = profile_name(config)
    for problem in problems:
        logger.warning(f"{problem} (in conf.py)", type="scholarsite", subtype="profile")
    # A new list: the default one is shared by every application in the process.
    config.templates_path = [*config.templates_path, str(TEMPLATES_DIR)]
    # The avatar's file name is part of the HTML configuration, so that a new photo (a new
    # name) makes Sphinx write every page again, even those whose sources did not change.
    config.html_context = {
        **config.html_context,
        AVATAR_CONTEXT: avatar,
        SHARE_IMAGE_CONTEXT: share_image,
    }


def profile_name(config: Config) -> str:
    return str(config.scholarsite_profile_name).strip() or str(config.author)


def profile_of(app: Sphinx) -> Profile:
    """The profile the sidebar shows, made from conf.py once per build."""
    build = state(app.env).build
    if build.profile is None:
        config = app.config
        avatar = config.html_context.get(AVATAR_CONTEXT, MONOGRAM_FILE)
        build.profile = Profile(
            name=profile_name(config),
            tagline=config.scholarsite_profile_tagline.strip(),
            avatar=avatar,
            is_photo=avatar != MONOGRAM_FILE,
            links=tuple(profile_links(config)[0]),
            share_image=config.html_context.get(SHARE_IMAGE_CONTEXT, ""),
        )
    return build.profile


def add_profile_to_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    context["scholarsite_profile"] = profile_of(app)
    context["scholarsite_avatar_px"] = AVATAR_CSS_PX
    if not context.get("favicon_url"):
        # The monogram is the favicon unless conf.py sets html_favicon. Sphinx turns the file
        # name into each page's address for it (setup_resource_paths, priority 500).
        context["favicon_url"] = MONOGRAM_FILE


def copy_avatar(app: Sphinx, exception: Exception | None) -> None:
    """Serve the avatar, and the monogram that is the default favicon, at _static/NAME."""
    if exception is None and app.builder.format == "html":
        profile = profile_of(app)
        served = {profile.avatar, profile.share_image, MONOGRAM_FILE} - {""}
        static = Path(app.outdir, "_static")
        for stale in static.glob("profile-photo-*"):
            if stale.name not in served:
                stale.unlink()  # an earlier photo's copy, which no page shows any more
        for name in sorted(served):
            shutil.copyfile(generated_dir(app) / name, static / name)
