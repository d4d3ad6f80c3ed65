"""Evidence records as a STIX 2.1 bundle (built with the `stix2` library) and back.

Export (`stix_bundle`, `export_stix`), following OpenCTI's conventions for incidents: one
`identity` for sharppower, a `threat-actor` (nation-state, alias = ISO3) per actor, a
`location` (country: ISO 3166-1 alpha-2) per target, one `incident` per record (name =
title, description = the narrative as plain text, confidence low/medium/high = 15/50/85,
`first_seen`/`last_seen` = the first and last day of the activity, external references =
the record id and its sources), the DISARM `attack-pattern` objects of the record's
techniques (accepted ones only: proposals stay in the ledger until a reviewer accepts
them), with the ids, names, tactics and external ids of the published DISARM bundle,
and `relationship` objects incident `attributed-to` threat-actor, incident `targets`
location, incident `uses` attack-pattern. The record's own fields (dates with their
precision, codes, origin) travel in a property extension and first/last seen in a
toplevel-property extension, both declared by extension-definition objects
(stix_extensions.py); null and empty values are omitted, as STIX 2.1 requires, so the
bundle passes the OASIS validator with no error. Ids are UUIDv5 over stable keys (the
record id, the actor, the country), so re-exports update objects rather than duplicate
them; timestamps are the record's created and updated times. Narratives of sources
whose `redistribute` allow-list lacks 'texts' (ASD, EUvsDisinfo) are left out. Status,
coder and history are not exported.

Import (`import_stix`): every `incident` becomes a `proposed` record per target (never
accepted on import; an existing record keeps its status, coder and origin, and a
substantive change to an accepted one reopens it: rules.import_one; its notes, and its
narrative when the incident has no description, are kept); only STIX 2.1 is
read (a bundle-level `spec_version`, as STIX 2.0 writes, or an object's other than 2.1
is an error); our extension restores every exported field; third-party
incidents are read from their relationships (attributed-to a threat-actor or
intrusion-set named after a codebook actor, targets a location with a country, uses an
attack-pattern with a DISARM id), `first_seen` or `created` as the start date,
`last_seen` as the end date, the external references with a URL as sources. Object
types we do not use are counted and reported, never fatal; an incident we cannot map (no actor, target or source) is
skipped with a warning naming it. A bad record is an InputError naming the file, the
object and the field, and nothing is stored.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pycountry
import sqlalchemy as sa
import stix2

from sharppower.codebook import Codebook
from sharppower.countries import resolver
from sharppower.errors import InputError, ValidationError
from sharppower.measures.evidence import disarm, rules, store
from sharppower.measures.evidence.records import default_codebook, evidence_indicators, normalise
from sharppower.measures.evidence.sanitise import narrative_text
from sharppower.measures.evidence.stix_extensions import (
    EPOCH,
    EXT_FIELDS,
    EXTENSION_ID,
    IDENTITY_ID,
    NAMESPACE,
    definitions,
    extensions,
    seen,
)
from sharppower.measures.evidence.tables import evidence, evidence_actors
from sharppower.sources.registry import SOURCES
from sharppower.store import Database
from sharppower.store.locking import write_transaction

CONFIDENCE = {"low": 15, "medium": 50, "high": 85}
USED_TYPES = {"incident", "threat-actor", "intrusion-set", "location", "attack-pattern",
              "relationship", "identity", "extension-definition", "marking-definition"}
ALPHA2 = {"XKX": "XK"}


def sid(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


def stamp(value: Any) -> str:
    """A STIX timestamp with millisecond precision (what a re-import keeps)."""
    at = store.as_utc(value)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def alpha2(iso3: str) -> str | None:
    if iso3 in ALPHA2:
        return ALPHA2[iso3]
    country = pycountry.countries.get(alpha_3=iso3)
    return country.alpha_2 if country else None


def _fixed() -> list:
    identity = stix2.Identity(id=IDENTITY_ID, name="sharppower", identity_class="organization",
                              description="sharppower evidence ledger", created=EPOCH,
                              modified=EPOCH)
    return [identity, *definitions()]


def _actor(code: str, codebook: Codebook) -> stix2.ThreatActor:
    return stix2.ThreatActor(id=sid("threat-actor", code), name=codebook.actors.get(code, code),
                             threat_actor_types=["nation-state"], aliases=[code],
                             created_by_ref=IDENTITY_ID, created=EPOCH, modified=EPOCH)


def _location(code: str) -> stix2.Location:
    return stix2.Location(id=sid("location", code), name=resolver().name(code),
                          country=alpha2(code) or code, created_by_ref=IDENTITY_ID,
                          created=EPOCH, modified=EPOCH)


def _attack_pattern(row: dict[str, Any], tactic: dict[str, Any]) -> stix2.AttackPattern:
    phase = tactic["name"].lower().replace(" ", "-")
    return stix2.AttackPattern(
        id=row["stix_id"], name=row["name"], description=row["summary"] or None,
        created=row["created"] or EPOCH, modified=row["modified"] or EPOCH,
        external_references=[{"source_name": "mitre-attack", "url": row["url"],
                              "external_id": row["disarm_id"]}],
        kill_chain_phases=[{"kill_chain_name": "mitre-attack", "phase_name": phase}])


def withheld(origin: str) -> bool:
    """True when the record's source does not allow its texts to be redistributed (the
    source's `redistribute` allow-list lacks 'texts'); manual and starter records are ours."""
    source = SOURCES.get(origin)
    return source is not None and "texts" not in source.redistribute


