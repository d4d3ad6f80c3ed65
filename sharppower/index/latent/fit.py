"""Fit one actor x pillar: cache by input fingerprint, warm start, diagnostics, draws.

`fit_pillar(data, settings, stored)` returns a `PillarFit`. With a `stored` fit of the
same fingerprint (the actor x pillar's observations, axes, MODEL_VERSION and the
settings) nothing is refitted: the posterior draws are regenerated from the stored
guide parameters in NumPy (no JAX import, seeded). A stored fit with the same axes but
other data warm-starts SVI from its parameters for a quarter of the steps (`WARM`);
otherwise SVI starts cold.

Diagnostics (`diagnose`): final ELBO (mean of the last 1% of steps), the relative change
of the mean ELBO between the two halves of the last 10% of steps, and `converged`
(finite, relative change < `tolerance`, 2% by default: the one-particle ELBO estimate is
noisy, so its half-window means still differ by a fraction of a percent at convergence).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from sharppower.index.latent.data import PillarData

TOLERANCE = 0.02
WARM = 4  # a warm start runs a quarter of the steps (the diagnostics still judge it)


@dataclass
class StoredFit:
    fingerprint: str
    targets: list[str]
    years: list[int]
    indicators: list[str]
    params: dict[str, np.ndarray]


@dataclass
class PillarFit:
    """`theta`: (draws, T, Y) posterior draws of the latent score; `diagnostics`: final_elbo,
    elbo_rel_change, converged, warm, cached, seconds, steps, n_obs."""

    data: PillarData
    fingerprint: str
    params: dict[str, np.ndarray]
    theta: np.ndarray
    diagnostics: dict[str, Any]

    @property
    def warning(self) -> str | None:
        d = self.diagnostics
        if d.get("converged", True):
            return None
        return (f"latent model {self.data.actor} {self.data.pillar}: SVI did not converge "
                f"(ELBO changed {d['elbo_rel_change']:.2%} over the last 10% of "
                f"{d['steps']} steps; raise measurement.steps)")


def diagnose(losses: np.ndarray, tolerance: float = TOLERANCE) -> dict[str, Any]:
    losses = np.asarray(losses, dtype=float)
    n = len(losses)
    tail = losses[-max(n // 10, 5):]
    k = max(len(tail) // 2, 1)
    first, last = float(np.mean(tail[:k])), float(np.mean(tail[-k:]))
    final = -float(np.mean(losses[-max(n // 100, 1):]))
    change = abs(last - first) / max(abs(last), 1e-9)
    ok = bool(np.isfinite(losses).all() and change < tolerance)
    return {"final_elbo": final, "elbo_rel_change": float(change), "converged": ok}


def pack(params: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **params)
    return buf.getvalue()


def unpack(blob: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(blob)) as z:
        return {k: z[k] for k in z.files}


def theta_from_params(params: dict[str, np.ndarray], n_targets: int, n_years: int,
                      draws: int, seed: int) -> np.ndarray:
    """(draws, T, Y) draws of theta from AutoNormal's parameters (unconstrained locations
    and scales; sigma is positive: exp of its normal draw), in NumPy."""
    rng = np.random.default_rng(seed)

    def site(name: str) -> np.ndarray:
        loc, scale = params[f"{name}_auto_loc"], params[f"{name}_auto_scale"]
        return loc + scale * rng.standard_normal((draws, *np.shape(loc)))

    sigma = np.exp(site("sigma"))
    z0, eps = site("z0"), site("eps")
    walk = np.cumsum(sigma[:, None, None] * eps, axis=-1)
    theta = np.concatenate([z0[..., None], z0[..., None] + walk], axis=-1)
    return theta[:, :n_targets, :n_years]


def fit_pillar(data: PillarData, settings: dict[str, Any],
               stored: StoredFit | None = None) -> PillarFit:
    """Fit (or reuse) the latent model of one actor x pillar; `settings`: steps, draws,
    seed, lr."""
    fp = data.fingerprint(settings)
    draws, seed = int(settings["draws"]), int(settings["seed"])
    T, Y = len(data.targets), len(data.years)
    if stored is not None and stored.fingerprint == fp:
        theta = theta_from_params(stored.params, T, Y, draws, seed)
        return PillarFit(data, fp, stored.params, theta,
                         {"cached": True, "warm": False, "seconds": 0.0,
                          "steps": int(settings["steps"]), "n_obs": len(data.obs)})
    from sharppower.index.latent import model  # JAX: only when a fit runs

    shape = model.shape_for(T, Y, data.kinds)
    same_axes = (stored is not None and stored.targets == data.targets
                 and stored.years == data.years and stored.indicators == data.indicators)
    # and the same padded parameters (a stored fit of an earlier padding starts cold)
    fits = same_axes and {k: np.shape(v) for k, v in stored.params.items()} == \
        model.param_shapes(shape)
    init = stored.params if fits else None
    steps = int(settings["steps"]) if init is None else max(int(settings["steps"]) // WARM, 1)
    start = time.perf_counter()
    fitted = model.fit(data.arrays(shape), shape, steps=steps,
                       seed=seed, lr=float(settings["lr"]), init_params=init)
    seconds = time.perf_counter() - start
    diag = diagnose(fitted.losses)
    diag.update(cached=False, warm=fitted.warm, seconds=seconds, steps=len(fitted.losses),
                n_obs=len(data.obs))
    theta = theta_from_params(fitted.params, T, Y, draws, seed)
    return PillarFit(data, fp, fitted.params, theta, diag)
