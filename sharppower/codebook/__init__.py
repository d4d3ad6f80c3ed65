"""Load and validate the codebook: actors, pillars, domains, layers and indicators.

`load_codebook()` returns a `Codebook`: the packaged one, extended by a user codebook when
the SHARPPOWER_CODEBOOK setting names one (a YAML file adding `actors:`, `indicators:` and
pillar domains; `extend`); `packaged_codebook()` the same, loaded once per process.
Which actors an indicator exists for follows from its source's declaration
(`Source.actors`, read by the index); an indicator may still restrict itself with
`actors: [ISO3, ...]`. `Codebook.indicators` is a DataFrame with columns
code, name, pillar, domain, layer, direction, unit, source, variable, actor_specific,
actors (list or None), index (bool: part of the composite index), absent (`missing` or
`zero`: what no record in the source means), absent_note, description, valid_min and
valid_max (the declared `valid: [min, max]` range of a value; NaN when not declared), type
(`continuous`, `count` or `binary`: the kind of value, which the measurement model fits
with a normal, negative binomial or Bernoulli likelihood) and exposure (for a count, the
code of an indicator that scales it, or None).
`Codebook.years` is the declared plausible range of years (`years: [first, last]`);
`Codebook.territories` maps an actor to its own territories (`territories: [ISO3, ...]`,
never its targets, like the actor itself). `Codebook.actor_info` holds each declared actor
as an `Actor` (iso3, name, colour, territories, kind: `authoritarian` or `comparator`);
`Codebook.actors` is the same list as ISO3 -> name.
Errors name the path of the bad entry, for example `indicators[3].direction`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pycountry
import yaml

from sharppower.errors import ValidationError
from sharppower.settings import env_value
from sharppower.yaml_load import safe_load

LAYERS = ("exposure", "pressure", "effect")
DIRECTIONS = ("positive", "negative")
PILLARS = ("attraction", "reach", "sharp_power", "resilience")  # required; others may be added
ABSENT = ("missing", "zero")
# the kind of value an indicator holds: which likelihood the measurement model fits to it
TYPES = ("continuous", "count", "binary")
ACTOR_KINDS = ("authoritarian", "comparator")
# colours of actors that declare none (figures), in declaration order
DEFAULT_COLOURS = ("#c0392b", "#2c5f8a", "#1e8449", "#8e44ad", "#d35400", "#7f8c8d")
REQUIRED = ("code", "name", "pillar", "domain", "layer", "direction", "unit", "source", "description")
DEFAULT_VERSION = "v1"
DEFAULT_YEARS = (1789, 2100)


@dataclass(frozen=True)
class Actor:
    """A state whose influence abroad is scored: declared once, in the codebook."""

    iso3: str
    name: str
    colour: str
    kind: str = "authoritarian"  # authoritarian | comparator
    territories: tuple[str, ...] = ()


@dataclass
class Codebook:
    version: str
    actors: dict[str, str]
    pillars: dict[str, dict[str, Any]]
    layers: dict[str, str]
    indicators: pd.DataFrame
    path: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    years: tuple[int, int] = DEFAULT_YEARS
    territories: dict[str, list[str]] = field(default_factory=dict)  # actor -> own ISO3s
    actor_info: dict[str, Actor] = field(default_factory=dict)  # ISO3 -> Actor, declared order

    def own(self, actor: str) -> set[str]:
        """The actor itself and its territories: never its targets."""
        return {actor, *self.territories.get(actor, [])}

    def indicator(self, code: str) -> dict[str, Any]:
        row = self.indicators[self.indicators["code"] == code]
        if row.empty:
            raise KeyError(code)
        return row.iloc[0].to_dict()

    def has_indicator(self, code: str) -> bool:
        return bool((self.indicators["code"] == code).any())

    def for_source(self, source: str) -> pd.DataFrame:
        found = self._by_source.get(source)
        return found if found is not None else self.indicators.iloc[0:0]

    @cached_property
    def _by_source(self) -> dict[str, pd.DataFrame]:
        """The indicators split by source once per codebook (a build asks for every
        source's, in its fingerprints too)."""
        return dict(tuple(self.indicators.groupby("source", sort=False)))

    @cached_property
    def evidence_codes(self) -> dict[str, str]:
        """Codes of the indicators the evidence ledger may assign (source `evidence`, not
        derived from others) -> layer; read once per codebook (every record is checked)."""
        ind = self.indicators
        ind = ind[(ind["source"] == "evidence") & ~ind.get("derived", False)]
        return dict(zip(ind["code"], ind["layer"]))

    def domains(self) -> pd.DataFrame:
        """One row per domain: pillar, domain, name."""
        rows = [
            {"pillar": p, "domain": d, "name": n}
            for p, spec in self.pillars.items()
            for d, n in spec["domains"].items()
        ]
        return pd.DataFrame(rows)


def _fail(path: str, message: str, where: str) -> None:
    raise ValidationError(path, message, where=where)


def _is_iso3(code: object) -> bool:
    return isinstance(code, str) and (code == "XKX" or pycountry.countries.get(alpha_3=code) is not None)


def _pair(value: Any, path: str, where: str, kind: type = float) -> tuple[Any, Any]:
    """A declared [low, high] range of numbers with low < high."""
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            or not value[0] < value[1]):
        _fail(path, f"must be [low, high] with low < high, not {value!r}", where)
    return kind(value[0]), kind(value[1])


