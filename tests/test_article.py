"""The article parser: the seed, articles of the same family, and broken articles with precise errors."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from graph.article import RaceArticle, Translation, parse_article, read_article
from graph.engines import parse_engine
from graph.errors import ArticleError
from graph.paths import BUNDLED_ARTICLES

SEED = BUNDLED_ARTICLES / "2003-1000-km-of-le-mans.en.txt"
SEED_ES = BUNDLED_ARTICLES / "2003-1000-km-of-le-mans.es.txt"
FIXTURES = Path(__file__).parent / "fixtures" / "articles"
NURBURGRING = FIXTURES / "2004-1000-km-of-nurburgring.en.txt"


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


def parse_text(text: str, name: str = "broken.en.txt") -> RaceArticle | Translation:
    return parse_article(text.encode("utf-8"), Path(name))


def line_number(lines: list[str], startswith: str) -> int:  # first line containing the text
    return next(i for i, line in enumerate(lines, 1) if startswith in line)


def test_seed_lead_facts():
    article = read_article(SEED)
    assert article.title == "2003 1000 km of Le Mans"
    assert article.date == dt.date(2003, 11, 9)
    assert (article.venue.circuit, article.venue.locality, article.country) == ("Bugatti Circuit", "Le Mans", "FRA")
    assert article.organiser == ("Automobile Club de l'Ouest", "ACO")
    assert article.series == "Le Mans Endurance Series"
    assert article.threshold == Decimal("0.75")


def test_seed_table_has_37_rows_in_order():
    rows = read_article(SEED).rows
    assert len(rows) == 37
    assert [row.order for row in rows] == list(range(1, 38))
    assert [row.pos for row in rows[:3]] == ["1", "2", "3"]
    assert [row.pos for row in rows[-8:]] == ["NC", "DNF", "DNF", "DNF", "DNF", "DNF", "DNS", "DNS"]


def test_seed_car_31_has_two_teams_and_no_laps():
    car = next(row for row in read_article(SEED).rows if row.number == "31")
    assert [(t.country, t.name) for t in car.teams] == [("GBR", "RJ Cole"), ("GBR", "Xero Competition")]
    assert [d.name for d in car.drivers] == ["Ricky Cole", "Peter Le Bas", "Paula Cook"]
    assert car.laps is None and car.pos == "DNS"


def test_capitals_in_names_are_not_taken_for_country_codes():
    rows = {row.number: row for row in read_article(SEED).rows}
    assert [(t.country, t.name) for t in rows["10"].teams] == [("USA", "JML Team Panoz")]
    assert [(t.country, t.name) for t in rows["14"].teams] == [("GBR", "RML")]


def test_seed_statistics():
    stats = read_article(SEED).statistics
    assert (stats.pole.number, stats.pole.team, stats.pole.time) == ("5", "Audi Sport Japan Team Goh", "PT1M27.775S")
    assert stats.distance_km == Decimal("869.44")
    assert stats.average_speed_kmh == Decimal("144.952")


def test_spanish_seed_is_a_translation():
    translation = read_article(SEED_ES)
    assert isinstance(translation, Translation)
    assert translation.language == "es"
    assert translation.label == "1000 km de Le Mans de 2003"
    assert translation.date == dt.date(2003, 11, 9)
    assert translation.description.endswith("cerca de Le Mans, Francia.")


def test_family_article_other_wording_tyres_statuses_and_accents():
    article = read_article(NURBURGRING)
    assert article.organiser == ("Allgemeiner Deutscher Automobil-Club", "ADAC")
    assert article.threshold == Decimal("0.7")
    assert article.country == "DEU"
    rows = {row.number: row for row in article.rows}
    assert [t.name for t in rows["50"].teams] == ["RJ Cole", "Xero Competition", "JML Team Panoz"]
    assert [d.name for d in rows["50"].drivers] == ["Ricky Cole", "Jörg MÜLLER", "Andrea Montermini",
                                                    "Peter van Merksteijn Sr."]
    assert {row.tyre for row in article.rows} == {"M", "D", "P", "Y", "K", "B", ""}
    assert {row.pos for row in article.rows} >= {"NC", "DSQ", "DNF", "DNS", "DNA"}
    assert article.statistics.fastest_lap.time == "PT1M43.002S"


def test_other_lead_wording():
    text = "\n".join(seed_lines()).replace(
        "It was run on 9 November 2003 at the Bugatti Circuit near Le Mans, France.",
        "It was run on 14 June 2003 at the Circuit de la Sarthe near Le Mans, France.")
    article = parse_text(text)
    assert article.date == dt.date(2003, 6, 14)
    assert article.venue.circuit == "Circuit de la Sarthe"


@pytest.mark.parametrize("written, parts", [
    ("Ford (Nicholson-McLaren) 4.0L V8", dict(maker="Ford", tuner="Nicholson-McLaren", displacement=Decimal("4.0"),
                                              layout="V8", cylinders=8)),
    ("Cosworth XD 2.7L Turbo V8 (Bio-Ethanol)", dict(model="XD", aspiration="Turbo", fuel="Bio-Ethanol")),
    ("Porsche 3.6L Flat-6", dict(layout="Flat-6", cylinders=6)),
    ("TVR Speed Six 4.0L I6", dict(model="Speed Six", layout="I6", cylinders=6)),
    ("Ford (Élan) 6L8 6.0L V8", dict(tuner="Élan", model="6L8", displacement=Decimal("6.0"))),
    ("Mazda R26B 2.6L 4-Rotor", dict(layout="4-Rotor", cylinders=None)),
])
def test_engine_names_break_down(written, parts):
    engine = parse_engine(written)
    assert engine.understood
    for name, value in parts.items():
        assert getattr(engine, name) == value


def test_engine_name_that_does_not_parse_keeps_its_maker():
    engine = parse_engine("Elan Mysterious Prototype Powerplant")
    assert not engine.understood
    assert engine.maker == "Elan"


# Broken articles: each error names the file and line and says what was expected.

def broken(replace_from: str, replace_to: str) -> tuple[str, int]:
    lines = seed_lines()
    number = line_number(lines, replace_from)
    lines[number - 1] = lines[number - 1].replace(replace_from, replace_to, 1)
    return "\n".join(lines), number


def test_missing_column_names_line_and_cell_count():
    text, number = broken("| 3 | LMP900 | 8 | NLD Racing for Holland |", "| 3 | LMP900 | NLD Racing for Holland |")
    with pytest.raises(ArticleError, match=r"expected 8 cells .* found 7") as error:
        parse_text(text)
    assert error.value.line == number and error.value.path.name == "broken.en.txt"


def test_row_with_a_missing_cell_points_at_where_the_row_ends():
    """An empty cell is `| |`; a row with a cell left out is short, and still an error with its column."""
    row = "| DNS | GT | 31 | GBR RJ Cole GBR Xero Competition | Chevrolet Corvette LM-GT | | - |"
    text, number = broken("| DNS | GT | 31 | GBR RJ Cole GBR Xero Competition | GBR Ricky Cole IRL Peter Le Bas GBR "
                          "Paula Cook | Chevrolet Corvette LM-GT | | - |", row)
    with pytest.raises(ArticleError, match=r"expected 8 cells .* found 7") as error:
        parse_text(text)
    assert (error.value.line, error.value.column) == (number, len(row) + 1)
    assert str(error.value).startswith(f"broken.en.txt:{number}:{len(row) + 1}: ")


def test_empty_drivers_and_tyre_cells_are_a_car_listed_but_not_driven():
    text, number = broken("| GBR Ricky Cole IRL Peter Le Bas GBR Paula Cook |", "| |")
    row = next(row for row in parse_text(text).rows if row.number == "31")
    assert (row.line, row.pos, row.drivers, row.tyre, row.laps) == (number, "DNS", (), "", None)
    assert [team.name for team in row.teams] == ["RJ Cole", "Xero Competition"]


def test_empty_team_cell_is_still_an_error():
    text, number = broken("| GBR Lister Racing |", "| |")
    with pytest.raises(ArticleError, match="expected at least one team with its country code, found an empty cell") as error:
        parse_text(text)
    assert error.value.line == number and error.value.column is not None


def test_non_numeric_laps():
    text, number = broken("| 1 | LMP900 | 5 |", "| 1 | LMP900 | 5 |")
    text = text.replace("| Audi R8 | | 208 |", "| Audi R8 | | 2O8 |")
    with pytest.raises(ArticleError, match=r"expected laps as a whole number or '-', found '2O8'") as error:
        parse_text(text)
    assert error.value.line == number
    assert str(error.value).startswith(f"broken.en.txt:{number}:")


def test_unknown_status():
    text, number = broken("| NC | GT | 48 |", "| RET | GT | 48 |")
    with pytest.raises(ArticleError, match=r"expected a position number or one of NC, DNF, DNS, DNA, DSQ, found 'RET'"):
        parse_text(text)


def test_unknown_tyre_letter():
    text, _ = broken("| Audi R8 | | 208 |", "| Audi R8 | Q | 208 |")
    with pytest.raises(ArticleError, match="expected a tyre letter"):
        parse_text(text)


def test_truncated_table():
    lines = seed_lines()
    last_engine = line_number(lines, "| Cosworth XD")
    text = "\n".join(lines[: last_engine - 1])
    with pytest.raises(ArticleError, match=r"expected the engine line of car 3 .* cut short") as error:
        parse_text(text)
    assert error.value.line == last_engine - 1


def test_empty_file():
    with pytest.raises(ArticleError, match="found an empty file"):
        parse_article(b"", Path("empty.txt"))
    with pytest.raises(ArticleError, match="found an empty file"):
        parse_article(b"\n  \n", Path("blank.txt"))


def test_binary_garbage():
    with pytest.raises(ArticleError, match="expected UTF-8 text, found binary data"):
        parse_article(bytes(range(256)) * 4, Path("garbage.bin"))


def test_latin1_text_names_the_line():
    data = "= Title =\n\nIt was run on 9 November 2003 at the Bugatti Circuit near Le Mans, France.\nSébastien\n"
    with pytest.raises(ArticleError, match="not UTF-8") as error:
        parse_article(data.encode("latin-1"), Path("latin1.txt"))
    assert error.value.line == 4


def test_second_table_with_a_different_header():
    text = "\n".join(seed_lines()).replace(
        "===Statistics===",
        "Qualifying:\n| Pos | No | Time |\n| 1 | 5 | 1:27.775 |\n\n===Statistics===")
    with pytest.raises(ArticleError, match="expected one results table, found a second table"):
        parse_text(text)


def test_wrong_header():
    text, number = broken("| Pos | Class | No |", "| Pos | Category | No |")
    with pytest.raises(ArticleError, match="expected the table header") as error:
        parse_text(text)
    assert error.value.line == number


def test_missing_results_section():
    text = "\n".join(seed_lines()).replace("==Official results==", "==Results==")
    with pytest.raises(ArticleError, match="expected an '==Official results==' section"):
        parse_text(text)


def test_team_without_country_code():
    text, _ = broken("| JPN Audi Sport Japan Team Goh |", "| Audi Sport Japan Team Goh |")
    with pytest.raises(ArticleError, match="expected an ISO 3166-1 alpha-3 country code before the team name, found 'Audi'"):
        parse_text(text)


def test_lead_without_date():
    text = "\n".join(seed_lines()).replace("It was run on 9 November 2003 at", "It was run at")
    with pytest.raises(ArticleError, match="expected the race date in the lead"):
        parse_text(text)


def test_prose_without_title_or_spanish_date():
    with pytest.raises(ArticleError, match="found neither"):
        parse_text("Just some prose about cars.\n", "notes.txt")


def test_impossible_date_names_its_line():
    text = "\n".join(seed_lines()).replace("9 November 2003", "31 February 2003")
    with pytest.raises(ArticleError, match="expected a real calendar date, found '31 February 2003'") as error:
        parse_text(text)
    assert error.value.line == 3


@pytest.mark.parametrize("before, after, message", [
    ("= 2003 1000 km of Le Mans =", "= !!! =", "expected a title with letters or digits"),
    ("| FRA Pescarolo Sport |", "| FRA ??? |", "expected a team name with letters or digits after FRA"),
    ("| Dome S101 |", "| --- |", "expected a chassis with letters or digits"),
])
def test_names_a_uri_cannot_be_made_from(before, after, message):
    text, number = broken(before, after)
    with pytest.raises(ArticleError, match=message) as error:
        parse_text(text)
    assert error.value.line == number


@pytest.mark.parametrize("replace_from, replace_to, expected", [
    ("| Audi R8 |", "| \x7f DNK x |", "chassis starting with its maker's name"),
    ("| Audi 3.6L Turbo V8 |", "| \x7f x |", "engine of car 5 to start with its maker's name"),
    ("| Audi 3.6L Turbo V8 |", "| Audi (\x7f) 3.6L V8 |", "and any tuner in brackets"),
    ("at the Bugatti Circuit near", "at the \x7f near", "a circuit and a place with letters or digits"),
])
def test_a_maker_tuner_or_circuit_with_no_letters_is_an_article_error_not_a_crash(replace_from, replace_to, expected):
    """Found by the article fuzzing: such names reached the URI minter and raised a bare ValueError."""
    text, number = broken(replace_from, replace_to)
    with pytest.raises(ArticleError, match=re.escape(expected)) as error:
        parse_text(text)
    assert error.value.line == number
