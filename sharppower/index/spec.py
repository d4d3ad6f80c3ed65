"""Index specification as data: `load_spec(path=None)` reads a YAML spec and validates it.

A spec names the indicators (codebook codes) and the hierarchy indicator -> domain ->
pillar -> index, the method of every stage with its arguments, and the uncertainty
analysis. The hierarchy is the codebook's: every pillar of the spec is a codebook pillar,
every domain a codebook domain of the pillar it is listed under, every indicator one of
that domain's; pillar and domain labels come from the codebook (index labels from the
spec's `labels`). Every stage argument is one its method (or a method the uncertainty
analysis switches to) declares: a misspelt `K:` for `k:` is an error naming its path. The stage arguments form the run's *log*: a nested mapping addressed by dotted
paths (`normalise.method`, `weight.weights.sharp_power`, `aggregate.levels.index`) that
overrides and the Monte Carlo change. Errors name the spec file and the field.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from sharppower.codebook import Codebook, load_codebook, packaged_codebook
from sharppower.errors import ValidationError
from sharppower.index.methods import Registry
from sharppower.index.stages import ABSENT, DATA_STAGES, REGISTRIES, STAGES
from sharppower.sources.actors import measured_actors
from sharppower.sources.base import Universe
from sharppower.sources.registry import SOURCES
from sharppower.yaml_load import safe_load

DEFAULT_SPEC = "influence.yaml"
VARIED_STAGES = (*DATA_STAGES, "aggregate")


@dataclass
class Spec:
    """A validated spec. `pillars`: pillar -> domain -> indicator codes (index indicators
    only); `indices`: index -> pillars; `stages`: the log (stage -> arguments);
    `directions`: code -> +1 or -1; `applies`: code -> actors it exists for (None: all);
    `excluded`: (code, reason) left out of the index; `unused`: codebook index indicators
    the spec does not list; `labels`: node -> label (pillars and domains from the
    codebook, indices from the spec)."""

    name: str
    description: str
    actors: list[str]
    pillars: dict[str, dict[str, list[str]]]
    indices: dict[str, list[str]]
    stages: dict[str, dict[str, Any]]
    uncertainty: dict[str, Any]
    observations: dict[str, Any]
    directions: dict[str, int]
    applies: dict[str, list[str] | None]
    excluded: list[tuple[str, str]] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    path: str = ""
    sha256: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # node -> label (every node)
    min_ranked: int = 20  # display.min_ranked: a default year ranks at least this many
    max_stale_share: float = 1.0  # display.max_stale_share: of a default year's inputs
    absent: dict[str, str] = field(default_factory=dict)  # code -> missing | zero (codebook)
    derived: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (num, den)
    territories: dict[str, list[str]] = field(default_factory=dict)  # actor -> own (codebook)
    measurement: dict[str, Any] = field(default_factory=dict)  # measurement: (latent model)
    kinds: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> type, source, exposure

    @property
    def latent_pillars(self) -> list[str]:
        """The pillars the latent measurement model scores (`measurement.pillars`)."""
        if self.measurement.get("method") != "latent":
            return []
        return list(self.measurement.get("pillars") or [])
    universes: dict[str, Universe] = field(default_factory=dict)  # code -> its source's universe

    @property
    def needed(self) -> list[str]:
        """The indicators read from the store: the spec's, and the parts of derived ones."""
        parts = [c for pair in self.derived.values() for c in pair]
        return list(dict.fromkeys([*self.indicators, *parts]))

    @property
    def max_age(self) -> int:
        """observations.max_age: years a value is carried past its source's last year."""
        return int(self.observations.get("max_age", 0))

    @property
    def indicators(self) -> list[str]:
        return [c for domains in self.pillars.values() for codes in domains.values() for c in codes]

    def nodes(self) -> list[dict[str, Any]]:
        """Every aggregated node, indices, pillars, then domains: node, level, label,
        children (and parent, for a domain)."""
        out = [{"node": n, "level": "index", "label": self.labels.get(n, n),
                "children": list(m)} for n, m in self.indices.items()]
        out += [{"node": p, "level": "pillar", "label": self.labels.get(p, p),
                 "children": list(ds)} for p, ds in self.pillars.items()]
        out += [{"node": d, "level": "domain", "label": self.labels.get(d, d), "parent": p,
                 "children": list(codes)}
                for p, ds in self.pillars.items() for d, codes in ds.items()]
        return out

    def log(self) -> dict[str, dict[str, Any]]:
        """A deep copy of the stage arguments (the run's log)."""
        return copy.deepcopy(self.stages)


