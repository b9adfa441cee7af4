"""LaTeX in BibTeX fields as pybtex rich text and as plain text, parsed with pylatexenc."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Union

from pybtex.richtext import BaseText, HRef, String, Tag, Text
from pylatexenc import latexwalker as lw
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec
from pylatexenc.latex2text import get_default_latex_context_db as _text_context
from pylatexenc.macrospec import MacroSpec

#: Text commands that become markup; every other command with arguments shows its text.
STYLE_TAGS = {
    "emph": "em",
    "textit": "em",
    "textsl": "em",
    "mathit": "em",
    "textbf": "strong",
    "mathbf": "strong",
    "boldsymbol": "strong",
    "bm": "strong",
    "texttt": "tt",
    "mathtt": "tt",
    "textsuperscript": "sup",
    "textsubscript": "sub",
}
#: Declarations written inside a group, ``{\em text}``: markup for the rest of the group.
DECLARATION_TAGS = {"em": "em", "it": "em", "sl": "em", "bf": "strong", "tt": "tt"}
#: Declarations that change nothing a reader of plain text or HTML would see.
_NEUTRAL_DECLARATIONS = {
    "sc",
    "rm",
    "sf",
    "normalfont",
    "upshape",
    "mdseries",
    "small",
    "footnotesize",
}
#: Commands whose argument is shown as it is, without markup.
_TRANSPARENT = {
    "textsc", "textrm", "textsf", "textup", "textnormal", "textmd", "mbox", "hbox", "text",
    "mathrm", "mathsf", "mathnormal", "operatorname", "NoCaseChange", "nocase", "textcase",
    "MakeUppercase", "MakeLowercase", "uppercase", "lowercase", "ensuremath", "url", "path",
}  # fmt: skip
_SAFE_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)

_SUPERSCRIPTS = dict(
    zip(
        "0123456789+-=()abcdefghijklmnoprstuvwxyz*",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ*",
        strict=True,
    )
)
_SUBSCRIPTS = dict(
    zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)
)


def _load_journal_macros() -> dict[str, str]:
    with files("scholarsite").joinpath("data/journal_macros.toml").open("rb") as file:
        return dict(tomllib.load(file)["macros"])


#: Journal macros of astronomy exports (``\aap``, ``\mnras``) and what they stand for.
JOURNAL_MACROS = _load_journal_macros()


def _walker_context() -> lw.LatexContextDb:
    context = lw.get_default_latex_context_db()
    context.add_context_category(
        "bibtex",
        prepend=True,
        macros=[
            MacroSpec("href", "{{"),
            MacroSpec("a", "{{"),  # the tabbing accents BibTeX exports write: {\a'e}
            MacroSpec("textsuperscript", "{"),
            MacroSpec("textsubscript", "{"),
            MacroSpec("NoCaseChange", "{"),
            MacroSpec("nocase", "{"),
            MacroSpec("operatorname", "{"),
            *(MacroSpec(name, "") for name in JOURNAL_MACROS),
        ],
    )
    return context


def _text_converter() -> LatexNodes2Text:
    context = _text_context()
    context.add_context_category(
        "bibtex",
        prepend=True,
        macros=[
            MacroTextSpec("LaTeX", "LaTeX"),
            MacroTextSpec("TeX", "TeX"),
            MacroTextSpec("BibTeX", "BibTeX"),
            MacroTextSpec("textless", "<"),
            MacroTextSpec("textgreater", ">"),
            MacroTextSpec("textbar", "|"),
            MacroTextSpec("textunderscore", "_"),
            MacroTextSpec("slash", "/"),
            MacroTextSpec("\\", " "),
            MacroTextSpec("newline", " "),
            MacroTextSpec("par", " "),
        ],
    )
    return LatexNodes2Text(latex_context=context, math_mode="text", strict_latex_spaces=True)


_WALKER_CONTEXT = _walker_context()
_TEXT = _text_converter()

# The parsed form: a string, or markup around parts.
Part = Union[str, "Markup"]


@dataclass(frozen=True)
class Markup:
    """``em``/``strong``/``tt``/``sup``/``sub`` around *parts*, or a link (``tag == "a"``)."""

    tag: str
    parts: tuple[Part, ...]
    url: str = ""


@dataclass(frozen=True)
class Parsed:
    """A field's text as parts, and every address it writes in ``\\url``/``\\href``."""

    parts: tuple[Part, ...]
    addresses: tuple[str, ...]


