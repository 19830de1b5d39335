"""`GET /api/mail/review` and the freshness fields of `GET /api/suppliers`."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from parts.settings import Settings, get_settings
from pipelines.pricelists.load import ingest
from search import mail_store as store
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
    client = TestClient(create_app(settings))
    sign_in(client, role="analyst")

    body = client.get("/api/mail/review", params={"limit": 2}).json()

    assert body["truncated"] is True
    assert [e["subject"] for e in body["entries"]] == ["s2", "s1"]
    assert client.get("/api/mail/review").json()["truncated"] is False
    assert client.get("/api/mail/review", params={"limit": 0}).status_code == 422


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("analyst", 200),
                                               ("manager", 403)])  # fmt: skip
def test_mail_review_is_for_admins_and_analysts_not_managers(
    settings: Settings, role: str, status: int
) -> None:
    store.ReviewList.load(settings.mail_dir).record(
        {"message_id": "<m>", "from": "owner@competitor.example",
         "subject": "наши цены", "reason": "no supplier profile"}
    )  # fmt: skip
    client = TestClient(create_app(settings))
    sign_in(client, role=role)

    answer = client.get("/api/mail/review")

    assert answer.status_code == status
    if status == 403:
        assert "owner@competitor.example" not in answer.text
        assert answer.json()["detail"] == (
            f"role `{role}` may not do this (needs `mail.review`)"
        )


def test_suppliers_route_says_whether_a_list_is_overdue(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(price_csv(("MANN", "W 712/75", "512,40")))
    assert ingest(path, supplier_id="acme", settings=settings).status == "published"
    client = TestClient(create_app(settings))
    sign_in(client)

    rows = {r["supplier_id"]: r for r in client.get("/api/suppliers").json()}

    row = rows["acme"]
    assert (row["stale"], row["expected_every_hours"]) == (False, 48)
    assert row["age_h"] < 1 and row["confirmed_at"]


@pytest.fixture
def profiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Settings, Path]:
    """Settings whose profiles name two suppliers that never sent a list, one
    seen by the `msk` department only."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "ural.toml").write_text(
        'id = "ural"\nexpected_every_hours = 24\n', encoding="utf-8"
    )
    (folder / "msk-only.toml").write_text(
        'id = "msk-only"\ndepartments = ["msk"]\n', encoding="utf-8"
    )
    monkeypatch.setenv("PARTS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PARTS_PROFILES_DIR", str(folder))
    get_settings.cache_clear()
    return get_settings(), folder


def test_suppliers_route_lists_a_profiled_supplier_that_never_sent_a_list(
    profiled: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, _ = profiled
    path = tmp_path / "p.csv"
    path.write_bytes(price_csv(("MANN", "W 712/75", "512,40")))
    assert ingest(path, supplier_id="acme", settings=settings).status == "published"
    client = TestClient(create_app(settings))
    sign_in(client)  # an admin with no department sees every list

    rows = {r["supplier_id"]: r for r in client.get("/api/suppliers").json()}

    assert sorted(rows) == ["acme", "msk-only", "ural"]
    ural = rows["ural"]
    assert (ural["stale"], ural["expected_every_hours"], ural["live_load_id"]) == (
        True, 24, None,
    )  # fmt: skip
    assert (ural["confirmed_at"], ural["age_h"], ural["last_status"]) == (
        None, None, None,
    )  # fmt: skip

    elsewhere = TestClient(create_app(settings))
    sign_in(elsewhere, role="manager", login="ekb-manager", department="ekb")
    seen = [r["supplier_id"] for r in elsewhere.get("/api/suppliers").json()]
    assert seen == ["acme", "ural"]  # the department does not see msk-only
