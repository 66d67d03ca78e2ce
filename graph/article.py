"""Reading one article file into plain data: a race article (English, with its table) or a translation.

Pure parsing: nothing here knows about RDF. Every failure is an ArticleError naming file and line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from graph import prose
from graph.countries import alpha3_for_name
from graph.errors import ArticleError, describe_found
from graph.text import nameable, squeeze
from graph.table import ResultRow, TableReader

RESULTS_SECTION = "official results"
STATISTICS_SECTION = "statistics"
_SPANISH_TITLE = re.compile(r"^(?:(?:Los|Las|El|La)\s+)?(?P<label>.+?)\s+(?:fue|fueron|es|son)\s")


@dataclass(frozen=True)
class Source:
    path: Path
    sha256: str

    @property
    def stem(self) -> str:
        return self.path.name.rsplit(".txt", 1)[0]


@dataclass(frozen=True)
class ArticleWarning:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass(frozen=True)
class RaceArticle:
    source: Source
    title: str
    lead: str
    date: dt.date
    venue: prose.Venue
    country: str  # alpha-3 of the venue
    organiser: tuple[str, str | None] | None
    series: str | None
    threshold: Decimal | None
    rows: tuple[ResultRow, ...]
    statistics: prose.Statistics
    warnings: tuple[ArticleWarning, ...] = field(default=())
    language: str = "en"


@dataclass(frozen=True)
class Translation:
    source: Source
    language: str
    label: str | None
    description: str
    date: dt.date
    text: str
    warnings: tuple[ArticleWarning, ...] = field(default=())


def read_article(path: Path) -> RaceArticle | Translation:
    """Read and parse one article file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ArticleError(path, None, f"cannot read the file: {error.strerror}") from None
    return parse_article(data, path)


def parse_article(data: bytes, path: Path) -> RaceArticle | Translation:
    source = Source(path, hashlib.sha256(data).hexdigest())
    text = _decode(data, path)
    lines = text.splitlines()
    first = next(((number, line) for number, line in enumerate(lines, 1) if line.strip()), None)
    if first is None:
        raise ArticleError(path, None, "expected an article ('= Title =' line, lead, results table), "
                                       "found an empty file")
    if _title(first[1].strip()) is not None:
        return _race_article(source, lines)
    return _translation(source, lines)


# '= Title =' and '==Heading==' are read with string operations, not regular expressions: the
# patterns they replace (`=\s*(.+?)\s*=`) backtracked in cubic time on runs of spaces

def _title(line: str) -> str | None:
    """The title of a stripped '= Title =' line: one '=' at each end, not '=='; None for any other line."""
    if len(line) < 3 or line[0] != "=" or line[1] == "=" or line[-1] != "=" or line[-2] == "=":
        return None
    return _between(line[1:-1])


