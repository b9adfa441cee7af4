"""Diagnostics for the owner's pages: what MyST would silently show as text, or not explain."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.roles import CiteRole

from .links import REFUSED_SCHEMES, inside_verbatim, is_verbatim

logger = logging.getLogger(__name__)

_REFUSED_LINK = re.compile(rf"(?:\]\(\s*<?|<)\s*({REFUSED_SCHEMES}):", re.I)
_CITE_AS_TEXT = re.compile(r"\{(?:foot)?cite(?::[a-z]+)?\}`*")
_EMPTY_ROLE = re.compile(r"\{[a-z][\w:+-]*\}``")


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
            if is_verbatim(text.parent) or inside_verbatim(text):
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
