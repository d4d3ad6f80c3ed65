"""One module per public source; each exposes SOURCE (a sharppower.sources.base.Source)."""
