"""The method in words, for the methodology page: generated from the index specification
(`index.load_spec()`: the structure, the stages and their arguments, what the uncertainty
analysis varies) and from the store (each component's coverage, the latent model's fit
diagnostics and its leave-one-source-out table), never written by hand beside them.

- :func:`structure`: the index's pillars -> domains -> indicators, each indicator with its
  name, direction and sources (plain names), each domain marked partial or latent;
- :func:`steps`: how a score is made, one sentence per stage, with the spec's arguments;
- :func:`uncertainty`: what the Monte Carlo analysis varies and what an interval means;
- :func:`latent`: how the latent measurement model scores its pillars, with the stored
  fits' diagnostics;
- :func:`coverage`: per actor and indicator, the targets and years observed (DataFrame).
"""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from sharppower.codebook import packaged_codebook
from sharppower.index import load_spec
from sharppower.index.names import source_name
from sharppower.index.spec import Spec
from sharppower.store import Database
from sharppower.store.tables import observations as obs

IMPUTE = {"median": "the median of the target's region in that year",
          "mean": "the mean of the target's region in that year",
          "knn": "the mean of the {k} most similar targets",
          "carry_forward": "the target's last earlier value",
          "none": "nothing (the component stays missing)"}
NORMALISE = {"minmax": "min-max across the actor's targets in that year (the lowest 0, the "
                       "highest 100)",
             "zscore": "z-scores across the actor's targets in that year, rescaled to 0-100",
             "rank": "percentile ranks across the actor's targets in that year",
             "frontier": "distance to the best target in that year",
             "goalposts": "fixed goalposts"}
AGGREGATE = {"arithmetic": "the weighted arithmetic mean (a high component offsets a low one)",
             "geometric": "the weighted geometric mean (a low component is offset less)",
             "harmonic": "the weighted harmonic mean"}
VARIED = {"impute.method": "how a missing component is filled",
          "impute.absent": "whether a target outside a source's records counts as 0 "
                           "(declared) or as missing",
          "normalise.method": "how indicators are put on a common scale",
          "aggregate.method": "how components are combined",
          "treat.method": "how outliers are treated"}
COVERAGE_COLUMNS = ["actor", "indicator", "targets", "years", "first_year", "last_year"]


def structure(spec: Spec | None = None) -> list[dict]:
    """The index's pillars in spec order: node, label, role ("in the <index>" or "scored
    alongside, not in an index"), latent (scored by the latent model), domains: node,
    label, partial (added where covered, never deciding who is scored), indicators: code,
    name, description, direction ("higher = more" or "reversed"), unit, type, sources
    (source codes), source_names (plain names)."""
    spec = spec or load_spec()
    ind = packaged_codebook().indicators.set_index("code")
    in_index = {p: name for name, pillars in spec.indices.items() for p in pillars}
    partial = set(spec.stages.get("screen", {}).get("partial", []))
    out = []
    for pillar, domains in spec.pillars.items():
        role = (f"in the {spec.labels.get(in_index[pillar], in_index[pillar])}"
                if pillar in in_index else "scored alongside, not in an index")
        rows = []
        for domain, codes in domains.items():
            inds = []
            for code in codes:
                sources = _sources(code, ind, spec)
                row = ind.loc[code] if code in ind.index else {}
                inds.append({
                    "code": code, "name": str(row.get("name", code)),
                    "description": str(row.get("description", "") or ""),
                    "direction": "higher = more" if spec.directions.get(code, 1) > 0
                    else "reversed (higher = less)",
                    "unit": str(row.get("unit", "") or ""),
                    "type": str(row.get("type", "") or ""),
                    "derived": code in spec.derived,
                    "sources": sources, "source_names": [source_name(s) for s in sources]})
            rows.append({"node": domain, "label": spec.labels.get(domain, domain),
                         "partial": domain in partial, "indicators": inds})
        out.append({"node": pillar, "label": spec.labels.get(pillar, pillar), "role": role,
                    "latent": pillar in spec.latent_pillars, "domains": rows})
    return out


