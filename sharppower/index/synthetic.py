"""Realistic synthetic observations for tests, benchmarks and trying the engine.

`synthetic_observations(seed)` imitates what the connectors and measures write: the
near-global components of influence v2 (trade, finance and investment with the target's
total trade, arms, institutes, leaders' engagements, state media, UN voting, the BRI,
recorded interference where tracked), Pew-like
opinion shares for a subset of publics (one wave flagged suspect), Chinese development
finance (skewed, with outliers), Confucius Institutes, public-diplomacy counts for Asian
targets up to 2018, trade shares up to 2014, evidence-ledger incident counts for the
tracked (European, American, Pacific) targets, and target properties with actor NULL
(Freedom House, V-Dem with corruption in the negative direction, WGI up to 2019). Every
target has latent openness and, per actor, closeness and attraction, so indicators of a
pillar correlate as real ones do. `write_observations(db, obs, regions)` stores them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pycountry
import sqlalchemy as sa

from sharppower.store import Database
from sharppower.store.database import frame_records, insert_rows
from sharppower.store.tables import countries, observations, sources

REGIONS = {
    "AUS": "Oceania", "NZL": "Oceania", "JPN": "Asia", "KOR": "Asia", "IND": "Asia",
    "IDN": "Asia", "PHL": "Asia", "VNM": "Asia", "THA": "Asia", "MYS": "Asia", "PAK": "Asia",
    "LKA": "Asia", "TUR": "Asia", "ISR": "Asia", "DEU": "Europe", "FRA": "Europe",
    "GBR": "Europe", "ITA": "Europe", "ESP": "Europe", "POL": "Europe", "HUN": "Europe",
    "CZE": "Europe", "SRB": "Europe", "GRC": "Europe", "SWE": "Europe", "UKR": "Europe",
    "USA": "Americas", "CAN": "Americas", "MEX": "Americas", "BRA": "Americas",
    "ARG": "Americas", "PER": "Americas", "NGA": "Africa", "KEN": "Africa", "ZAF": "Africa",
    "GHA": "Africa", "ETH": "Africa",
}
YEARS = range(2010, 2022)
ACTORS = ("CHN", "RUS")
SP_CODES = ["sp_info_manipulation", "sp_media_capture", "sp_elite_cooptation",
            "sp_academic_pressure", "sp_malign_finance", "sp_civil_society_subversion",
            "sp_digital_authoritarianism", "sp_cyber_operations", "sp_economic_coercion",
            "sp_kinetic_operations"]


def _rows(rows: list, actor, target, year, values: dict, source="synthetic", flags=None):
    for code, value in values.items():
        rows.append({"actor": actor, "target": target, "year": year, "indicator": code,
                     "value": float(value), "source": source, "flags": flags})


def _opinion(rng, rows, actor, target, year, a):
    fav = float(np.clip(45 + 12 * a + rng.normal(0, 3), 5, 90))
    unf = float(np.clip(100 - fav - rng.normal(10, 3), 3, 95))
    _rows(rows, actor, target, year, {
        "att_favorable": round(fav, 1), "att_unfavorable": round(unf, 1),
        "att_very_unfavorable": round(unf * rng.uniform(0.3, 0.5), 1),
        "att_net": round(fav - unf, 1)})


def _actor_rows(rng, rows, actor, target, year, region, c, a):
    tracked = region in ("Europe", "Americas", "Oceania")
    if rng.random() < 0.75 and (actor == "CHN" or rng.random() < 0.8):
        _opinion(rng, rows, actor, target, year, a)
    if actor == "CHN":
        if region not in ("Europe", "Oceania") or rng.random() < 0.2:
            big = 8.0 if rng.random() < 0.03 else 0.0
            _rows(rows, actor, target, year, {"reach_devfin": np.exp(3 + c + big + rng.normal(0, 1))})
        _rows(rows, actor, target, year,
              {"reach_confucius_institutes": rng.poisson(np.exp(0.6 + 0.6 * c + (year - 2010) * 0.05))})
        if region == "Asia" and year <= 2018:
            _rows(rows, actor, target, year, {
                "reach_pd_elite_visits": rng.poisson(np.exp(1.2 + 0.5 * c)),
                "reach_pd_media_partnerships": rng.poisson(np.exp(0.2 + 0.5 * c))})
    if year <= 2014:
        share = np.clip(0.08 + 0.04 * c + rng.normal(0, 0.02), 0.002, 0.6)
        _rows(rows, actor, target, year, {"exp_import_share": round(share, 4),
                                         "exp_export_share": round(share * rng.uniform(0.4, 1.2), 4)})
    if tracked:
        _rows(rows, actor, target, year,
              {code: rng.poisson(np.exp(-0.3 + 0.7 * c + rng.normal(0, 0.3))) for code in SP_CODES})


def _v2_rows(rng, rows, actor, target, year, region, c, last_year):
    """The near-global components of influence v2, ending where their sources end (trade
    2019, leaders' engagements and investment 2018, human-rights roll calls 2019, state
    media a last-year cross-section), with zeros where a source records none."""
    out = {"exp_world_trade": float(np.exp(9 + rng.normal(0, 1.2))),
           "eff_unga_agreement": float(np.clip(0.7 + 0.08 * c + rng.normal(0, 0.03), 0.2, 1))}
    if rng.random() >= 0.55:  # a register lists recipients only: no row is a declared zero
        out["exp_arms_share_5yr"] = float(np.clip(0.2 + 0.15 * c + rng.normal(0, 0.1), 0.01, 1))
    if year <= 2019:
        out["exp_trade_share"] = float(np.clip(0.1 + 0.04 * c + rng.normal(0, 0.02), 0.002, 0.8))
        out["eff_unga_hr_agreement"] = float(np.clip(0.6 + 0.1 * c + rng.normal(0, 0.05), 0, 1))
    if region in ("Europe", "Americas", "Oceania"):
        out["prs_recorded_interference"] = float(rng.poisson(np.exp(0.3 + 0.7 * c)))
    if actor == "CHN":
        if region not in ("Europe", "Oceania") and year <= 2020:
            out["exp_devfin_stock_5yr"] = float(np.exp(5 + c + rng.normal(0, 1)))
        if year <= 2018:
            out["exp_investment_stock"] = float(np.exp(6 + c + rng.normal(0, 1)))
            out |= {f"prs_leader_{k}": float(rng.poisson(np.exp(m + 0.5 * c)))
                    for k, m in (("visits", 0.2), ("meetings", 0.6), ("other", 0.0))}
        out["exp_confucius_stock"] = float(rng.poisson(np.exp(0.5 + 0.5 * c)))
        if year >= 2013:
            out["eff_bri_member"] = float(rng.random() < 0.5 + 0.3 * np.tanh(c))
        if year == last_year:
            out["prs_state_media_followers"] = float(np.exp(11 + c + rng.normal(0, 1.5)))
    _rows(rows, actor, target, year, out)


def _target_rows(rng, rows, target, year, o):
    noise = lambda s=0.2: rng.normal(0, s)
    values = {
        "res_fh_total": np.clip(60 + 20 * o + noise(4), 2, 100).round(),
        "res_fh_media": np.clip(2.5 + o + noise(0.4), 0, 4).round(),
        "res_fh_academic": np.clip(2.8 + o + noise(0.4), 0, 4).round(),
        "res_fh_rule_of_law": np.clip(9 + 4 * o + noise(1), 0, 16).round(),
        "res_vdem_censorship": 1.5 * o + noise(), "res_vdem_self_censorship": 1.3 * o + noise(),
        "res_vdem_academic": 1.4 * o + noise(),
        "res_vdem_corruption": np.clip(0.4 - 0.2 * o + noise(0.05), 0.01, 0.99),
    }
    if year <= 2019:
        values |= {"res_wgi_corruption": 0.8 * o + noise(), "res_wgi_rule_of_law": 0.8 * o + noise(),
                   "res_wgi_voice": 0.9 * o + noise()}
    _rows(rows, None, target, year, values)


def synthetic_observations(seed: int = 7, targets: dict[str, str] | None = None,
                           years=YEARS) -> pd.DataFrame:
    """Observation rows (actor, target, year, indicator, value, source, flags)."""
    rng = np.random.default_rng(seed)
    rng_v2 = np.random.default_rng([seed, 2])  # its own stream: v1 rows stay as they were
    rows: list[dict] = []
    last = max(years)
    for target, region in (targets or REGIONS).items():
        o = rng.normal(0, 1)
        latent = {a: (rng.normal(0, 1) - 0.3 * o, rng.normal(0, 1) - 0.4 * o) for a in ACTORS}
        for year in years:
            _target_rows(rng, rows, target, year, o)
            for actor in ACTORS:
                _actor_rows(rng, rows, actor, target, year, region, *latent[actor])
                _v2_rows(rng_v2, rows, actor, target, year, region, latent[actor][0], last)
    obs = pd.DataFrame(rows)
    # a defective wave, flagged by the opinion engine: wrong values the index must skip
    bad = obs[(obs["indicator"] == "att_favorable") & (obs["actor"] == "CHN")].head(3)
    obs = pd.concat([obs, bad.assign(value=99.0, flags='["suspect"]')], ignore_index=True)
    return obs


def write_observations(db: Database, obs: pd.DataFrame, regions: dict[str, str] | None = None,
                       starter_sources: tuple[str, ...] = ("starter",)) -> int:
    """Store observation rows, their sources and the targets' regions (one transaction)."""
    regions = regions or REGIONS
    with db.begin() as conn:
        known = {r[0] for r in conn.execute(sa.select(countries.c.iso3))}
        insert_rows(conn, countries, [
            {"iso3": t, "name": pycountry.countries.get(alpha_3=t).name, "region": r}
            for t, r in regions.items() if t not in known])
        for t, r in regions.items():
            if t in known:
                conn.execute(sa.update(countries).where(countries.c.iso3 == t).values(region=r))
        have = {r[0] for r in conn.execute(sa.select(sources.c.name))}
        insert_rows(conn, sources, [
            {"name": s, "title": f"{s} (synthetic)", "starter": s in starter_sources}
            for s in sorted(set(obs["source"])) if s not in have])
        cols = ["actor", "target", "year", "indicator", "value", "source", "flags"]
        return insert_rows(conn, observations, frame_records(obs.reindex(columns=cols)))


