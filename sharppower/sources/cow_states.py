"""The Correlates of War states list (`ccode, stateabb, statenme`), shared by the
connectors that read COW or Gleditsch-Ward state codes (COW trade, UCDP/PRIO, MID): its
mirror file is declared once here and registered with the country resolver, which also
knows the codes whose ISO3 depends on the year (country_aliases.yaml, `cow:`)."""

from __future__ import annotations

import pandas as pd

from sharppower.countries import CountryResolver
from sharppower.sources import readers
from sharppower.sources.base import SourceFile
from sharppower.sources.snapshot import Snapshot

STATES = "cow_states_lookup.csv"
STATES_FILE = SourceFile(STATES, "https://correlatesofwar.org/wp-content/uploads/states2016.csv",
                         "cow_trade/cow_states_lookup.csv", format="csv",
                         derive="COW's state list as published",
                         checked="the URL as the connectors have read it; not fetched from here "
                                 "(no network)")


def read_states(snapshot: Snapshot) -> pd.DataFrame:
    """The states list of a snapshot (ccode as an integer; errors name file, row, field)."""
    df = readers.read_csv(snapshot.path(STATES), STATES, required=["ccode", "stateabb", "statenme"])
    return readers.integers(df, ["ccode"], STATES)


def register_states(snapshot: Snapshot, res: CountryResolver) -> CountryResolver:
    """Teach the resolver the COW codes of the snapshot's states list; returns it."""
    res.register_cow(read_states(snapshot))
    return res
