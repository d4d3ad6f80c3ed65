"""The observations of one actor x pillar as the measurement model reads them.

From the index's input panel (`Inputs`): every cell with a value is an observation of
its indicator for (target, year), except stale values (carried past a source's end:
the random walk carries the latent score instead, with a widening interval). A missing
cell (outside the source's universe, or not recorded where no record is not zero) adds
no likelihood term. Continuous indicators are log-transformed when skewed (non-negative
with skewness > 2, the index's `treat.skew`) and standardised within the actor x pillar;
counts are rounded to whole numbers (negative values refused); binary values are 0/1.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import gammaln
from scipy.stats import skew

KIND_CODES = {"continuous": 0, "count": 1, "binary": 2}


@dataclass
class PillarData:
    """Flat observations with their labels. `targets`, `years`, `indicators`: the axes;
    `sources`: indicator -> source; `obs`: DataFrame indicator, target, year, value
    (transformed), kind, offset; `seen`: (target, year) -> indicators observed."""

    actor: str
    pillar: str
    targets: list[str]
    years: list[int]
    indicators: list[str]
    kinds: list[str]
    directions: list[int]
    sources: dict[str, str]
    obs: pd.DataFrame

    def fingerprint(self, settings: dict) -> str:
        """sha256 of the observations, the axes, the model code and the settings."""
        from sharppower.index.latent import MODEL_VERSION
        h = hashlib.sha256()
        h.update(json.dumps([self.actor, self.pillar, self.targets, self.years,
                             self.indicators, self.kinds, self.directions, MODEL_VERSION,
                             sorted(settings.items())], default=str).encode())
        h.update(np.ascontiguousarray(self.obs[["i", "t", "y"]].to_numpy(np.int64)).tobytes())
        h.update(np.round(self.obs[["value", "offset"]].to_numpy(float), 9).tobytes())
        return h.hexdigest()

    def without(self, source: str) -> PillarData:
        """The same axes with one source's observations left out."""
        gone = {i for i, c in enumerate(self.indicators) if self.sources.get(c) == source}
        return PillarData(self.actor, self.pillar, self.targets, self.years, self.indicators,
                          self.kinds, self.directions, self.sources,
                          self.obs[~self.obs["i"].isin(gone)].reset_index(drop=True))

    def arrays(self, shape) -> dict[str, np.ndarray]:
        """Padded grids for `model.fit`, per kind (slots x targets x years; mask 0 where
        nothing is observed and on padding) with each slot's indicator (`*_ix`)."""
        T, Y = len(self.targets), len(self.years)
        if T > shape.n_targets or Y > shape.n_years or len(self.indicators) > shape.n_ind:
            raise ValueError(f"{T} targets, {Y} years, {len(self.indicators)} indicators "
                             f"exceed the padded shape {shape}")
        grid = (shape.n_targets, shape.n_years)
        out: dict[str, np.ndarray] = {}
        for kind, name, slots in (("continuous", "cont", shape.n_cont),
                                  ("count", "count", shape.n_count),
                                  ("binary", "bin", shape.n_binary)):
            mine = [i for i, k in enumerate(self.kinds) if k == kind]
            if len(mine) > slots:
                raise ValueError(f"{len(mine)} {kind} indicators exceed the padded shape {shape}")
            ix = np.zeros(slots, np.int32)
            ix[:len(mine)] = mine
            value = np.zeros((slots, *grid), np.float32)
            offset = np.zeros_like(value)
            mask = np.zeros_like(value)
            obs = self.obs[self.obs["i"].isin(mine)]
            slot = np.searchsorted(mine, obs["i"].to_numpy(int))
            at = (slot, obs["t"].to_numpy(int), obs["y"].to_numpy(int))
            value[at] = obs["value"].to_numpy(float)
            offset[at] = obs["offset"].to_numpy(float)
            mask[at] = 1.0
            out.update({f"{name}_ix": ix, f"{name}_value": value, f"{name}_mask": mask})
            if kind == "count":
                out["count_offset"] = offset
                out["count_lgf"] = gammaln(value + 1.0).astype(np.float32)
        direction = np.ones(shape.n_ind, np.float32)
        direction[:len(self.directions)] = self.directions
        binary = np.zeros(shape.n_ind, np.float32)
        binary[:len(self.kinds)] = [k == "binary" for k in self.kinds]
        return {**out, "direction": direction, "binary": binary}

    def seen_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """(T, Y) numbers of indicators and of sources observed per target and year."""
        n_ind = np.zeros((len(self.targets), len(self.years)), int)
        n_src = np.zeros_like(n_ind)
        src = [self.sources.get(self.indicators[i], self.indicators[i]) for i in self.obs["i"]]
        seen = pd.DataFrame({"t": self.obs["t"].to_numpy(int), "y": self.obs["y"].to_numpy(int),
                             "i": self.obs["i"].to_numpy(int), "src": pd.factorize(np.array(src, dtype=object))[0]})
        for column, counts in (("i", n_ind), ("src", n_src)):
            distinct = seen.drop_duplicates(["t", "y", column])
            np.add.at(counts, (distinct["t"].to_numpy(), distinct["y"].to_numpy()), 1)
        return n_ind, n_src


