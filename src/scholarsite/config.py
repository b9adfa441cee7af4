"""Every conf.py setting of the site, declared once (type, default, meaning), checked at start."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

REDIRECT_TEMPLATE = Path(__file__).parent / "templates" / "redirect.html"


def is_list_of_strings(value: object) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(item, str) for item in value)


@dataclass(frozen=True)
class Setting:
    """One conf.py setting: its default, what a change rebuilds, and what a valid value is."""

    name: str
    default: Any
    #: "env": a change re-reads every page; "html": it rewrites every page.
    rebuild: Literal["env", "html"]
    description: str
    #: What the value must be, in words, and a line of conf.py that sets a valid one.
    expected: str
    example: str
    valid: Callable[[object], bool]

    @property
    def types(self) -> tuple[type, ...]:
        return (list, tuple) if isinstance(self.default, list) else (type(self.default),)


def _string(
    name: str, default: str, rebuild: Literal["env", "html"], description: str, example: str
) -> Setting:
    return Setting(
        name, default, rebuild, description, "a string", example, lambda v: isinstance(v, str)
    )


SETTINGS = (
    Setting(
        "scholarsite_owner_names", [], "env",
        "The owner's name as refs.bib writes it, in every variant; shown in bold in author lists.",
        "a list of name strings", 'scholarsite_owner_names = ["Zhen Zheng", "Zheng, Zhen"]',
        is_list_of_strings,
    ),
    Setting(
        "scholarsite_files_dir", "../files", "env",
        "The folder, relative to conf.py, whose files are served at /files/NAME.",
        "a folder name string", 'scholarsite_files_dir = "../files"',
        lambda v: isinstance(v, str),
    ),
    Setting(
        "scholarsite_require_files", False, "env",
        "True: a PDF that refs.bib names but the files folder lacks stops the build.",
        "True or False", "scholarsite_require_files = True",
        lambda v: isinstance(v, bool),
    ),
    Setting(
        "scholarsite_paper_pages", True, "env",
        "True: every refs.bib entry gets a page of its own, generated at every build.",
        "True or False", "scholarsite_paper_pages = True",
        lambda v: isinstance(v, bool),
    ),
    Setting(
        "scholarsite_hidden_pages", [], "env",
        "Pages (projects/mononn) or folders (projects) of docs/ not to build.",
        "a list of page or folder name strings", 'scholarsite_hidden_pages = ["projects"]',
        is_list_of_strings,
    ),
    _string(
        "scholarsite_paper_dir", "publications", "env",
        "The folder of docs/ the paper pages are generated into.",
        'scholarsite_paper_dir = "publications"',
    ),
    _string(
        "scholarsite_profile_name", "", "html",
        "The name at the top of the sidebar (default: author).",
        'scholarsite_profile_name = "Ada Lovelace"',
    ),
    _string(
        "scholarsite_profile_tagline", "", "html",
        "The line under the name.", 'scholarsite_profile_tagline = "Researcher"',
    ),
    _string(
        "scholarsite_profile_photo", "", "html",
        "An image in docs/ shown as the avatar; empty: a monogram made from the name.",
        'scholarsite_profile_photo = "photo.jpg"',
    ),
    _string(
        "scholarsite_profile_email", "", "html",
        "The contact address shown in the profile.",
        'scholarsite_profile_email = "me@example.org"',
    ),
    _string(
        "scholarsite_profile_github", "", "html",
        "A GitHub user name or https:// address.", 'scholarsite_profile_github = "octocat"',
    ),
    _string(
        "scholarsite_profile_scholar", "", "html",
        "The Google Scholar profile's https:// address.",
        'scholarsite_profile_scholar = "https://scholar.google.com/citations?user=..."',
    ),
    _string(
        "scholarsite_profile_linkedin", "", "html",
        "A LinkedIn user name or https:// address.",
        'scholarsite_profile_linkedin = "ada-lovelace"',
    ),
    _string(
        "scholarsite_person_alternate_name", "", "html",
        "Another name of the owner, for search engines (schema.org alternateName).",
        'scholarsite_person_alternate_name = "郑祯"',
    ),
    _string(
        "scholarsite_person_job_title", "", "html",
        "The owner's position, for search engines.",
        'scholarsite_person_job_title = "Research Engineer"',
    ),
    _string(
        "scholarsite_person_affiliation", "", "html",
        "The owner's organisation, for search engines.",
        'scholarsite_person_affiliation = "Microsoft"',
    ),
    Setting(
        "scholarsite_sitemap_excludes", ["search.html", "404.html"], "html",
        "Pages (fnmatch patterns of their addresses) left out of sitemap.xml.",
        "a list of page address strings", 'scholarsite_sitemap_excludes = ["search.html"]',
        is_list_of_strings,
    ),
)  # fmt: skip

#: Settings of other extensions the site reads, checked with its own.
CHECKED_ELSEWHERE = (
    Setting(
        "bibtex_bibfiles", [], "env",
        "sphinxcontrib-bibtex's list of bibliography files.",
        "a list of file name strings", 'bibtex_bibfiles = ["../refs.bib"]',
        is_list_of_strings,
    ),
)  # fmt: skip


def declare(app: Sphinx) -> None:
    """Declare every setting of :data:`SETTINGS` to Sphinx."""
    for setting in SETTINGS:
        app.add_config_value(
            setting.name,
            setting.default,
            setting.rebuild,
            setting.types,
            description=setting.description,
        )


def describe(value: object) -> str:
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"{type(value).__name__} {value!r}"


def fail(problems: list[str]) -> NoReturn:
    """Report each problem as an error and stop the build before anything is written.

    Sphinx prints a traceback report for any exception an extension raises, so the build
    ends with a plain exit status instead: the messages above already say what to fix.
    """
    for problem in problems:
        logger.error(problem)
    logger.error(f"Build stopped: {len(problems)} problem(s) to fix.")
    raise SystemExit(2)


def check_settings(app: Sphinx, config: Config) -> None:
    """Stop on a conf.py setting of the wrong type, before anything reads it."""
    conf_py = Path(os.path.relpath(Path(app.confdir, "conf.py")))
    source = conf_py.read_text(encoding="utf-8") if conf_py.is_file() else ""
    problems = []
    for setting in SETTINGS + CHECKED_ELSEWHERE:
        if setting.name not in config or setting.valid(value := config[setting.name]):
            continue
        # The last assignment is the one in force.
        starts = [m.start() for m in re.finditer(rf"^{setting.name}\s*[:=]", source, re.MULTILINE)]
        where = f"{conf_py}:{source.count(chr(10), 0, starts[-1]) + 1}" if starts else conf_py
        problems.append(
            f"{where}: {setting.name} must be {setting.expected}, not {describe(value)}; "
            f"write e.g. {setting.example}"
        )
    if problems:
        fail(problems)


def default_redirect_template(app: Sphinx, config: Config) -> None:
    """Give sphinx-reredirects a valid HTML page (doctype, lang, title) unless conf.py has one."""
    unset = "redirect_html_template_file" in config and not config.redirect_html_template_file
    if unset and REDIRECT_TEMPLATE.is_file():
        config.redirect_html_template_file = str(REDIRECT_TEMPLATE)


# -- Comparing settings from build to build ----------------------------------------------------


def _plain(value: Any) -> Any:
    """*value* as plain data with a stable repr (objects by their type, sets sorted)."""
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return sorted((repr(_plain(k)), _plain(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(repr(_plain(item)) for item in value)
    kind = value if isinstance(value, type) or callable(value) else type(value)
    return f"{getattr(kind, '__module__', '')}.{getattr(kind, '__qualname__', repr(kind))}"


def settings_digest(config: Config) -> str:
    """A digest of every setting (an object by its type): what is kept from an earlier build
    (an entry's HTML, a paper page) is kept only while it is the same."""
    values = [(item.name, _plain(item.value)) for item in config]
    return hashlib.blake2b(repr(sorted(values)).encode(), digest_size=16).hexdigest()