def tiny_spec(pillars: dict[str, dict[str, list[str]]], indices: dict[str, list[str]] | None = None,
              negative: tuple[str, ...] = (), stages: dict | None = None,
              uncertainty: dict | None = None, actors: tuple[str, ...] = ("CHN",)):
    """A spec over a generated codebook: `pillars` maps pillar -> domain -> codes (pillar
    names must be codebook pillars: attraction, reach, sharp_power, resilience); codes in
    `negative` have direction negative. Stages default to no screening, no imputation, no
    treatment, minmax, equal weights, arithmetic means."""
    from sharppower.codebook import PILLARS, validate
    from sharppower.index.spec import spec_from_dict

    codebook = validate({
        "version": "test", "actors": [{"iso3": a, "name": a} for a in actors],
        "layers": {k: k for k in ("exposure", "pressure", "effect")},
        "pillars": {p: {"name": p, "domains": dict.fromkeys(
            pillars.get(p) or {f"{p}_unused": None}, "d")} for p in PILLARS},
        "indicators": [{"code": c, "name": c, "pillar": p, "domain": d, "layer": "exposure",
                        "direction": "negative" if c in negative else "positive", "unit": "u",
                        "source": "synthetic", "description": c}
                       for p, ds in pillars.items() for d, cs in ds.items() for c in cs],
    }, "(test codebook)")
    return spec_from_dict({
        "name": "test", "actors": list(actors), "pillars": pillars, "indices": indices or {},
        "stages": stages or {"screen": {"method": "none"}, "impute": {"method": "none"},
                             "treat": {"method": "none"}, "normalise": {"method": "minmax"},
                             "weight": {"method": "equal"}, "aggregate": {"method": "arithmetic"}},
        "uncertainty": uncertainty or {},
    }, "(test spec)", codebook)


