"""Migration modules, applied in name order (see sharppower.store.migrations)."""
