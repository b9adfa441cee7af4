"""Synthetic copies of the site: the real pages and refs.bib grown to N realistic entries.

Used by ``benchmarks/run.py`` and by ``tests/test_incremental.py``. Everything is deterministic
(seeded), so two calls with the same N write the same files.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: The kinds of site the benchmark builds from the same pages and entries.
VARIANTS = ("site", "lean", "bare", "pages", "stock")

# Keys of the real refs.bib that the generated project pages cite (used only when the repository
# has no docs/projects/ of its own yet).
CITED_KEYS = (
    "zheng2022astitch",
    "zheng2023bladedisc",
    "pan2023recom",
    "zhuang2024mononn",
    "xia2023flashllm",
    "zheng2017versapipe",
    "zheng2019hiwaylib",
    "fan2021dapple",
)
#: The real entry the benchmark and the tests edit (cited from a project page).
EDITED_KEY = "zheng2022astitch"

GIVEN = [
    "Zhen", "Wei", "Jidong", "Xipeng", "Haojun", "Donglin", "Maria", "Jean", "{\\'E}mile",
    "Bj{\\\"o}rn", "Fran{\\c{c}}ois", "Ana", "Lukas", "Priya", "Kenji", "Olga", "Chen",
    "Ahmed", "Sofia", "Jos{\\'e}", "Zo{\\\"e}", "Yuki", "Pedro", "Ingrid", "Minmin", "Ravi",
]  # fmt: skip
FAMILY = [
    "Zhang", "Wang", "Li", "Liu", "Chen", "Smith", "Garc{\\'i}a", "M{\\\"u}ller",
    "{van der Berg}", "{de la Cruz}", "O'Brien", "Nov{\\'a}k", "Kowalski", "Tanaka",
    "Nguyen", "Rossi", "{\\O}stergaard", "Schr{\\\"o}der", "Dubois", "Ivanova", "Kim",
    "Patel", "Yamamoto", "Fern{\\'a}ndez", "{Le Gall}", "Sch{\\\"a}fer",
]  # fmt: skip
VENUES = [
    # (tag, entry type, venue field, long name, publisher)
    ("OSDI", "inproceedings", "booktitle", "USENIX Symposium on Operating Systems Design and Implementation", "USENIX Association"),  # noqa: E501
    ("SOSP", "inproceedings", "booktitle", "ACM Symposium on Operating Systems Principles", "Association for Computing Machinery"),  # noqa: E501
    ("ASPLOS", "inproceedings", "booktitle", "ACM International Conference on Architectural Support for Programming Languages and Operating Systems", "Association for Computing Machinery"),  # noqa: E501
    ("PPoPP", "inproceedings", "booktitle", "ACM SIGPLAN Symposium on Principles and Practice of Parallel Programming", "Association for Computing Machinery"),  # noqa: E501
    ("SC", "inproceedings", "booktitle", "International Conference for High Performance Computing, Networking, Storage and Analysis", "IEEE"),  # noqa: E501
    ("MLSys", "inproceedings", "booktitle", "Conference on Machine Learning and Systems", "MLSys"),
    ("EuroSys", "inproceedings", "booktitle", "European Conference on Computer Systems", "Association for Computing Machinery"),  # noqa: E501
    ("ATC", "inproceedings", "booktitle", "USENIX Annual Technical Conference", "USENIX Association"),  # noqa: E501
    ("CGO", "inproceedings", "booktitle", "IEEE/ACM International Symposium on Code Generation and Optimization", "IEEE"),  # noqa: E501
    ("VLDB", "article", "journal", "Proceedings of the VLDB Endowment", "VLDB Endowment"),
    ("TPDS", "article", "journal", "IEEE Transactions on Parallel and Distributed Systems", "IEEE"),
    ("TACO", "article", "journal", "ACM Transactions on Architecture and Code Optimization", "Association for Computing Machinery"),  # noqa: E501
]  # fmt: skip
WORDS = [
    "Efficient", "Scalable", "Adaptive", "Dynamic", "Sparse", "Tensor", "Kernel", "Fusion",
    "Compiler", "{GPU}", "Inference", "Training", "Pipeline", "Graph", "Memory", "Scheduling",
    "Distributed", "Heterogeneous", "Quantization", "Attention", "{LLM}", "Operator", "Runtime",
    "Cache", "Parallelism", "Optimization", "Serving", "Workloads", "Accelerating", "Models",
]  # fmt: skip
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def synthetic_entry(index: int, rng: random.Random) -> str:
    """One realistic refs.bib entry; *index* makes its key, title and DOI unique."""
    tag, entry_type, venue_field, venue, publisher = rng.choice(VENUES)
    year = rng.randint(1995, 2026)
    authors = [
        f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}" for _ in range(rng.choice(AUTHOR_COUNTS))
    ]
    if rng.random() < 0.3:  # the owner, in one of the spellings conf.py knows
        authors[rng.randrange(len(authors))] = rng.choice(["Zhen Zheng", "Zheng, Zhen"])
    title_words = rng.sample(WORDS, rng.randint(4, 9))
    title = f"{{{title_words[0]}}}: " + " ".join(title_words[1:]) + f" ({index})"
    key = f"synth{index:05d}{title_words[1].strip('{}').lower()}"
    lines = [
        f"@{entry_type}{{{key},",
        f"  author    = {{{' and '.join(authors)}}},",
    ]
    if len(authors) > 1 and rng.random() < 0.15:
        lines.append("  author+an = {1=equal; 2=equal},")
    lines += [
        f"  title     = {{{title}}},",
        f"  {venue_field:<9} = {{Proceedings of the {year} {venue}}},"
        if venue_field == "booktitle"
        else f"  {venue_field:<9} = {{{venue}}},",
    ]
    if entry_type == "article":
        lines += [
            f"  volume    = {{{rng.randint(1, 40)}}},",
            f"  number    = {{{rng.randint(1, 12)}}},",
        ]
    first = rng.randint(1, 900)
    lines += [
        f"  pages     = {{{first}--{first + rng.randint(8, 20)}}},",
        f"  year      = {{{year}}},",
        f"  month     = {rng.choice(MONTHS)},",
        f"  publisher = {{{publisher}}},",
    ]
    if rng.random() < 0.8:
        lines.append(f"  doi       = {{10.{1000 + index % 9000}/synth.{year}.{index}}},")
    else:
        lines.append(f"  url       = {{https://example.org/{tag.lower()}/{year}/{index}}},")
    if rng.random() < 0.1:
        lines += [
            f"  eprint    = {{{year % 100:02d}{index % 12 + 1:02d}.{index:05d}}},",
            "  eprinttype = {arxiv},",
        ]
    lines.append(f"  venuetag  = {{{tag}'{year % 100:02d}}},")
    if rng.random() < 0.5:
        lines.append(f"  pdf       = {{paper-{index}.pdf}},")
    if rng.random() < 0.3:
        lines.append(f"  code      = {{https://github.com/example/project-{index}}},")
    if rng.random() < 0.1:
        lines.append("  remark    = {Best Paper Award {\\&} artifact badges.},")
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join([*lines, "}"]) + "\n"


#: Author counts 1-25, weighted towards the usual 3-8 of a systems paper.
AUTHOR_COUNTS = [1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 9, 10, 12, 15, 20, 25]


def bib_text(n: int, seed: int = 7) -> str:
    """The real refs.bib followed by synthetic entries, ``n`` entries in all (n >= 17)."""
    real = (REPO / "refs.bib").read_text(encoding="utf-8")
    real_count = len(re.findall(r"^@(?!comment|string|preamble)", real, re.M | re.I))
    rng = random.Random(seed)
    extra = [synthetic_entry(index, rng) for index in range(max(0, n - real_count))]
    return real.rstrip("\n") + "\n\n" + "\n".join(extra)


PLAIN_PAPER_PAGE = """\
---
orphan: true
---

