# ruff: noqa: F811 - `asd_ledger`, `trained` and `chromium_ok` are fixtures imported below
"""The triage review queue in Debian's Chromium (Playwright): the nav leads to /triage,
which lists the proposals of `triage run` (a model trained on the mirror's ASD incidents)
most confident first with the sentences behind each indicator; a reviewer accepts one and
rejects another through the record page the queue links to, and the ledger records both
decisions (status, reviewer). Every request off 127.0.0.1 is refused and must not happen."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_browser import chromium_ok  # noqa: F401 - fixture
from test_triage_e2e import DOCS, asd_ledger, load_asd, trained, with_models  # noqa: F401
from test_web_support import client, make_app

from sharppower.analysis import triage_queue as tq
from sharppower.measures.evidence import get_evidence
from sharppower.measures.triage import read_documents

pytestmark = pytest.mark.browser


@pytest.fixture
def queue_site(db, trained, tmp_path, conf, chromium_ok):
    """A served store holding the ASD ledger plus the proposals of `triage run` on the
    fixture documents, a reviewer's token and a browser page guarded off-host."""
    from sharppower.web.browser import browser_page, serve_in_thread

    data = with_models(trained, tmp_path)
    load_asd(db, tmp_path / "snapshots")
    run = tq.propose(db, data, read_documents(DOCS))
    assert len(run["proposed"]) >= 4, run
    app = make_app(replace(conf, data_dir=data), db)
    api = client(app)
    token = api.post("/api/users", json={"name": "rita", "role": "reviewer"},
                     headers={"Authorization": "Bearer admin-secret"}).json()["token"]
    blocked: list[str] = []
    with serve_in_thread(app) as base, browser_page(blocked) as page:
        yield {"base": base, "page": page, "token": token, "db": db, "proposed": run["proposed"]}
    assert blocked == [], f"requests left 127.0.0.1: {blocked}"


def shown_items(page) -> list[dict]:
    """Each triage item on the page: its record id, confidence and evidence sentences."""
    return page.eval_on_selector_all(".triage-item", """els => els.map(e => ({
        id: e.id.slice(3),
        confidence: parseFloat(e.querySelector('.meta').innerText.match(/confidence ([0-9.]+)/)[1]),
        labels: Array.from(e.querySelectorAll('.triage-labels > li > code')).map(c => c.innerText),
        sentences: Array.from(e.querySelectorAll('li.sentence')).map(s => s.innerText)}))""")


def review_through_the_page(page, base: str, rid: str, token: str, decision: str) -> None:
    page.goto(f"{base}/triage")
    page.locator(f"[id='tr-{rid}'] a", has_text="Review").click()
    page.wait_for_url(f"**/evidence/{rid}")
    page.fill("#review-form input[name=token]", token)
    page.select_option("#review-form select[name=decision]", decision)
    page.fill("#review-form input[name=note]", f"{decision}ed in the browser test")
    page.click("#review-form button")
    status = "accepted" if decision == "accept" else "rejected"
    page.wait_for_selector(f"h1 + p .status-{status}")  # the page reloads with the decision
    assert page.locator("#review-form").count() == 0


def test_nav_leads_to_the_queue_sorted_by_confidence_with_sentences(queue_site):
    page, base = queue_site["page"], queue_site["base"]
    page.goto(base + "/evidence")
    page.locator("header nav a", has_text="Triage").click()
    page.wait_for_url("**/triage")
    assert page.locator("h1").inner_text() == "Triage queue"
    items = shown_items(page)
    ids = [i["id"] for i in items]
    assert sorted(ids) == sorted(queue_site["proposed"])
    expected = [r["id"] for r in tq.queue(queue_site["db"])]
    assert ids == expected  # the ledger's order: most confident first
    confidences = [i["confidence"] for i in items]
    assert confidences == sorted(confidences, reverse=True) and confidences[0] > confidences[-1]
    est = next(i for i in items if i["id"] == "triage-est-ddos-EST")
    assert est["labels"][0] == "sp_cyber_operations"
    assert any("GRU" in s for s in est["sentences"])  # the sentence that drove the label
    stored = tq.triage_notes(get_evidence(queue_site["db"], est["id"])["notes"])["sentences"]
    assert est["sentences"] == [s for code in est["labels"] for s in stored.get(code, [])]


def test_accept_and_reject_through_the_page_reach_the_ledger(queue_site):
    page, base, db, token = (queue_site[k] for k in ("page", "base", "db", "token"))
    page.goto(base + "/triage")
    first, second = [i["id"] for i in shown_items(page)][:2]
    review_through_the_page(page, base, first, token, "accept")
    review_through_the_page(page, base, second, token, "reject")

    accepted, rejected = get_evidence(db, first), get_evidence(db, second)
    assert accepted["status"] == "accepted" and accepted["reviewed_by"] == "rita"
    assert rejected["status"] == "rejected" and rejected["reviewed_by"] == "rita"
    page.goto(base + "/triage")
    left = [i["id"] for i in shown_items(page)]
    assert first not in left and second not in left and len(left) == len(queue_site["proposed"]) - 2
    page.select_option("form.controls select[name=status]", "accepted")
    page.click("form.controls button")
    page.wait_for_url("**/triage?status=accepted")
    assert [i["id"] for i in shown_items(page)] == [first]
    assert first in tq.training_frame(db)["id"].tolist()  # accepted proposals train the next model


def test_a_reviewer_token_is_needed_and_a_refusal_leaves_the_record_proposed(queue_site):
    page, base, db = queue_site["page"], queue_site["base"], queue_site["db"]
    rid = queue_site["proposed"][0]
    page.goto(f"{base}/evidence/{rid}")
    page.fill("#review-form input[name=token]", "not-a-token")
    page.click("#review-form button")
    page.wait_for_function("() => document.getElementById('review-result').innerText.length > 0")
    assert "token" in page.locator("#review-result").inner_text().lower()
    assert get_evidence(db, rid)["status"] == "proposed"
