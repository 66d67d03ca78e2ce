"""Breaking an engine's name as written (`Ford (Nicholson-McLaren) 4.0L V8`) into its parts.

The grammar of the results tables is:
    MAKE [(TUNER)] [MODEL ...] DISPLACEMENT"L" [ASPIRATION] LAYOUT [(FUEL)]
A name that does not fit is kept whole, with only its maker, and the caller warns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from graph.makers import split_maker

_DISPLACEMENT = re.compile(r"^(\d+(?:\.\d+)?)L$")
_ASPIRATIONS = {"turbo": "Turbo", "twin-turbo": "Twin-Turbo", "biturbo": "Twin-Turbo", "supercharged": "Supercharged"}
_PISTON_LAYOUT = re.compile(r"^(?P<bank>V|W|I|L|H|Flat-|Boxer-)(?P<cylinders>\d{1,2})$", re.IGNORECASE)
_ROTARY_LAYOUT = re.compile(r"^(?:(?P<rotors>\d)-Rotor|Rotary)$", re.IGNORECASE)
_TRAILING_NOTE = re.compile(r"^(?P<rest>.*?)\s*\((?P<note>[^()]+)\)$")
_LEADING_TUNER = re.compile(r"^\((?P<tuner>[^()]+)\)\s*(?P<rest>.*)$")


@dataclass(frozen=True)
class EngineName:
    written: str
    maker: str
    tuner: str | None = None
    model: str | None = None
    displacement: Decimal | None = None
    aspiration: str | None = None
    layout: str | None = None
    cylinders: int | None = None
    fuel: str | None = None

    @property
    def understood(self) -> bool:
        return self.displacement is not None and self.layout is not None


def parse_engine(written: str) -> EngineName:
    """Parse an engine name; never fails (an unknown shape yields `understood == False`)."""
    text = " ".join(written.split())
    maker, rest = split_maker(text)
    tuner = None
    tuned = _LEADING_TUNER.match(rest)
    if tuned:
        tuner, rest = tuned["tuner"].strip(), tuned["rest"]
    fuel = None
    noted = _TRAILING_NOTE.match(rest)
    if noted:
        rest, fuel = noted["rest"], noted["note"].strip()
    tokens = rest.split()
    position = next((i for i, token in enumerate(tokens) if _DISPLACEMENT.match(token)), None)
    if position is None:
        return EngineName(written, maker, tuner=tuner, model=rest or None, fuel=fuel)
    model = " ".join(tokens[:position]) or None
    displacement = Decimal(_DISPLACEMENT.match(tokens[position])[1])
    after = tokens[position + 1:]
    aspiration = None
    if after and after[0].lower() in _ASPIRATIONS:
        aspiration = _ASPIRATIONS[after.pop(0).lower()]
    layout, cylinders = _layout(after[0]) if len(after) == 1 else (None, None)
    if layout is None:
        return EngineName(written, maker, tuner=tuner, model=model, displacement=displacement,
                          aspiration=aspiration, fuel=fuel)
    return EngineName(written, maker, tuner, model, displacement, aspiration, layout, cylinders, fuel)


def _layout(token: str) -> tuple[str | None, int | None]:
    piston = _PISTON_LAYOUT.match(token)
    if piston:
        return token, int(piston["cylinders"])
    rotary = _ROTARY_LAYOUT.match(token)
    if rotary:
        return token, None
    return None, None