# {title}

{authors}

**{tag}** {venue}

{links}

## BibTeX

```bibtex
{bibtex}
```
"""


def plain_paper_pages(docs: Path, refs: Path) -> None:
    """The ``pages`` baseline: every paper page as an ordinary MyST page with the same text.

    Title, authors, venue line, links and BibTeX, as the paper page shows them, written as
    Markdown, plus an index page linking to each: what a paper page would cost if Sphinx read
    it from a hand-written file.
    """
    from scholarsite.paper_pages import venue_text
    from scholarsite.publication import bibtex_source
    from scholarsite.refs import load_refs

    folder = docs / "publications"
    folder.mkdir()
    index = ["---", "orphan: true", "---", "", "# Publications", ""]
    checked = load_refs(refs)
    for key, entry in checked.entries.items():
        pub = checked.publications[key]
        fields = entry.fields
        links = [("DOI", pub.doi_url)] if pub.doi else []
        links += [(name.title(), fields[name]) for name in ("url", "code") if name in fields]
        page = PLAIN_PAPER_PAGE.format(
            title=pub.title_text,
            authors=", ".join(author.name for author in pub.authors),
            tag=pub.venue_tag,
            venue=venue_text(pub),
            links=" ".join(f"[{label}]({uri})" for label, uri in links),
            bibtex=bibtex_source(entry),
        )
        (folder / f"{pub.page_name}.md").write_text(page, encoding="utf-8")
        index.append(f"- [{pub.title_text}]({pub.page_name}.md)")
    (folder / "index.md").write_text("\n".join(index) + "\n", encoding="utf-8")


PROJECT_PAGE = """\
# Project {number}

