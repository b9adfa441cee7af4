"""Paper page bodies written both ways in one build: from the body frame and by the translator."""

from __future__ import annotations

from typing import Any

import pytest
from docutils import nodes

from scholarsite import paper_page_html


def compare_bodies_with_the_translator(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every paper page's body also by the builder's translator and assert both are the
    same; return the names of the pages whose body the frame wrote (the others went through
    the translator)."""
    from_frame: list[str] = []
    written_by_frame = paper_page_html.paper_body

    def both_ways(app: Any, pagename: str, document: nodes.document) -> tuple[str, str] | None:
        written = written_by_frame(app, pagename, document)
        if written is not None:
            assert written == paper_page_html.translated(app, pagename, document), pagename
            from_frame.append(pagename)
        return written

    monkeypatch.setattr(paper_page_html, "paper_body", both_ways)
    return from_frame
