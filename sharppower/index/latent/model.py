"""The latent measurement model (NumPyro) and its SVI fit, one compiled program per shape.

Model, for one actor x pillar with targets t, years y and indicators k:

    theta[t, 0]  ~ Normal(0, 1)
    theta[t, y]  = theta[t, y-1] + sigma * eps[t, y],  eps ~ Normal(0, 1), sigma ~ HalfNormal(0.3)
    eta[k, t, y] = alpha[k] + d[k] * lambda[k] * theta[t, y] + offset
    lambda[k]    ~ HalfNormal(1)       (positive loading; d[k] = +1 or -1 from the codebook)
                   binary k: lambda[k] ~ Uniform(0, BINARY_MAX_LOADING)
    alpha[k]     ~ Normal(0, 2)
    continuous:  x ~ Normal(eta, s[k]),                    s[k] ~ HalfNormal(1)
    count:       x ~ NegativeBinomial2(exp(eta), phi[k]),  phi[k] ~ Gamma(2, 0.2)
    binary:      x ~ Bernoulli(logit = eta)

Observations are dense grids per kind (indicator slot x target x year: value, mask, offset),
each likelihood computed only on its kind's slots; a masked cell (no observation, or
padding) adds nothing, so data of any size up to the padded shape share one compiled fit
(`fit`). Dense grids, not flat observations gathered from theta: the gradient of a gather
is a scatter, which XLA runs serially on CPU (a step of the mirror's fits: 9.8 ms gathered,
2.4 ms on the grid, load 6). JAX is imported here only: import this module lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from jax.scipy.special import gammaln
from numpyro.infer import SVI, Trace_ELBO, init_to_median
from numpyro.infer.autoguide import AutoNormal
from numpyro.optim import Adam

jax.config.update("jax_platform_name", "cpu")


def _persistent_cache() -> None:
    """Compiled programs kept on disk (JAX's persistent compilation cache, in the user's
    cache folder or SHARPPOWER_JAX_CACHE; "off" disables it): a later build's first fit
    skips XLA compilation (~15-20 s of a cold fit on this machine)."""
    import os

    from platformdirs import user_cache_dir

    where = os.environ.get("SHARPPOWER_JAX_CACHE") or os.path.join(
        user_cache_dir("sharppower"), "jax")
    if where == "off":
        return
    jax.config.update("jax_compilation_cache_dir", where)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 1.0)


_persistent_cache()

CONTINUOUS, COUNT, BINARY = 0, 1, 2
KINDS = {"continuous": CONTINUOUS, "count": COUNT, "binary": BINARY}


def theta_path(z0, eps, sigma):
    """theta (..., T, Y) from the start z0 (..., T), innovations eps (..., T, Y-1) and
    the innovation scale sigma (...)."""
    steps = jnp.cumsum(sigma[..., None, None] * eps, axis=-1)
    return jnp.concatenate([z0[..., None], z0[..., None] + steps], axis=-1)


def _eta(theta, alpha, slope, ix, offset=0.0):
    """(slots, T, Y) linear predictor of the indicators in `ix` on the whole target x year
    grid: broadcasting, no gather of observations (whose gradient is a serial scatter)."""
    return alpha[ix][:, None, None] + slope[ix][:, None, None] * theta[None] + offset


def _sum(ll, mask):
    return jnp.sum(jnp.where(mask > 0, ll, 0.0))


# A binary indicator says one bit per target-year. Left free, the loading of a 0/1 indicator
# that separates a few targets (GSDB "sanctions in force", where long-running minor US
# measures count as much as an embargo) grew to 4 on the logit scale: that one bit then
# moved theta by several standard deviations and decided the ranking (Costa Rica, Haiti,
# Indonesia in the USA's top 10). Bounded at 1.5 (a 1-SD rise of theta multiplies the odds
# by at most 4.5, the upper range of IRT discriminations), a binary indicator informs the
# score without deciding it; counts and continuous indicators carry the intensity.
BINARY_MAX_LOADING = 1.5


def model(cont_ix, cont_value, cont_mask, count_ix, count_value, count_offset, count_lgf,
          count_mask, bin_ix, bin_value, bin_mask, direction, binary, n_targets: int,
          n_years: int, n_ind: int):
    sigma = numpyro.sample("sigma", dist.HalfNormal(0.3))
    z0 = numpyro.sample("z0", dist.Normal(0.0, 1.0).expand([n_targets]).to_event(1))
    eps = numpyro.sample("eps", dist.Normal(0.0, 1.0).expand([n_targets, n_years - 1])
                         .to_event(2))
    alpha = numpyro.sample("alpha", dist.Normal(0.0, 2.0).expand([n_ind]).to_event(1))
    free = numpyro.sample("loading", dist.HalfNormal(1.0).expand([n_ind]).to_event(1))
    bounded = numpyro.sample("loading_binary", dist.Uniform(0.0, BINARY_MAX_LOADING)
                             .expand([n_ind]).to_event(1))
    loading = jnp.where(binary > 0, bounded, free)
    noise = numpyro.sample("noise", dist.HalfNormal(1.0).expand([n_ind]).to_event(1))
    phi = numpyro.sample("phi", dist.Gamma(2.0, 0.2).expand([n_ind]).to_event(1))
    theta = theta_path(z0, eps, sigma)
    slope = direction * loading
    # each likelihood only on the indicators of its kind (grids of slots x targets x years)
    eta = _eta(theta, alpha, slope, cont_ix)
    s = (noise + 1e-3)[cont_ix][:, None, None]
    normal = -0.5 * ((cont_value - eta) / s) ** 2 - jnp.log(s) - 0.5 * jnp.log(2 * jnp.pi)
    eta = _eta(theta, alpha, slope, count_ix, count_offset)
    mu = jnp.exp(jnp.clip(eta, -30.0, 30.0))
    p = (phi + 1e-3)[count_ix][:, None, None]
    count = (gammaln(count_value + p) - gammaln(p) - count_lgf
             + p * jnp.log(p / (p + mu)) + count_value * jnp.log(mu / (p + mu)))
    eta = _eta(theta, alpha, slope, bin_ix)
    binary_ll = bin_value * eta - jnp.logaddexp(0.0, eta)
    numpyro.factor("obs", _sum(normal, cont_mask) + _sum(count, count_mask)
                   + _sum(binary_ll, bin_mask))


@dataclass(frozen=True)
class Shape:
    """Padded sizes: targets, years, indicators, and the indicator slots of each kind
    (continuous, count, binary); one compiled fit each."""

    n_targets: int
    n_years: int
    n_ind: int
    n_cont: int
    n_count: int
    n_binary: int


def _bucket(n: int, least: int = 8) -> int:
    return max(least, 1 << int(np.ceil(np.log2(max(n, 1)))))


def shape_for(n_targets: int, n_years: int, kinds: list[str]) -> Shape:
    """Round sizes up (powers of two, with floors; years to a multiple of 8) so that actor x
    pillar fits of similar size reuse one compiled program (the mirror's four pressure
    fits, 5-9 indicators of which 1-2 continuous, 3-6 counts, 1 binary, share one)."""
    n = {k: sum(1 for x in kinds if x == k) for k in ("continuous", "count", "binary")}
    return Shape(_bucket(n_targets, 16), int(8 * np.ceil(n_years / 8)),
                 _bucket(len(kinds), 16), _bucket(n["continuous"], 2),
                 _bucket(n["count"], 8), _bucket(n["binary"], 2))


# XLA's CPU backend at optimisation level 1, not 3: compiling the fit takes about half the
# time (update 5.6 -> 3.0 s, init 6.0 -> ~2.5 s cold) and a step runs as fast (2.1-2.5 ms)
COMPILER_OPTIONS = {"xla_backend_optimization_level": 1}


def _aot(fn):
    """`fn` (jitted) compiled ahead of time with COMPILER_OPTIONS, once per argument
    structure and shapes (JAX's persistent cache still applies)."""
    done: dict = {}

    def call(*args):
        leaves, tree = jax.tree_util.tree_flatten(args)
        key = (tree, tuple((np.shape(x), np.result_type(x).str) for x in leaves))
        if key not in done:
            done[key] = fn.lower(*args).compile(compiler_options=COMPILER_OPTIONS)
        return done[key](*args)

    return call


def param_shapes(shape: Shape) -> dict[str, tuple[int, ...]]:
    """The guide's parameters (AutoNormal: `<site>_auto_loc`, `<site>_auto_scale`) and their
    shapes for a padded shape: a stored fit warm-starts only a fit of the same shapes."""
    sites = {"sigma": (), "z0": (shape.n_targets,), "eps": (shape.n_targets, shape.n_years - 1),
             **{k: (shape.n_ind,) for k in ("alpha", "loading", "loading_binary", "noise", "phi")}}
    return {f"{k}_auto_{p}": v for k, v in sites.items() for p in ("loc", "scale")}


CHUNK = 250  # Adam steps per compiled call: a fit of any length reuses one program


@lru_cache(maxsize=16)
def _program(shape: Shape, lr: float, chunk: int):
    """(svi, guide, run, init): run(state, data) -> (state, losses) for `chunk` Adam steps,
    init(key, params or None, data) -> state; jitted once per shape, learning rate and chunk."""
    sizes = {"n_targets": shape.n_targets, "n_years": shape.n_years, "n_ind": shape.n_ind}

    def bound(**data):
        return model(**data, **sizes)

    # start at the prior medians (theta 0, small sigma): a uniform start in (-2, 2) on the
    # unconstrained scale let the random walk reach exp(30) counts, and the ELBO overflowed
    guide = AutoNormal(bound, init_loc_fn=init_to_median(num_samples=15), init_scale=0.1)
    svi = SVI(bound, guide, Adam(lr), Trace_ELBO())

    @_aot
    @jax.jit
    def run(state, data):
        def body(s, _):
            s, loss = svi.update(s, **data)
            return s, loss
        return jax.lax.scan(body, state, None, length=chunk)

    # svi.init traced as one program: run eagerly, the guide's set-up (prior medians, a
    # valid start, the transforms) compiled some 380 small programs one by one (15 s cold)
    # (the guide's prototype is set up afresh in each trace: one set up in an earlier trace,
    # cold or warm, holds that trace's values)
    def start(key, params, data):
        guide.prototype_trace = None
        return svi.init(key, init_params=params, **data)

    init = _aot(jax.jit(start))
    return svi, guide, run, init


@dataclass
class Fitted:
    """A fit: `params` (the guide's parameters, numpy: unconstrained locations, positive
    scales), `losses` (-ELBO per step), whether it was warm-started."""

    params: dict[str, np.ndarray]
    losses: np.ndarray
    warm: bool


def fit(data: dict[str, np.ndarray], shape: Shape, steps: int = 2500,
        seed: int = 0, lr: float = 0.02, init_params: dict[str, np.ndarray] | None = None
        ) -> Fitted:
    """Fit the padded data by SVI (AutoNormal, Adam), `steps` rounded up to a multiple of
    CHUNK when longer; `init_params` (a stored fit's parameters of the same shape) warm-starts it.
    Deterministic for a seed."""
    chunk = min(int(steps), CHUNK)
    svi, _, run, start = _program(shape, float(lr), chunk)
    arrays = {k: jnp.asarray(v) for k, v in data.items()}
    key_init = jax.random.PRNGKey(int(seed))
    warm = init_params is not None
    init = {k: jnp.asarray(v) for k, v in init_params.items()} if warm else None
    state = start(key_init, init, arrays)
    chunks = []
    for _ in range(max(1, -(-int(steps) // chunk))):
        state, losses = run(state, arrays)
        chunks.append(np.asarray(losses))
    losses = np.concatenate(chunks)
    params = svi.get_params(state)
    return Fitted({k: np.asarray(v) for k, v in params.items()}, np.asarray(losses), warm)
