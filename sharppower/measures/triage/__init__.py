"""Document triage: read reports (news, think-tank papers, incident narratives) and
propose who acted (actor), against which country (targets) and how (labels in the
codebook's sharp-power indicators or ASD's tool names), for a human to review.

This package works on plain DataFrames and records only; it never touches the evidence
ledger. The ledger-facing steps (training data from accepted records, proposing records,
reviews) live one layer up, in `sharppower.analysis.triage_queue`, because a measure may
not import a sibling measure (`measures.evidence`).

- text.py: `plain_text` (HTML, entities and WordPress shortcodes stripped), `sentences`.
- lang.py: `detect(text) -> (code, p)` with py3langid; non-English texts are routed.
- gazetteer.py: `gazetteer().find(text) -> [Mention]` (names, aliases, demonyms,
  capitals, major cities, actor state words).
- taxonomy.py: `TAXONOMIES`, `vocabulary`, `record_labels`, `domains`.
- features.py: `FEATURES` (`tfidf`, `tfidf_char`, `tfidf_wordllama`).
- classify.py (labels), actors.py, targets.py, model.py: `TriageModel(taxonomy,
  kind).fit(frame)` and `.predict(docs) -> [dict]`.
- explain.py: `driving_sentences(label_model, texts, chosen)`.
- evaluate.py: `cross_validate(frame, taxonomy, kind, folds) -> report`.
- modelstore.py: `save`, `latest`, `catalogue`, `fingerprint`.
- documents.py: `read_documents(path)` (errors name file, line and field), `write_jsonl`.
- techniques.py: `TechniqueModel` (DISARM technique ranker) and its grouped
  `cross_validate`; disarm_examples.py: `read_examples(path)` (the framework's coded
  example incidents, analyst commentary dropped). Proposals are stored for review one
  layer up (`sharppower.analysis.technique_queue`).
"""

from sharppower.measures.triage.documents import read_documents, write_jsonl
from sharppower.measures.triage.evaluate import cross_validate
from sharppower.measures.triage.model import DEFAULT_KIND, TriageModel
from sharppower.measures.triage.taxonomy import TAXONOMIES

__all__ = ["DEFAULT_KIND", "TAXONOMIES", "TriageModel", "cross_validate", "read_documents",
           "write_jsonl"]
