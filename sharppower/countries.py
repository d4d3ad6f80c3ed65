"""One resolver from any country name or code the sources use to ISO3.

ISO data come from pycountry; `country_aliases.yaml` (ours) adds the English variants,
legacy World Bank codes, non-standard codes, former states (ISO 3166-3 codes such as SUN
for the USSR), names that are deliberately not countries (`skip`, each with a reason) and
Correlates of War state codes whose ISO3 depends on the year. Other COW codes are
registered from the COW states list at load time (`register_cow`).
Unknown names are an error listing every unresolved name with its file and rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

import pandas as pd
import pycountry

from sharppower.errors import SharppowerError
from sharppower.yaml_load import safe_load

# Punctuation real country names use; any other character (`$`, `!`, `;`, ...) means the
# text is not a name, whatever a looser key would match.
NAME_PUNCTUATION = set("'’‘`(),-–./&")

# Codes outside ISO 3166-1 that we treat as countries of their own.
EXTRA_COUNTRIES = {"XKX": ("Kosovo", "XK", None)}
# The name shown for a country where ISO's is not the one in everyday use, so that pages,
# downloads and the codebook's actors agree ("Russia", never also "Russian Federation")
DISPLAY_NAMES = {"RUS": "Russia", "COD": "DR Congo", "FSM": "Micronesia", "PSE": "Palestine",
                 "VGB": "British Virgin Islands", "VIR": "US Virgin Islands",
                 "VAT": "Vatican City"}


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


def _rows(rows: Sequence[object]) -> str:
    shown = ", ".join(str(r) for r in rows[:10])
    return shown + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")


def normalise(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'Bolívia' -> 'bolivia',
    'Côte d’Ivoire' -> 'cote d ivoire'."""
    text = str(name)
    if not text.isascii():  # (an ASCII text has nothing to decompose: most names, every code)
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(ch))
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"\bthe\b", " ", text)
    return " ".join(text.split())


def plain_name(text: str) -> bool:
    """True when `text` has only letters (any accents), digits, spaces and the punctuation
    of real names (NAME_PUNCTUATION)."""
    return bool(text) and all(ch.isalnum() or ch.isspace() or ch in NAME_PUNCTUATION
                              for ch in text)


@lru_cache(maxsize=1)
def _alias_file() -> dict:
    text = resources.files("sharppower").joinpath("country_aliases.yaml").read_text("utf-8")
    return safe_load(text)


def _historic() -> dict[str, dict]:
    return _alias_file().get("historic") or {}


# Former states (ISO 3166-3 codes) the sources use for years before they dissolved:
# iso3 -> (name, region, subregion). The reference tables may list them beside current ones.
HISTORIC_COUNTRIES: dict[str, tuple[str, str, str]] = {
    iso3: (spec["name"], spec["region"], spec["subregion"]) for iso3, spec in _historic().items()
}

Period = tuple[int | None, int | None, str | None, str | None]  # from, to, iso3, skip reason


def _in_period(year: int | None, start: int | None, end: int | None) -> bool:
    return year is None or ((start is None or year >= start) and (end is None or year <= end))


