"""Measures built on the store: opinion surveys, the evidence ledger (and later more)."""