This project builds on {cite_p} and extends the ideas of {cite_t}.
A later system {cite_p2} made it faster.

## Results

Measured on the usual benchmarks, see the papers for the numbers.

## Papers

```{{cited-publications}}
```
"""


def generated_project_pages(docs: Path) -> None:
    """Five simple project pages that cite real entries, linked from the homepage."""
    projects = docs / "projects"
    projects.mkdir()
    names = []
    for number in range(1, 6):
        keys = [CITED_KEYS[(number + shift) % len(CITED_KEYS)] for shift in range(3)]
        (projects / f"project{number}.md").write_text(
            PROJECT_PAGE.format(
                number=number,
                cite_p=f"{{cite:p}}`{keys[0]}`",
                cite_t=f"{{cite:t}}`{keys[1]}`",
                cite_p2=f"{{cite:p}}`{keys[2]},{keys[0]}`",
            ),
            encoding="utf-8",
        )
        names.append(f"project{number}")
    (projects / "index.md").write_text(
        "# Projects\n\n```{toctree}\n:maxdepth: 1\n\n" + "\n".join(names) + "\n```\n",
        encoding="utf-8",
    )
    index = docs / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8") + "\n```{toctree}\n:hidden:\n\nprojects/index\n```\n",
        encoding="utf-8",
    )


DIRECTIVE_BLOCK = r"^(?P<fence>```+|:::+)\{%s\}[^\n]*\n(?:.*?\n)??(?P=fence)[ \t]*$\n?"
CITE_ROLE = re.compile(r"\{cite(?::\w+)?\}`([^`]*)`")
TOCTREE = re.compile(
    r"^(?P<fence>```+|:::+)\{toctree\}[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S
)


def our_directives() -> list[str]:
    """The directives our extensions add (absent from both baselines)."""
    source = "\n".join(path.read_text(encoding="utf-8") for path in OUR_EXTENSIONS.glob("*.py"))
    found = set(re.findall(r"add_directive\(\s*[\"']([\w-]+)[\"']", source))
    return sorted(found - {"toctree"})  # Sphinx's own, which hiding.py overrides


OUR_EXTENSIONS = REPO / "src" / "scholarsite"


def drop_directives(text: str, names: list[str]) -> str:
    for name in names:
        text = re.sub(DIRECTIVE_BLOCK % re.escape(name), "", text, flags=re.M | re.S)
    return text


def drop_missing_toctree_entries(text: str, page: Path) -> str:
    """Leave out toctree entries whose document a baseline does not have (generated pages)."""

    def keep(line: str) -> bool:
        target = re.sub(r"^.*<(.*)>\s*$", r"\1", line).strip()
        if not target or target.startswith(":") or target == "self" or "*" in target:
            return True
        base = page.parent / target
        return any(base.with_name(base.name + suffix).is_file() for suffix in (".md", ".rst"))

    def rewrite(match: re.Match[str]) -> str:
        body = "".join(line for line in match["body"].splitlines(True) if keep(line))
        return match[0].replace(match["body"], body)

    return TOCTREE.sub(rewrite, text)


def bare_page(text: str, page: Path) -> str:
    """A page as the bare baseline sees it: citations as plain text, no publication lists."""
    text = drop_directives(text, our_directives())
    text = CITE_ROLE.sub(lambda match: f"[{match[1]}]", text)
    return drop_missing_toctree_entries(text, page)


def stock_page(text: str, page: Path) -> str:
    """A page as the stock sphinxcontrib-bibtex baseline sees it: one bibliography of all."""
    text = re.sub(
        DIRECTIVE_BLOCK % "publications",
        "```{bibliography}\n:all:\n```\n",
        text,
        flags=re.M | re.S,
    )
    text = drop_directives(text, [name for name in our_directives() if name != "publications"])
    return drop_missing_toctree_entries(text, page)


BASELINE_CONF = """
# -- Benchmark baseline "{variant}": the real conf.py above, then these changes. --------------
extensions = [name for name in extensions if not name.startswith("scholarsite")]
for _name in [name for name in globals() if name.startswith(("bibtex_", "scholarsite_"))]:
    del globals()[_name]
