"""Turning values into what a page shows: lap times, flags, and JSON safe inside a <script>."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from functools import lru_cache

import babel.dates
import babel.numbers

import pyoxigraph as ox
from markupsafe import Markup

# British English writes `9 November 2003` (day first), as the source articles do
_LOCALES = {"en": "en_GB", "es": "es_ES"}
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


def lap_time(value: str) -> str:
    """`PT1M27.775S` -> `1:27.775`."""
    match = _DURATION.match(value)
    if not match:
        return value
    hours, minutes, seconds = (match.group(1) or "0"), (match.group(2) or "0"), (match.group(3) or "0")
    whole, _, fraction = seconds.partition(".")
    minutes_total = int(hours) * 60 + int(minutes)
    return f"{minutes_total}:{int(whole):02d}" + (f".{fraction}" if fraction else "")


def literal_text(literal: ox.Literal) -> str:
    if literal.datatype is not None and literal.datatype.value.endswith("#duration"):
        return lap_time(literal.value)
    return literal.value


def flag(alpha2: str | None) -> str:
    """The flag emoji of an ISO alpha-2 code (regional indicator letters)."""
    if not alpha2 or len(alpha2) != 2 or not alpha2.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in alpha2.upper())


def script_json(data) -> Markup:
    """JSON safe inside <script type="application/ld+json">: no `<`, `>` or `&` survive literally."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


# --- dates and numbers the way each language writes them (Babel's CLDR data) ---------------------

def date_text(iso: str | None, lang: str, style: str = "medium") -> str:
    """`2003-11-09` -> `9 Nov 2003` (en) / `9 nov 2003` (es); `style` is Babel's short/medium/long/full.
    Anything that is not an ISO date is shown as it is."""
    if not iso:
        return ""
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return babel.dates.format_date(day, format=style, locale=_LOCALES.get(lang, "en_GB"))


def number_text(value, lang: str) -> str:
    return _number_text(str(value) if value is not None else "", lang)


@lru_cache(maxsize=4096)  # a pure function of its text; Babel's formatting is the costly part of small pages
def _number_text(value: str, lang: str) -> str:
    """A number with the language's decimal mark and grouping: 869.44 -> `869.44` (en), `869,44` (es)."""
    if value == "":
        return ""
    try:
        number = Decimal(value)
    except ArithmeticError:
        return str(value)
    return babel.numbers.format_decimal(number, locale=_LOCALES.get(lang, "en_GB"), decimal_quantization=False)
