"""Country names inside free text and comma lists, for connectors whose published files
name countries in running text (CFR's `Victims`) or join several in one field (GSDB's
"Albania, Montenegro, Liechtenstein, Iceland").

- `split_names(text, res)`: the names of a comma list, rejoining the pieces that only make a
  country together ("Korea, North", "Egypt, Arab Rep.", "Palestine, State of").
- `TextMatcher(res, aliases)`: the countries a text names, by whole-word match of every name
  the resolver knows plus a connector's declared demonyms and aliases; longest match first,
  so "Papua New Guinea" is not also Guinea and "North Korean" is not South Korea.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sharppower.countries import CountryResolver, normalise


def split_names(text: str, res: CountryResolver,
                aliases: Mapping[str, str | None] | None = None) -> list[str]:
    """The names of a comma-separated list; a piece is joined to the one before when the
    two together resolve to a country (or are one of the connector's `aliases`) and the
    two do not each stand as one."""
    aliases = aliases or {}

    def known(name: str) -> bool:
        return name in aliases or res.resolve(name) is not None

    out: list[str] = []
    for piece in (p.strip() for p in str(text).split(",")):
        if not piece:
            continue
        if out and known(f"{out[-1]}, {piece}") and not (known(out[-1]) and known(piece)):
            out[-1] = f"{out[-1]}, {piece}"
        else:
            out.append(piece)
    return out


class TextMatcher:
    """Find the countries a free text names (see the module docstring)."""

    def __init__(self, res: CountryResolver, aliases: dict[str, str | None],
                 min_length: int = 4) -> None:
        keys: dict[str, str | None] = {k: v for k, v in res.name_keys().items()
                                       if len(k) >= min_length}
        keys.update({normalise(k): v for k, v in aliases.items()})
        # longest first: one alternation, so a longer name wins at the same position
        ordered = sorted(keys, key=len, reverse=True)
        self._iso = keys
        self._pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in ordered) + r")\b")

    def countries(self, text: str) -> list[str]:
        """ISO3 of every country the text names, in order of first mention, each once
        (an alias declared as None, e.g. "european", matches and names no country)."""
        found: list[str] = []
        for m in self._pattern.finditer(normalise(text)):
            iso3 = self._iso[m.group(1)]
            if iso3 and iso3 not in found:
                found.append(iso3)
        return found
