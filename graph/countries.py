"""Country codes and names from ISO 3166-1 (pycountry), with Spanish names from its translations."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry

# Names articles use that ISO 3166-1 spells differently or does not list as countries.
_NAME_ALIASES = {
    "england": "GBR", "scotland": "GBR", "wales": "GBR", "northern ireland": "GBR",
    "great britain": "GBR", "uk": "GBR", "usa": "USA", "russia": "RUS",
    "south korea": "KOR", "czech republic": "CZE", "holland": "NLD",
}


def is_alpha3(token: str) -> bool:
    """True when `token` is an ISO 3166-1 alpha-3 code written in capitals."""
    return len(token) == 3 and token.isupper() and pycountry.countries.get(alpha_3=token) is not None


def alpha3_for_name(name: str) -> str | None:
    """The alpha-3 code of a country name as English prose writes it, or None."""
    key = name.strip().lower()
    if key in _NAME_ALIASES:
        return _NAME_ALIASES[key]
    try:
        return pycountry.countries.lookup(name.strip()).alpha_3
    except LookupError:
        return None


@lru_cache(maxsize=None)
def _spanish() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"], fallback=True)


def country_names(alpha3: str) -> dict[str, str]:
    """{'en': ..., 'es': ...} names of a country; prefers the common name where ISO has one."""
    country = pycountry.countries.get(alpha_3=alpha3)
    english = getattr(country, "common_name", None) or country.name
    spanish = _spanish().gettext(country.name)
    return {"en": english, "es": spanish}


def alpha2(alpha3: str) -> str:
    return pycountry.countries.get(alpha_3=alpha3).alpha_2
