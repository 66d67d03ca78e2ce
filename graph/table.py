"""The `==Official results==` table: two lines per car, checked cell by cell."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graph.countries import is_alpha3
from graph.errors import ArticleError, describe_found
from graph.engines import parse_engine
from graph.makers import split_maker
from graph.text import nameable

HEADER = ("Pos", "Class", "No", "Team", "Drivers", "Chassis", "Tyre", "Laps")
SECOND_HEADER = ("Engine",)
STATUSES = ("NC", "DNF", "DNS", "DNA", "DSQ")
TYRES = {
    "M": "Michelin", "D": "Dunlop", "G": "Goodyear", "P": "Pirelli", "Y": "Yokohama",
    "B": "Bridgestone", "K": "Kumho", "A": "Avon", "H": "Hankook", "F": "Firestone",
}


@dataclass(frozen=True)
class Flagged:
    """A name shown after its country's flag, as in `DNK Tom Kristensen`."""
    country: str
    name: str


@dataclass(frozen=True)
class ResultRow:
    line: int
    order: int
    pos: str
    car_class: str
    number: str
    teams: tuple[Flagged, ...]
    drivers: tuple[Flagged, ...]
    chassis: str
    tyre: str
    laps: int | None
    engine: str

    @property
    def position(self) -> int | None:
        return int(self.pos) if self.pos.isdigit() else None


@dataclass(frozen=True)
class Cell:
    text: str
    line: int
    column: int


def split_cells(text: str, line: int) -> list[Cell]:
    """Cells of a `| a | b |` line, each with the column where its text starts (1-based)."""
    stripped = text.rstrip()
    cells: list[Cell] = []
    bounds = [i for i, char in enumerate(stripped) if char == "|"]
    for start, end in zip(bounds, bounds[1:]):
        raw = stripped[start + 1:end]
        lead = len(raw) - len(raw.lstrip())
        cells.append(Cell(raw.strip(), line, start + 2 + lead))
    return cells


