"""People in author lists: names as readers write them, marks, "and others", and the owner."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pybtex.database import Entry, Person

from .latex import fold, latex_plain_text

#: Marks written after (or before) a name, and what each one means.
MARK_MEANINGS = {"*": "Equal contribution", "†": "Corresponding author"}
#: biblatex ``author+an`` annotations that give a mark.
ANNOTATION_MARKS = {"equal": "*", "corresponding": "†"}
#: biblatex ``author+an`` annotations that mark (``highlight`` is biblatex's usual one) or
#: unmark the owner of the site, whatever the name matching says.
OWNER_ANNOTATIONS = frozenset({"owner", "highlight", "me"})
NOT_OWNER_ANNOTATIONS = frozenset({"notowner", "notme"})

# Marks as exports write them (*, the asterisk operator, †, ‡, §, ¶, #), also in LaTeX
# ($^\dagger$, \textsuperscript{*}, \dag).
_LATEX_MARK = {
    "\\dagger": "†", "\\dag": "†", "\\ddagger": "‡", "\\ddag": "‡", "\\ast": "*", "\\star": "*",
    "\\S": "§", "\\P": "¶", "\\#": "#", "*": "*", "\u2217": "*",
    "†": "†", "‡": "‡", "§": "§", "¶": "¶",
}  # fmt: skip
_MARK_TOKEN = r"\\dagger|\\dag|\\ddagger|\\ddag|\\ast|\\star|\\S\b|\\P\b|\\#|[*\u2217†‡§¶]"
_MARKS = re.compile(
    rf"\$\s*(?:\^\s*)?\{{?\s*((?:{_MARK_TOKEN})(?:\s*,?\s*(?:{_MARK_TOKEN}))*)\s*\}}?\s*\$"
    rf"|\\textsuperscript\s*\{{\s*((?:{_MARK_TOKEN})(?:\s*,?\s*(?:{_MARK_TOKEN}))*)\s*\}}"
    rf"|((?:{_MARK_TOKEN})+)"
)
_OTHERS = frozenset({"others", "et al", "etal", "and others"})


@dataclass(frozen=True)
class Author:
    """One author as shown: the name without marks, its marks, and whether it is the owner;
    the family and given names as written (LaTeX), for the citation tags."""

    name: str
    marks: tuple[str, ...] = ()
    is_owner: bool = False
    family: str = ""
    given: str = ""


def is_others(person: Person) -> bool:
    """Whether *person* is BibTeX's ``and others`` (shown as "et al.", never as an author)."""
    written = str(person)
    if "other" not in written.lower() and "et" not in written.lower():
        return False
    return fold(latex_plain_text(written)) in _OTHERS


def split_marks(person: Person) -> tuple[Person, tuple[str, ...]]:
    """*person* without the marks written into the name (``Einstein*†``), and those marks."""
    marks: list[str] = []

    def take(part: str) -> str:
        def found(match: re.Match[str]) -> str:
            tokens = re.findall(_MARK_TOKEN, next(group for group in match.groups() if group))
            marks.extend(_LATEX_MARK.get(token, token) for token in tokens)
            return ""

        return _MARKS.sub(found, part).strip()

    parts = {
        "first": " ".join(take(part) for part in person.first_names),
        "middle": " ".join(take(part) for part in person.middle_names),
        "prelast": " ".join(take(part) for part in person.prelast_names),
        "last": " ".join(take(part) for part in person.last_names),
        "lineage": " ".join(take(part) for part in person.lineage_names),
    }
    if not marks:
        return person, ()
    return Person(
        **{name: re.sub(r"\s+", " ", value).strip() for name, value in parts.items()}
    ), tuple(dict.fromkeys(marks))


def _is_east_asian(text: str) -> bool:
    return bool(text) and all(
        unicodedata.east_asian_width(char) in "WF" or char in "·・"
        for char in text
        if not char.isspace()
    )


@lru_cache(maxsize=65536)
def _display(parts: tuple[tuple[str, ...], ...]) -> str:
    first, middle, prelast, last, lineage = (
        [latex_plain_text(name) for name in part] for part in parts
    )
    family = " ".join(prelast + last)
    given = " ".join(first + middle)
    if _is_east_asian(family + given):
        return family + given  # 余雄庆: family name first, no space
    name = " ".join(part for part in (given, family) if part)
    return f"{name}, {' '.join(lineage)}" if lineage else name


