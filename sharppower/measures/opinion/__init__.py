"""Attraction: a public-opinion engine on Pew's Global Attitudes Survey.

From the respondent-level data (`pew-global-attitudes`: the harmonised RDS, or Pew's own
SPSS waves through a column mapping) it computes, for every actor x public x year, the
weighted shares favourable, unfavourable, very unfavourable, don't know / refused and net
favourability, each with a design-based standard error (Taylor linearisation) and 95%
interval (`estimate`); runs data-quality checks that flag, never fix (`quality`); stores
estimates in `opinion_estimates` and the headline figures as `observations` (att_favorable,
att_unfavorable, att_very_unfavorable, att_net, source "pew-global-attitudes"); imports
published toplines for items without microdata (`toplines`).

How the index and the analyses skip flagged data: an observation whose `flags` JSON list
contains "suspect" was found by a quality check (the lock-step defect of a wave, an impossible
or inconsistent percentage, a public published under a second code) and is left out by
default. The check names sit beside "suspect" in the list and the details in `note` and in
`opinion_quality`. Self-ratings (a public rating its own country) are not written to
`observations` at all; `estimates(..., include_self=True)` returns them.

Python API (each returns a DataFrame; columns in the docstrings):

    estimates(db, actor=None, public=None, year=None, include_self=False)
    changes(db, actor=None, public=None, measure="unfavorable", base_year=None)
    trend(db, actor=None, public=None, measure="unfavorable", last=5)
    medians(db, actor=None, year=None)
    quality_flags(db, actor=None, year=None)
    toplines(db, actor=None, public=None, year=None)
    import_toplines(db, path) / import_wave(db, path, mapping)
    compute_estimates(respondents, origin, row_label)   # the engine itself, no store
"""

from sharppower.measures.opinion.api import (
    changes,
    estimates,
    medians,
    quality_flags,
    toplines,
    trend,
)
from sharppower.measures.opinion.estimate import compute_estimates
from sharppower.measures.opinion.schema import MEASURES, METHOD_VERSION, STATE_ACTORS
from sharppower.measures.opinion.topline_csv import import_toplines
from sharppower.measures.opinion.waves import import_wave

__all__ = [
    "MEASURES",
    "METHOD_VERSION",
    "STATE_ACTORS",
    "changes",
    "compute_estimates",
    "estimates",
    "import_toplines",
    "import_wave",
    "medians",
    "quality_flags",
    "toplines",
    "trend",
]
