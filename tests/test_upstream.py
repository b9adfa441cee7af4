"""The internals of other packages the site relies on (scholarsite.upstream) are still there."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from helpers.site import Site

import scholarsite
from scholarsite.upstream import upstream_changes


def test_no_internal_the_site_relies_on_has_moved() -> None:
    changes = upstream_changes()
    assert changes == [], "upstream changed:\n" + "\n".join(changes)


def test_the_sites_own_code_raises_no_deprecation_warning(site: Site, make_app: Any) -> None:
    """Deprecated APIs (Sphinx's ``SphinxTransform.app``, ...) are not used by src/scholarsite."""
    package = Path(scholarsite.__file__).parent
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("recording works", DeprecationWarning, stacklevel=1)
        site.build_ok_in_process(make_app)
    ours = [
        f"{w.filename}:{w.lineno}: {w.message}"
        for w in caught
        if issubclass(w.category, DeprecationWarning | PendingDeprecationWarning)
        and Path(w.filename).is_relative_to(package)
    ]
    assert ours == []
    assert any(str(w.message) == "recording works" for w in caught)
