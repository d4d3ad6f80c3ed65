"""One resolver from any country name or code the sources use to ISO3.

ISO data come from pycountry; `country_aliases.yaml` (ours) adds the English variants,
legacy World Bank codes and non-standard codes the sources use; Correlates of War state
codes are registered from the COW states list at load time (`register_cow`).
Unknown names are an error listing every unresolved name with its file and rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import pandas as pd
import pycountry
import yaml

from sharppower.errors import SharppowerError

# Codes outside ISO 3166-1 that we treat as countries of their own.
EXTRA_COUNTRIES = {"XKX": ("Kosovo", "XK", None)}


class UnresolvedCountries(SharppowerError):
    """Names that no rule resolves; `items` is a list of (name, file, rows)."""

    def __init__(self, items: list[tuple[str, str, list[int]]]):
        self.items = items
        lines = [f"  {name!r} in {file}, rows {_rows(rows)}" for name, file, rows in items]
        super().__init__(
            f"{len(items)} country name(s) could not be resolved to ISO3 "
            "(add them to sharppower/country_aliases.yaml or the source's skip list):\n"
            + "\n".join(lines)
        )


def _rows(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:10])
    return shown + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")


def normalise(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'Bolívia' -> 'bolivia'."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ")
    text = re.sub(r"\bthe\b", " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _alias_file() -> dict:
    text = resources.files("sharppower").joinpath("country_aliases.yaml").read_text("utf-8")
    return yaml.safe_load(text)


class CountryResolver:
    """Resolve names and codes to ISO3; `name(iso3)` gives the English short name."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._cow: dict[int, list[tuple[int | None, int | None, str]]] = defaultdict(list)
        for c in pycountry.countries:
            self._names[c.alpha_3] = getattr(c, "common_name", None) or c.name
            for attr in ("alpha_3", "alpha_2", "name", "official_name", "common_name"):
                value = getattr(c, attr, None)
                if value:
                    self._keys.setdefault(normalise(value), c.alpha_3)
            self._keys.setdefault(c.numeric, c.alpha_3)
        for iso3, (name, alpha2, _) in EXTRA_COUNTRIES.items():
            self._names[iso3] = name
            self._keys[normalise(iso3)] = iso3
            self._keys[normalise(name)] = iso3
            if alpha2:
                self._keys[normalise(alpha2)] = iso3
        data = _alias_file()
        for alias, iso3 in (data.get("codes") or {}).items():
            self._keys[normalise(alias)] = iso3
        for iso3, names in (data.get("names") or {}).items():
            for alias in names:
                self._keys[normalise(alias)] = iso3
        for entry in data.get("cow") or []:
            self._cow[int(entry["ccode"])].append(
                (entry.get("from"), entry.get("to"), entry["iso3"])
            )

    # -- single values -------------------------------------------------------------
    def resolve(self, value: object) -> str | None:
        """ISO3 for a name or code, or None when nothing matches."""
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        text = str(value).strip()
        if text.isdigit():
            return self._keys.get(text.zfill(3))
        return self._keys.get(normalise(text))

    def name(self, iso3: str) -> str:
        return self._names.get(iso3, iso3)

    def known(self, iso3: str) -> bool:
        return iso3 in self._names

    def iso3_codes(self) -> list[str]:
        return sorted(self._names)

    # -- Correlates of War ----------------------------------------------------------
    def register_cow(self, states: pd.DataFrame) -> None:
        """Learn COW state codes from a states list with columns ccode, stateabb, statenme.

        Codes declared in country_aliases.yaml (with year ranges, such as 365: USSR
        before 1992, Russia from 1992) take precedence over the names in the list.
        """
        for row in states.itertuples(index=False):
            ccode = int(row.ccode)
            if ccode in self._cow:
                continue
            iso3 = self.resolve(row.statenme) or self.resolve(row.stateabb)
            if iso3:
                self._cow[ccode].append((None, None, iso3))

    def from_cow(self, ccode: int, year: int | None = None) -> str | None:
        for start, end, iso3 in self._cow.get(int(ccode), []):
            if year is None or ((start is None or year >= start) and (end is None or year <= end)):
                return iso3
        return None

    # -- whole columns --------------------------------------------------------------
    def resolve_column(
        self,
        values: Iterable[object],
        file: str,
        skip: Iterable[str] = (),
        first_row: int = 2,
    ) -> pd.Series:
        """Resolve a column; raise UnresolvedCountries naming every unknown name with rows.

        `skip` lists names that are not countries (for instance 'European Union'); they
        resolve to None on purpose. `first_row` is the file row of the first value
        (2 for a CSV with a header line).
        """
        skip_keys = {normalise(s) for s in skip}
        values = list(values)
        out: list[str | None] = []
        missing: dict[str, list[int]] = defaultdict(list)
        for i, v in enumerate(values):
            iso3 = self.resolve(v)
            if iso3 is None and normalise(str(v)) not in skip_keys:
                missing[str(v)].append(i + first_row)
            out.append(iso3)
        if missing:
            raise UnresolvedCountries([(name, file, rows) for name, rows in missing.items()])
        return pd.Series(out, dtype=object)


@lru_cache(maxsize=1)
def resolver() -> CountryResolver:
    return CountryResolver()
