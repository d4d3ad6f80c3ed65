"""Leave-one-source-out: does the latent score, fitted without a source, predict it?

For each actor and latent pillar fed by two or more sources, and each of those sources:
fit the model without the source's observations (cold start, the spec's settings), and
compare the posterior mean of theta (signed by the indicator's codebook direction) with
each of the source's indicators over the target-years where the indicator is observed:
Spearman r and n. A source the others do not predict measures something else (or the
others miss it); low n says the comparison rests on few target-years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from sharppower.index.inputs import Inputs
from sharppower.index.latent.fit import fit_pillar
from sharppower.index.latent.measure import data_for, settings_of
from sharppower.index.spec import Spec

COLUMNS = ["actor", "pillar", "source", "indicator", "spearman", "n"]


def leave_one_source_out(spec: Spec, inputs: Inputs, actors: list[str] | None = None,
                         pillars: list[str] | None = None) -> pd.DataFrame:
    """COLUMNS, one row per actor, latent pillar, left-out source and its indicator."""
    settings = settings_of(spec)
    rows = []
    every = list(pd.unique(inputs.units.get_level_values("actor")))
    for actor in actors or every:
        for pillar in pillars or spec.latent_pillars:
            data = data_for(spec, inputs, actor, pillar)
            sources = sorted(set(data.sources.values()))
            if data.obs.empty or len(sources) < 2:
                continue
            for source in sources:
                rest = data.without(source)
                if rest.obs.empty:
                    continue
                mean = fit_pillar(rest, settings).theta.mean(axis=0)
                for i, code in enumerate(data.indicators):
                    if data.sources[code] != source:
                        continue
                    held = data.obs[data.obs["i"] == i]
                    pred = data.directions[i] * mean[held["t"].to_numpy(), held["y"].to_numpy()]
                    ok = len(held) > 2 and np.ptp(held["value"]) > 0 and np.ptp(pred) > 0
                    r = float(spearmanr(pred, held["value"])[0]) if ok else np.nan
                    rows.append([actor, pillar, source, code, r, len(held)])
    return pd.DataFrame(rows, columns=COLUMNS)
