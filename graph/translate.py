"""Matching a translated article to the race it describes: same date, and the race's place named in it."""

from __future__ import annotations

from graph.article import RaceArticle, Translation
from graph.text import fold


def match_translation(translation: Translation, races: list[RaceArticle]) -> RaceArticle | None:
    """The one race on the translation's date whose locality or circuit the translation names, else None."""
    text = fold(translation.text)
    same_day = [race for race in races if race.date == translation.date]
    named = [race for race in same_day
             if fold(race.venue.locality) in text or fold(race.venue.circuit) in text]
    return named[0] if len(named) == 1 else None
