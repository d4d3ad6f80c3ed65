"""Media capture measured from text: state-media content republished by local outlets.

Pipeline: corpus (JSON Lines) -> word shingles (shingle.py) -> MinHash signatures
(one-permutation, densified) and LSH band keys (minhash.py; the per-byte and per-shingle
loops are compiled in kernels.py) -> candidates (candidates.py) -> date
window and verification on the shingles (verify.py) -> attribution (attribution.py, rules
in attribution.yaml) -> match file (matchfile.py) -> report per outlet and country-year
(report.py) -> store (store.py, importing.py; tables.py). Two engines with identical
results: engine_local (multiprocessing) and engine_spark (PySpark). synth.py generates a
corpus with known truth; evaluate.py scores a match file against it. The Doublethink Lab
pilot (source `embedded-propaganda`) loads through build.py.

Python API (api.py): `match(wire, local, out, engine="local"|"spark", params=MatchParams())`
-> MatchResult (matches DataFrame: matcher.MATCH_COLUMNS); `report(matches, local,
actors=None, weighting="articles"|"equal")` -> Report (outlets, countries DataFrames:
columns in report.py); `import_matches(db, matches, local, run=None)`; `synth(out_dir,
n_local)`.
"""

from sharppower.measures.media.api import ENGINES, import_matches, match, report, synth
from sharppower.measures.media.params import MatchParams

__all__ = ["ENGINES", "MatchParams", "import_matches", "match", "report", "synth"]