def name_parts(person: Person) -> tuple[tuple[str, ...], ...]:
    """A person's name parts, as plain tuples fit for hashing and comparing."""
    parts = (person.first_names, person.middle_names, person.prelast_names, person.last_names)
    return (*(tuple(part) for part in parts), tuple(person.lineage_names))


def person_text(person: Person) -> str:
    """A person's name as a reader sees it: ``Given Middle von Family, Jr.``, or ``余雄庆``."""
    return _display(name_parts(person)).replace("\xa0", " ")


def name_fingerprint(person: Person) -> str:
    """A comparable form of a name, blind to case, accents, braces and spacing."""
    return fold(person_text(person))


# -- The owner's name ------------------------------------------------------------


def _given_tokens(text: str) -> tuple[str, ...]:
    """Given names as tokens: ``Z.~K.`` and ``Zhen-Kai`` give two each."""
    return tuple(token for token in re.split(r"[\s.\-]+", fold(text).replace("_", " ")) if token)


@dataclass(frozen=True)
class _NameForm:
    whole: str
    family: str
    given: tuple[str, ...]


def _form(person: Person) -> _NameForm:
    family = fold(
        " ".join(latex_plain_text(part) for part in person.prelast_names + person.last_names)
    )
    given = _given_tokens(
        " ".join(latex_plain_text(part) for part in person.first_names + person.middle_names)
    )
    return _NameForm(fold(person_text(person)).replace(" ", ""), family, given)


def _compatible(one: str, other: str) -> bool:
    """Two given names agree: equal, or one is the other's initial."""
    if len(one) == 1 or len(other) == 1:
        return one[0] == other[0]
    return one == other


class OwnerNames:
    """The owner's name variants, matched loosely: initials with or without dots, middle names
    present or absent, ``Family, Given`` or ``Given Family``, LaTeX accents or Unicode."""

    def __init__(self, variants: Iterable[str]) -> None:
        self.forms = tuple(_form(Person(variant)) for variant in variants if variant.strip())

    def matches(self, person: Person) -> bool:
        form = _form(person)
        for variant in self.forms:
            if form.whole and form.whole == variant.whole:
                return True
            if not form.family or form.family != variant.family:
                continue
            if not form.given or not variant.given:
                continue  # a bare family name is too loose to be the owner
            if all(_compatible(a, b) for a, b in zip(form.given, variant.given, strict=False)):
                return True
        return False


def author_annotations(entry: Entry, role: str = "author") -> dict[int, set[str]]:
    """biblatex's ``author+an`` (``1=equal; 2=corresponding,highlight``), by position."""
    found: dict[int, set[str]] = {}
    for item in entry.fields.get(f"{role}+an", "").split(";"):
        position, _, values = item.partition("=")
        position = position.split(":")[0].strip()  # 1:family=student annotates a name part
        if position.isdigit():
            found.setdefault(int(position), set()).update(
                value.strip().lower() for value in values.split(",") if value.strip()
            )
    return found


def authors(
    entry: Entry, owner: OwnerNames | None = None, role: str = "author"
) -> tuple[list[Author], bool]:
    """The entry's authors as shown, and whether the list ends in ``and others`` ("et al.")."""
    notes = author_annotations(entry, role)
    shown: list[Author] = []
    et_al = False
    for position, person in enumerate(entry.persons.get(role, []), start=1):
        if is_others(person):
            et_al = True
            continue
        clean, marks = split_marks(person)
        annotated = notes.get(position, set())
        marks += tuple(
            ANNOTATION_MARKS[value] for value in sorted(annotated) if value in ANNOTATION_MARKS
        )
        if annotated & NOT_OWNER_ANNOTATIONS:
            is_owner = False
        else:
            is_owner = bool(annotated & OWNER_ANNOTATIONS) or bool(owner and owner.matches(clean))
        family = " ".join(clean.prelast_names + clean.last_names)
        given = " ".join(clean.first_names + clean.middle_names)
        marks = tuple(dict.fromkeys(marks))
        shown.append(Author(person_text(clean), marks, is_owner, family, given))
    return shown, et_al