def _incident(rec: dict[str, Any]) -> stix2.Incident:
    refs = [{"source_name": "sharppower", "external_id": rec["id"]}] + [
        {"source_name": s["publisher"], "url": s["url"]} for s in rec["sources"]]
    text = None if withheld(rec["origin"]) else (narrative_text(rec["narrative"]) or None)
    return stix2.Incident(
        id=sid("incident", rec["id"]), name=rec["title"], description=text,
        created=stamp(rec["created_at"]), modified=stamp(rec["updated_at"]),
        confidence=CONFIDENCE[rec["confidence"]], created_by_ref=IDENTITY_ID,
        external_references=refs, extensions=extensions(rec), allow_custom=True, **seen(rec))


def _rel(kind: str, source: str, target: str, at: tuple[str, str]) -> stix2.Relationship:
    return stix2.Relationship(id=sid("relationship", f"{source}|{kind}|{target}"),
                              relationship_type=kind, source_ref=source, target_ref=target,
                              created=at[0], modified=at[1], created_by_ref=IDENTITY_ID)


def stix_bundle(records: list[dict[str, Any]], framework: dict[str, dict[str, Any]],
                codebook: Codebook) -> stix2.Bundle:
    """The bundle of `records` (canonical records with created_at and updated_at);
    `framework` maps DISARM ids (techniques and their tactics) to framework rows."""
    objects: dict[str, Any] = {o.id: o for o in _fixed()}
    relations = []
    for rec in sorted(records, key=lambda r: r["id"]):
        inc = _incident(rec)
        objects[inc.id] = inc
        at = (inc.created, inc.modified)
        for code in rec["actors"]:
            actor = objects.setdefault(sid("threat-actor", code), _actor(code, codebook))
            relations.append(_rel("attributed-to", inc.id, actor.id, at))
        loc = objects.setdefault(sid("location", rec["target"]), _location(rec["target"]))
        relations.append(_rel("targets", inc.id, loc.id, at))
        for tid in rec.get("techniques") or []:
            row = framework[tid]
            ap = objects.setdefault(row["stix_id"], _attack_pattern(row, framework[row["tactic_id"]]))
            relations.append(_rel("uses", inc.id, ap.id, at))
    items = sorted(objects.values(), key=lambda o: (o.type, o.id)) + sorted(
        relations, key=lambda r: r.id)
    bundle_id = f"bundle--{uuid.uuid5(NAMESPACE, '|'.join(o.id for o in items))}"
    return stix2.Bundle(objects=items, id=bundle_id, allow_custom=True)


