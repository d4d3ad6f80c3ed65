"""The latent measurement model, an index method (`measurement: {method: latent}`).

A pillar listed in the spec's `measurement.pillars` is scored, per actor, by a dynamic
latent-variable model (NumPyro SVI; `model`) over its indicators, each with the
likelihood its codebook `type` calls for, an observation entering only where its source
looks (`data`). Fits are cached by input fingerprint and warm-started (`fit`); scores,
intervals and ranks come from posterior draws, and the index is computed per draw
(`outputs`); `measure.measure` runs it on a composite `Run`, `store` keeps fits, scores
and diagnostics, `validate.leave_one_source_out` checks each source against the others.
JAX is imported only when a fit runs (never on a cache hit).
"""

MODEL_VERSION = "4"  # bump when the model or its data preparation changes (refits all)
OUTPUT_VERSION = "5"  # bump when scores from the draws change (display scale): rebuilds, no refit