class CountryResolver:
    """Resolve names and codes to ISO3; `name(iso3)` gives the English short name."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}  # every key (names and codes), for the alias table
        self._name_keys: dict[str, str] = {}  # normalised names and declared aliases
        self._codes: dict[str, str] = {}  # exact codes, upper case (ISO, legacy, numeric)
        self._names: dict[str, str] = {}
        self._skip: dict[str, tuple[str, str]] = {}  # key -> (name as written, reason)
        self._cow: dict[int, list[Period]] = defaultdict(list)
        self._add_iso()
        self._add_aliases(_alias_file())

    def _code(self, code: str, iso3: str, overwrite: bool = True) -> None:
        if overwrite or code.upper() not in self._codes:
            self._codes[code.upper()] = iso3
        if overwrite:
            self._keys[normalise(code)] = iso3
        else:
            self._keys.setdefault(normalise(code), iso3)

    def _name(self, name: str, iso3: str, overwrite: bool = True) -> None:
        key = normalise(name)
        if overwrite:
            self._keys[key] = self._name_keys[key] = iso3
        else:
            self._keys.setdefault(key, iso3)
            self._name_keys.setdefault(key, iso3)

    def _add_iso(self) -> None:
        for c in pycountry.countries:
            self._names[c.alpha_3] = getattr(c, "common_name", None) or c.name
            for attr in ("alpha_3", "alpha_2"):
                self._code(getattr(c, attr), c.alpha_3, overwrite=False)
            for attr in ("name", "official_name", "common_name"):
                value = getattr(c, attr, None)
                if value:
                    self._name(value, c.alpha_3, overwrite=False)
            self._codes.setdefault(c.numeric, c.alpha_3)
            self._keys.setdefault(c.numeric, c.alpha_3)
        for iso3, name in DISPLAY_NAMES.items():
            self._names[iso3] = name
            self._name(name, iso3, overwrite=False)
        for iso3, (name, alpha2, _) in EXTRA_COUNTRIES.items():
            self._names[iso3] = name
            self._code(iso3, iso3)
            self._name(name, iso3)
            if alpha2:
                self._code(alpha2, iso3)

    def _add_aliases(self, data: dict) -> None:
        for iso3, spec in (data.get("historic") or {}).items():
            self._names[iso3] = spec["name"]
            self._code(iso3, iso3)
            for alias in [spec["name"], *(spec.get("aliases") or [])]:
                self._name(alias, iso3)
        for alias, iso3 in (data.get("codes") or {}).items():
            self._code(alias, iso3)
        for iso3, names in (data.get("names") or {}).items():
            for alias in names:
                self._name(alias, iso3)
        for name, reason in (data.get("skip") or {}).items():
            self._skip[normalise(name)] = (str(name), str(reason))
        for entry in data.get("cow") or []:
            self._cow[int(entry["ccode"])].append(
                (entry.get("from"), entry.get("to"), entry.get("iso3"), entry.get("skip")))

    # -- single values -------------------------------------------------------------
    def resolve(self, value: object) -> str | None:
        """ISO3 for a name or code, or None when nothing matches.

        Strict: an exact code (ISO alpha-3, alpha-2 or numeric, a declared legacy code; any
        letter case), or a name or declared alias compared without letter case, accents,
        spacing or the punctuation of names. Text with other characters (`$(id)`, `the
        netherlands!!`) is no name; nothing is guessed."""
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        text = str(value).strip()
        if text.isdigit():
            return self._codes.get(text.zfill(3))
        if text.upper() in self._codes:
            return self._codes[text.upper()]
        if not plain_name(text):
            return None
        return self._name_keys.get(normalise(text))

    def skip_reason(self, value: object) -> str | None:
        """Why a name is deliberately not resolved (not a country), or None."""
        hit = self._skip.get(normalise(str(value)))
        return hit[1] if hit else None

    def name(self, iso3: str) -> str:
        return self._names.get(iso3, iso3)

    def known(self, iso3: str) -> bool:
        return iso3 in self._names

    def iso3_codes(self) -> list[str]:
        return sorted(self._names)

    def name_keys(self) -> dict[str, str]:
        """Every name and alias the resolver knows, as its `normalise` key -> ISO3 (for
        finding country names inside free text: `sources.name_lists.TextMatcher`)."""
        return dict(self._name_keys)

    # -- Correlates of War ----------------------------------------------------------
    def register_cow(self, states: pd.DataFrame) -> None:
        """Learn COW state codes from a states list with columns ccode, statenme.

        Codes declared in country_aliases.yaml (with year ranges, such as 365: USSR
        1923-1991, Russia before and after) take precedence over the names in the list.
        Only the state name is used: COW abbreviations clash with ISO3 (COW AUS is Austria).
        """
        for row in states.itertuples(index=False):
            ccode = int(row.ccode)
            if ccode in self._cow:
                continue
            iso3 = self.resolve(row.statenme)
            if iso3:
                self._cow[ccode].append((None, None, iso3, None))

    def _cow_period(self, ccode: int, year: int | None) -> Period | None:
        for period in self._cow.get(int(ccode), []):
            if _in_period(year, period[0], period[1]):
                return period
        return None

    def from_cow(self, ccode: int, year: int | None = None) -> str | None:
        """ISO3 of a COW state code in a year (None when unknown or skipped)."""
        period = self._cow_period(ccode, year)
        return period[2] if period else None

    def cow_skip_reason(self, ccode: int, year: int | None = None) -> str | None:
        period = self._cow_period(ccode, year)
        return period[3] if period else None

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

    def resolve_report(
        self,
        values: Iterable[object],
        file: str,
        rows: Sequence[object] | None = None,
    ) -> tuple[pd.Series, list[str]]:
        """Resolve a column, skipping the names of the skip list with a warning each.

        Returns (ISO3 per value, None where skipped; warnings naming each skipped name,
        its rows and the reason). Unknown names raise UnresolvedCountries with rows.
        `rows` gives the file row of each value (default: 2, 3, ...).
        """
        values = list(values)
        rows = list(rows) if rows is not None else list(range(2, len(values) + 2))
        cache: dict[object, str | None] = {}
        out: list[str | None] = []
        skipped: dict[str, list[object]] = defaultdict(list)
        missing: dict[str, list[object]] = defaultdict(list)
        for value, row in zip(values, rows):
            if value not in cache:
                cache[value] = self.resolve(value)
            iso3 = cache[value]
            if iso3 is None:
                bucket = skipped if self.skip_reason(value) else missing
                bucket[str(value)].append(row)
            out.append(iso3)
        if missing:
            raise UnresolvedCountries([(n, file, r) for n, r in missing.items()])
        warnings = [f"{file}: skipped {name!r} (rows {_rows(r)}): {self.skip_reason(name)}"
                    for name, r in skipped.items()]
        return pd.Series(out, dtype=object), warnings

    def resolve_cow(
        self,
        ccodes: Iterable[object],
        years: Iterable[object],
        file: str,
        rows: Sequence[object] | None = None,
    ) -> tuple[pd.Series, list[str]]:
        """Resolve COW state codes by year, like `resolve_report` (skips carry a reason)."""
        ccodes, years = [int(c) for c in ccodes], [int(y) for y in years]
        rows = list(rows) if rows is not None else list(range(2, len(ccodes) + 2))
        out: list[str | None] = []
        skipped: dict[str, list[object]] = defaultdict(list)
        missing: dict[str, list[object]] = defaultdict(list)
        for ccode, year, row in zip(ccodes, years, rows):
            iso3 = self.from_cow(ccode, year)
            if iso3 is None:
                reason = self.cow_skip_reason(ccode, year)
                (skipped if reason else missing)[f"COW {ccode}"].append(row)
            out.append(iso3)
        if missing:
            raise UnresolvedCountries([(n, file, r) for n, r in missing.items()])
        warnings = [
            f"{file}: skipped {code} (rows {_rows(r)}): "
            f"{self.cow_skip_reason(int(code.split()[1]))}"
            for code, r in skipped.items()
        ]
        return pd.Series(out, dtype=object), warnings


@lru_cache(maxsize=1)
def resolver() -> CountryResolver:
    return CountryResolver()