def _fail(field_: str, message: str, where: str) -> None:
    raise ValidationError(field_, message, where=where)


def get_address(log: dict[str, Any], address: str) -> Any:
    """The value at a dotted address of a log (KeyError when absent)."""
    node: Any = log
    for part in address.split("."):
        node = node[part]
    return node


def set_address(log: dict[str, Any], address: str, value: Any) -> dict[str, Any]:
    """A copy of `log` with `value` at `address` (intermediate mappings created)."""
    parts = address.split(".")
    if parts[0] not in STAGES:
        raise ValidationError(address, f"a log address starts with a stage: {', '.join(STAGES)}")
    out = copy.deepcopy(log)
    node = out
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ValidationError(address, f"{part!r} holds a value, not arguments")
    node[parts[-1]] = value
    return out


def flatten(log: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every leaf of a log by address: {'normalise.method': 'minmax', ...}."""
    out: dict[str, Any] = {}
    for key, value in log.items():
        address = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, address + "."))
        else:
            out[address] = value
    return out


def registries() -> dict[str, Registry]:
    return dict(REGISTRIES)


def _method_args(stage: str, args: Any, where: str) -> None:
    regs = REGISTRIES
    if not isinstance(args, dict) or "method" not in args:
        _fail(f"stages.{stage}.method", "missing", where)
    if args["method"] not in regs[stage]:
        _fail(f"stages.{stage}.method",
              f"unknown method {args['method']!r}; one of {', '.join(regs[stage])}", where)


def _unknown_argument(stage: str, args: dict, allowed: list[str], where: str) -> None:
    """Error for the first argument none of the `allowed` methods of the stage declares."""
    reg = REGISTRIES[stage]
    bad = reg.unknown(args, allowed)
    if bad:
        known = [k for k in reg.known(allowed) if k != "method"]
        _fail(f"stages.{stage}.{bad[0]}", f"unknown argument for method {args['method']!r} "
                                          f"(known: {', '.join(known) or 'none'})", where)


def check_log(log: dict[str, Any], where: str = "", alternatives: dict | None = None) -> None:
    """Every stage present with a method its registry knows and only arguments that the
    method, or another method of the stage, declares (a log keeps the arguments of a
    method it may switch to). `alternatives`: stage -> the only other methods allowed to
    contribute arguments (the spec loader: those the uncertainty analysis varies)."""
    for stage in STAGES:
        _method_args(stage, log.get(stage), where)
        args = log[stage]
        others = None if alternatives is None else alternatives.get(stage, [])
        allowed = None if others is None else [args["method"], *others]
        _unknown_argument(stage, args, allowed or list(REGISTRIES[stage]), where)
    absent = log["impute"].get("absent", "declared")
    if absent not in ABSENT:
        _fail("stages.impute.absent", f"one of {', '.join(ABSENT)}, not {absent!r}", where)
    for level, method in (log["aggregate"].get("levels") or {}).items():
        if level not in ("domain", "pillar", "index"):
            _fail(f"stages.aggregate.levels.{level}", "a level is domain, pillar or index", where)
        if method not in REGISTRIES["aggregate"]:
            _fail(f"stages.aggregate.levels.{level}", f"unknown method {method!r}", where)


def _varied_methods(vary: dict) -> dict[str, list[str]]:
    """Stage -> the methods `uncertainty.vary` switches it to."""
    out: dict[str, list[str]] = {}
    for address, values in vary.items():
        stage, _, rest = str(address).partition(".")
        if rest == "method" and isinstance(values, list):
            out.setdefault(stage, []).extend(v for v in values if v in REGISTRIES.get(stage, {}))
        if stage == "aggregate" and rest.startswith("levels.") and isinstance(values, list):
            out.setdefault(stage, []).extend(v for v in values if v in REGISTRIES[stage])
    return out


def check_vary(log: dict[str, Any], vary: Any, where: str) -> None:
    """Each `uncertainty.vary` address is an argument of a varied stage, and every value
    it takes gives a valid log (errors name `uncertainty.vary.<address>`)."""
    if not isinstance(vary, dict):
        _fail("uncertainty.vary", "a mapping address -> list of values is needed", where)
    for address, values in vary.items():
        at = f"uncertainty.vary.{address}"
        if str(address).split(".")[0] not in VARIED_STAGES:
            _fail(at, "only impute.*, treat.*, normalise.* and aggregate.* addresses vary "
                      "(weights: uncertainty.weights)", where)
        if not isinstance(values, list) or not values:
            _fail(at, "a list of values is needed", where)
        for value in values:
            try:
                check_log(set_address(log, address, value))
            except ValidationError as exc:
                _fail(at, f"{value!r}: {exc.detail} ({exc.field})", where)


def _codebook_pillar(p: str, codebook: Codebook, where: str) -> dict:
    if p not in codebook.pillars:
        _fail(f"pillars.{p}", f"{p!r} is not a codebook pillar (one of "
                              f"{', '.join(codebook.pillars)})", where)
    return codebook.pillars[p]


def _codebook_domain(p: str, d: str, pillar: dict, where: str) -> str:
    if d not in pillar["domains"]:
        _fail(f"pillars.{p}.{d}", f"{d!r} is not a domain of codebook pillar {p!r} (one of "
                                  f"{', '.join(pillar['domains'])})", where)
    return str(pillar["domains"][d])


def _hierarchy(data: dict, codebook: Codebook, where: str):
    pillars_in = data.get("pillars")
    if not isinstance(pillars_in, dict) or not pillars_in:
        _fail("pillars", "a mapping pillar -> domain -> indicator codes is needed", where)
    known = codebook.indicators.set_index("code")
    pillars: dict[str, dict[str, list[str]]] = {}
    excluded, seen, labels = [], set(), {}
    for p, domains in pillars_in.items():
        book_pillar = _codebook_pillar(p, codebook, where)
        if not isinstance(domains, dict) or not domains:
            _fail(f"pillars.{p}", "a pillar needs a mapping of domains", where)
        labels[p] = str(book_pillar.get("name") or p)
        pillars[p] = {}
        for d, codes in domains.items():
            if d in labels:
                _fail(f"pillars.{p}.{d}", f"node name {d!r} is used twice", where)
            labels[d] = _codebook_domain(p, d, book_pillar, where)
            kept = []
            for i, code in enumerate(codes or []):
                at = f"pillars.{p}.{d}[{i}]"
                if code not in known.index:
                    _fail(at, f"{code!r} is not a codebook indicator", where)
                if known.loc[code, "domain"] != d:
                    _fail(at, f"{code!r} belongs to codebook domain {known.loc[code, 'domain']!r}"
                              f" of pillar {known.loc[code, 'pillar']!r}, not {d!r}", where)
                if code in seen:
                    _fail(at, f"{code!r} is listed twice", where)
                seen.add(code)
                if not known.loc[code, "index"]:
                    excluded.append((code, "codebook marks it index: false"))
                    continue
                kept.append(code)
            if kept:
                pillars[p][d] = kept
        if not pillars[p]:
            _fail(f"pillars.{p}", "no index indicator left", where)
    return pillars, excluded, set(labels) | seen, labels


def _index_labels(data: dict, indices: dict, where: str) -> dict[str, str]:
    given = data.get("labels") or {}
    for name in given:
        if name not in indices:
            _fail(f"labels.{name}", "labels name the spec's indices (the codebook names "
                                    "pillars and domains)", where)
    return {name: str(given.get(name) or name.replace("_", " ").capitalize())
            for name in indices}


def _indices(data: dict, pillars: dict, names: set, where: str) -> dict[str, list[str]]:
    out = {}
    for name, members in (data.get("indices") or {}).items():
        if name in names:
            _fail(f"indices.{name}", f"node name {name!r} is used twice", where)
        for i, p in enumerate(members or []):
            if p not in pillars:
                _fail(f"indices.{name}[{i}]", f"{p!r} is not a pillar of this spec", where)
        if not members:
            _fail(f"indices.{name}", "an index needs at least one pillar", where)
        out[name] = list(members)
    return out


def _min_ranked(data: dict, where: str) -> int:
    value = (data.get("display") or {}).get("min_ranked", 20)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        _fail("display.min_ranked", f"a whole number >= 1, not {value!r}", where)
    return value


def _display_share(data: dict, where: str) -> float:
    value = (data.get("display") or {}).get("max_stale_share", 1.0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        _fail("display.max_stale_share", f"a share between 0 and 1, not {value!r}", where)
    return float(value)


def _observations(data: dict, where: str) -> dict[str, Any]:
    obs = {"skip_flags": ["suspect"], "prefer_non_starter": True, "max_age": 0,
           "first_year": None, **(data.get("observations") or {})}
    known = ("skip_flags", "prefer_non_starter", "max_age", "first_year")
    unknown = sorted(set(obs) - set(known))
    if unknown:
        _fail(f"observations.{unknown[0]}", f"unknown setting (known: {', '.join(known)})",
              where)
    first = obs["first_year"]
    if first is not None and (not isinstance(first, int) or isinstance(first, bool)):
        _fail("observations.first_year", f"a year, not {first!r}", where)
    age = obs["max_age"]
    if not isinstance(age, int) or isinstance(age, bool) or age < 0:
        _fail("observations.max_age", f"a whole number of years >= 0, not {age!r}", where)
    return obs


def _derived(data: dict, codebook: Codebook, where: str) -> dict[str, tuple[str, str]]:
    """`derived: {code: {divide: [numerator, denominator]}}`: a codebook indicator marked
    derived, computed in the panel from two codebook indicators."""
    out = {}
    ind = codebook.indicators.set_index("code")
    for code, spec in (data.get("derived") or {}).items():
        at = f"derived.{code}"
        if code not in ind.index or not bool(ind.loc[code].get("derived", False)):
            _fail(at, f"{code!r} is not a derived codebook indicator", where)
        parts = (spec or {}).get("divide") if isinstance(spec, dict) else None
        if not isinstance(parts, list) or len(parts) != 2:
            _fail(f"{at}.divide", "[numerator, denominator] is needed", where)
        for part in parts:
            if part not in ind.index:
                _fail(f"{at}.divide", f"{part!r} is not a codebook indicator", where)
        unknown = sorted(set(spec) - {"divide"})
        if unknown:
            _fail(f"{at}.{unknown[0]}", "unknown setting (known: divide)", where)
        out[code] = (str(parts[0]), str(parts[1]))
    return out


def _applies(ind, codes: list[str], derived: dict[str, tuple[str, str]],
             codebook: Codebook) -> dict[str, list[str] | None]:
    """code -> the actors the indicator exists for (None: every actor): the indicator's own
    `actors:` when the codebook lists them, else its source's declaration (Source.actors);
    a derived ratio exists where both its parts do."""
    def own(code: str) -> list[str] | None:
        listed = ind.loc[code, "actors"]
        if isinstance(listed, list) and listed:
            return list(listed)
        return measured_actors(SOURCES.get(str(ind.loc[code, "source"])), codebook)

    out = {c: own(c) for c in codes}
    for code, parts in derived.items():
        sets = [out[p] for p in parts if out[p] is not None]
        out[code] = ([a for a in codebook.actors if all(a in s for s in sets)]
                     if sets else own(code))
    return out


MEASUREMENT_DEFAULTS = {"method": "none", "pillars": [], "steps": 2500, "draws": 500,
                        "seed": 20240615, "lr": 0.02, "leave_out": []}


def _measurement(data: dict, pillars: dict, where: str) -> dict[str, Any]:
    """`measurement: {method: latent | none, pillars: [...], steps, draws, seed, lr}`: the
    pillars the latent measurement model scores (sharppower.index.latent)."""
    given = data.get("measurement") or {}
    if not isinstance(given, dict):
        _fail("measurement", "a mapping (method, pillars, steps, draws, seed, lr)", where)
    unknown = sorted(set(given) - set(MEASUREMENT_DEFAULTS))
    if unknown:
        _fail(f"measurement.{unknown[0]}",
              f"unknown setting (known: {', '.join(MEASUREMENT_DEFAULTS)})", where)
    out = {**MEASUREMENT_DEFAULTS, **given}
    if out["method"] not in ("latent", "none"):
        _fail("measurement.method", f"latent or none, not {out['method']!r}", where)
    for i, p in enumerate(out["pillars"] or []):
        if p not in pillars:
            _fail(f"measurement.pillars[{i}]", f"{p!r} is not a pillar of this spec", where)
    for key in ("steps", "draws", "seed"):
        v = out[key]
        if not isinstance(v, int) or isinstance(v, bool) or v < (0 if key == "seed" else 1):
            _fail(f"measurement.{key}", f"a positive whole number, not {v!r}", where)
    if not isinstance(out["lr"], int | float) or not out["lr"] > 0:
        _fail("measurement.lr", f"a positive learning rate, not {out['lr']!r}", where)
    domains = {d for p in out["pillars"] or [] for d in pillars[p]}
    for i, d in enumerate(out["leave_out"] or []):
        if d not in domains:
            _fail(f"measurement.leave_out[{i}]", f"{d!r} is not a domain of a latent pillar",
                  where)
    return out


def _universes(ind, codes: list[str]) -> dict[str, Universe]:
    """code -> the universe of its source (the targets and years it looks at): the one a
    source declares for the indicator's variable (`extra["universes"]`, when its files look
    at different targets) or else the source's; indicators of a source without one are
    absent from the mapping."""
    out = {}
    for code in codes:
        source = SOURCES.get(str(ind.loc[code, "source"]))
        if source is None:
            continue
        own = (source.extra.get("universes") or {}).get(str(ind.loc[code, "variable"]))
        if own is not None or source.universe is not None:
            out[code] = own or source.universe
    return out


def spec_from_dict(data: Any, where: str = "(spec)", codebook: Codebook | None = None) -> Spec:
    """Validate a parsed spec against the codebook and the stage registries."""
    codebook = codebook or load_codebook()
    if not isinstance(data, dict):
        _fail("(root)", "the spec must be a mapping", where)
    actors = list(data.get("actors") or codebook.actors)
    for i, a in enumerate(actors):
        if a not in codebook.actors:
            _fail(f"actors[{i}]", f"{a!r} is not a codebook actor", where)
    pillars, excluded, names, labels = _hierarchy(data, codebook, where)
    indices = _indices(data, pillars, names, where)
    labels.update(_index_labels(data, indices, where))
    stages = copy.deepcopy(data.get("stages") or {})
    uncertainty = dict(data.get("uncertainty") or {})
    vary = uncertainty.get("vary") or {}
    check_log(stages, where, _varied_methods(vary) if isinstance(vary, dict) else {})
    check_vary(stages, vary, where)
    ind = codebook.indicators.set_index("code")
    codes = [c for ds in pillars.values() for cs in ds.values() for c in cs]
    text = yaml.safe_dump(data, sort_keys=True)
    derived = _derived(data, codebook, where)
    every = list(dict.fromkeys([*codes, *(c for pair in derived.values() for c in pair)]))
    return Spec(
        name=str(data.get("name") or "index"), description=str(data.get("description") or ""),
        actors=actors, pillars=pillars, indices=indices, stages=stages,
        uncertainty=uncertainty, labels=labels, min_ranked=_min_ranked(data, where),
        max_stale_share=_display_share(data, where), observations=_observations(data, where),
        absent={c: str(ind.loc[c, "absent"]) if "absent" in ind.columns else "missing"
                for c in every},
        derived=derived,
        territories={a: list(codebook.territories.get(a, [])) for a in actors},
        directions={c: (1 if ind.loc[c, "direction"] == "positive" else -1) for c in codes},
        applies=_applies(ind, every, derived, codebook),
        measurement=_measurement(data, pillars, where),
        kinds={c: {"type": str(ind.loc[c].get("type", "continuous") or "continuous"),
                   "source": str(ind.loc[c, "source"]),
                   "exposure": (ind.loc[c].get("exposure") if isinstance(
                       ind.loc[c].get("exposure"), str) else None)} for c in every},
        universes=_universes(ind, every),
        excluded=excluded, path=where,
        unused=[c for c in ind.index[ind["index"].astype(bool)] if c not in codes],
        sha256=hashlib.sha256(text.encode()).hexdigest())


def load_spec(path: str | Path | None = None, codebook: Codebook | None = None) -> Spec:
    """Load the default spec (sharppower/specs/influence.yaml) or a YAML file. The parsed
    spec is cached by content (each call returns its own copy)."""
    if path is None:
        res = resources.files("sharppower").joinpath("specs", DEFAULT_SPEC)
        text, where = res.read_text("utf-8"), f"specs/{DEFAULT_SPEC}"
    else:
        where = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ValidationError("(file)", f"cannot read the spec: {exc.strerror}", where=where) from exc
    if codebook is not None:
        return _parse(text, where, codebook)
    book = packaged_codebook()  # extended by the user codebook: part of the cache key
    return copy.deepcopy(_cached(text, where, (book.path, tuple(book.actors),
                                               tuple(book.indicators["code"]))))


@lru_cache(maxsize=16)
def _cached(text: str, where: str, codebook_key: tuple) -> Spec:
    return _parse(text, where, packaged_codebook())


def _parse(text: str, where: str, codebook: Codebook | None) -> Spec:
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError("(yaml)", str(exc), where=where) from exc
    return spec_from_dict(data, where, codebook)
