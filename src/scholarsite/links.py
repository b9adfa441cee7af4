"""Links stay safe: unsafe schemes are dropped (and reported), external links get noopener."""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The only address schemes a page may link to; anything else (javascript:, data:, file:,
#: vbscript:, ...) is reported and its link removed.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
#: Schemes markdown-it refuses to link, leaving ``[text](javascript:...)`` as plain text.
REFUSED_SCHEMES = "javascript|vbscript|file|data"

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")  # browsers drop these before reading a scheme
#: Nodes whose text is shown as written, where role or link syntax is not a mistake.
_VERBATIM = (nodes.literal, nodes.literal_block, nodes.raw, nodes.comment, nodes.doctest_block)


def is_verbatim(node: nodes.Node | None) -> bool:
    return isinstance(node, _VERBATIM)


def ancestors(node: nodes.Node) -> list[nodes.Element]:
    result = []
    while node.parent is not None:
        node = node.parent
        result.append(node)
    return result


def inside_verbatim(node: nodes.Node) -> bool:
    return any(is_verbatim(parent) for parent in ancestors(node))


def is_entry(node: nodes.Element) -> bool:
    """An entry of the publication list, whose id is its BibTeX key."""
    return isinstance(node, nodes.citation) or "citation" in node.get("classes", ())


def scheme_of(uri: str) -> str:
    """The scheme a browser would see in *uri* (``""`` for a relative address)."""
    match = _SCHEME.match(_INVISIBLE.sub("", uri).lower())
    return match[1] if match else ""


def make_links_safe(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Drop links to unsafe schemes (reported), and mark external links ``rel="noopener"``.

    Runs last on each resolved page, after the publication list and paper pages are filled.
    """
    for node in list(doctree.findall(nodes.reference)):
        uri = node.get("refuri")
        if uri is None:
            continue
        scheme = scheme_of(uri)
        if scheme and scheme not in SAFE_SCHEMES:
            report(node, uri, docname)
            node.replace_self(nodes.inline(node.astext(), node.astext()))
        elif not node.get("internal"):  # what the HTML writer marks "reference external"
            rel = node.get("rel", "").split()
            node["rel"] = " ".join([*rel, "noopener"] if "noopener" not in rel else rel)


def report(node: nodes.reference, uri: str, docname: str) -> None:
    citation = next((a for a in ancestors(node) if is_entry(a)), None)
    where = f"refs.bib entry {citation['ids'][0]}: " if citation and citation["ids"] else ""
    logger.warning(
        f"{where}link to {uri!r} removed: only http(s) and mailto addresses can be linked",
        location=node if citation is None else docname,
        type="scholarsite",
        subtype="link",
    )
