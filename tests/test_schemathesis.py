"""Issue 12: property-based testing of the JSON API from its OpenAPI description
(/openapi.json) with schemathesis, on SQLite and PostgreSQL. Every operation gets a bounded
number of generated requests (read routes without a token, write routes with the admin's):
no answer may be a 5xx and every documented response must match its schema."""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from test_web_support import make_app

EXAMPLES = 6  # per operation
BUDGET = 60.0  # seconds per backend, whatever the number of operations
ADMIN = {"Authorization": "Bearer admin-secret"}
SLOW = ("/weights", "/country/{key}", "/map", "/quadrant")  # heavy pages: fewer examples


def _operations(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _exercise(operation, deadline: float) -> int:
    calls = 0
    examples = 2 if operation.path.startswith(SLOW) else EXAMPLES

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        nonlocal calls
        if time.monotonic() > deadline:
            return
        headers = ADMIN if case.method.upper() != "GET" else None
        case.call_and_validate(headers=headers,
                               checks=[not_a_server_error, response_schema_conformance])
        calls += 1

    run()
    return calls


def test_no_5xx_and_responses_match_the_schema(db, conf):
    app = make_app(conf, db)
    operations = _operations(app)
    assert len(operations) >= 15
    deadline = time.monotonic() + BUDGET
    calls = sum(_exercise(op, deadline) for op in operations)
    assert calls >= len(operations), "the time budget ran out before every operation was tried"
    if time.monotonic() > deadline:
        pytest.fail(f"the run took longer than {BUDGET} s")