def _valid(ind: dict[str, Any], at: str, where: str) -> tuple[float, float]:
    if ind.get("valid") is None:
        return float("nan"), float("nan")
    return _pair(ind["valid"], f"{at}.valid", where)


def _territories(value: Any, at: str, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(at, f"a list of ISO 3166 alpha-3 codes, not {value!r}", where)
    for j, code in enumerate(value):
        if not _is_iso3(code):
            _fail(f"{at}[{j}]", f"not an ISO 3166 alpha-3 code: {code!r}", where)
    return [str(c) for c in value]


def validate(data: Any, where: str) -> Codebook:
    if not isinstance(data, dict):
        _fail("(root)", "the codebook must be a mapping", where)
    for key in ("version", "actors", "pillars", "layers", "indicators"):
        if key not in data:
            _fail(key, "missing", where)
    actors: dict[str, str] = {}
    territories: dict[str, list[str]] = {}
    info: dict[str, Actor] = {}
    for i, a in enumerate(data["actors"] or []):
        if not isinstance(a, dict) or not _is_iso3(a.get("iso3")):
            _fail(f"actors[{i}].iso3", f"not an ISO 3166 alpha-3 code: {a!r}", where)
        if a["iso3"] in actors:
            _fail(f"actors[{i}].iso3", f"actor {a['iso3']} declared twice", where)
        actors[a["iso3"]] = a.get("name") or pycountry.countries.get(alpha_3=a["iso3"]).name
        territories[a["iso3"]] = _territories(a.get("territories"), f"actors[{i}].territories",
                                              where)
        kind = a.get("kind", "authoritarian")
        if kind not in ACTOR_KINDS:
            _fail(f"actors[{i}].kind", f"must be one of {', '.join(ACTOR_KINDS)}, not {kind!r}",
                  where)
        colour = a.get("colour") or DEFAULT_COLOURS[i % len(DEFAULT_COLOURS)]
        if not (isinstance(colour, str) and len(colour) == 7 and colour.startswith("#")):
            _fail(f"actors[{i}].colour", f"a colour such as '#c0392b', not {colour!r}", where)
        info[a["iso3"]] = Actor(a["iso3"], actors[a["iso3"]], colour, kind,
                                tuple(territories[a["iso3"]]))
    if not actors:
        _fail("actors", "at least one actor is needed", where)
    layers = data["layers"] or {}
    for layer in LAYERS:
        if layer not in layers:
            _fail(f"layers.{layer}", "missing", where)
    pillars = data["pillars"] or {}
    for p in PILLARS:
        if p not in pillars:
            _fail(f"pillars.{p}", "missing", where)
    domain_pillar: dict[str, str] = {}
    for p, spec in pillars.items():
        if not isinstance(spec, dict) or not spec.get("domains"):
            _fail(f"pillars.{p}.domains", "a pillar needs at least one domain", where)
        for d in spec["domains"]:
            if d in domain_pillar:
                _fail(f"pillars.{p}.domains.{d}", f"domain also under pillar {domain_pillar[d]}", where)
            domain_pillar[d] = p
    rows, seen = [], set()
    for i, ind in enumerate(data["indicators"] or []):
        at = f"indicators[{i}]"
        if not isinstance(ind, dict):
            _fail(at, "an indicator must be a mapping", where)
        for key in REQUIRED:
            if ind.get(key) in (None, ""):
                _fail(f"{at}.{key}", "missing", where)
        code = ind["code"]
        if code in seen:
            _fail(f"{at}.code", f"duplicate indicator code {code!r}", where)
        seen.add(code)
        if ind["pillar"] not in pillars:
            _fail(f"{at}.pillar", f"unknown pillar {ind['pillar']!r}", where)
        if domain_pillar.get(ind["domain"]) != ind["pillar"]:
            _fail(f"{at}.domain", f"{ind['domain']!r} is not a domain of pillar {ind['pillar']!r}", where)
        if ind["layer"] not in LAYERS:
            _fail(f"{at}.layer", f"must be one of {', '.join(LAYERS)}, not {ind['layer']!r}", where)
        if ind["direction"] not in DIRECTIONS:
            _fail(f"{at}.direction", f"must be positive or negative, not {ind['direction']!r}", where)
        if ind.get("type", "continuous") not in TYPES:
            _fail(f"{at}.type", f"must be one of {', '.join(TYPES)}, not {ind.get('type')!r}",
                  where)
        if ind.get("absent", "missing") not in ABSENT:
            _fail(f"{at}.absent", f"must be missing or zero, not {ind.get('absent')!r}", where)
        for a in ind.get("actors") or []:
            if a not in actors:
                _fail(f"{at}.actors", f"{a!r} is not an actor of this codebook", where)
        valid_min, valid_max = _valid(ind, at, where)
        rows.append(
            {
                "code": code,
                "name": ind["name"],
                "pillar": ind["pillar"],
                "domain": ind["domain"],
                "layer": ind["layer"],
                "direction": ind["direction"],
                "unit": ind["unit"],
                "source": ind["source"],
                "variable": ind.get("variable"),
                "actor_specific": bool(ind.get("actor_specific", True)),
                "actors": ind.get("actors"),
                "index": bool(ind.get("index", True)),
                "absent": ind.get("absent", "missing"),
                "derived": bool(ind.get("derived", False)),
                "type": ind.get("type", "continuous"),
                "exposure": ind.get("exposure"),
                "absent_note": ind.get("absent_note", ""),
                "description": ind["description"],
                "valid_min": valid_min,
                "valid_max": valid_max,
            }
        )
    return Codebook(
        version=str(data["version"]),
        actors=actors,
        pillars=pillars,
        layers=layers,
        indicators=pd.DataFrame(rows),
        path=where,
        raw=data,
        years=_pair(data["years"], "years", where, int) if "years" in data else DEFAULT_YEARS,
        territories={a: t for a, t in territories.items() if t},
        actor_info=info,
    )


USER_KEYS = ("actors", "indicators", "pillars")  # what a user codebook may add


def _read_yaml(text: str, where: str) -> Any:
    try:
        return safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError("(yaml)", str(exc), where=where) from exc


def _packaged_data() -> tuple[dict[str, Any], str]:
    res = resources.files("sharppower.codebook").joinpath(f"{DEFAULT_VERSION}.yaml")
    where = f"codebook/{DEFAULT_VERSION}.yaml"
    return _read_yaml(res.read_text("utf-8"), where), where


def _extension(data: Any, where: str) -> dict[str, Any]:
    """A user codebook's additions, checked for shape (entries are validated once merged)."""
    if not isinstance(data, dict):
        _fail("(root)", "a user codebook must be a mapping (actors:, indicators:, pillars:)", where)
    for key in data:
        if key not in (*USER_KEYS, "version"):
            _fail(str(key), f"a user codebook may add {', '.join(USER_KEYS)}, not {key!r}", where)
    for key in ("actors", "indicators"):
        if not isinstance(data.get(key) or [], list):
            _fail(key, "a list of entries", where)
    if not isinstance(data.get("pillars") or {}, dict):
        _fail("pillars", "a mapping of pillar -> {domains: {...}}", where)
    return data


def _merge_pillars(base: dict[str, Any], more: dict[str, Any], where: str) -> dict[str, Any]:
    out = {p: dict(spec, domains=dict(spec.get("domains") or {})) for p, spec in base.items()}
    for p, spec in more.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("domains") or {}, dict):
            _fail(f"pillars.{p}.domains", "a mapping of domain -> name", where)
        if p not in out:
            out[p] = dict(spec, domains=dict(spec.get("domains") or {}))
            continue
        for d, name in (spec.get("domains") or {}).items():
            if d in out[p]["domains"]:
                _fail(f"pillars.{p}.domains.{d}", "already a domain of the packaged codebook", where)
            out[p]["domains"][d] = name
    return out