class TableReader:
    """Reads the table lines of one article, raising ArticleError at the first thing out of place."""

    def __init__(self, path: Path, lines: list[tuple[int, str]]):
        self.path = path
        self.lines = lines  # (line number, text) of the consecutive `|` lines

    def error(self, cell_or_line, message: str) -> ArticleError:
        if isinstance(cell_or_line, Cell):
            return ArticleError(self.path, cell_or_line.line, message, column=cell_or_line.column)
        return ArticleError(self.path, cell_or_line, message)

    def rows(self) -> list[ResultRow]:
        if len(self.lines) < 2:
            found = self.lines[0][1] if self.lines else None
            raise ArticleError(self.path, self.lines[0][0] if self.lines else None,
                               f"expected the two header lines of the results table, found {describe_found(found)}")
        self._check_header(self.lines[0], HEADER)
        self._check_header(self.lines[1], SECOND_HEADER)
        body = self.lines[2:]
        if not body:
            raise self.error(self.lines[1][0], "expected at least one car after the table header, found none")
        rows = []
        for index in range(0, len(body), 2):
            first = body[index]
            second = body[index + 1] if index + 1 < len(body) else None
            rows.append(self._row(first, second, len(rows) + 1))
        return rows

    def _check_header(self, numbered: tuple[int, str], expected: tuple[str, ...]) -> None:
        line, text = numbered
        cells = split_cells(text, line)
        names = tuple(cell.text for cell in cells)
        width = len(HEADER)
        wanted = expected + ("",) * (width - len(expected))
        if names != wanted:
            raise self.error(line, f"expected the table header '| {' | '.join(wanted)} |', found {describe_found(text)}")

    def _row(self, first: tuple[int, str], second: tuple[int, str] | None, order: int) -> ResultRow:
        line, text = first
        cells = split_cells(text, line)
        if [c.text for c in cells] == list(HEADER):
            raise self.error(line, "expected one results table, found a second header of the same table "
                                   "(an article holds a single '==Official results==' table)")
        if len(cells) != len(HEADER):
            # An empty cell is `| |`; a missing one leaves the row short (or long): point at where it ends.
            column = len(text.rstrip()) + 1 if len(cells) < len(HEADER) else cells[len(HEADER)].column
            raise ArticleError(self.path, line, f"expected {len(HEADER)} cells ({' | '.join(HEADER)}), "
                                                f"found {len(cells)} in {describe_found(text)}", column=column)
        pos, car_class, number, team, drivers, chassis, tyre, laps = cells
        if second is None:
            raise self.error(line, f"expected the engine line of car {number.text} after line {line} "
                                   "(the table is cut short), found end of table")
        engine = self._engine(second, number.text)
        return ResultRow(
            line=line, order=order,
            pos=self._pos(pos), car_class=self._required(car_class, "a class"),
            number=self._required(number, "a car number"),
            teams=self._flagged(team, "team"), drivers=self._flagged(drivers, "driver", may_be_empty=True),
            chassis=self._made(chassis, "a chassis"), tyre=self._tyre(tyre),
            laps=self._laps(laps, pos.text), engine=engine,
        )

    def _engine(self, numbered: tuple[int, str], number: str) -> str:
        line, text = numbered
        cells = split_cells(text, line)
        rest = [cell for cell in cells[1:] if cell.text]
        if len(cells) != len(HEADER) or rest or not nameable(cells[0].text):
            raise self.error(line, f"expected the engine line of car {number} ('| <engine> | | | | | | | |'), "
                                   f"found {describe_found(text)}")
        engine = parse_engine(cells[0].text)
        if not all(nameable(name) for name in (engine.maker, engine.tuner) if name is not None):
            raise self.error(cells[0], f"expected the engine of car {number} to start with its maker's name "
                                       f"(and any tuner in brackets), found {describe_found(cells[0].text)}")
        return cells[0].text

    def _made(self, cell: Cell, what: str) -> str:
        """A chassis cell, whose first word (or known multi-word name) names its maker, a resource of its own."""
        text = self._required(cell, what)
        if not nameable(split_maker(text)[0]):
            raise self.error(cell, f"expected {what} starting with its maker's name, found {describe_found(text)}")
        return text

    def _required(self, cell: Cell, what: str) -> str:
        if not cell.text:
            raise self.error(cell, f"expected {what}, found an empty cell")
        if not nameable(cell.text):
            raise self.error(cell, f"expected {what} with letters or digits, found {describe_found(cell.text)}")
        return cell.text

    def _pos(self, cell: Cell) -> str:
        if cell.text.isdigit() and int(cell.text) > 0 or cell.text in STATUSES:
            return cell.text
        raise self.error(cell, f"expected a position number or one of {', '.join(STATUSES)}, "
                               f"found {describe_found(cell.text)}")

    def _tyre(self, cell: Cell) -> str:
        if cell.text == "" or cell.text in TYRES:
            return cell.text
        raise self.error(cell, f"expected a tyre letter ({', '.join(sorted(TYRES))}) or an empty cell, "
                               f"found {describe_found(cell.text)}")

    def _laps(self, cell: Cell, pos: str) -> int | None:
        if cell.text == "-":
            return None
        if cell.text.isdigit():
            return int(cell.text)
        raise self.error(cell, f"expected laps as a whole number or '-', found {describe_found(cell.text)}")

    def _flagged(self, cell: Cell, what: str, may_be_empty: bool = False) -> tuple[Flagged, ...]:
        """`GBR RJ Cole GBR Xero Competition` -> two names; a code starts a name only if words follow it.

        An empty Drivers cell (a car entered but not driven: DNA, DNS) is no names; whether the entry's
        status allows that is a rule of the shapes, not of the table."""
        words = cell.text.split()
        if not words and may_be_empty:
            return ()
        if not words:
            raise self.error(cell, f"expected at least one {what} with its country code, found an empty cell")
        if not is_alpha3(words[0]):
            raise self.error(cell, f"expected an ISO 3166-1 alpha-3 country code before the {what} name, "
                                   f"found {describe_found(words[0])}")
        result: list[Flagged] = []
        code, name_words = words[0], []
        for index, word in enumerate(words[1:], start=1):
            if is_alpha3(word) and name_words and index < len(words) - 1:
                result.append(Flagged(code, " ".join(name_words)))
                code, name_words = word, []
            else:
                name_words.append(word)
        if not name_words:
            raise self.error(cell, f"expected a {what} name after the country code {code}, found none")
        result.append(Flagged(code, " ".join(name_words)))
        for flagged in result:
            if not nameable(flagged.name):
                raise self.error(cell, f"expected a {what} name with letters or digits after {flagged.country}, "
                                       f"found {describe_found(flagged.name)}")
        return tuple(result)