# A field without these characters is plain text already (only white space to collapse).
_NEEDS_PARSING = re.compile(r"[\\{}$~^%]|--|``|''")


@lru_cache(maxsize=65536)
def parse_latex(value: str) -> Parsed:
    """Parse a BibTeX field's LaTeX into text and markup."""
    if not _NEEDS_PARSING.search(value):
        return Parsed(_normalise([value]), ())
    if (unbraced := without_case_braces(value)) is not None:
        return Parsed(_normalise([unbraced]), ())
    return parse_with_walker(value)


def without_case_braces(value: str) -> str | None:
    """*value* without its braces when braces are all the LaTeX it has (``{GPU}s``, as BibTeX
    keeps a title's capitals): what the LaTeX parser would read; None for anything else."""
    unbraced = value.replace("{", "").replace("}", "")
    if _NEEDS_PARSING.search(unbraced):
        return None
    depth = 0
    for char in value:
        if char in "{}":
            depth += 1 if char == "{" else -1
            if depth < 0:
                return None
    return unbraced if depth == 0 else None


def parse_with_walker(value: str) -> Parsed:
    """:func:`parse_latex` by pylatexenc's LaTeX walker."""
    # A % in a field is a percent sign (BibTeX keeps it; as a LaTeX comment it would hide text).
    value = re.sub(r"(?<!\\)%", r"\\%", value)
    addresses: list[str] = []
    nodes, _, _ = lw.LatexWalker(
        value, latex_context=_WALKER_CONTEXT, tolerant_parsing=True
    ).get_latex_nodes()
    parts = _normalise(_Converter(addresses).nodes(nodes))
    if _ESCAPED_LATEX.search(value):
        # DBLP and Zotero escape LaTeX in titles ({\textdollar}{\textbackslash}oplus{\textdollar},
        # \$\textbackslash alpha\$): what they escaped is LaTeX the author wrote, so read it too.
        text = "".join(plain_text(part) for part in parts)
        if has_leftover_markup(text):
            again = parse_latex(text)
            return Parsed(again.parts, (*addresses, *again.addresses))
    return Parsed(parts, tuple(addresses))


_ESCAPED_LATEX = re.compile(r"\\textbackslash|\\textdollar|\\\$")


