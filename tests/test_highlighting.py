"""Code highlighted once per build: the same HTML as Sphinx's highlighter gives, made once."""

from __future__ import annotations

from typing import Any

from sphinx.highlighting import PygmentsBridge

from scholarsite.highlighting import remembered_blocks, shared_formatter

ENTRY = "@article{key,\n  title = {A},\n  year = {2024},\n}"
OTHER = "@misc{other,\n  title = {B},\n}"


def test_each_block_is_highlighted_once_and_as_sphinx_highlights_it() -> None:
    sphinx_own = PygmentsBridge("html")
    calls: list[str] = []

    def counted(source: str, *args: Any, **kwargs: Any) -> str:
        calls.append(source)
        return sphinx_own.highlight_block(source, *args, **kwargs)

    highlight = remembered_blocks(counted)
    first = highlight(ENTRY, "bibtex", opts={}, linenos=False)
    assert first == sphinx_own.highlight_block(ENTRY, "bibtex", opts={}, linenos=False)
    assert 'class="highlight"' in first and "title" in first
    assert highlight(ENTRY, "bibtex", opts={}, linenos=False) == first
    assert calls == [ENTRY]
    # another block, other options: highlighted anew
    assert highlight(OTHER, "bibtex", opts={}, linenos=False) != first
    assert highlight(ENTRY, "bibtex", opts={}, linenos=True) != first
    # options that cannot be a key (a list of lines to emphasise): never remembered
    highlight(ENTRY, "bibtex", opts={}, hl_lines=[1])
    highlight(ENTRY, "bibtex", opts={}, hl_lines=[1])
    assert calls == [ENTRY, OTHER, ENTRY, ENTRY, ENTRY]


def test_one_formatter_per_set_of_options() -> None:
    made: list[dict[str, Any]] = []

    def make(**options: Any) -> object:
        made.append(options)
        return object()

    get_formatter = shared_formatter(make)
    assert get_formatter(linenos=False) is get_formatter(linenos=False)
    assert get_formatter(linenos=True) is not get_formatter(linenos=False)
    assert get_formatter(hl_lines=[2]) is not get_formatter(hl_lines=[2])
    assert made == [{"linenos": False}, {"linenos": True}, {"hl_lines": [2]}, {"hl_lines": [2]}]