def _selected(conn, actor: str | None, target: str | None, status: str | None,
              ids: list[str] | None) -> list[dict[str, Any]]:
    where = []
    if actor:
        where.append(evidence.c.id.in_(sa.select(evidence_actors.c.evidence_id)
                                       .where(evidence_actors.c.actor == actor.upper())))
    if target:
        where.append(evidence.c.target == target.upper())
    if status:
        where.append(evidence.c.status == status)
    if ids is not None:
        where.append(evidence.c.id.in_(list(ids) or ["(none)"]))
    return store.read_records(conn, sa.and_(*where) if where else None, order=False)


def export_stix(db: Database, actor: str | None = None, target: str | None = None,
                status: str | None = None, ids: list[str] | None = None,
                codebook: Codebook | None = None) -> str:
    """The STIX 2.1 bundle (JSON text) of the records matching the filters (`ids`: exactly
    those records, e.g. a filtered evidence list)."""
    cb = codebook or default_codebook()
    with db.connect() as conn:
        recs = _selected(conn, actor, target, status, ids)
        used = {t for r in recs for t in r.get("techniques") or []}
        frame = disarm.stix_ids(conn, used)
        frame |= disarm.stix_ids(conn, {row["tactic_id"] for row in frame.values()})
    # stix2's pretty printer reorders properties in time quadratic in the bundle: serialise
    # plainly (properties in stix2's order, deterministic) and indent with json
    plain = json.loads(stix_bundle(recs, frame, cb).serialize())
    return json.dumps(plain, indent=2, ensure_ascii=False) + "\n"


# --- import -----------------------------------------------------------------------------

def read_bundle(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"not readable JSON: {exc}") from None
    except RecursionError:
        raise InputError(str(path), "nested too deeply to be a STIX bundle") from None
    if not isinstance(data, dict) or data.get("type") != "bundle" or not isinstance(
            data.get("objects"), list):
        raise InputError(str(path), "not a STIX 2.1 bundle (type 'bundle' with 'objects')",
                         field="objects")
    if "spec_version" in data:
        raise InputError(str(path), f"a bundle with spec_version {data['spec_version']!r} is "
                         "STIX 2.0; only STIX 2.1 is read", field="spec_version")
    objects = [o for o in data["objects"] if isinstance(o, dict)]
    for i, obj in enumerate(objects):
        version = obj.get("spec_version", "2.1" if obj.get("type") != "incident" else None)
        if version != "2.1":
            raise InputError(str(path), f"spec_version {version!r}: only STIX 2.1 is read",
                             row=_label(obj, i), field="spec_version")
    return objects


def _label(obj: dict[str, Any], index: int) -> str:
    """How an error names an object: its id, or its place in `objects`."""
    oid = obj.get("id")
    return oid if isinstance(oid, str) and oid else f"objects[{index}]"


TEXT_PROPERTIES = ("name", "description", "first_seen", "last_seen", "created", "modified")


def check_incident(inc: dict[str, Any], where: str, index: int) -> None:
    """The incident's properties have the types STIX 2.1 gives them (InputError naming the
    object and the property otherwise)."""
    label = _label(inc, index)

    def bad(field: str, what: str) -> InputError:
        return InputError(where, f"{field} must be {what}", row=label, field=field)

    if not isinstance(inc.get("id"), str) or not inc["id"].startswith("incident--"):
        raise bad("id", "an identifier 'incident--<uuid>'")
    for name in TEXT_PROPERTIES:
        if inc.get(name) is not None and not isinstance(inc[name], str):
            raise bad(name, "text")
    refs = inc.get("external_references")
    if refs is not None and (not isinstance(refs, list)
                             or not all(isinstance(r, dict) for r in refs)):
        raise bad("external_references", "a list of objects")
    for i, ref in enumerate(refs or []):
        for key in ("source_name", "url", "external_id"):
            if ref.get(key) is not None and not isinstance(ref[key], str):
                raise bad(f"external_references[{i}].{key}", "text")
    labels = inc.get("labels")
    if labels is not None and (not isinstance(labels, list)
                               or not all(isinstance(v, str) for v in labels)):
        raise bad("labels", "a list of strings")
    ext = inc.get("extensions")
    if ext is not None and (not isinstance(ext, dict) or not isinstance(
            ext.get(EXTENSION_ID, {}), dict)):
        raise bad("extensions", "a mapping of extension id to object")


