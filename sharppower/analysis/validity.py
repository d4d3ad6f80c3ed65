"""Validity of the index: agreement with an external index, and the internal structure.

External view (`validate`): the user supplies any country-level index as a CSV with a
country column (name, alias or ISO3; header `country`, `iso3`, `target` or `name`) and a
score column (`score` or `value`). Names resolve through the country resolver; names it
does not know are listed (`unresolved`), never guessed. For the index and every pillar and
component (domain) of the stored run, in one actor x year, it reports n (targets scored by
both), Spearman's rho and Kendall's tau-b with percentile bootstrap 95% intervals (pairs
resampled), and the targets on which the two rankings disagree most (difference of
percentile ranks among the matched targets).

Methods (`methods`): for the nodes the latent measurement model scores (the pressure
pillar and the indices containing it; index.latent.overlay), the same agreement for the
scores shown ("latent") and for the weighted-arithmetic composite kept beside them
("composite", latent_scores node "composite:<node>"), side by side.

Internal view (`internal_view`): per component, its Spearman correlation with its pillar
and with the index across the targets, and the share of the index's targets it scores.

Columns
-------
- correlations: level, node, n, spearman, spearman_low, spearman_high, kendall,
  kendall_low, kendall_high
- disagreements: target, name, node, score, rank, external, external_rank, percentile,
  external_percentile, gap (percentile - external percentile; positive = we rank the target
  higher than the external index does)
- internal: level, node, parent, n, share_scored, corr_parent, corr_index
- methods: node, method (latent | composite), n, spearman, spearman_low, spearman_high,
  kendall, kendall_low, kendall_high
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sharppower.countries import resolver
from sharppower.errors import InputError, NotFound
from sharppower.index import Spec, load_spec, scores
from sharppower.store import Database

COUNTRY_COLUMNS = ("country", "iso3", "target", "name")
SCORE_COLUMNS = ("score", "value")
CORRELATION_COLUMNS = ["level", "node", "n", "spearman", "spearman_low", "spearman_high",
                       "kendall", "kendall_low", "kendall_high"]
DISAGREEMENT_COLUMNS = ["target", "name", "node", "score", "rank", "external", "external_rank",
                        "percentile", "external_percentile", "gap"]
INTERNAL_COLUMNS = ["level", "node", "parent", "n", "share_scored", "corr_parent", "corr_index"]
METHOD_COLUMNS = ["node", "method", "n", "spearman", "spearman_low", "spearman_high",
                  "kendall", "kendall_low", "kendall_high"]
MIN_PAIRS = 5


@dataclass
class Validity:
    actor: str
    year: int
    external_file: str
    n_external: int
    correlations: pd.DataFrame
    disagreements: pd.DataFrame
    internal: pd.DataFrame
    unresolved: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    methods: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=METHOD_COLUMNS))

    def to_dict(self) -> dict:
        clean = lambda df: df.astype(object).where(df.notna(), None).to_dict("records")
        return {"actor": self.actor, "year": self.year, "external_file": self.external_file,
                "n_external": self.n_external, "unresolved": self.unresolved,
                "skipped": self.skipped, "correlations": clean(self.correlations),
                "disagreements": clean(self.disagreements), "internal": clean(self.internal),
                "methods": clean(self.methods)}


def _pick(header: list[str], wanted: tuple[str, ...], file: str, what: str) -> str:
    lower = {h.strip().lower(): h for h in header}
    for w in wanted:
        if w in lower:
            return lower[w]
    raise InputError(file, f"no {what} column (expected one of: {', '.join(wanted)}; "
                     f"found: {', '.join(header)})", row=1)


def read_external(path: str | Path) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The external index as (frame target, score, row; unresolved names; skipped names).

    Errors name the file, row and field: a score that is not a finite number, a country
    given twice."""
    path = Path(path)
    file = path.name
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(file, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise InputError(file, f"cannot read: {exc.strerror}") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InputError(file, "the file is empty")
    header = rows[0]
    ccol = _pick(header, COUNTRY_COLUMNS, file, "country")
    scol = _pick(header, SCORE_COLUMNS, file, "score")
    ci, si = header.index(ccol), header.index(scol)
    res = resolver()
    out, unresolved, skipped, seen = [], [], [], {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        name = row[ci].strip() if ci < len(row) else ""
        raw = row[si].strip() if si < len(row) else ""
        if raw == "" or raw.upper() in ("NA", "NAN"):
            continue
        try:
            value = float(raw)
        except ValueError:
            raise InputError(file, f"not a number: {raw!r}", row=n, field=scol) from None
        if not np.isfinite(value):
            raise InputError(file, f"not a finite number: {raw!r}", row=n, field=scol)
        iso3 = res.resolve(name)
        if iso3 is None:
            (skipped if res.skip_reason(name) else unresolved).append(f"{name} (row {n})")
            continue
        if iso3 in seen:
            raise InputError(file, f"{name!r} is {iso3}, already given in row {seen[iso3]}",
                             row=n, field=ccol)
        seen[iso3] = n
        out.append({"target": iso3, "external": value, "row": n})
    return pd.DataFrame(out, columns=["target", "external", "row"]), unresolved, skipped


def _rank_rows(a: np.ndarray) -> np.ndarray:
    return stats.rankdata(a, axis=1)


def _pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x = x - x.mean(axis=1, keepdims=True)
    y = y - y.mean(axis=1, keepdims=True)
    den = np.sqrt((x * x).sum(axis=1) * (y * y).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (x * y).sum(axis=1) / den, np.nan)


def _kendall_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kendall's tau-b of each row pair (ties, including bootstrap duplicates, handled)."""
    sx = np.sign(x[:, :, None] - x[:, None, :])
    sy = np.sign(y[:, :, None] - y[:, None, :])
    num = (sx * sy).sum(axis=(1, 2))
    den = np.sqrt((sx * sx).sum(axis=(1, 2)) * (sy * sy).sum(axis=(1, 2)))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def rank_agreement(x: np.ndarray, y: np.ndarray, boot: int = 1000,
                   seed: int = 20240615) -> dict[str, float]:
    """n, Spearman and Kendall (tau-b) with percentile bootstrap 95% intervals."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(x)
    out = {"n": n}
    if n < MIN_PAIRS:
        return out | {k: np.nan for k in CORRELATION_COLUMNS[3:]}
    out["spearman"] = float(stats.spearmanr(x, y).statistic)
    out["kendall"] = float(stats.kendalltau(x, y).statistic)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(boot, n))
    rho, tau = [], []
    for chunk in np.array_split(idx, max(1, boot * n * n // 20_000_000 + 1)):
        bx, by = x[chunk], y[chunk]
        rho.append(_pearson_rows(_rank_rows(bx), _rank_rows(by)))
        tau.append(_kendall_rows(bx, by))
    for name, draws in (("spearman", np.concatenate(rho)), ("kendall", np.concatenate(tau))):
        lo, hi = np.nanpercentile(draws, [2.5, 97.5]) if np.isfinite(draws).any() else (np.nan,) * 2
        out[f"{name}_low"], out[f"{name}_high"] = float(lo), float(hi)
    return out


def _stored(db: Database, actor: str, year: int, spec: Spec | None = None) -> pd.DataFrame:
    frame = scores(db, actor, year, level=None, spec=spec.name if spec else None)
    if frame.empty:
        raise NotFound(f"the stored index run has no scores for {actor} in {year}")
    return frame


def _percentile(values: pd.Series) -> pd.Series:
    return (values.rank(method="average") - 0.5) / len(values)


def _disagreements(node_scores: pd.DataFrame, ext: pd.DataFrame, top: int) -> pd.DataFrame:
    both = node_scores.merge(ext, on="target")
    if both.empty:
        return pd.DataFrame(columns=DISAGREEMENT_COLUMNS)
    both["percentile"] = _percentile(both["score"])
    both["external_percentile"] = _percentile(both["external"])
    both["external_rank"] = both["external"].rank(ascending=False, method="min")
    both["gap"] = both["percentile"] - both["external_percentile"]
    res = resolver()
    both["name"] = [res.name(t) for t in both["target"]]
    order = both["gap"].abs().sort_values(ascending=False).index
    return both.loc[order[:top], DISAGREEMENT_COLUMNS].reset_index(drop=True)


def _parents(spec: Spec) -> dict[str, str]:
    """Node -> parent in the spec's hierarchy (domain -> pillar -> index)."""
    parent = {d: p for p, domains in spec.pillars.items() for d in domains}
    for name, pillars in spec.indices.items():
        for p in pillars:
            parent[p] = name
    return parent


def _spearman(col: pd.Series, wide: pd.DataFrame, other: str | None) -> float:
    if other not in wide or (col.notna() & wide[other].notna()).sum() < MIN_PAIRS:
        return np.nan
    rho = float(stats.spearmanr(col, wide[other], nan_policy="omit").statistic)
    return float(np.clip(rho, -1.0, 1.0))  # float noise beyond +-1


def internal_view(db: Database, actor: str, year: int, spec: Spec | None = None) -> pd.DataFrame:
    """Per pillar and component of the stored run: its parent, targets scored, share of the
    index's targets scored (of the pillar's, for a pillar in no index), Spearman correlation
    with its parent and with the index.
    `spec`: the run's spec (default: the packaged one)."""
    frame = _stored(db, actor, year, spec)
    wide = frame.pivot_table(index="target", columns="node", values="score", aggfunc="first")
    level = frame.drop_duplicates("node").set_index("node")["level"]
    parent = _parents(spec or load_spec())
    rows = []
    for node in level.index:
        if level[node] == "index":
            continue
        up = parent.get(node)
        top = (up if level.get(up) == "index" else parent.get(up)) or up
        col = wide[node]
        n_index = int(wide[top].notna().sum()) if top in wide else 0
        share = float((col.notna() & wide[top].notna()).sum() / n_index) if n_index else np.nan
        rows.append({"level": level[node], "node": node, "parent": up, "n": int(col.notna().sum()),
                     "share_scored": share, "corr_parent": _spearman(col, wide, up),
                     "corr_index": _spearman(col, wide, top)})
    out = pd.DataFrame(rows, columns=INTERNAL_COLUMNS)
    return out.sort_values(["level", "parent", "node"], ascending=[False, True, True]) \
        .reset_index(drop=True)


def validate(db: Database, external: str | Path, actor: str, year: int,
             level: str | None = None, node: str | None = None, top: int = 10,
             boot: int = 1000, seed: int = 20240615, spec: Spec | None = None) -> Validity:
    """Agreement of the stored index with an external country-level index (module doc).

    `level` (index, pillar or domain) limits the correlation table to one level; `node`
    chooses whose ranking the disagreement list compares (default: the index); `spec` the
    run's spec (default: the packaged one)."""
    ext, unresolved, skipped = read_external(external)
    frame = _stored(db, actor, int(year), spec)
    rows = []
    for (lvl, name), group in frame.groupby(["level", "node"], sort=False):
        if level and lvl != level:
            continue
        both = group.merge(ext, on="target")
        rows.append({"level": lvl, "node": name,
                     **rank_agreement(both["score"].to_numpy(), both["external"].to_numpy(),
                                      boot, seed)})
    order = {"index": 0, "pillar": 1, "domain": 2}
    corr = pd.DataFrame(rows, columns=CORRELATION_COLUMNS)
    corr = corr.sort_values(["level", "node"], key=lambda s: s.map(order) if s.name == "level"
                            else s).reset_index(drop=True)
    indices = frame.loc[frame["level"] == "index", "node"]
    target_node = node or (indices.iloc[0] if len(indices) else None)
    chosen = frame[frame["node"] == target_node][["target", "node", "score", "rank"]]
    return Validity(actor, int(year), Path(external).name, len(ext), corr,
                    _disagreements(chosen, ext, top), internal_view(db, actor, int(year), spec),
                    unresolved, skipped, method_agreement(db, frame, ext, actor, int(year),
                                                          boot, seed))


def method_agreement(db: Database, shown: pd.DataFrame, ext: pd.DataFrame, actor: str,
                     year: int, boot: int = 1000, seed: int = 20240615) -> pd.DataFrame:
    """METHOD_COLUMNS: per node the latent model scores, the agreement with `ext` of the
    scores shown (`latent`) and of the composite kept for comparison (`composite`); empty
    when the run has no latent node."""
    from sharppower.index.latent.overlay import COMPOSITE_PREFIX
    from sharppower.index.latent.store import read_scores

    kept = read_scores(db, actor=actor)
    kept = kept[(kept["year"] == year) & kept["node"].str.startswith(COMPOSITE_PREFIX)]
    rows = []
    for name in sorted(pd.unique(kept["node"]), key=lambda n: (n.count(":"), n)):
        node = name[len(COMPOSITE_PREFIX):]
        for method, part in (("latent", shown[shown["node"] == node]),
                             ("composite", kept[kept["node"] == name])):
            both = part.merge(ext, on="target")
            rows.append({"node": node, "method": method,
                         **rank_agreement(both["score"].to_numpy(float),
                                          both["external"].to_numpy(float), boot, seed)})
    return pd.DataFrame(rows, columns=METHOD_COLUMNS)


def leave_one_source_out(db: Database, actors: list[str] | None = None,
                         spec: Spec | None = None, store: bool = True) -> pd.DataFrame:
    """`validate --internal`: for each source feeding a latent pillar (the spec's
    `measurement.pillars`), the latent score fitted without it against its indicators:
    actor, pillar, source, indicator, spearman, n (sharppower.index.latent.validate).
    Stored in latent_validation (replacing the previous table) unless `store` is False."""
    from sharppower.index.inputs import load_inputs
    from sharppower.index.latent.store import save_validation
    from sharppower.index.latent.validate import leave_one_source_out as loso

    spec = spec or load_spec()
    if not spec.latent_pillars:
        raise NotFound(f"spec {spec.name} scores no pillar with the latent model "
                       "(measurement.pillars)")
    inputs = load_inputs(db, spec, actors)
    if inputs.values.empty:
        raise NotFound("the store holds no observation of the spec's indicators: run "
                       "`sharppower build` first")
    table = loso(spec, inputs, actors)
    if store and not table.empty:
        save_validation(db, table)
    return table
