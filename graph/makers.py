"""Telling a maker's name from the model that follows it (`Riley & Scott Mk III C`)."""

from __future__ import annotations

# Makers whose names are more than one word. A single-word maker needs no entry.
MULTI_WORD_MAKERS = (
    "Riley & Scott", "Aston Martin", "Alfa Romeo", "Land Rover", "De Tomaso", "Rolls-Royce",
    "Mercedes Benz", "Lamborghini Automobili", "Reiter Engineering", "Racing Technology Norfolk",
)


def split_maker(name: str) -> tuple[str, str]:
    """(maker, rest) of a chassis or engine name as written."""
    text = " ".join(name.split())
    for maker in MULTI_WORD_MAKERS:
        if text == maker or text.startswith(maker + " "):
            return maker, text[len(maker):].strip()
    words = text.split(" ", 1)
    if len(words) == 2 and words[1].startswith("& "):
        # "X & Y ..." names a partnership the list does not know yet: keep the pair together.
        parts = words[1].split(" ", 2)
        maker = " ".join([words[0], *parts[:2]])
        return maker, parts[2] if len(parts) > 2 else ""
    return words[0], words[1] if len(words) > 1 else ""
