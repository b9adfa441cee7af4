"""Bad input stops the build with a clear message, and hostile data stays inert text."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.domain import BibtexDomain
from sphinxcontrib.bibtex.roles import CiteRole

from . import ENV_VERSION, __version__
from .publications import fail

logger = logging.getLogger(__name__)

#: The only address schemes a page may link to; anything else (javascript:, data:, file:,
#: vbscript:, ...) is reported and its link removed.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
#: Schemes markdown-it refuses to link, leaving ``[text](javascript:...)`` as plain text.
_REFUSED_SCHEMES = "javascript|vbscript|file|data"

REDIRECT_TEMPLATE = Path(__file__).parent / "templates" / "redirect.html"

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")  # browsers drop these before reading a scheme
_REFUSED_LINK = re.compile(rf"(?:\]\(\s*<?|<)\s*({_REFUSED_SCHEMES}):", re.I)
_CITE_AS_TEXT = re.compile(r"\{(?:foot)?cite(?::[a-z]+)?\}`*")
_EMPTY_ROLE = re.compile(r"\{[a-z][\w:+-]*\}``")
#: Nodes whose text is shown as written, where role or link syntax is not a mistake.
_VERBATIM = (nodes.literal, nodes.literal_block, nodes.raw, nodes.comment, nodes.doctest_block)


def describe(value: object) -> str:
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"{type(value).__name__} {value!r}"


def is_list_of_strings(value: object) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(item, str) for item in value)


#: conf.py settings the site reads: a test of the value, what it must be, and an example.
SETTINGS: dict[str, tuple[Any, str, str]] = {
    "scholarsite_owner_names": (
        is_list_of_strings,
        "a list of name strings",
        'scholarsite_owner_names = ["Zhen Zheng", "Zheng, Zhen"]',
    ),
    "scholarsite_files_dir": (
        lambda value: isinstance(value, str),
        "a folder name string",
        'scholarsite_files_dir = "../files"',
    ),
    "scholarsite_require_files": (
        lambda value: isinstance(value, bool),
        "True or False",
        "scholarsite_require_files = True",
    ),
    "bibtex_bibfiles": (
        is_list_of_strings,
        "a list of file name strings",
        'bibtex_bibfiles = ["../refs.bib"]',
    ),
}


def check_settings(app: Sphinx, config: Config) -> None:
    """Stop on a conf.py setting of the wrong type, before anything reads it."""
    conf_py = Path(os.path.relpath(Path(app.confdir, "conf.py")))
    source = conf_py.read_text(encoding="utf-8") if conf_py.is_file() else ""
    problems = []
    for name, (valid, expected, example) in SETTINGS.items():
        if name not in config or valid(value := config[name]):
            continue
        # The last assignment is the one in force.
        starts = [m.start() for m in re.finditer(rf"^{name}\s*[:=]", source, re.MULTILINE)]
        where = f"{conf_py}:{source.count(chr(10), 0, starts[-1]) + 1}" if starts else conf_py
        problems.append(
            f"{where}: {name} must be {expected}, not {describe(value)}; write e.g. {example}"
        )
    if problems:
        fail(problems)


def default_redirect_template(app: Sphinx, config: Config) -> None:
    """Give sphinx-reredirects a valid HTML page (doctype, lang, title) unless conf.py has one."""
    unset = "redirect_html_template_file" in config and not config.redirect_html_template_file
    if unset and REDIRECT_TEMPLATE.is_file():
        config.redirect_html_template_file = str(REDIRECT_TEMPLATE)


def check_front_matter(app: Sphinx, docname: str, source: list[str]) -> None:
    """Say where and how a page's YAML front matter is broken (MyST says only "Malformed")."""
    text = source[0]
    if not text.startswith("---") or app.env.doc2path(docname).suffix != ".md":
        return
    lines = text.splitlines()
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() == "---"), None)
    if end is None:
        logger.warning(
            "front matter opened by --- on line 1 is never closed: end it with a --- line",
            location=(docname, 1),
            type="scholarsite",
            subtype="front_matter",
        )
        return
    if error := yaml_error("\n".join(lines[1:end])):
        line, problem = error
        logger.warning(
            f"front matter (the block between the --- lines) is not valid YAML: {problem}; "
            'fix it, e.g. quote a value that holds ":", "[" or "{"',
            location=(docname, line + 1),
            type="scholarsite",
            subtype="front_matter",
        )


