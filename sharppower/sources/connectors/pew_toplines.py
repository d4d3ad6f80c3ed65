"""Pew Research Center toplines: published percentages imported by the user from CSV.

No file is downloaded: a user transcribes published figures (Pew reports and topline
questionnaires) into a CSV with the columns actor, public, year, question, response,
percent, n, source_url and imports it with `sharppower opinion import-toplines FILE`
(`sharppower.measures.opinion.topline_csv`). Every row keeps its source URL. The build has
nothing to load from a snapshot (no files) and skips it.
"""

from __future__ import annotations

from sharppower.sources.base import Source

SOURCE = Source(
    name="pew-toplines",
    actors="any",
    title="Pew Research Center toplines (published percentages, imported from CSV)",
    publisher="Pew Research Center",
    homepage="https://www.pewresearch.org/global/",
    licence="Pew Research Center terms of use (attribution)",
    redistribute=('observations',),
    citation="Pew Research Center, Global Attitudes Survey reports and topline questionnaires; "
    "each imported row cites its page in source_url.",
    files=(),
    coverage="what the user imports (e.g. 'China's influence is getting stronger', 2022)",
    kind="import",
)
