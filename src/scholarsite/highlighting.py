"""Code highlighted once per build: one Pygments formatter per set of options, each block once.

Sphinx's highlighter makes a new formatter for every code block it writes (the BibTeX of each
entry of the list), and making Pygments' HTML formatter costs about as much as highlighting the
entry itself; a formatter keeps nothing of what it formatted, so one serves every block. A paper
page shows the same BibTeX as its entry on the list: highlighted once, its HTML serves both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sphinx.application import Sphinx


def highlight_once(app: Sphinx) -> None:
    """Make the builder's highlighter (HTML builders have one) reuse formatters and results."""
    highlighter = getattr(app.builder, "highlighter", None)
    if highlighter is None:
        return
    highlighter.get_formatter = shared_formatter(highlighter.get_formatter)
    highlighter.highlight_block = remembered_blocks(highlighter.highlight_block)


def options_key(options: dict[str, Any]) -> tuple[tuple[str, Any], ...] | None:
    """*options* as a dictionary key; None when one is not hashable (a list of lines)."""
    key = tuple(sorted(options.items()))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def shared_formatter(make: Callable[..., Any]) -> Callable[..., Any]:
    """*make*, returning the formatter it made before for the same options."""
    made: dict[tuple[tuple[str, Any], ...], Any] = {}

    def get_formatter(**options: Any) -> Any:
        key = options_key(options)
        if key is None:
            return make(**options)
        if key not in made:
            made[key] = make(**options)
        return made[key]

    return get_formatter


def remembered_blocks(highlight: Callable[..., str]) -> Callable[..., str]:
    """*highlight*, returning what it returned before for the same block and options (a block
    that fails to lex is reported the first time, and its relaxed highlighting kept)."""
    done: dict[tuple[Any, ...], str] = {}

    def highlight_block(
        source: str,
        lang: str,
        opts: dict[str, Any] | None = None,
        force: bool = False,
        location: Any = None,
        **kwargs: Any,
    ) -> str:
        lexer_options, formatter_options = options_key(opts or {}), options_key(kwargs)
        if lexer_options is None or formatter_options is None:
            return highlight(source, lang, opts, force, location, **kwargs)
        key = (source, lang, lexer_options, force, formatter_options)
        if key not in done:
            done[key] = highlight(source, lang, opts, force, location, **kwargs)
        return done[key]

    return highlight_block