class _Converter:
    def __init__(self, addresses: list[str]) -> None:
        self.addresses = addresses

    def nodes(self, nodes: list[lw.LatexNode] | None, math: bool = False) -> list[Part]:
        parts: list[Part] = []
        tokens = self._tokens(nodes or [], math)
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if (_is(token, "^") or (math and _is(token, "_"))) and index + 1 < len(tokens):
                following = tokens[index + 1]
                script = [following] if isinstance(following, str) else self.node(following, math)
                parts.append(Markup("sup" if token == "^" else "sub", tuple(script)))
                index += 2
                continue
            if isinstance(token, str):
                parts.append(token.replace("\x00", ""))
            else:
                parts += self.node(token, math)
            index += 1
        return parts

    def _tokens(self, nodes: list[lw.LatexNode], math: bool) -> list[str | lw.LatexNode]:
        """Characters one by one where a ``^``/``_`` may need its next token; nodes as nodes."""
        tokens: list[str | lw.LatexNode] = []
        for node in nodes:
            if isinstance(node, lw.LatexCharsNode):
                chars = node.chars
                if math:
                    tokens += [char for char in chars if not char.isspace()]
                elif "^" in chars:
                    tokens += re.split(r"(\^)", chars)
                else:
                    tokens.append(chars)
            else:
                tokens.append(node)
        if not math:  # a text-mode ^ only between word characters: AC^0
            for index, token in enumerate(tokens):
                if _is(token, "^") and not (
                    index > 0
                    and isinstance(tokens[index - 1], str)
                    and str(tokens[index - 1])[-1:].isalnum()
                    and index + 1 < len(tokens)
                    and (
                        not isinstance(tokens[index + 1], str)
                        or str(tokens[index + 1])[:1].isalnum()
                    )
                ):
                    tokens[index] = "\x00^"  # a literal caret, not a superscript
            tokens = self._split_script_operands(tokens)
        return tokens

    @staticmethod
    def _split_script_operands(tokens: list[str | lw.LatexNode]) -> list[str | lw.LatexNode]:
        """After a text-mode ``^``, only the next character is the superscript (``x^2y``)."""
        result: list[str | lw.LatexNode] = []
        for index, token in enumerate(tokens):
            if index > 0 and _is(tokens[index - 1], "^") and isinstance(token, str) and token:
                result += [token[0], token[1:]] if len(token) > 1 else [token]
            else:
                result.append(token)
        return [token for token in result if not _is(token, "")]

    def node(self, node: lw.LatexNode, math: bool = False) -> list[Part]:
        if isinstance(node, lw.LatexCharsNode):
            return [node.chars]
        if isinstance(node, lw.LatexCommentNode):
            return []
        if isinstance(node, lw.LatexMathNode):
            return self.nodes(node.nodelist, math=True)
        if isinstance(node, lw.LatexGroupNode):
            return self.group(node.nodelist, math)
        if isinstance(node, lw.LatexMacroNode):
            return self.macro(node, math)
        if isinstance(node, lw.LatexEnvironmentNode):
            return self.nodes(node.nodelist, math)
        if isinstance(node, lw.LatexSpecialsNode) and node.specials_chars == "&":
            return ["&"]  # an alignment tab, or an ampersand in math: $&$
        return [_TEXT.nodelist_to_text([node])]

    def group(self, nodes: list[lw.LatexNode], math: bool) -> list[Part]:
        for index, child in enumerate(nodes):
            if isinstance(child, lw.LatexCharsNode) and not child.chars.strip():
                continue
            if isinstance(child, lw.LatexMacroNode) and not _arguments(child):
                if child.macroname in DECLARATION_TAGS:
                    rest = self.nodes(nodes[index + 1 :], math)
                    return [Markup(DECLARATION_TAGS[child.macroname], tuple(rest))]
                if child.macroname in _NEUTRAL_DECLARATIONS:
                    return self.nodes(nodes[index + 1 :], math)
            break
        return self.nodes(nodes, math)

    def macro(self, node: lw.LatexMacroNode, math: bool) -> list[Part]:
        name = node.macroname
        arguments = _arguments(node)
        if name in JOURNAL_MACROS:
            return [JOURNAL_MACROS[name]]
        if name in STYLE_TAGS and arguments:
            return [Markup(STYLE_TAGS[name], tuple(self.node(arguments[-1], math)))]
        if name == "url" and arguments:
            address = _verbatim(arguments[0])
            return [self.link(address, [address])]
        if name == "href" and len(arguments) == 2:
            return [self.link(_verbatim(arguments[0]), self.node(arguments[1], math))]
        if name == "ensuremath" and arguments:
            return self.node(arguments[0], math=True)
        if name in ("^", "~") and arguments and not _verbatim(arguments[0]).strip():
            return [name]  # {\^{}}: the character itself, as DBLP escapes a caret
        if name == "a" and len(arguments) == 2:
            accent, letter = _verbatim(arguments[0]), _verbatim(arguments[1])
            return [_TEXT.latex_to_text(f"\\{accent}{{{letter}}}")]
        if name in _TRANSPARENT and arguments:
            return self.node(arguments[-1], math)
        text = _TEXT.nodelist_to_text([node])
        if not text and not arguments and name.isalpha() and name not in _SILENT:
            return [name + node.macro_post_space]  # an unknown command keeps its name
        if math and len(text) > 1 and text.isalpha():
            return [text + " "]  # an operator name: $\log n$
        return [text]

    def link(self, address: str, text: list[Part]) -> Part:
        address = address.strip()
        self.addresses.append(address)
        if _SAFE_URL.match(address):
            return Markup("a", tuple(text), address)
        return Markup("span", tuple(text))  # never a link to anything but http(s)


