"""Connectors to public sources: canonical URL, licence, citation and a parser per source.

`registry.SOURCES` maps a name to a `Source`; `snapshot.pull` fetches a source's files
(from `SHARPPOWER_MIRROR` when set, else through `download.Downloader`, or from the user's
folder for a manual file) into an unchanging snapshot with sha256 and provenance;
`pull_all.pull_sources` pulls several in threads, one outcome each;
`load.load_source` parses a snapshot and writes it to the store in one transaction;
`steps.source_step` is a source's step in the build (`sharppower.pipeline`).
"""