@lru_cache(maxsize=256)  # the generated paper pages all have the same front matter
def yaml_error(text: str) -> tuple[int, str] | None:
    """Where (1-based line) and what the YAML error in *text* is; None when it is valid."""
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return (mark.line + 1 if mark else 1), getattr(error, "problem", None) or str(error)
    return None


class CheckedCiteRole(CiteRole):
    """``{cite:p}`` that reports a missing or malformed key instead of crashing the build."""

    def result_nodes(self, document: nodes.document, env: Any, node: Any, is_ref: bool) -> Any:
        try:
            list(parse_citation_targets(self.target))
        except ValueError:
            logger.warning(
                f"{{{self.name}}}`{self.text}` has no BibTeX key: write "
                f"{{{self.name}}}`key` (or `key1,key2`) with keys from refs.bib",
                location=(env.docname, self.lineno),
                type="scholarsite",
                subtype="cite",
            )
            return [nodes.inline(self.rawtext, self.rawtext)], []
        return super().result_nodes(document, env, node, is_ref)


class TextSyntaxCheck(SphinxTransform):
    """Report role and link syntax that MyST left as plain text instead of a silent page."""

    default_priority = 500

    def apply(self, **kwargs: Any) -> None:
        for text in self.document.findall(nodes.Text):
            if isinstance(text.parent, _VERBATIM) or _inside_verbatim(text):
                continue
            content = text.astext()
            for match in _CITE_AS_TEXT.finditer(content):
                self.warn(
                    text,
                    f"{match[0]} has no key and is shown as text: write "
                    f"{match[0].rstrip('`')}`key` with a key from refs.bib",
                    "cite",
                )
            for match in _EMPTY_ROLE.finditer(content):
                if not _CITE_AS_TEXT.match(match[0]):
                    self.warn(text, f"{match[0]} is empty and shown as text: fill it in", "role")
            for match in _REFUSED_LINK.finditer(content):
                self.warn(
                    text,
                    f"a link to a {match[1].lower()}: address is not allowed and is shown as "
                    "text: link only to http(s) and mailto addresses",
                    "link",
                )

    def warn(self, text: nodes.Text, message: str, subtype: str) -> None:
        logger.warning(message, location=text.parent, type="scholarsite", subtype=subtype)


def _inside_verbatim(node: nodes.Node) -> bool:
    return any(isinstance(parent, _VERBATIM) for parent in _ancestors(node))


def _ancestors(node: nodes.Node) -> list[nodes.Element]:
    result = []
    while node.parent is not None:
        node = node.parent
        result.append(node)
    return result


def is_entry(node: nodes.Element) -> bool:
    """An entry of the publication list, whose id is its BibTeX key."""
    return isinstance(node, nodes.citation) or "citation" in node.get("classes", ())


def scheme_of(uri: str) -> str:
    """The scheme a browser would see in *uri* (``""`` for a relative address)."""
    match = _SCHEME.match(_INVISIBLE.sub("", uri).lower())
    return match[1] if match else ""


class SafeLinks(SphinxPostTransform):
    """Drop links to unsafe schemes (reported), and mark external links ``rel="noopener"``."""

    default_priority = 800  # after references are resolved and the publication list is built

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.reference)):
            uri = node.get("refuri")
            if uri is None:
                continue
            scheme = scheme_of(uri)
            if scheme and scheme not in SAFE_SCHEMES:
                self.report(node, uri)
                node.replace_self(nodes.inline(node.astext(), node.astext()))
            elif not node.get("internal"):  # what the HTML writer marks "reference external"
                rel = node.get("rel", "").split()
                node["rel"] = " ".join([*rel, "noopener"] if "noopener" not in rel else rel)

    def report(self, node: nodes.reference, uri: str) -> None:
        citation = next((a for a in _ancestors(node) if is_entry(a)), None)
        where = f"refs.bib entry {citation['ids'][0]}: " if citation and citation["ids"] else ""
        logger.warning(
            f"{where}link to {uri!r} removed: only http(s) and mailto addresses can be linked",
            location=node if citation is None else self.env.docname,
            type="scholarsite",
            subtype="link",
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinxcontrib.bibtex")
    app.connect("config-inited", check_settings, priority=100)  # before refs.bib is read (500)
    app.connect("config-inited", default_redirect_template)
    app.add_role("cite", CheckedCiteRole(), override=True)
    for name in BibtexDomain.roles:
        app.add_role_to_domain("cite", name, CheckedCiteRole(), override=True)
    app.connect("source-read", check_front_matter)
    app.add_transform(TextSyntaxCheck)
    app.add_post_transform(SafeLinks)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
