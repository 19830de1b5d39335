"""`GET /api/mail/review` and the freshness fields of `GET /api/suppliers`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from parts.settings import Settings
from pipelines.pricelists.load import ingest
from search import mail_store as store
from service.api import mail
from service.app import create_app
from tests.pipelines.mailbox.mails import price_csv
from tests.service.signin import sign_in


def test_review_route_lists_newest_first_and_says_truncated(
    settings: Settings,
) -> None:
    review = store.ReviewList.load(settings.mail_dir)
    for n in range(3):
        review.record({"message_id": f"<m{n}>", "from": "x@spam.example",
                       "subject": f"s{n}", "reason": "no supplier profile"})  # fmt: skip
    app = FastAPI()
    app.state.settings = settings
    app.include_router(mail.router, prefix="/api")
    client = TestClient(app)

    body = client.get("/api/mail/review", params={"limit": 2}).json()

    assert body["truncated"] is True
    assert [e["subject"] for e in body["entries"]] == ["s2", "s1"]
    assert client.get("/api/mail/review").json()["truncated"] is False
    assert client.get("/api/mail/review", params={"limit": 0}).status_code == 422


def test_suppliers_route_says_whether_a_list_is_overdue(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(price_csv(("MANN", "W 712/75", "512,40")))
    assert ingest(path, supplier_id="acme", settings=settings).status == "published"
    client = TestClient(create_app(settings))
    sign_in(client)

    (row,) = client.get("/api/suppliers").json()

    assert (row["supplier_id"], row["stale"], row["expected_every_hours"]) == (
        "acme", False, 48,
    )  # fmt: skip
    assert row["age_h"] < 1 and row["confirmed_at"]
