"""Matching a translated article to the race it describes: same date, and the race's place named in it."""

from __future__ import annotations

import unicodedata

from graph.article import RaceArticle, Translation


def _folded(text: str) -> str:
    """Lower case without accents, so `Circuito Bugatti` and `circuito bugatti` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def match_translation(translation: Translation, races: list[RaceArticle]) -> RaceArticle | None:
    """The one race on the translation's date whose locality or circuit the translation names, else None."""
    text = _folded(translation.text)
    same_day = [race for race in races if race.date == translation.date]
    named = [race for race in same_day
             if _folded(race.venue.locality) in text or _folded(race.venue.circuit) in text]
    return named[0] if len(named) == 1 else None
