"""Count what latexcodec (pybtex's decoder) and pylatexenc leave of LaTeX in the corpus's fields.

Run: .venv/bin/python tests/corpus/compare_decoders.py (the counts are in README.md).
"""

from __future__ import annotations

import re
from pathlib import Path

from pybtex.database.input.bibtex import Parser
from pybtex.richtext import Text
from pylatexenc.latex2text import LatexNodes2Text

from scholarsite.latex import has_leftover_markup, latex_plain_text

CORPUS = Path(__file__).parent
# Fields a reader sees; identifiers, addresses and keywords are not text.
TEXT_FIELDS = {
    "title", "booktitle", "journal", "journaltitle", "series", "publisher", "school",
    "institution", "organization", "howpublished", "note", "abstract", "address", "location",
}  # fmt: skip
# What issue 12 lists, each as a pattern over the raw field and what must not be left of it.
CONSTRUCTS = {
    "accents and special letters": (
        r"\\[\"'`^~=.uvHckbdrt]\s*\{?\\?[A-Za-z]|\\(ss|ae|oe|aa|o|l|i|AA|O|L)\b|\\a'"
    ),
    "text commands (\\emph, \\textit, ...)": (
        r"\\(emph|textit|textbf|texttt|textsc|url|href)\b|\{\\(em|it|bf|tt|sc)\b"
    ),
    "escapes (\\& \\% \\_ ~ --)": r"\\[&%_#$]|~|--",
    "inline math": r"\$|\\ensuremath|\^",
    "journal macros (\\aap, \\mnras, ...)": r"^\s*\\[a-z]+\s*$",
}


def field_values() -> list[str]:
    values = []
    for path in sorted(CORPUS.rglob("*.bib")):
        text = path.read_text("utf-8")
        for chunk in re.split(r"(?m)^(?=[ \t]*@)", text):
            parser = Parser()
            try:
                data = parser.parse_string(chunk)
            except Exception:
                continue
            for entry in data.entries.values():
                values += [
                    value for name, value in entry.fields.items() if name.lower() in TEXT_FIELDS
                ]
    return values


def decoders() -> dict[str, object]:
    pylatexenc = LatexNodes2Text()

    def latexcodec(value: str) -> str:
        return Text.from_latex(value).render_as("text")

    return {
        "latexcodec (pybtex's Text.from_latex)": latexcodec,
        "pylatexenc 2.11 (LatexNodes2Text, defaults)": pylatexenc.latex_to_text,
        "scholarsite.latex (pylatexenc's parser and symbols)": latex_plain_text,
    }


def main() -> None:
    values = field_values()
    print(f"{len(values)} text fields")
    for name, decode in decoders().items():
        failed = left = 0
        by_construct = dict.fromkeys(CONSTRUCTS, 0)
        for value in values:
            try:
                text = decode(value)  # type: ignore[operator]
            except Exception:
                failed += 1
                for construct, pattern in CONSTRUCTS.items():
                    by_construct[construct] += bool(re.search(pattern, value))
                continue
            if has_leftover_markup(text) or (
                re.search(r"^\s*\\[a-z]+\s*$", value) and not text.strip(" \\")[:1].isupper()
            ):
                left += 1
                for construct, pattern in CONSTRUCTS.items():
                    by_construct[construct] += bool(re.search(pattern, value))
        detail = ", ".join(f"{construct}: {count}" for construct, count in by_construct.items())
        print(f"{name}: {failed} raised, {left} left LaTeX ({detail})")
    counts = {
        construct: sum(bool(re.search(p, v)) for v in values) for construct, p in CONSTRUCTS.items()
    }
    print("fields with each construct:", counts)


if __name__ == "__main__":
    main()
