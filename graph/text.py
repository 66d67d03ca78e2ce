"""Text comparison shared by the converter and the server."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents, so `Circuito Bugatti` and `circuito bugatti`, `Jörg` and `jorg` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
