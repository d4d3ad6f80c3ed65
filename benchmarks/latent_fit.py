"""Cost of the latent measurement model: a full actor x pillar fit and a warm refit.

    python benchmarks/latent_fit.py                    # synthetic, shaped like the mirror
    python benchmarks/latent_fit.py --db sqlite:///PATH  # also every latent actor x pillar
                                                          # of a built store
    python benchmarks/latent_fit.py --steps 3000 --targets 220 --years 24 --indicators 8

Synthetic: targets x years x indicators (half continuous, half counts) on a simulated
random-walk latent, ~15% of cells missing; prints the cold fit time (compilation
included), the correlation of the posterior mean with the simulated latent, the warm
refit time after one source's values change (the compiled program and the stored
parameters reused), the cache-hit time, and the diagnostics. With --db: the spec's latent
pillars on the store's inputs, every actor, cold (no cache) then cached.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from sharppower.index.latent.data import pillar_data
from sharppower.index.latent.fit import StoredFit, fit_pillar


def synthetic(targets: int, years: int, indicators: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, (targets, 1)) + np.cumsum(
        np.concatenate([np.zeros((targets, 1)), rng.normal(0, 0.2, (targets, years - 1))], 1), 1)
    th = theta.reshape(-1)
    idx = pd.MultiIndex.from_product([["CHN"], [f"T{t:03d}" for t in range(targets)],
                                      range(2000, 2000 + years)],
                                     names=["actor", "target", "year"])
    cols, kinds = {}, {}
    for k in range(indicators):
        code = f"x{k}"
        if k % 2 == 0:
            cols[code], kinds[code] = rng.uniform(0.5, 1.0) * th + rng.normal(0, 0.5, th.size), \
                "continuous"
        else:
            cols[code] = rng.poisson(np.exp(0.5 + rng.uniform(0.4, 0.9) * th)).astype(float)
            kinds[code] = "count"
        cols[code][rng.random(th.size) < 0.15] = np.nan
    return pd.DataFrame(cols, index=idx), kinds, theta


def _data(values, kinds):
    return pillar_data(values, None, "CHN", "pressure", list(kinds), kinds,
                       dict.fromkeys(kinds, 1), {c: f"src_{c}" for c in kinds})


def synthetic_run(args) -> None:
    settings = {"steps": args.steps, "draws": args.draws, "seed": 1, "lr": args.lr}
    values, kinds, theta = synthetic(args.targets, args.years, args.indicators)
    data = _data(values, kinds)
    print(f"synthetic: {args.targets} targets x {args.years} years x {args.indicators} "
          f"indicators, {len(data.obs)} observations, {args.steps} steps, {args.draws} draws")
    t = time.perf_counter()
    cold = fit_pillar(data, settings)
    print(f"  cold fit (with compilation): {time.perf_counter() - t:.1f} s, "
          f"r = {np.corrcoef(cold.theta.mean(0).ravel(), theta.ravel())[0, 1]:.3f}, "
          f"{_diag(cold.diagnostics)}")
    stored = StoredFit(cold.fingerprint, data.targets, data.years, data.indicators, cold.params)
    changed = values.copy()
    changed["x0"] = changed["x0"] + np.random.default_rng(2).normal(0, 0.1, len(changed))
    t = time.perf_counter()
    warm = fit_pillar(_data(changed, kinds), settings, stored)
    print(f"  warm refit after one source changed: {time.perf_counter() - t:.1f} s, "
          f"{_diag(warm.diagnostics)}")
    t = time.perf_counter()
    fit_pillar(data, settings, stored)
    print(f"  cache hit (no fit, draws from the stored parameters): "
          f"{time.perf_counter() - t:.2f} s")


def _diag(d: dict) -> str:
    return (f"final ELBO {d['final_elbo']:.1f}, last-10% change {d['elbo_rel_change']:.2%}, "
            f"converged {d['converged']}, warm {d['warm']}")


def store_run(url: str, source: str = "eurepoc-cyber-incidents") -> None:
    """Every actor x latent pillar of a built store: cold (no cache; one compiled program
    for all), then a warm refit of each after one source's values changed (+1 on one
    target-year of each of its indicators), then cache hits; times against issue 26's
    goals (all fits < 30 s, a refit after one source changed < 10 s)."""
    from sharppower.index.inputs import load_inputs
    from sharppower.index.latent.measure import data_for, measure, settings_of
    from sharppower.index.spec import load_spec
    from sharppower.store import Database

    db = Database(url)
    spec = load_spec()
    inputs = load_inputs(db, spec)
    settings = settings_of(spec)
    print(f"store {url}: latent pillars {spec.latent_pillars}, {settings}")
    t = time.perf_counter()
    measured = measure(spec, inputs)
    cold = time.perf_counter() - t
    print(f"  every actor x pillar, no cache: {cold:.1f} s (goal 30 s: {cold / 30:.2f} x)")
    for (actor, pillar), fit in measured.fits.items():
        print(f"    {actor} {pillar}: {len(fit.data.targets)} targets, "
              f"{len(fit.data.indicators)} indicators, {fit.diagnostics['n_obs']} observations, "
              f"{fit.diagnostics['seconds']:.1f} s, {_diag(fit.diagnostics)}")
    warm_total = hit_total = 0.0
    for (actor, pillar), fit in measured.fits.items():
        data = data_for(spec, inputs, actor, pillar)
        stored = StoredFit(fit.fingerprint, data.targets, data.years, data.indicators,
                           fit.params)
        codes = {i for i, c in enumerate(data.indicators) if data.sources[c] == source}
        changed = data.obs.copy()
        first = changed.index[changed["i"].isin(codes)][:1]
        changed.loc[first, "value"] += 1.0
        data_changed = type(data)(**{**data.__dict__, "obs": changed})
        t = time.perf_counter()
        warm = fit_pillar(data_changed, settings, stored)
        warm_s = time.perf_counter() - t
        t = time.perf_counter()
        fit_pillar(data, settings, stored)
        hit_s = time.perf_counter() - t
        warm_total += warm_s
        hit_total += hit_s
        print(f"    {actor} {pillar}: refit after {source} changed {warm_s:.1f} s "
              f"(goal 10 s: {warm_s / 10:.2f} x), {_diag(warm.diagnostics)}; "
              f"cache hit {hit_s:.2f} s")
    print(f"  refits after one source changed, every actor: {warm_total:.1f} s; "
          f"cache hits {hit_total:.2f} s (a build with no change skips the index step)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a built store's URL, e.g. sqlite:///PATH")
    parser.add_argument("--targets", type=int, default=220)
    parser.add_argument("--years", type=int, default=24)
    parser.add_argument("--indicators", type=int, default=8)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--store-only", action="store_true", help="skip the synthetic run")
    parser.add_argument("--draws", type=int, default=500)
    args = parser.parse_args()
    if not args.store_only:
        synthetic_run(args)
    if args.db:
        store_run(args.db)


if __name__ == "__main__":
    main()