def _heading(line: str) -> str | None:
    """The name of a stripped '==Name==' line (the same run of two or more '=' at each end), else None."""
    leading, trailing = len(line) - len(line.lstrip("=")), len(line) - len(line.rstrip("="))
    width = min(leading, trailing, (len(line) - 1) // 2)  # the widest marker that leaves a name
    return _between(line[width:-width]) if width >= 2 else None


def _between(inner: str) -> str:
    """The text between the markers without its surrounding spaces (its last space if that is all there is, as the old patterns gave)."""
    return inner.strip() or inner[-1:]


def _decode(data: bytes, path: Path) -> str:
    if b"\x00" in data:
        raise ArticleError(path, None, f"expected UTF-8 text, found binary data (a NUL byte at offset {data.index(0)})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ArticleError(path, line, f"expected UTF-8 text, found the byte 0x{data[error.start]:02x} "
                                       f"that is not UTF-8 (offset {error.start})") from None


def _sections(lines: list[str]) -> dict[str, list[tuple[int, str]]]:
    """Lines grouped under their heading (lower case); '' holds the lead before the first heading."""
    sections: dict[str, list[tuple[int, str]]] = {"": []}
    current = ""
    for number, line in enumerate(lines, 1):
        heading = _heading(line.strip())
        if heading is not None:
            current = heading.strip().lower()
            sections.setdefault(current, [])
            continue
        sections[current].append((number, line))
    return sections


def _race_article(source: Source, lines: list[str]) -> RaceArticle:
    path = source.path
    warnings: list[ArticleWarning] = []
    title_line = next(number for number, line in enumerate(lines, 1) if line.strip())
    title = _title(lines[title_line - 1].strip())
    if not nameable(title):
        raise ArticleError(path, title_line, f"expected a title with letters or digits, found {describe_found(title)}")
    sections = _sections(lines[title_line:])
    offset = title_line  # section line numbers count from the line after the title
    lead_lines = [(n + offset, line) for n, line in sections[""] if line.strip()]
    if not lead_lines:
        raise ArticleError(path, title_line + 1, "expected the lead paragraph after the title, found none")
    lead = "\n\n".join(line.strip() for _, line in lead_lines)
    try:
        date = prose.find_date(lead)
    except prose.ImpossibleDate as error:
        raise ArticleError(path, _line_with(lead_lines, error.written), str(error)) from None
    if date is None:
        raise ArticleError(path, lead_lines[0][0], "expected the race date in the lead "
                                                   "(for example 'It was run on 9 November 2003 at ...'), found none")
    venue = prose.find_venue(lead)
    if venue is None:
        raise ArticleError(path, lead_lines[0][0], "expected the venue in the lead (for example "
                                                   "'at the Bugatti Circuit near Le Mans, France.'), found none")
    country = alpha3_for_name(venue.country_name)
    if country is None:
        raise ArticleError(path, lead_lines[0][0], f"expected a country name after the venue, found "
                                                   f"{describe_found(venue.country_name)}")
    whole_text = "\n".join(lines)
    results = [(n + offset, line) for n, line in sections.get(RESULTS_SECTION, [])]
    if RESULTS_SECTION not in sections:
        raise ArticleError(path, None, "expected an '==Official results==' section with the results table, found none")
    table, before = _table_lines(path, results)
    rows = TableReader(path, table).rows()
    statistics = prose.parse_statistics(
        [(n + offset, line) for n, line in sections.get(STATISTICS_SECTION, [])],
        lambda line, message: warnings.append(ArticleWarning(path, line, message)),
    )
    threshold = prose.find_threshold(" ".join(line for _, line in before))
    if threshold is None:
        warnings.append(ArticleWarning(path, results[0][0] if results else None,
                                 "no classification percentage before the table; threshold not recorded"))
    return RaceArticle(
        source=source, title=title, lead=lead, date=date, venue=venue, country=country,
        organiser=prose.find_organiser(lead), series=prose.find_series(whole_text),
        threshold=threshold, rows=tuple(rows), statistics=statistics, warnings=tuple(warnings),
    )


def _table_lines(path: Path, section: list[tuple[int, str]]):
    """The one run of `|` lines in the results section, and the prose before it."""
    before, table = [], []
    runs = 0
    previous_was_table = False
    for number, line in section:
        is_table = line.lstrip().startswith("|")
        if is_table and not previous_was_table:
            runs += 1
            if runs > 1:
                raise ArticleError(path, number, "expected one results table, found a second table "
                                                 f"starting here: {describe_found(line.strip())}")
        if is_table:
            table.append((number, line.strip()))
        elif runs == 0:
            before.append((number, line))
        previous_was_table = is_table
    if not table:
        raise ArticleError(path, section[-1][0] if section else None,
                           "expected the results table ('| Pos | Class | No | ...') in '==Official results==', found none")
    return table, before


def _translation(source: Source, lines: list[str]) -> Translation:
    path = source.path
    paragraphs = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()]
    text = "\n".join(line for _, line in paragraphs)
    try:
        date = prose.find_spanish_date(text)
    except prose.ImpossibleDate as error:
        raise ArticleError(path, paragraphs[0][0], str(error)) from None
    if date is None:
        raise ArticleError(path, paragraphs[0][0],
                           "expected a race article starting with a '= Title =' line, or a Spanish translation "
                           "giving the date ('el 9 de noviembre de 2003'); found neither")
    first = _tidy(paragraphs[0][1])
    label = _SPANISH_TITLE.match(first)
    warnings = []
    if not label:
        warnings.append(ArticleWarning(path, paragraphs[0][0], "could not find the event's name in the first sentence; "
                                                         "no Spanish label recorded"))
    return Translation(source=source, language="es", label=label["label"] if label else None,
                       description=first, date=date, text=text, warnings=tuple(warnings))


def _line_with(numbered: list[tuple[int, str]], text: str) -> int:
    """The number of the first line holding the text (the first line if none does)."""
    return next((n for n, line in numbered if text in line), numbered[0][0])


def _tidy(text: str) -> str:
    """Undo the spaces before punctuation that text extraction leaves (`Le Mans , Francia .`)."""
    return re.sub(r" ([,.;:)])", r"\1", squeeze(text))