def extend(base: dict[str, Any], base_where: str, user: Any, user_where: str) -> Codebook:
    """The packaged codebook extended by a user file: its actors and indicators are added
    after the packaged ones, its pillars' domains beside them. An error in a user entry
    names the user file and the entry's path in it (`actors[0].kind`)."""
    more = _extension(user, user_where)
    merged = dict(base)
    offsets = {key: len(base.get(key) or []) for key in ("actors", "indicators")}
    for key in offsets:
        merged[key] = list(base.get(key) or []) + list(more.get(key) or [])
    merged["pillars"] = _merge_pillars(base.get("pillars") or {}, more.get("pillars") or {},
                                       user_where)
    try:
        book = validate(merged, base_where)
    except ValidationError as exc:
        raise _located(exc, offsets, base_where, user_where) from None
    book.path = f"{base_where} + {user_where}"
    return book


def _located(exc: ValidationError, offsets: dict[str, int], base_where: str,
             user_where: str) -> ValidationError:
    """The error of a merged codebook, pointed at the user file when a user entry is bad."""
    key, _, rest = exc.field.partition("[")
    if key in offsets and rest:
        index, _, tail = rest.partition("]")
        if index.isdigit() and int(index) >= offsets[key]:
            return ValidationError(f"{key}[{int(index) - offsets[key]}]{tail}", exc.detail,
                                   where=user_where)
    return ValidationError(exc.field, exc.detail, where=exc.where or base_where)


