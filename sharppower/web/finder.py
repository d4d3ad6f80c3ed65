"""The country finder on every page: each country of the resolver's list (ISO 3166 and
Kosovo, no former states) under its display name, and the aliases the sources use
("Korea, Rep.", "Czech Republic", "Lao PDR") pointing at the same country. The page holds
them as a <datalist>, so the type-ahead runs in the browser with no request and no
outside script; `static/site.js` opens the chosen country's profile."""

from __future__ import annotations

from functools import lru_cache

from sharppower.countries import EXTRA_COUNTRIES, _alias_file, resolver


@lru_cache(maxsize=1)
def finder_entries() -> tuple[dict, ...]:
    """(label, iso3, name) per name and alias, names first, sorted; aliases that differ
    from the name only in letter case are left out."""
    res = resolver()
    import pycountry

    codes = sorted({c.alpha_3 for c in pycountry.countries} | set(EXTRA_COUNTRIES))
    entries = [{"label": res.name(c), "iso3": c, "name": res.name(c)} for c in codes]
    seen = {e["label"].lower() for e in entries}
    for iso3, names in (_alias_file().get("names") or {}).items():
        for alias in names:
            if str(alias).lower() not in seen and res.known(iso3):
                seen.add(str(alias).lower())
                entries.append({"label": str(alias), "iso3": iso3, "name": res.name(iso3)})
    return tuple(sorted(entries, key=lambda e: e["label"].lower()))


def find(text: str) -> str | None:
    """ISO3 of a name, alias or code typed into the finder (None when none matches)."""
    text = (text or "").strip()
    for e in finder_entries():
        if e["label"].lower() == text.lower():
            return e["iso3"]
    iso3 = resolver().resolve(text)
    return iso3 if iso3 and resolver().known(iso3) else None