def _transform_continuous(x: pd.Series, skew_limit: float) -> pd.Series:
    v = x.dropna()
    if len(v) > 2 and v.min() >= 0 and abs(float(skew(v))) > skew_limit:
        x = np.log1p(x)
    sd = float(x.std()) if x.notna().sum() > 1 else 0.0
    return (x - x.mean()) / (sd if sd > 0 else 1.0)


def pillar_data(values: pd.DataFrame, age: pd.DataFrame | None, actor: str, pillar: str,
                codes: list[str], kinds: dict[str, str], directions: dict[str, int],
                sources: dict[str, str], exposure: dict[str, str | None] | None = None,
                skew_limit: float = 2.0) -> PillarData:
    """The observations of `codes` for one actor (values: panel indexed actor, target, year).
    `exposure`: count code -> indicator whose log is the count's offset (None: no offset)."""
    mine = values.index.get_level_values("actor") == actor
    panel = values[mine]
    if age is not None:  # stale values carry no new evidence
        panel = panel.mask(age[mine].reindex_like(panel).fillna(0).to_numpy() > 0)
    codes = [c for c in codes if c in panel.columns and panel[c].notna().any()]
    panel = panel[codes]
    panel = panel[panel.notna().any(axis=1)]
    targets = sorted(pd.unique(panel.index.get_level_values("target")))
    all_years = values.index.get_level_values("year")
    years = list(range(int(all_years.min()), int(all_years.max()) + 1)) if len(values) else []
    t_pos = {t: i for i, t in enumerate(targets)}
    frames = []
    for i, code in enumerate(codes):
        x = panel[code].dropna()
        kind = kinds.get(code, "continuous")
        where = f"indicator {code} ({actor}, {pillar})"
        if kind == "continuous":
            x = _transform_continuous(x, skew_limit)
        elif kind == "count":
            if (x < 0).any():
                raise ValueError(f"{where}: a count is negative, e.g. {x[x < 0].index[0]}")
            x = x.round()
        elif not x.isin([0.0, 1.0]).all():
            raise ValueError(f"{where}: a binary value is not 0 or 1, e.g. "
                             f"{x[~x.isin([0.0, 1.0])].index[0]}")
        offset = pd.Series(0.0, index=x.index)
        exp_code = (exposure or {}).get(code)
        if kind == "count" and exp_code and exp_code in values.columns:
            e = values.loc[x.index, exp_code] if exp_code in panel.columns else values[mine].loc[x.index, exp_code]
            keep = e.notna() & (e > 0)
            x, offset = x[keep], np.log(e[keep]) - float(np.log(e[keep]).mean())
        tg = x.index.get_level_values("target")
        yr = x.index.get_level_values("year")
        frames.append(pd.DataFrame({"i": i, "t": [t_pos[t] for t in tg],
                                    "y": np.asarray(yr, int) - years[0],
                                    "value": x.to_numpy(float), "kind": KIND_CODES[kind],
                                    "offset": np.asarray(offset, float)}))
    obs = (pd.concat(frames, ignore_index=True) if frames else
           pd.DataFrame(columns=["i", "t", "y", "value", "kind", "offset"]))
    return PillarData(actor, pillar, targets, years, codes,
                      [kinds.get(c, "continuous") for c in codes],
                      [int(directions.get(c, 1)) for c in codes],
                      {c: sources.get(c, c) for c in codes}, obs)
