"""The evidence ledger: dated, sourced incidents coded to the codebook, double coding,
agreement, and the indicator values they produce. Stable Python API (CLI and web use it):

Records (ledger.py)
- `add_evidence(db, record, coder) -> dict`: validate (ValidationError naming the field,
  nothing stored) and store a `proposed` record; returns `get_evidence`.
- `get_evidence(db, id) -> dict`: columns of `list_evidence` plus `narrative` (RAW, as
  given: never render it unescaped), `notes`, `reviewed_at`, `codings` ({coder: [codes]})
  and `history` (list of {changed_at, changed_by, action, field, old_value, new_value}).
- `list_evidence(db, actor=None, target=None, year=None, domain=None, status=None, q=None,
  indicator=None, origin=None, withdrawn=None, newest=None) -> DataFrame` with columns
  id, actors (list), target, target_name, start_date, start_precision, end_date,
  end_precision, ongoing, period, title, narrative_html (sanitised, safe in a page),
  narrative_text (plain), sources (list of {url, publisher}), link, publisher,
  categories (list), indicators (list), layers (list, parallel), confidence, status,
  coder, reviewed_by, origin, origin_key, withdrawn_from_source, created_at, updated_at;
  `newest=N`: only the N records with the latest start dates, newest first.
- `count_evidence(db, target=None, actor=None) -> DataFrame`: origin, status, records.
- `update_evidence(db, id, changes, coder) -> dict`: edit or adjudicate, with history.
- `review(db, id, decision, reviewer) -> dict`: 'accept' or 'reject'; a coder cannot
  review their own record (`SelfReviewError`, a ValidationError on field 'reviewer').
- `code(db, id, coder, indicators) -> dict`: a coder's independent coding.
- `history(db, id) -> DataFrame`.

Write rules (rules.py): every door (these functions, the imports, source loads) checks
field names (unknown, fixed: a ValidationError naming them), four eyes (the reviewer is
neither the coder nor the last editor) and reopens an accepted record on a substantive
change. Each write function takes `audit=` (a callable `(conn, id)`) to write its audit
row in the write's own transaction.

Agreement (agreement.py)
- `agreement(db) -> Agreement` with `.overall` {alpha, records, units, coders},
  `.per_indicator` (indicator, alpha, units, values, coded, disagreements) and
  `.disagreements` (evidence_id, title, indicator, coded_by, not_coded_by); `.to_dict()`.
- `alpha_nominal(units)`: Krippendorff's alpha, nominal, coincidence-matrix formula.

Exchange (exchange.py)
- `export_text(db, 'csv'|'json') -> str`, `export_records(db) -> list[dict]`,
  `import_file(db, path, coder=None) -> {inserted, updated, unchanged}` (an existing
  record keeps its status, coder and origin; see rules.import_one).

Indicator values (values.py)
- `indicator_values(db) -> DataFrame` (actor, target, indicator, year, value, window,
  evidence_ids, flags, covered_by): only covered cells; 0 = covered, no incident.
- `coverage_table(db) -> DataFrame` (origin, actor, target, indicator, first_year,
  last_year, last_date, note).
"""

from sharppower.measures.evidence.agreement import Agreement, agreement, alpha_nominal
from sharppower.measures.evidence.exchange import export_records, export_text, import_file
from sharppower.measures.evidence.ledger import (
                                                 SelfReviewError,
                                                 add_evidence,
                                                 code,
                                                 count_evidence,
                                                 get_evidence,
                                                 history,
                                                 list_evidence,
                                                 review,
                                                 update_evidence,
)
from sharppower.measures.evidence.sanitise import narrative_html, narrative_text
from sharppower.measures.evidence.values import coverage_table, indicator_values

__all__ = [
    "Agreement", "SelfReviewError", "add_evidence", "agreement", "alpha_nominal", "code",
    "count_evidence", "coverage_table", "export_records", "export_text", "get_evidence", "history", "import_file",
    "indicator_values", "list_evidence", "narrative_html", "narrative_text", "review",
    "update_evidence",
]
