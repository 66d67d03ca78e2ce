"""Text comparison shared by the converter and the server."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents, so `Circuito Bugatti` and `circuito bugatti`, `Jörg` and `jorg` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def nameable(text: str) -> bool:
    """True when a URI slug can be made from the text: it has a letter or a digit."""
    return any(char.isalnum() for char in text)


def squeeze(text: str) -> str:
    """Every run of whitespace as one space, ends trimmed.

    The prose patterns read words separated by spaces; on squeezed text no pattern can try a long
    run of spaces at every position, which made their time grow with the square of such a run.
    """
    return " ".join(text.split())
