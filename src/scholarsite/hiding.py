"""Hidden pages: named in conf.py, never built, out of the navigation, every link reported."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.directives.other import TocTree
from sphinx.environment import BuildEnvironment
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import docname_join, logging
from sphinx.util.matching import Matcher
from sphinx.util.nodes import explicit_title_re

from . import ENV_VERSION, __version__

logger = logging.getLogger(__name__)

#: What the owner writes in conf.py, shown in every message about a hidden page.
SETTING = "scholarsite_hidden_pages"
_SOURCE_SUFFIXES = (".md", ".rst")
_HTML_COMMENT = re.compile(r"\s*<!--.*?-->\s*", re.DOTALL)


def hidden_patterns(names: list[str]) -> list[str]:
    """The exclude_patterns that hide each page (``projects/mononn``) or folder (``projects``)."""
    patterns = []
    for name in names:
        name = name.strip().strip("/")
        for suffix in _SOURCE_SUFFIXES:
            name = name.removesuffix(suffix)
        patterns += [f"{name}{suffix}" for suffix in _SOURCE_SUFFIXES] + [f"{name}/**"]
    return patterns


def is_hidden(config: Config, docname: str) -> bool:
    patterns = hidden_patterns(config[SETTING])
    return any(Matcher(patterns)(f"{docname}{suffix}") for suffix in _SOURCE_SUFFIXES)


def hide_pages(app: Sphinx, config: Config) -> None:
    """Leave the hidden pages out of the build: Sphinx reads, indexes and writes none of them."""
    names = config[SETTING]
    srcdir = Path(app.srcdir)
    for name in names:
        base = srcdir / name.strip().strip("/")
        if not (base.is_dir() or any(base.with_suffix(s).is_file() for s in _SOURCE_SUFFIXES)):
            logger.warning(
                f"{SETTING} names {name!r}, which is neither a page nor a folder in "
                f"{srcdir.name}/: write a page's path without .md (projects/mononn) or a "
                "folder (projects)",
                type="scholarsite",
                subtype="hidden",
            )
    config.exclude_patterns = [*config.exclude_patterns, *hidden_patterns(names)]
    # Sphinx's "isn't included in any toctree" is replaced by one that says what to do.
    config.suppress_warnings = [*config.suppress_warnings, "toc.not_included"]


class HidingTocTree(TocTree):
    """Sphinx's toctree, leaving out the entries of hidden pages instead of warning about them."""

    def run(self) -> list[nodes.Node]:
        self.content.data[:] = [line for line in self.content.data if not self.hides(line)]
        self.content.items[:] = self.content.items[: len(self.content.data)]
        return super().run()

    def hides(self, line: str) -> bool:
        entry = line.strip()
        if match := explicit_title_re.match(entry):
            entry = match.group(2)
        if not entry or entry == "self" or "://" in entry:
            return False
        for suffix in _SOURCE_SUFFIXES:
            entry = entry.removesuffix(suffix)
        return is_hidden(self.config, docname_join(self.env.docname, entry))


class HiddenSections(SphinxTransform):
    """Leave out a part of a page put between ``<!--`` and ``-->``, which MyST passes on as HTML."""

    default_priority = 100

    def apply(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.raw)):
            if "html" in node.get("format", "").split() and _HTML_COMMENT.fullmatch(node.astext()):
                node.parent.remove(node)


class HiddenPageLinks(SphinxPostTransform):
    """Report a link to a hidden page, which would otherwise go nowhere, and show its text."""

    default_priority = 8  # before MyST (9) and Sphinx (10) resolve references
    doc_link_types: ClassVar[set[tuple[str | None, str]]] = {("doc", "myst"), ("std", "doc")}

    def run(self, **kwargs: Any) -> None:
        if not self.config[SETTING]:
            return
        for node in list(self.document.findall(addnodes.pending_xref)):
            if (node.get("refdomain"), node.get("reftype")) not in self.doc_link_types:
                continue
            target = node["reftarget"]
            if (
                node.get("reftype") == "doc"
            ):  # {doc} is relative to the page unless it starts with /
                target = (
                    target[1:] if target.startswith("/") else docname_join(node["refdoc"], target)
                )
            if node["reftarget"] in self.env.all_docs or not is_hidden(self.config, target):
                continue
            logger.warning(
                f"a link to {target!r}, which is hidden ({SETTING} in conf.py): remove the "
                "link, or take the page out of the setting to show it again",
                location=node,
                type="scholarsite",
                subtype="hidden",
            )
            node.replace_self(nodes.inline(node.astext(), node.astext()))


def report_pages_in_no_toctree(app: Sphinx, env: BuildEnvironment) -> None:
    """Sphinx's check for pages no visitor can reach, with what to do about each."""
    included = set().union(*env.included.values())
    for docname in sorted(env.all_docs):
        if (
            docname == app.config.root_doc
            or docname in env.files_to_rebuild  # in some page's toctree
            or docname in included
            or "orphan" in env.metadata[docname]
        ):
            continue
        # A folder's index page stands for the folder: hide the folder, list it one level up.
        name = docname.removesuffix("/index") if docname.endswith("/index") else docname
        parent = name.rpartition("/")[0]
        index = f"{parent}/index" if parent else app.config.root_doc
        listed_in = env.doc2path(index, False) if index in env.all_docs else "a page"
        logger.warning(
            f"this page is in no toctree, so no link in the navigation leads to it: to hide "
            f'it, add "{name}" to {SETTING} in conf.py; to show it, list it in the toctree '
            f"of {listed_in}",
            location=docname,
            type="scholarsite",
            subtype="hidden",
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value(
        SETTING, [], "env", list, description="Pages or folders of docs/ not to build."
    )
    app.connect("config-inited", hide_pages)
    app.add_directive("toctree", HidingTocTree, override=True)
    app.add_transform(HiddenSections)
    app.add_post_transform(HiddenPageLinks)
    app.connect("env-check-consistency", report_pages_in_no_toctree)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