suppress_warnings = []
html_sidebars = {{}}  # our sidebar templates belong to our extensions
"""
STOCK_CONF = """extensions.append("sphinxcontrib.bibtex")
bibtex_bibfiles = ["../refs.bib"]
bibtex_default_style = "unsrt"
"""


def ignored_paths() -> set[Path]:
    """What git ignores under docs/ and files/ (build output, generated pages)."""
    try:
        listing = subprocess.run(
            [
                "git",
                "ls-files",
                "--others",
                "--ignored",
                "--exclude-standard",
                "--directory",
                "--",
                "docs",
                "files",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return set()
    return {(REPO / line.rstrip("/")).resolve() for line in listing.splitlines() if line}


def ignore_generated(directory: str, names: list[str]) -> set[str]:
    ignored = _IGNORED if _IGNORED is not None else set()
    return {
        name
        for name in names
        if name in {"_build", "__pycache__"} or (Path(directory) / name).resolve() in ignored
    }


_IGNORED: set[Path] | None = None


def has_paper_pages() -> bool:
    """Whether the site has a page per paper that the ``lean`` variant can switch off."""
    return "scholarsite_paper_pages" in (REPO / "docs" / "conf.py").read_text(encoding="utf-8")


def make_site(destination: Path, n: int, variant: str = "site") -> Path:
    """Write a buildable copy of the site with an ``n``-entry refs.bib; return its docs/ path.

    ``site`` is the homepage as it is; ``lean`` is the homepage without its page per paper
    (``scholarsite_paper_pages = False``), the bibliography machinery alone; ``bare`` drops
    every bibliography extension, citation and publication list; ``stock`` swaps our extensions
    for plain sphinxcontrib-bibtex with one ``{bibliography}`` of ``:all:`` entries in the
    ``unsrt`` style and keeps the citations.
    """
    global _IGNORED
    if variant not in VARIANTS:
        raise ValueError(variant)
    if _IGNORED is None:
        _IGNORED = ignored_paths()
    destination.mkdir(parents=True, exist_ok=True)
    docs = destination / "docs"
    shutil.copytree(REPO / "docs", docs, ignore=ignore_generated)
    shutil.copytree(REPO / "files", destination / "files", ignore=ignore_generated)
    (destination / "refs.bib").write_text(bib_text(n), encoding="utf-8")
    if not (docs / "projects").is_dir():
        generated_project_pages(docs)
    conf = docs / "conf.py"
    if variant == "lean":
        conf.write_text(
            conf.read_text(encoding="utf-8") + "\nscholarsite_paper_pages = False  # benchmark\n",
            encoding="utf-8",
        )
    elif variant != "site":
        extra = BASELINE_CONF.format(variant=variant) + (STOCK_CONF if variant == "stock" else "")
        conf.write_text(conf.read_text(encoding="utf-8") + extra, encoding="utf-8")
        rewrite = stock_page if variant == "stock" else bare_page
        for page in docs.rglob("*.md"):
            page.write_text(rewrite(page.read_text(encoding="utf-8"), page), encoding="utf-8")
        if variant == "pages":
            plain_paper_pages(docs, destination / "refs.bib")
    return docs


def edit_page(docs: Path, serial: int) -> Path:
    """Change one project page's text (a new sentence each time); return the page."""
    pages = sorted(path for path in (docs / "projects").glob("*.md") if path.stem != "index")
    page = pages[0]
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"\n\nEdit number \d+\.\n", "\n", text)
    page.write_text(text.rstrip("\n") + f"\n\nEdit number {serial}.\n", encoding="utf-8")
    return page


def edit_entry(refs: Path, serial: int, key: str = EDITED_KEY) -> None:
    """Change the title and the venue tag of one (cited) entry of refs.bib."""
    text = refs.read_text(encoding="utf-8")
    start = text.index(f"{{{key},")
    end = text.index("\n}", start)
    entry = text[start:end]
    entry = re.sub(
        r"^(\s*title\s*=\s*\{.*?)(?: \(rev\. \d+\))?\}(,?)$",
        rf"\1 (rev. {serial})}}\2",
        entry,
        count=1,
        flags=re.M,
    )
    entry = re.sub(
        r"^(\s*venuetag\s*=\s*\{[^}\n]*?)(?:-r\d+)?\}(,?)$",
        rf"\1-r{serial}}}\2",
        entry,
        count=1,
        flags=re.M,
    )
    refs.write_text(text[:start] + entry + text[end:], encoding="utf-8")
