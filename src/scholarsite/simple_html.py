"""Paragraphs of text, emphasis and links written as Sphinx's HTML translator writes them.

A paper page's lines (authors, venue, links, versions, "Cited on") are made of a handful of
node kinds. Creating a translator and walking a document costs more than the page's other work
together, so those lines are written here; any other node, or an attribute these writers do not
know, makes :func:`paragraph_html` return None and the page goes through the translator. Each
build checks its first page against the translator's (``paper_page_html``).
"""

from __future__ import annotations

import re

from docutils import nodes
from docutils.writers.html5_polyglot import HTMLTranslator

#: Inline elements written as a bare tag: the translator's ``starttag(node, TAG, '')``.
INLINE_TAGS: dict[type[nodes.Element], str] = {
    nodes.strong: "strong",
    nodes.emphasis: "em",
    nodes.superscript: "sup",
    nodes.subscript: "sub",
}
_WHITESPACE = re.compile("[\n\r\t\v\f]")


class NotSimple(Exception):
    """A node these writers do not write as the translator would."""


def encoded(text: str) -> str:
    """*text* as the HTML translator writes text."""
    return text.translate(HTMLTranslator.special_characters)


def attribute(value: str) -> str:
    """*value* as the HTML translator writes an attribute's value."""
    return encoded(_WHITESPACE.sub(" ", value))


def start_tag(node: nodes.Element, tag: str, classes: tuple[str, ...] = (), **extra: str) -> str:
    """The translator's ``starttag``: the node's classes, then *classes*, once each; the
    attributes sorted by name. A node with an id (an anchor of its own) is not simple."""
    if node["ids"]:
        raise NotSimple
    if not node["classes"] and not classes and not extra:
        return f"<{tag}>"
    unique: list[str] = []
    for name in [*node["classes"], *classes]:
        if name.startswith("language-"):
            raise NotSimple
        if name.strip() and name not in unique:
            unique.append(name)
    attributes = dict(extra)
    if unique:
        attributes["class"] = " ".join(unique)
    parts = [tag, *(f'{name}="{attribute(value)}"' for name, value in sorted(attributes.items()))]
    return f"<{' '.join(parts)}>"


def inline_html(node: nodes.Node, out: list[str]) -> None:
    if isinstance(node, nodes.Text):
        out.append(encoded(str(node)))
        return
    if isinstance(node, nodes.Element) and (tag := INLINE_TAGS.get(type(node))):
        out.append(start_tag(node, tag))
        for child in node.children:
            inline_html(child, out)
        out.append(f"</{tag}>")
        return
    if type(node) is nodes.reference:
        out.append(reference_tag(node))
        for child in node.children:
            inline_html(child, out)
        out.append("</a>")
        return
    raise NotSimple


def reference_tag(node: nodes.reference) -> str:
    """A link's start tag, as Sphinx's ``visit_reference`` writes a link inside text."""
    uri = node.get("refuri")
    if uri is None or uri.startswith("mailto:"):  # the translator may cloak addresses
        raise NotSimple
    internal = node.get("internal")
    extra = {"href": uri or "#"}
    for name, key in (("title", "reftitle"), ("target", "target"), ("rel", "rel")):
        if key in node:
            extra[name] = node[key]
    return start_tag(node, "a", ("reference", "internal" if internal else "external"), **extra)


def paragraph_html(node: nodes.Node) -> str | None:
    """A paragraph of a section (not of a list or a table), written as the translator does;
    None when it holds anything else than text, strong, emphasis, super- and subscripts and
    links, or when *node* is no paragraph."""
    if type(node) is not nodes.paragraph:
        return None
    out: list[str] = []
    try:
        out.append(start_tag(node, "p"))
        for child in node.children:
            inline_html(child, out)
    except NotSimple:
        return None
    out.append("</p>\n")
    return "".join(out)
