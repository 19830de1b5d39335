"""`GET /api/mail/review`: the messages waiting for a person."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from parts.settings import Settings
from search import mail_store as store
from service.api import mail


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
