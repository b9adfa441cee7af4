"""The typed record of an entry: issue 13's items, each written the way an owner would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pybtex.backends.html import Backend as HTMLBackend

from scholarsite.refs import load_refs

HTML = HTMLBackend()
REPO = Path(__file__).resolve().parents[1]

OWNERS_ENTRY = r"""
@inproceedings{xia2026fp6,
  author    = {Haojun Xia* and Zhen Zheng*† and Xiaoxia Wu and
               Shuaiwen Leon Song†},
  title     = {{FP6-LLM}: Efficiently Serving Large Language Models
               Through {FP6}-Centric Co-Design},
  booktitle = {Proceedings of Machine Learning and Systems},
  year      = {2025},
  month     = {June},
  venuetag  = {MLSys'26},
  pubstate  = {to appear},
  doi       = {https://doi.org/10.48550/arXiv.2401.14112},
  pdf       = {https://arxiv.org/pdf/2412.14590},
  links     = {E2E=https://github.com/microsoft/DeepSpeed/pull/5234;
               Artifact=https://zenodo.org/records/1},
  remark    = {\textbf{integrated in torch.ao, previous preprint:
               \href{https://arxiv.org/pdf/2401.14112}{\emph{FP6-LLM}}}},
  abstract  = {<p>Six-bit quantization (FP6) can <b>effectively</b>
               reduce the size &amp; cost.</p>},
}

@misc{zheng2024preprint,
  author    = {Zheng, Z. and Ada Lovelace and others},
  author+an = {1=notowner; 2=owner},
  title     = {An arXiv-only Paper},
  year      = {2024},
  eprint    = {2405.00001},
  archivePrefix = {arXiv},
}
"""


def records(tmp_path: Path) -> dict:
    path = tmp_path / "refs.bib"
    path.write_text(OWNERS_ENTRY, encoding="utf-8")
    refs = load_refs(path, owner_names=["Zhen Zheng"], strict=())
    assert refs.problems == [], refs.problems
    return refs.publications


def test_the_owners_list_items_are_all_expressible(tmp_path: Path) -> None:
    paper = records(tmp_path)["xia2026fp6"]
    assert (paper.venue_tag, paper.status, paper.group_year) == ("MLSys'26", "to appear", 2026)
    assert [(a.name, a.marks, a.is_owner) for a in paper.authors] == [
        ("Haojun Xia", ("*",), False),
        ("Zhen Zheng", ("*", "†"), True),
        ("Xiaoxia Wu", (), False),
        ("Shuaiwen Leon Song", ("†",), False),
    ]
    assert paper.marks == ("*", "†")
    assert [(link.label, link.url) for link in paper.links] == [
        ("E2E", "https://github.com/microsoft/DeepSpeed/pull/5234"),
        ("Artifact", "https://zenodo.org/records/1"),
    ]
    assert paper.remark.render(HTML) == (
        "<strong>integrated in torch.ao, previous preprint: "
        '<a href="https://arxiv.org/pdf/2401.14112" target="_blank"><em>FP6-LLM</em></a></strong>'
    )
    assert paper.remark_text == "integrated in torch.ao, previous preprint: FP6-LLM"
    assert (paper.pdf, paper.pdf_is_local) == ("https://arxiv.org/pdf/2412.14590", False)
    assert paper.doi_url == "https://doi.org/10.48550/arXiv.2401.14112"
    assert (paper.date_text, paper.publication_date) == ("June 2025", "2025/06")
    assert paper.abstract == "Six-bit quantization (FP6) can effectively reduce the size & cost."
    assert paper.title_text.startswith("FP6-LLM: Efficiently")


def test_an_arxiv_only_paper_and_marking_the_owner_by_hand(tmp_path: Path) -> None:
    preprint = records(tmp_path)["zheng2024preprint"]
    assert (preprint.venue_tag, preprint.is_preprint) == ("Preprint'24", True)
    assert preprint.arxiv_pdf == "https://arxiv.org/pdf/2405.00001"
    # "Z. Zheng" matches the owner's name loosely; author+an says it is a namesake.
    assert [(a.name, a.is_owner) for a in preprint.authors] == [
        ("Z. Zheng", False),
        ("Ada Lovelace", True),
    ]
    assert preprint.et_al


def test_make_check_reports_without_a_build(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "scholarsite.check", "refs.bib"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 problem(s)" in ok.stdout and "listed (" in ok.stdout
    bad = tmp_path / "refs.bib"
    bad.write_text(OWNERS_ENTRY + "\n@misc{untitled, author = {A B}, year = {2024}}\n")
    broken = subprocess.run(
        [sys.executable, "-m", "scholarsite.check", str(bad), "--conf", str(REPO / "docs/conf.py")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert broken.returncode == 1
    line = OWNERS_ENTRY.count("\n") + 2  # the entry after the owner's two
    assert f'error: {bad}:{line}: untitled: missing field "title"' in broken.stdout
    assert "note:" in broken.stdout or "error:" in broken.stdout


DBLP_STREAMS = r"""
@inproceedings{DBLP:conf/usenix/XiaZWCYYBWZZRHS24,
  author    = {Haojun Xia and Zhen Zheng},
  title     = {Quant-LLM: Accelerating the Serving of Large Language Models via FP6-Centric
               Algorithm-System Co-Design on Modern GPUs},
  booktitle = {Proceedings of the 2024 {USENIX} Annual Technical Conference, {USENIX}
               {ATC} 2024, Santa Clara, CA, USA, July 10-12, 2024},
  year      = {2024},
}

@inproceedings{DBLP:conf/osdi/ZhuangZXQBLS24,
  author    = {Donglin Zhuang and Zhen Zheng},
  title     = {MonoNN},
  booktitle = {18th {USENIX} Symposium on Operating Systems Design and Implementation, {OSDI}
               2024, Santa Clara, CA, USA, July 10-12, 2024},
  year      = {2024},
}
"""


def test_a_dblp_key_names_the_venue_by_its_tag_not_dblps_stream(tmp_path: Path) -> None:
    """DBLP files USENIX ATC papers under conf/usenix: the tag is ATC, as venues.toml says."""
    path = tmp_path / "refs.bib"
    path.write_text(DBLP_STREAMS, encoding="utf-8")
    refs = load_refs(path, owner_names=["Zhen Zheng"], strict=())
    tags = {key: (p.venue_tag, p.venue_tag_rule) for key, p in refs.publications.items()}
    assert tags == {
        "DBLP:conf/usenix/XiaZWCYYBWZZRHS24": ("ATC'24", "dblp-key"),
        "DBLP:conf/osdi/ZhuangZXQBLS24": ("OSDI'24", "dblp-key"),
    }