def panel(rows: dict[tuple[str, str, int], dict[str, float]], columns: list[str],
          regions: dict[str, str] | None = None):
    """Inputs from {(actor, target, year): {code: value}} (missing codes are NaN)."""
    from sharppower.index.inputs import UNIT, Inputs

    index = pd.MultiIndex.from_tuples(list(rows), names=UNIT)
    values = pd.DataFrame([[r.get(c, np.nan) for c in columns] for r in rows.values()],
                          index=index, columns=columns, dtype=float)
    region = pd.Series([(regions or {}).get(t, "(none)") for _, t, _ in rows], index=index,
                       dtype=object)
    return Inputs(values, region).sorted()


def synthetic_problem(n_units: int = 200, n_indicators: int = 100, n_domains: int = 10,
                      seed: int = 1, missing: float = 0.05, stages: dict | None = None,
                      uncertainty: dict | None = None, years: int = 1):
    """A generated codebook, spec and inputs: one actor, `years` years (2021 and later:
    `n_units` units in all, split evenly over the years), the targets and
    `n_indicators` indicators in `n_domains` domains spread over the four pillars, every
    pillar in one index `composite`; a fifth of the indicators in the negative direction,
    some skewed, `missing` of the values absent. Returns (spec, inputs)."""
    from sharppower.codebook import PILLARS
    from sharppower.index.inputs import inputs_from_observations

    rng = np.random.default_rng(seed)
    domains = {f"d{d:02d}": PILLARS[d % len(PILLARS)] for d in range(n_domains)}
    codes = [f"x{i:03d}" for i in range(n_indicators)]
    dom_of = {c: list(domains)[i % n_domains] for i, c in enumerate(codes)}
    direction = {c: ("negative" if i % 5 == 4 else "positive") for i, c in enumerate(codes)}
    spec = tiny_spec(
        {p: {d: [c for c in codes if dom_of[c] == d] for d, q in domains.items() if q == p}
         for p in PILLARS},
        {"composite": list(PILLARS)}, tuple(c for c in codes if direction[c] == "negative"),
        stages or {"screen": {"method": "coverage"}, "impute": {"method": "median"},
                   "treat": {"method": "jrc"}, "normalise": {"method": "minmax"},
                   "weight": {"method": "equal"}, "aggregate": {"method": "arithmetic"}},
        uncertainty or {
            "vary": {"impute.method": ["median", "mean"],
                     "normalise.method": ["minmax", "zscore", "rank", "frontier"],
                     "aggregate.method": ["arithmetic", "geometric"]},
            "weights": {"concentration": 20}, "drop_one": True})
    per_year = n_units // years
    targets = [c.alpha_3 for c in pycountry.countries if c.alpha_3 != "CHN"][:per_year]
    rows = [t for _ in range(years) for t in targets]
    n_units = len(rows)
    latent = rng.normal(size=n_units)
    values = latent[:, None] * rng.uniform(0.3, 1.0, n_indicators) + rng.normal(size=(n_units, n_indicators))
    skewed = rng.random(n_indicators) < 0.2
    values[:, skewed] = np.exp(1.5 * values[:, skewed])
    values[:, [direction[c] == "negative" for c in codes]] *= -1
    values[rng.random(values.shape) < missing] = np.nan
    obs = pd.DataFrame(values, columns=codes).assign(
        target=rows, year=np.repeat(2021 + np.arange(years), len(targets)))
    obs = obs.melt(id_vars=["target", "year"], var_name="indicator", value_name="value")
    obs = obs.assign(actor="CHN")
    regions = {t: ("Asia", "Europe", "Africa", "Americas", "Oceania")[i % 5] for i, t in enumerate(targets)}
    return spec, inputs_from_observations(obs, spec, regions)