def _sources(code: str, ind: pd.DataFrame, spec: Spec) -> list[str]:
    if code in spec.derived:
        return sorted({s for part in spec.derived[code] for s in _sources(part, ind, spec)})
    source = ind.loc[code, "source"] if code in ind.index else None
    return [str(source)] if isinstance(source, str) else []


def steps(spec: Spec | None = None) -> list[dict]:
    """How a score is made, stage by stage: {stage, text} with the spec's arguments."""
    spec = spec or load_spec()
    st, o = spec.stages, spec.observations
    screen, impute, treat = st.get("screen", {}), st.get("impute", {}), st.get("treat", {})
    norm, weight, agg = st.get("normalise", {}), st.get("weight", {}), st.get("aggregate", {})
    weights = weight.get("weights", {})
    index_parts = " ".join(
        f"The {i} index combines {', '.join(spec.labels.get(p, p).lower() for p in ps[:-1])}"
        f"{' and ' if len(ps) > 1 else ''}{spec.labels.get(ps[-1], ps[-1]).lower()}."
        for i, ps in spec.indices.items() if ps)
    out = [
        ("Observations", (f"Each source's values per actor, target and year from "
         f"{o.get('first_year', 'the first year')} on; a value is carried at most "
         f"{o.get('max_age', spec.max_age)} years past its source's last year (it is then "
         "stale: its age is kept, shown, and widens the interval); rows flagged "
         f"{', '.join(o.get('skip_flags', [])) or 'suspect'} are not used; a target "
         "outside a source's coverage is missing, never zero.")),
        ("Screening", (f"A target is scored on a pillar when it has data for at least "
         f"{screen.get('unit_threshold', 0):.0%} of the pillar's core domains, an indicator "
         f"is kept when it covers at least {screen.get('indicator_threshold', 0):.0%} of "
         "those targets; an index score needs every pillar that feeds it "
         f"({screen.get('index_threshold', 1):.0%}), so every target in one ranking is "
         "scored on the same core components. Partial domains (marked below) are added "
         "where their sources cover a target and never decide who is scored.")),
        ("Missing values", "A core component a scored target lacks is filled with "
         + IMPUTE.get(impute.get("method"), str(impute.get("method"))).format(
             k=impute.get("k", 5)) + " and listed as imputed on the target's scores."),
        ("Outliers", "An indicator whose distribution is strongly skewed (|skewness| > "
         f"{treat.get('skew', 2)} and kurtosis > {treat.get('kurtosis', 3.5)}) has up to "
         f"{treat.get('winmax', 5)} extreme values winsorised, or is log-transformed when "
         "that is not enough (the JRC/OECD rule)." if treat.get("method") == "jrc" else
         f"Outliers: {treat.get('method', 'none')}."),
        ("Normalisation", "Every indicator is put on 0-100 by "
         + NORMALISE.get(norm.get("method"), str(norm.get("method")))
         + ": a score says where a target stands among the actor's targets that year, not "
         "an absolute amount. An indicator whose direction is negative enters reversed."),
        ("Weights", "Indicators are weighted equally within their domain, domains within "
         "their pillar; the pillars of an index carry the weights "
         + ", ".join(f"{spec.labels.get(k, k).lower()} {v:g}" for k, v in weights.items())
         + " (change them on the weights page)." if weights else
         "Indicators, domains and pillars are weighted equally."),
        ("Aggregation", "Domains, pillars and the index are "
         + AGGREGATE.get(agg.get("method"), str(agg.get("method")))
         + f" of their components. {index_parts} Attraction and resilience are scored "
         "alongside: attraction is the other axis of the quadrant, resilience feeds "
         "vulnerability."),
    ]
    return [{"stage": s, "text": t} for s, t in out]