def user_codebook_path() -> Path | None:
    """The user codebook named by the SHARPPOWER_CODEBOOK setting, if any."""
    value = env_value("codebook")
    return Path(value).expanduser() if value else None


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load the packaged codebook (v1), extended by the user codebook the SHARPPOWER_CODEBOOK
    setting names (if any), or a YAML file of the packaged shape given as `path`."""
    if path is not None:
        return validate(_read_yaml(Path(path).read_text("utf-8"), str(path)), str(path))
    data, where = _packaged_data()
    user = user_codebook_path()
    if user is None:
        return validate(data, where)
    try:
        text = user.read_text("utf-8")
    except OSError as exc:
        raise ValidationError("(file)", f"cannot read the user codebook ({exc.strerror})",
                              where=str(user)) from exc
    return extend(data, where, _read_yaml(text, str(user)), str(user))


def packaged_codebook() -> Codebook:
    """The codebook every command reads (packaged, extended by the user codebook), loaded
    once per process and user file (shared: do not modify it)."""
    user = user_codebook_path()
    stamp = user.stat().st_mtime_ns if user is not None and user.exists() else None
    return _cached_codebook(str(user) if user else None, stamp)


@lru_cache(maxsize=4)
def _cached_codebook(user: str | None, stamp: int | None) -> Codebook:
    return load_codebook()



def actor_code(text: str, field: str = "actor") -> str:
    """The declared actor `text` names (ISO3, any case, spaces trimmed); ValidationError
    naming the declared actors otherwise."""
    actors = packaged_codebook().actors
    code = (text or "").strip().upper()
    if code not in actors:
        raise ValidationError(field, f"unknown actor {text!r}: one of {', '.join(actors)}")
    return code