def _links(objects: list[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """incident id -> relationship type -> target ids."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for o in objects:
        if o.get("type") == "relationship":
            out[o.get("source_ref")][o.get("relationship_type")].append(o.get("target_ref"))
    return out


def _actor_code(obj: dict[str, Any], codebook: Codebook) -> str | None:
    res = resolver()
    aliases = obj.get("aliases") if isinstance(obj.get("aliases"), list) else []
    for name in [*aliases, obj.get("name")]:
        text = str(name or "").strip()
        code = text.upper() if text.upper() in codebook.actors else res.resolve(text)
        if code in codebook.actors:
            return code
    return None


def _target_code(obj: dict[str, Any]) -> str | None:
    res = resolver()
    for value in (obj.get("country"), obj.get("name")):
        code = res.resolve(str(value)) if value else None
        if code and res.known(code):
            return code
    return None


def _technique_id(obj: dict[str, Any]) -> str | None:
    refs = obj.get("external_references")
    for ref in refs if isinstance(refs, list) else []:
        tid = str(ref.get("external_id") or "") if isinstance(ref, dict) else ""
        if disarm.TECHNIQUE.match(tid):
            return tid
    return None


def _third_party(inc: dict[str, Any], by_id: dict, rels: dict, cb: Codebook,
                 known: set[str], notes: list[str]) -> dict[str, Any]:
    """Fields of a third-party incident (targets as a list), or {'skip': reason}. Attack
    patterns that are not techniques of the loaded DISARM framework are noted, not kept."""
    linked = rels.get(inc["id"], {})
    actors = [_actor_code(by_id[i], cb) for i in linked.get("attributed-to", []) if i in by_id]
    targets = [_target_code(by_id[i]) for i in linked.get("targets", []) if i in by_id]
    techniques = []
    for i in (i for i in linked.get("uses", []) if i in by_id):
        tid = _technique_id(by_id[i])
        if tid in known:
            techniques.append(tid)
        elif by_id[i].get("type") == "attack-pattern":
            notes.append(f"{inc['id']}: attack-pattern {by_id[i].get('name')!r} is not a technique "
                         "of the loaded DISARM framework; not kept")
    sources = [{"url": r["url"], "publisher": r.get("source_name")}
               for r in inc.get("external_references") or [] if r.get("url")]
    reason = ("no actor of the codebook (attributed-to)" if not any(actors) else
              "no target country (targets a location)" if not any(targets) else
              "no source URL (external_references)" if not sources else None)
    if reason:
        return {"skip": reason}
    start = str(inc.get("first_seen") or inc.get("created") or "")[:10]
    end = str(inc.get("last_seen") or "")[:10] or None
    return {"actors": [a for a in actors if a], "targets": [t for t in targets if t],
            "techniques": techniques, "start_date": start, "end_date": end,
            "sources": sources, "categories": list(inc.get("labels") or []),
            "origin": "stix", "origin_key": inc["id"]}


def _own(inc: dict[str, Any], ext: dict[str, Any]) -> dict[str, Any]:
    refs = inc.get("external_references") or []
    rid = next((r.get("external_id") for r in refs if r.get("source_name") == "sharppower"), None)
    fields = {k: ext.get(k) for k in EXT_FIELDS}
    if isinstance(fields["target"], (list, dict)):
        fields["target"] = None  # normalise() names the field
    return fields | {"id": rid, "targets": [fields.pop("target")],
                     "sources": [{"url": r["url"], "publisher": r.get("source_name")}
                                 for r in refs if r.get("url")]}


def _confidence(value: Any) -> str:
    if not isinstance(value, int):
        return "medium"
    return "low" if value < 30 else "medium" if value < 70 else "high"


def _timestamp(inc: dict[str, Any], prop: str, where: str):
    try:
        return store.as_utc(inc.get(prop))
    except (TypeError, ValueError):
        raise InputError(where, f"not a timestamp: {inc.get(prop)!r}", row=inc["id"],
                         field=prop) from None


def incident_records(inc: dict[str, Any], ctx: dict[str, Any]) -> tuple[list[tuple[dict, dict]], str | None]:
    """Raw records (one per target) with their meta, or a reason to skip."""
    ext = (inc.get("extensions") or {}).get(EXTENSION_ID)
    fields = _own(inc, ext) if ext else _third_party(
        inc, ctx["by_id"], ctx["rels"], ctx["codebook"], ctx["known"], ctx["notes"])
    if "skip" in fields:
        return [], fields["skip"]
    targets = fields.pop("targets")
    base = fields | {"title": inc.get("name"), "narrative": inc.get("description"),
                     "confidence": _confidence(inc.get("confidence")), "status": "proposed",
                     "coder": ctx["coder"]}
    meta = {name: _timestamp(inc, prop, ctx["where"]) for name, prop in (
        ("created_at", "created"), ("updated_at", "modified"))}
    # what a bundle does not carry stays as stored: notes (never exported), the narrative
    # when the incident has no description (e.g. withheld from a source's export)
    meta["keep"] = ("notes",) + (() if inc.get("description") else ("narrative",))
    stem = base.pop("id", None) or f"stix-{inc['id'].split('--')[-1]}"
    out = [(base | {"id": stem if len(targets) == 1 else f"{stem}-{t}", "target": t}, meta)
           for t in targets]
    return out, None


def parse_bundle(objects: list[dict[str, Any]], where: str, cb: Codebook, coder: str,
                 known: set[str]) -> dict:
    """Validated (record, meta) pairs, skipped incidents, notes, unknown types counted."""
    ids = [o.get("id") for o in objects]
    ctx = {"by_id": {i: o for i, o in zip(ids, objects) if isinstance(i, str)},
           "rels": _links([o for o in objects if all(isinstance(o.get(k), str) for k in (
               "source_ref", "target_ref", "relationship_type"))]),
           "codebook": cb, "coder": coder, "known": known, "notes": [], "where": where}
    types = Counter(str(o.get("type")) for o in objects)
    out, skipped = [], []
    for index, inc in enumerate(objects):
        if inc.get("type") != "incident":
            continue
        check_incident(inc, where, index)
        pairs, reason = incident_records(inc, ctx)
        if reason:
            skipped.append(f"{inc.get('id')}: {reason}")
        for raw, meta in pairs:
            try:
                out.append((normalise(raw, cb), meta))
            except ValidationError as exc:
                raise InputError(where, exc.detail, row=inc.get("id"), field=exc.field) from None
    unknown = {t: n for t, n in sorted(types.items()) if t not in USED_TYPES}
    return {"records": out, "skipped": skipped, "unknown_types": unknown, "notes": ctx["notes"]}


def import_stix(db: Database, path: str | Path, coder: str | None = None,
                codebook: Codebook | None = None,
                audit: rules.Audit | None = None) -> dict[str, Any]:
    """Import the incidents of a STIX bundle as proposed records, in one transaction.
    Returns counts inserted/updated/unchanged, `skipped` (reasons), `unknown_types`
    ({type: count} of the object types we do not use) and `notes`. `audit(conn, id)`
    (optional) writes the audit row in the same transaction."""
    path = Path(path)
    cb = codebook or default_codebook()
    by = coder or f"import:{path.name}"
    objects = read_bundle(path)
    layers = evidence_indicators(cb)
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    with write_transaction(db) as conn:
        parsed = parse_bundle(objects, str(path), cb, by, set(disarm.known_techniques(conn)))
        for rec, meta in parsed["records"]:
            try:
                disarm.check_known(conn, rec["techniques"])
            except ValidationError as exc:
                raise InputError(str(path), exc.detail, row=rec["origin_key"] or rec["id"],
                                 field=exc.field) from None
            store.lock_record(conn, rec["id"])
            counts[rules.import_one(conn, rec, meta, layers, by, str(path),
                                    rec["origin_key"] or rec["id"],
                                    fixed=("origin", "origin_key"), check_created=False,
                                    keep=meta["keep"])] += 1
        if audit:
            audit(conn, None)
    return counts | {k: parsed[k] for k in ("skipped", "unknown_types", "notes")}
