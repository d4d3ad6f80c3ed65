"""Attribution of a match: attributed, unattributed or reattributed (rules: attribution.yaml).

`Rules.credits(text)` names every outlet or agency the text credits; `attribute(local,
wire, wire_outlet)` compares what the local text credits with what the wire article is
(its outlet and the agencies its own text credits). Credits copied from the wire text
(an "according to Reuters" inside the reprinted story) do not count as the local's.
A text is scanned once for the names of the outlets whose name can occur in it; the
credit patterns are tried on the 80 characters either side of each name found, the name
replaced by a mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sharppower.yaml_load import safe_load

ATTRIBUTED, UNATTRIBUTED, REATTRIBUTED = "attributed", "unattributed", "reattributed"
KINDS = (ATTRIBUTED, UNATTRIBUTED, REATTRIBUTED)
STAFF = "staff"
WINDOW = 80


def _name_regex(name: str) -> str:
    escaped = re.escape(name).replace(r"\ ", r"\s+")
    return f"(?-i:{escaped})" if name.isupper() and len(name) <= 4 else escaped


MARK = "\x00"  # stands for the name found, in the window around it


def _compile(templates) -> re.Pattern:
    """All credit templates as one pattern, {name} being the marked name occurrence."""
    # word boundaries at the name were checked by the finder; the mark is not a word
    bare = [t.replace(r"\b{name}", "{name}").replace(r"{name}\b", "{name}") for t in templates]
    return re.compile("|".join(f"(?:{t.replace('{name}', MARK)})" for t in bare), re.IGNORECASE)


@lru_cache(maxsize=4096)
def _finder(names: frozenset[str]) -> re.Pattern:
    """One pattern finding any of `names` (the longest first where they overlap)."""
    ordered = sorted(names, key=lambda n: (-len(n), n))
    return re.compile(r"\b(?:" + "|".join(_name_regex(n) for n in ordered) + r")(?!\w)",
                      re.IGNORECASE)


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def _ends(text: str, size: int = 400) -> str:
    """Where bylines are: the first and the last characters of the text."""
    return text if len(text) <= 2 * size else f"{text[:size]}\n{text[-size:]}"


@dataclass(frozen=True, eq=False)  # hashed by identity (caches below)
class Rules:
    templates: tuple[str, ...]
    names: dict[str, tuple[str, ...]]   # outlet or agency -> its names
    actors: dict[str, str]              # state outlet -> actor (ISO3)
    agencies: frozenset[str]            # non-state agencies
    staff: tuple[re.Pattern, ...]

    @property
    def aliases(self) -> dict[str, str]:
        return _aliases(self)

    def canonical(self, outlet: str) -> str:
        return self.aliases.get(_key(outlet), outlet.strip())

    def actor(self, outlet: str) -> str | None:
        return self.actors.get(self.canonical(outlet))

    def credits(self, text: str, extra: str | None = None) -> set[str]:
        """Outlets and agencies the text credits (and `extra`, an outlet not in the rules)."""
        pattern, literals = _scanner(self, extra)
        lower = text.lower()
        present = frozenset(name for literal, case, names in literals
                            if (literal in text if case else literal in lower) for name in names)
        if not present:
            return set()
        finder = _finder(present)
        found = set()
        for m in finder.finditer(text):
            owner = self.canonical(m.group(0)) if extra is None or _key(m.group(0)) != _key(extra) else extra
            if owner in found:
                continue
            window = f"{text[max(0, m.start() - WINDOW):m.start()]}{MARK}{text[m.end():m.end() + WINDOW]}"
            if pattern.search(window):
                found.add(owner)
        return found

    def staff_byline(self, text: str) -> bool:
        ends = _ends(text)
        return any(p.search(ends) for p in self.staff)

    def _extra(self, wire_outlet: str) -> tuple[str, str | None]:
        owner = self.canonical(wire_outlet)
        return owner, None if owner in self.names else owner

    def wire_credits(self, wire_text: str, wire_outlet: str) -> set[str]:
        """What a wire article's own text credits (the `wire_credits` of attribute)."""
        return self.credits(wire_text, self._extra(wire_outlet)[1])

    def attribute(self, local_text: str, wire_text: str, wire_outlet: str,
                  wire_credits: set[str] | None = None) -> tuple[str, str]:
        """(attribution, the credit found: an outlet, an agency, 'staff' or '')."""
        owner, extra = self._extra(wire_outlet)
        local = self.credits(local_text, extra)
        wire = self.credits(wire_text, extra) if wire_credits is None else wire_credits
        owners = ({owner} | wire) - self.agencies
        hit = sorted(local & owners)
        if hit:
            return ATTRIBUTED, hit[0]
        other = sorted(local - wire - owners)
        if other:
            return REATTRIBUTED, other[0]
        if self.staff_byline(local_text):
            return REATTRIBUTED, STAFF
        return UNATTRIBUTED, ""


@lru_cache(maxsize=64)
def _aliases(rules: Rules) -> dict[str, str]:
    return {_key(n): k for k, names in rules.names.items() for n in (k, *names)}


@lru_cache(maxsize=256)
def _scanner(rules: Rules, extra: str | None):
    """(the credit pattern, (literal, case-sensitive, the names it stands for) for every
    distinct literal): a name can occur in a text only where its literal does (the name
    itself when it is matched with its case, else its first word in the lower-cased
    text), so a text is searched only for the names whose literal it contains, and once
    per literal that several names share ("china" for China Daily and China News
    Service)."""
    names = dict(rules.names)
    if extra is not None:
        names[extra] = (extra,)
    groups: dict[tuple[str, bool], list[str]] = {}
    for n in sorted({n for k, v in names.items() for n in (k, *v)}):
        key = (n, True) if _name_regex(n).startswith("(?-i") else (n.lower().split()[0], False)
        groups.setdefault(key, []).append(n)
    return _compile(rules.templates), tuple((lit, case, tuple(ns)) for (lit, case), ns in groups.items())


def rules_from_data(data: dict) -> Rules:
    outlets = {k: tuple(v["names"]) for k, v in data["state_outlets"].items()}
    agencies = {k: tuple(v) for k, v in (data.get("other_agencies") or {}).items()}
    staff = tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in data.get("staff_bylines", []))
    actors = {k: v["actor"] for k, v in data["state_outlets"].items()}
    return Rules(tuple(data["credit"]), {**outlets, **agencies}, actors,
                 frozenset(agencies), staff)


@lru_cache(maxsize=8)
def load_rules(path: str | None = None) -> Rules:
    """The rules from a YAML file (default: the packaged attribution.yaml)."""
    if path is None:
        text = resources.files("sharppower.measures.media").joinpath("attribution.yaml").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    # libyaml's loader when PyYAML has it (the same safe subset, parsed in C)
    return rules_from_data(safe_load(text))