def _is(token: object, text: str) -> bool:
    """*token* is the string *text* (pylatexenc's nodes cannot be compared with strings)."""
    return isinstance(token, str) and token == text


# Commands that print nothing on purpose.
_SILENT = {"relax", "protect", "noopsort", "noop", "hskip", "vskip", "xspace", "ignorespaces"}


def _arguments(node: lw.LatexMacroNode) -> list[lw.LatexNode]:
    if node.nodeargd is None:
        return []
    return [argument for argument in node.nodeargd.argnlist if argument is not None]


def _verbatim(node: lw.LatexNode) -> str:
    if isinstance(node, lw.LatexGroupNode):
        return "".join(str(child.latex_verbatim()) for child in node.nodelist)
    return str(node.latex_verbatim())  # pylatexenc ships no type hints


def _normalise(parts: list[Part]) -> tuple[Part, ...]:
    """Adjacent strings joined, runs of white space as one space, no space at either end."""
    merged = _merge(parts)
    if merged and isinstance(merged[0], str):
        merged[0] = merged[0].lstrip()
    if merged and isinstance(merged[-1], str):
        merged[-1] = merged[-1].rstrip()
    return tuple(part for part in merged if part != "")


def _merge(parts: list[Part]) -> list[Part]:
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, str):
            part = re.sub(r"[ \t\r\n]+", " ", part)
            if merged and isinstance(merged[-1], str):
                merged[-1] += part
                merged[-1] = re.sub(r"  +", " ", merged[-1])
                continue
        else:
            part = Markup(part.tag, tuple(_merge(list(part.parts))), part.url)
            if not part.parts:
                continue
        merged.append(part)
    return merged


# -- Rendering -----------------------------------------------------------------


@lru_cache(maxsize=65536)
def latex_rich_text(value: str) -> Text:
    """A field as pybtex rich text: ``\\emph`` as ``em``, ``x^2`` as ``sup``, links as ``HRef``."""
    return Text(*(_rich(part) for part in parse_latex(value).parts))


def _rich(part: Part) -> BaseText:
    if isinstance(part, str):
        return String(part)
    children = [_rich(child) for child in part.parts]
    if part.tag == "a":
        return HRef(part.url, *children, external=True)
    if part.tag == "span":
        return Text(*children)
    return Tag(part.tag, *children)


@lru_cache(maxsize=65536)
def latex_plain_text(value: str) -> str:
    """A field as plain text: what a reader sees, superscripts as Unicode where it has them."""
    return "".join(plain_text(part) for part in parse_latex(value).parts).replace("\xa0", " ")


def plain_text(part: Part) -> str:
    if isinstance(part, str):
        return part
    text = "".join(plain_text(child) for child in part.parts)
    if part.tag in ("sup", "sub"):
        table = _SUPERSCRIPTS if part.tag == "sup" else _SUBSCRIPTS
        if text and all(char in table for char in text):
            return "".join(table[char] for char in text)
        if text.isalpha():
            return text  # 5\textsuperscript{th}: 5th
        mark = "^" if part.tag == "sup" else "_"
        return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"
    return text


def has_leftover_markup(text: str) -> bool:
    """Whether plain text still shows LaTeX: a command, a brace or a dollar sign."""
    return bool(re.search(r"\\[A-Za-z]|[{}]|\$", text))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """*text* blind to case, accents and punctuation: for comparing names and titles."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())
