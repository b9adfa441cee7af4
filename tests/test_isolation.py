"""Two builds in one process share nothing: owner names, caches and navigation are per build."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from helpers.site import Site, fixture_site

from scholarsite import collector
from scholarsite.state import state


def test_two_applications_in_one_process_keep_their_own_state(
    tmp_path: Path, make_app: Any
) -> None:
    ada = fixture_site("site", tmp_path / "ada")
    babbage = fixture_site("site", tmp_path / "babbage")
    babbage.append("docs/conf.py", '\nscholarsite_owner_names = ["Charles Babbage"]\n')
    index = babbage.docs / "projects" / "index.md"
    index.write_text(index.read_text().replace("# Projects", "# Difference Engines"))
    (babbage.files / "notes-1843.pdf").unlink()

    first = ada.build_ok_in_process(make_app)
    second = babbage.build_ok_in_process(make_app)
    owners = {"ada": "Ada Lovelace", "babbage": "Charles Babbage"}
    for site in (ada, babbage):
        entry = site.page().select_one("#lovelace1843notes p")
        assert entry is not None
        bold = {node.get_text() for node in entry.find_all("strong")}
        owner = owners[site.root.name]
        assert owner in bold and set(owners.values()) - {owner} - bold, (site.root.name, bold)
    one, two = state(first.env), state(second.env)
    assert one is not two and one.build is not two.build
    assert one.build.files == {"notes-1843.pdf"} and two.build.files == frozenset()
    # Each paper page's navigation is its own site's.
    assert len(one.build.orphan_toctrees) == len(two.build.orphan_toctrees) == 1
    assert "Difference Engines" not in next(iter(one.build.orphan_toctrees.values()))
    assert "Difference Engines" in next(iter(two.build.orphan_toctrees.values()))
    paper = babbage.page("publications/lovelace1843notes.html")
    assert "Difference Engines" in paper.select_one(".sidebar-tree").get_text()  # type: ignore[union-attr]
    links = {a.get_text(): a["href"] for a in paper.select("a.publication-link")}
    assert "PDF" not in links, links  # not Ada's local copy, nor the DOI's landing page
    assert links["DOI"] == "https://doi.org/10.5555/notes.1843"


def test_what_a_build_froze_is_handed_back_to_the_garbage_collector_by_the_next(
    site: Site, make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The records and caches a build keeps are frozen (scholarsite.collector) and stay frozen
    for sphinx-build's exit; a second build in the same process makes them collectable again
    before it freezes its own."""
    site.build_ok_in_process(make_app)
    frozen_by_the_first = gc.get_freeze_count()
    frozen_when_the_second_starts: list[int] = []
    thaw = collector.thaw_earlier_builds

    def noting_thaw(app: Any, config: Any) -> None:
        thaw(app, config)
        frozen_when_the_second_starts.append(gc.get_freeze_count())

    monkeypatch.setattr(collector, "thaw_earlier_builds", noting_thaw)
    site.build_ok_in_process(make_app, out="second")
    assert frozen_by_the_first > 1000
    assert frozen_when_the_second_starts == [0]
    assert gc.get_freeze_count() > 1000
    gc.unfreeze()
