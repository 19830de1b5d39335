"""The ledger, freshness and the reply text, without a mail server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from parts.settings import Settings, get_settings
from pipelines.mailbox.reply import build_reply
from pipelines.pricelists.freshness import supplier_freshness
from pipelines.pricelists.load import ingest
from search import mail_store as store
from tests.pipelines.mailbox.mails import price_csv

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def env(
    tmp_path: Path, profiles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    monkeypatch.setenv("PARTS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PARTS_PROFILES_DIR", str(profiles_dir))
    monkeypatch.setenv("PARTS_INDEX_ON_INGEST", "false")
    get_settings.cache_clear()
    return get_settings()


def _entry(supplier_id: str, at: str, status: str = store.DELIVERED) -> dict[str, str]:
    return {"supplier_id": supplier_id, "message_id": "<m@x>", "file": "f.csv",
            "attachment": "f.csv", "sender": "a@x.example", "delivered_at": at,
            "status": status}  # fmt: skip


def test_ledger_is_written_atomically_and_old_settled_entries_go(
    tmp_path: Path,
) -> None:
    ledger = store.Ledger.load(tmp_path)
    ledger.files = {
        "old-settled": _entry("a", "2026-01-01T00:00:00+00:00", "published"),
        "old-pending": _entry("a", "2026-01-01T00:00:00+00:00"),
        "new": _entry("a", "2026-12-01T00:00:00+00:00", "published"),
    }
    ledger.save(now=NOW)
    on_disk = json.loads((tmp_path / "ledger.json").read_text())
    assert sorted(on_disk["files"]) == ["new", "old-pending"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_unreadable_ledger_stops_the_intake(tmp_path: Path) -> None:
    (tmp_path / "ledger.json").write_text("{not json")
    with pytest.raises(store.StoreError, match="unreadable"):
        store.Ledger.load(tmp_path)


def test_review_list_keeps_one_entry_per_message_newest_first(tmp_path: Path) -> None:
    review = store.ReviewList.load(tmp_path)
    for n, message_id in enumerate(["<a>", "<b>", "<a>"]):
        review.record({"message_id": message_id, "reason": f"r{n}"})
    entries, cut = store.review_entries(tmp_path, limit=1)
    assert (entries, cut) == ([{"message_id": "<a>", "reason": "r2"}], True)
    assert review.resolve("<a>") and not review.resolve("<a>")
    assert store.review_entries(tmp_path, limit=10) == (
        [{"message_id": "<b>", "reason": "r1"}],
        False,
    )


def test_stale_when_older_than_expected_and_a_resent_file_confirms(
    env: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "ural.csv"
    path.write_bytes(price_csv(("MAHLE", "OC 90", "390")))
    assert ingest(path, supplier_id="ural", settings=env).status == "published"
    published = dt.datetime.fromisoformat(
        supplier_freshness(env)["ural"].confirmed_at or ""
    )

    later = published + dt.timedelta(hours=30)  # ural expects a list every 24 h
    ural = supplier_freshness(env, now=later)["ural"]
    assert (ural.stale, ural.expected_every_hours, ural.age_h) == (True, 24, 30.0)
    assert supplier_freshness(env, now=later)["avtoopt"].stale is True  # never sent

    ledger = store.Ledger.load(env.mail_dir)
    seen = (published + dt.timedelta(hours=29)).isoformat(timespec="seconds")
    ledger.files["x"] = {**_entry("ural", published.isoformat(), "published"),
                         "last_seen_at": seen}  # fmt: skip
    ledger.save(now=later)
    ural = supplier_freshness(env, now=later)["ural"]
    assert (ural.stale, ural.age_h, ural.confirmed_at) == (False, 1.0, seen)


def test_reply_carries_this_files_summary_only() -> None:
    entry = {**_entry("ural", "2026-12-04T09:00:00+00:00", "quarantined"),
             "attachment": "остатки.xlsx", "subject": "Прайс", "reply_to": "",
             "date": "Thu, 04 Dec 2026 09:00:00 +0300"}  # fmt: skip
    report = {"error": "damaged ZIP archive (file остатки.xlsx)", "rows_read": 12,
              "rows_accepted": 0, "rows_rejected": 12,
              "rejects": {"no_price": 10, "bad_price": 2}}  # fmt: skip
    reply = build_reply(entry, report, sender="prices@parts.example")
    assert (reply["To"], reply["Subject"], reply["Auto-Submitted"]) == (
        "a@x.example", "Re: Прайс", "auto-replied",
    )  # fmt: skip
    body = reply.get_content()
    for text in ("«остатки.xlsx»", "карантин", "damaged ZIP archive",
                 "Строк прочитано: 12, принято: 0, отклонено: 12",
                 "no_price: 10", "bad_price: 2"):  # fmt: skip
        assert text in body
