"""Tables of the latent measurement model (migration 0090).

- latent_fits: one row per actor x pillar fit: its input fingerprint (data of that actor x
  pillar, model version, settings), axes (targets, years, indicators as JSON), size,
  diagnostics (final ELBO, relative ELBO change over the last 10% of steps, converged,
  warm-started, seconds) and the guide's parameters (npz bytes: the cache and warm start).
- latent_scores: per actor, node (a latent pillar, or an index computed per draw), target
  and year: posterior mean and sd of theta, its 95% interval, the display score 0-100 with
  its 95% interval, the rank (of the posterior mean score) with its 90% interval from the
  draws, and the numbers of indicators and sources observed in that target-year.
- latent_validation: leave-one-source-out: per actor, pillar, source and indicator, the
  Spearman correlation of the latent score fitted without the source with that
  indicator, and the number of target-years compared.
"""

from __future__ import annotations

import sqlalchemy as sa

meta = sa.MetaData()
TS = sa.DateTime(timezone=True)

latent_fits = sa.Table(
    "latent_fits", meta,
    sa.Column("actor", sa.String(3), nullable=False),
    sa.Column("pillar", sa.String(50), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("settings", sa.Text),
    sa.Column("targets", sa.Text),
    sa.Column("years", sa.Text),
    sa.Column("indicators", sa.Text),
    sa.Column("n_obs", sa.Integer),
    sa.Column("steps", sa.Integer),
    sa.Column("final_elbo", sa.Float),
    sa.Column("elbo_rel_change", sa.Float),
    sa.Column("converged", sa.Boolean),
    sa.Column("warm", sa.Boolean),
    sa.Column("seconds", sa.Float),
    sa.Column("params", sa.LargeBinary),
    sa.PrimaryKeyConstraint("actor", "pillar"),
)

latent_scores = sa.Table(
    "latent_scores", meta,
    sa.Column("actor", sa.String(3), nullable=False),
    sa.Column("node", sa.String(100), nullable=False),
    sa.Column("target", sa.String(3), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("theta_mean", sa.Float),
    sa.Column("theta_sd", sa.Float),
    sa.Column("theta_low", sa.Float),
    sa.Column("theta_high", sa.Float),
    sa.Column("score", sa.Float),
    sa.Column("score_low", sa.Float),
    sa.Column("score_high", sa.Float),
    sa.Column("rank", sa.Float),
    sa.Column("rank_low", sa.Float),
    sa.Column("rank_high", sa.Float),
    sa.Column("n_ranked", sa.Integer),
    sa.Column("n_indicators", sa.Integer),
    sa.Column("n_sources", sa.Integer),
    sa.PrimaryKeyConstraint("actor", "node", "target", "year"),
)

latent_validation = sa.Table(
    "latent_validation", meta,
    sa.Column("actor", sa.String(3), nullable=False),
    sa.Column("pillar", sa.String(50), nullable=False),
    sa.Column("source", sa.String(100), nullable=False),
    sa.Column("indicator", sa.String(100), nullable=False),
    sa.Column("spearman", sa.Float),
    sa.Column("n", sa.Integer),
    sa.Column("created_at", TS),
    sa.PrimaryKeyConstraint("actor", "pillar", "source", "indicator"),
)

TABLES = [latent_fits, latent_scores, latent_validation]
