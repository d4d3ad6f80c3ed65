"""Which actors a source measures: the codebook declares the actors, each source declares
whether it measures any of them (`Source.actors == "any"`) or some (a tuple of ISO3).

- `declared(actors)`: the actors an actor-generic connector produces rows for: the ones
  its loader passes (`parse(..., actors=...)`), else the codebook's (packaged, extended by
  the user codebook).
- `missing_warnings(source, frame, actors)`: one warning per declared actor without a
  row in a parsed frame ("imf-dots: no rows for declared actor TUR"), never silence.
- `measured_actors(source, codebook)`: the actors an indicator of the source exists for
  (None: every declared actor), which the index reads (`Spec.applies`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from sharppower.codebook import Codebook, packaged_codebook
from sharppower.sources.base import Source

ANY = "any"


def declared(actors: Iterable[str] | None = None) -> tuple[str, ...]:
    """The actors to produce rows for: those given, else every codebook actor."""
    return tuple(actors) if actors is not None else tuple(packaged_codebook().actors)


def missing_warnings(source: str, frame: pd.DataFrame, actors: Iterable[str],
                     why: str = "") -> list[str]:
    """A warning per actor with no row in `frame` (its `actor` column)."""
    seen = set(frame["actor"].dropna()) if "actor" in frame.columns else set()
    note = f" ({why})" if why else ""
    return [f"{source}: no rows for declared actor {a}{note}" for a in actors if a not in seen]


def measured_actors(source: Source | None, codebook: Codebook) -> list[str] | None:
    """The codebook actors a source's indicators exist for; None when every declared
    actor: an actor-generic source, a source about targets only (actors `()`: its values
    are the target's, shared by every actor) or one the registry does not know (the
    evidence ledger records any actor)."""
    if source is None or source.actors == ANY or not source.actors:
        return None
    return [a for a in codebook.actors if a in source.actors]
