# ruff: noqa: RUF001  (the expected text is Unicode)
"""LaTeX in BibTeX fields to plain text (head tags, JSON-LD) and to rich text (pages)."""

from __future__ import annotations

import pytest
from pybtex.backends.html import Backend as HTMLBackend

from scholarsite.latex import has_leftover_markup, latex_plain_text, latex_rich_text, parse_latex

HTML = HTMLBackend()

# What issue 12 lists, as exports write it: (LaTeX, plain text, HTML of the rich text).
CASES = [
    (r"{\"u}ber", "über", "über"),
    (r"Marc\'{\i}lio", "Marcílio", "Marcílio"),
    (r"{\a'e}t{\a'e}", "été", "été"),
    (r"Stra{\ss}e", "Straße", "Straße"),
    (r"Sch{\"{o}}ning's", "Schöning's", "Schöning's"),
    (r"\emph{k}-SAT", "k-SAT", "<em>k</em>-SAT"),
    (
        r"\textit{a} \textbf{b} \texttt{c} \textsc{d}",
        "a b c d",
        "<em>a</em> <strong>b</strong> <tt>c</tt> d",
    ),
    (r"{\em Deep} nets", "Deep nets", "<em>Deep</em> nets"),
    (
        r"see \url{https://x.org/a_b}",
        "see https://x.org/a_b",
        'see <a href="https://x.org/a_b" target="_blank">https://x.org/a_b</a>',
    ),
    (
        r"\href{https://arxiv.org/pdf/2401.14112}{FP6-LLM}",
        "FP6-LLM",
        '<a href="https://arxiv.org/pdf/2401.14112" target="_blank">FP6-LLM</a>',
    ),
    (
        r"A \& B, 5\%, a\_b, x~y, 1--2, a---b",
        "A & B, 5%, a_b, x y, 1–2, a—b",
        "A &amp; B, 5%, a_b, x\xa0y, 1–2, a—b",
    ),
    (r"$O(n^2)$ time", "O(n²) time", "O(n<sup>2</sup>) time"),
    (r"$\sim$10x", "∼10x", "∼10x"),
    (r"\ensuremath{\oplus}", "⊕", "⊕"),
    (r"AC^0 circuits", "AC⁰ circuits", "AC<sup>0</sup> circuits"),
    (r"$\mathsf{NC}^1$", "NC¹", "NC<sup>1</sup>"),
    (r"H$_2$O", "H₂O", "H<sub>2</sub>O"),
    (r"\aap", "Astronomy & Astrophysics", "Astronomy &amp; Astrophysics"),
    (
        r"\mnras",
        "Monthly Notices of the Royal Astronomical Society",
        "Monthly Notices of the Royal Astronomical Society",
    ),
    (r"{$<$} 5", "< 5", "&lt; 5"),
    (r"$&$", "&", "&amp;"),
    ("89% of drivers", "89% of drivers", "89% of drivers"),
    (r"{\textdollar}AC{\^{}}0[{\textbackslash}oplus]{\textdollar}", "AC⁰[⊕]", "AC<sup>0</sup>[⊕]"),
    (r"Lyman-\$\textbackslash alpha\$ Emission", "Lyman-α Emission", "Lyman-α Emission"),
    (
        "<script>alert(1)</script>",
        "<script>alert(1)</script>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ),
]


@pytest.mark.parametrize(("latex", "plain", "html"), CASES)
def test_latex_becomes_text_and_markup(latex: str, plain: str, html: str) -> None:
    assert latex_plain_text(latex) == plain
    assert latex_rich_text(latex).render(HTML) == html
    assert not has_leftover_markup(plain)


def test_links_are_only_ever_http() -> None:
    for address in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "/relative"):
        rendered = latex_rich_text(rf"\href{{{address}}}{{click}}").render(HTML)
        assert rendered == "click"
        assert parse_latex(rf"\href{{{address}}}{{click}}").addresses == (address,)