def uncertainty(spec: Spec | None = None, runs: int | None = None) -> dict:
    """What the Monte Carlo analysis varies (`uncertainty` of the spec): runs (the stored
    run's when given), varied: [{setting, what, alternatives}], weights, drop_one,
    data_noise, score_runs, and the meaning of an interval, in words."""
    spec = spec or load_spec()
    u = spec.uncertainty
    varied = [{"setting": k, "what": VARIED.get(k, k), "alternatives": list(v)}
              for k, v in u.get("vary", {}).items()]
    conc = u.get("weights", {}).get("concentration")
    text = [
        (f"Each of {runs or u.get('runs')} runs draws one choice for every setting below "
        "(each alternative equally likely) and recomputes every score."),
        (f"Weights are drawn around their nominal values (Dirichlet, concentration {conc} "
         "times the nominal weights, per parent)." if conc else ""),
        ("One component (domain) at a time is also left out." if u.get("drop_one") ==
         "components" else ""),
        ("Data noise: each value is drawn within its published standard error, and stale "
         "values (carried past their source's last year) the more widely the older they "
         "are." if u.get("data_noise") else ""),
        (f"A score's 95% interval is the 2.5th to 97.5th percentile of its value over "
        f"{u.get('score_runs', 'the')} of these runs; a rank interval runs from the 5th to "
        "the 95th percentile of its rank over the runs (rank 1 = most influence). A score "
        "whose inputs do not vary (a binary membership, a count) has no interval, and the "
        "pages say so in words."),
    ]
    return {"runs": runs or u.get("runs"), "varied": varied, "text": [t for t in text if t]}


def latent(db: Database | None, spec: Spec | None = None) -> dict:
    """The latent measurement model: which pillars it scores, its settings, a description,
    and the stored fits' diagnostics (`fits`: actor, pillar, targets, years, indicators,
    n_obs, steps, final_elbo, elbo_rel_change, converged, seconds, created_at)."""
    spec = spec or load_spec()
    m = spec.measurement or {}
    fits: list[dict] = []
    if db is not None:
        from sharppower.index.latent.store import read_fits

        frame = read_fits(db)
        for r in frame.to_dict("records"):
            years = json.loads(r["years"] or "[]")
            fits.append({
                "actor": r["actor"], "pillar": r["pillar"],
                "targets": len(json.loads(r["targets"] or "[]")),
                "years": f"{min(years)}-{max(years)}" if years else "",
                "indicators": len(json.loads(r["indicators"] or "[]")),
                "n_obs": r["n_obs"], "steps": r["steps"], "final_elbo": r["final_elbo"],
                "elbo_rel_change": r["elbo_rel_change"], "converged": bool(r["converged"]),
                "seconds": r["seconds"], "created_at": str(r["created_at"])[:19]})
    pillars = [spec.labels.get(p, p) for p in spec.latent_pillars]
    text = (f"The {', '.join(p.lower() for p in pillars)} pillar is scored by a latent "
            "measurement model rather than an average: every indicator of the pillar is "
            "read as a noisy measurement of one unobserved level per actor, target and "
            "year, which drifts from year to year (a random walk); each indicator has its "
            "own loading, intercept and noise (normal for continuous values, negative "
            "binomial for counts, Bernoulli for yes/no), and uses every source inside its "
            "coverage (a source that does not cover a target says nothing about it, rather "
            "than zero). The model is fitted by stochastic variational inference "
            f"(NumPyro; {m.get('steps')} steps, learning rate {m.get('lr')}, seed "
            f"{m.get('seed')}); {m.get('draws')} posterior draws give each score its "
            "interval, and the index is recomputed per draw.") if pillars else ""
    return {"pillars": pillars, "settings": {k: m.get(k) for k in ("steps", "draws", "seed",
                                                                    "lr")},
            "text": text, "fits": fits}


def coverage(db: Database, indicators: list[str] | None = None) -> pd.DataFrame:
    """Per actor (None for a target-only indicator such as a resilience covariate) and
    indicator (only those listed, when given): the distinct targets and years with a
    value, the first and last year (columns :data:`COVERAGE_COLUMNS`)."""
    stmt = (sa.select(obs.c.actor, obs.c.indicator,
                      sa.func.count(sa.distinct(obs.c.target)).label("targets"),
                      sa.func.count(sa.distinct(obs.c.year)).label("years"),
                      sa.func.min(obs.c.year).label("first_year"),
                      sa.func.max(obs.c.year).label("last_year"))
            .where(obs.c.value.isnot(None))
            .group_by(obs.c.actor, obs.c.indicator))
    if indicators is not None:
        stmt = stmt.where(obs.c.indicator.in_(sorted(indicators)))
    frame = db.read(stmt)
    return frame.reindex(columns=COVERAGE_COLUMNS)
