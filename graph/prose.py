"""Facts stated in an article's prose: date, venue, organiser, series, threshold, statistics."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from graph.text import squeeze

MONTHS_EN = ("january february march april may june july august september october november december").split()
MONTHS_ES = ("enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre").split()

_DATE_DAY_FIRST = re.compile(r"\b(\d{1,2}) (" + "|".join(MONTHS_EN) + r") (\d{4})\b", re.IGNORECASE)
_DATE_MONTH_FIRST = re.compile(r"\b(" + "|".join(MONTHS_EN) + r") (\d{1,2}), (\d{4})\b", re.IGNORECASE)
_DATE_ES = re.compile(r"\b(\d{1,2}) de (" + "|".join(MONTHS_ES) + r") de (\d{4})\b", re.IGNORECASE)
_VENUE = re.compile(
    r"\bat (?:the )?(?P<circuit>[^,.]+?)\s+(?:near|in|outside)\s+(?P<place>[^.]+?)\.(?:\s|$)"
)
_ORGANISER = re.compile(
    r"\b(?:organi[sz]ation of|organi[sz]ed by|sanctioned by)\s+(?:the\s+)?"
    r"(?P<name>[A-Z][^()]*?)(?:\s+\((?P<abbr>[^()]+)\))?(?=\s+(?:in|as|for|and|with|at|on|to)\s|[,.;])"
)
_SERIES = (
    re.compile(r"\bunder the (?P<name>[A-Z][\w'&. -]*?(?:Series|Championship|Cup|Challenge)) name\b"),
    re.compile(r"\b(?:round|part|event) of the (?:\d{4} )?(?P<name>[A-Z][\w'&. -]*?(?:Series|Championship|Cup|Challenge))\b"),
)
_THRESHOLD = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_LAP_TIME = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{2}(?:\.\d+)?)$")
_STAT_LINE = re.compile(r"^[-*]\s*(?P<key>[A-Za-z][A-Za-z ]*?)\s+-\s+(?P<value>.+?)\s*$")
_CAR_AND_TEAM = re.compile(r"^#(?P<number>\w+)\s+(?P<team>.+?)\s+-\s+(?P<time>[\d:.]+)$")
_QUANTITY = re.compile(r"^(?P<number>\d+(?:[.,]\d+)?)\s*(?P<unit>km/h|km|mph|mi)$")

MILE_KM = Decimal("1.609344")


class ImpossibleDate(ValueError):
    """A date written in the usual form that names no real day (`31 February 2004`)."""

    def __init__(self, written: str):
        self.written = written
        super().__init__(f"expected a real calendar date, found {written!r}")


def _date(year: str, month: int, day: str, written: str) -> dt.date:
    try:
        return dt.date(int(year), month, int(day))
    except ValueError:
        raise ImpossibleDate(written) from None


def find_date(text: str) -> dt.date | None:
    text = squeeze(text)
    for pattern, order in ((_DATE_DAY_FIRST, "dmy"), (_DATE_MONTH_FIRST, "mdy")):
        found = pattern.search(text)
        if found:
            parts = dict(zip(order, found.groups()))
            return _date(parts["y"], MONTHS_EN.index(parts["m"].lower()) + 1, parts["d"], found[0])
    return None


def find_spanish_date(text: str) -> dt.date | None:
    text = squeeze(text)
    found = _DATE_ES.search(text)
    if not found:
        return None
    day, month, year = found.groups()
    return _date(year, MONTHS_ES.index(month.lower()) + 1, day, found[0])


@dataclass(frozen=True)
class Venue:
    circuit: str
    locality: str
    country_name: str


def find_venue(text: str) -> Venue | None:
    """`at the Bugatti Circuit near Le Mans, France.` -> circuit, locality, country."""
    text = squeeze(text)
    for found in _VENUE.finditer(text):
        parts = [part.strip() for part in found["place"].split(",")]
        if len(parts) >= 2:
            return Venue(found["circuit"].strip(), parts[0], parts[-1])
    return None


def find_organiser(text: str) -> tuple[str, str | None] | None:
    text = squeeze(text)
    found = _ORGANISER.search(text)
    return (found["name"].strip(), found["abbr"]) if found else None


def find_series(text: str) -> str | None:
    text = squeeze(text)
    for pattern in _SERIES:
        found = pattern.search(text)
        if found:
            return found["name"].strip()
    return None


def find_threshold(text: str) -> Decimal | None:
    text = squeeze(text)
    found = _THRESHOLD.search(text)
    return Decimal(found[1]) / 100 if found else None


def lap_time_duration(text: str) -> str | None:
    """`1:27.775` -> `PT1M27.775S` (xsd:duration)."""
    found = _LAP_TIME.match(text)
    if not found:
        return None
    hours = f"{int(found['h'])}H" if found["h"] else ""
    return f"PT{hours}{int(found['m'])}M{found['s']}S"


@dataclass(frozen=True)
class TimedCar:
    number: str
    team: str
    time: str  # xsd:duration


@dataclass(frozen=True)
class Statistics:
    pole: TimedCar | None = None
    fastest_lap: TimedCar | None = None
    distance_km: Decimal | None = None
    average_speed_kmh: Decimal | None = None


def parse_statistics(lines: list[tuple[int, str]], warn) -> Statistics:
    """Reads `- Key - value` lines; an unknown key or value shape is reported through `warn(line, message)`."""
    found: dict = {}
    for number, text in lines:
        match = _STAT_LINE.match(squeeze(text))
        if not match:
            if text.strip():
                warn(number, f"expected a statistics line '- Key - value', found {text.strip()!r}; skipped")
            continue
        key, value = match["key"].strip().lower(), match["value"]
        if key in ("pole position", "fastest lap"):
            car = _CAR_AND_TEAM.match(value)
            duration = lap_time_duration(car["time"]) if car else None
            if not car or not duration:
                warn(number, f"expected '#<car> <team> - <m:ss.sss>' after {match['key']!r}, found {value!r}; skipped")
                continue
            found["pole" if key == "pole position" else "fastest_lap"] = TimedCar(car["number"], car["team"], duration)
        elif key in ("distance", "average speed"):
            quantity = _QUANTITY.match(value)
            if not quantity:
                warn(number, f"expected a number with km or km/h after {match['key']!r}, found {value!r}; skipped")
                continue
            amount = Decimal(quantity["number"].replace(",", "."))
            if quantity["unit"] in ("mph", "mi"):
                amount = (amount * MILE_KM).quantize(Decimal("0.001"))
            found["distance_km" if key == "distance" else "average_speed_kmh"] = amount
        else:
            warn(number, f"statistics line {match['key']!r} is not one racegraph knows; skipped")
    return Statistics(**found)
