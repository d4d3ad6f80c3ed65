"""Connectors to public sources: canonical URL, licence, citation and a parser per source.

`registry.SOURCES` maps a name to a `Source`; `snapshot.pull` fetches a source's files
(from `SHARPPOWER_MIRROR` when set) into an unchanging snapshot with sha256 and provenance;
`load.load_source` parses a snapshot and writes it to the store in one transaction;
`steps.source_step` is a source's step in the build (`sharppower.pipeline`).
"""
