"""The ledger, freshness and the reply text, without a mail server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from parts.settings import Settings, get_settings
from pipelines.mailbox.reply import Quarantined, build_reply
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
    assert review.resolve({"message_id": "<a>"})
    assert not review.resolve({"message_id": "<a>"})
    assert store.review_entries(tmp_path, limit=10) == (
        [{"message_id": "<b>", "reason": "r1"}],
        False,
    )


def _reviewed(
    subject: str, sender: str, *, message_id: str = "<same@x>"
) -> dict[str, object]:
    return {"message_id": message_id, "uid": "7", "from": sender, "subject": subject,
            "date": "Thu, 04 Dec 2025 09:00:00 +0300", "size": 1234,
            "reason": "no supplier profile matches"}  # fmt: skip


def test_review_entries_of_two_messages_sharing_a_message_id_stay_apart(
    tmp_path: Path,
) -> None:
    review = store.ReviewList.load(tmp_path)
    first, second = (
        _reviewed("first", "a@x.example"),
        _reviewed("second", "b@x.example"),
    )
    review.record(first)
    review.record(second)
    review.record({**first, "reason": "again"})  # the same message again: one entry

    assert [e["subject"] for e in review.entries] == ["second", "first"]
    assert review.resolve({**second, "subject": " second\r\n "})  # as folded before
    assert [e["subject"] for e in store.ReviewList.load(tmp_path).entries] == ["first"]


def test_review_list_of_the_old_format_is_read_and_resolved(tmp_path: Path) -> None:
    old = [_reviewed("first", "a@x.example"), _reviewed("second", "b@x.example")]
    (tmp_path / "review.json").write_text(json.dumps({"entries": old}))

    review = store.ReviewList.load(tmp_path)

    assert review.entries == old
    assert review.resolve(old[0])
    assert [e["subject"] for e in store.ReviewList.load(tmp_path).entries] == ["second"]


def test_ledger_of_the_old_format_is_keyed_per_supplier(tmp_path: Path) -> None:
    sha = "ab" * 32
    old = {"files": {sha: _entry("ural", "2026-12-01T00:00:00+00:00", "published")}}
    (tmp_path / "ledger.json").write_text(json.dumps(old))

    ledger = store.Ledger.load(tmp_path)

    assert list(ledger.files) == [f"ural/{sha}"]
    assert ledger.get("ural", sha) == {**old["files"][sha], "sha256": sha}
    assert ledger.get("avtoopt", sha) is None  # the same bytes are another's file
    ledger.save(now=NOW)
    assert list(json.loads((tmp_path / "ledger.json").read_text())["files"]) == [
        f"ural/{sha}"
    ]


def test_bytes_delivered_again_after_a_quarantine_keep_the_reply_sent(
    tmp_path: Path,
) -> None:
    ledger = store.Ledger.load(tmp_path)
    key = ledger.add("ural", "cd" * 32, {**_entry("ural", "2026-12-01T00:00:00+00:00")})
    ledger.update(key, status="quarantined", reply="sent", replied_at="then")

    ledger.add("ural", "cd" * 32, {**_entry("ural", "2026-12-02T00:00:00+00:00"),
                                   "message_id": "<again@x>"})  # fmt: skip

    again = ledger.files[key]
    assert (again["status"], again["message_id"]) == (store.DELIVERED, "<again@x>")
    assert (again["reply"], again["replied_at"]) == ("sent", "then")


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


def _quarantined(**entry: str) -> dict[str, str]:
    return {**_entry("ural", "2026-12-04T09:00:00+00:00", "quarantined"),
            "attachment": "остатки.xlsx", "subject": "Прайс", "reply_to": "",
            "file": "20261204T090000Z-7-остатки.xlsx",
            "date": "Thu, 04 Dec 2026 09:00:00 +0300", **entry}  # fmt: skip


REPORT = {"error": "damaged ZIP archive (file 20261204T090000Z-7-остатки.xlsx)",
          "rows_read": 12, "rows_accepted": 0, "rows_rejected": 12,
          "rejects": {"no_price": 10, "bad_price": 2}}  # fmt: skip


def test_reply_carries_this_files_summary_only() -> None:
    reply = build_reply(
        [Quarantined(_quarantined(), REPORT)], sender="prices@parts.example"
    )
    assert (reply["To"], reply["Subject"], reply["Auto-Submitted"]) == (
        "a@x.example", "Re: Прайс", "auto-replied",
    )  # fmt: skip
    body = reply.get_content()
    for text in ("Мы получили ваше письмо «Прайс» от 04.12.2026 09:00.",
                 "Прайс-лист «остатки.xlsx» не загружен", "карантин",
                 "damaged ZIP archive (file остатки.xlsx)",
                 "Строк прочитано: 12, принято: 0, отклонено: 12",
                 "no_price: 10", "bad_price: 2", "Действуют предыдущие цены."):  # fmt: skip
        assert text in body
    assert "20261204T090000Z" not in body  # our inbox copy's name is ours


def test_reply_headers_are_unfolded_and_a_missing_date_is_left_out() -> None:
    entry = _quarantined(subject="Прайс-лист на декабрь,\r\n склад Москва",
                         date="", message_id="\r\n <m@x>")  # fmt: skip
    reply = build_reply([Quarantined(entry, REPORT)], sender="prices@parts.example")

    assert reply["Subject"] == "Re: Прайс-лист на декабрь, склад Москва"
    assert reply["In-Reply-To"] == "<m@x>"
    body = reply.get_content()
    assert "Мы получили ваше письмо «Прайс-лист на декабрь, склад Москва»." in body
    assert "()" not in body


def test_reply_says_which_prices_are_in_force() -> None:
    sibling = Quarantined(_quarantined(), REPORT, live_siblings=("остатки.csv",))
    first = Quarantined(_quarantined(), REPORT, had_prices=False)

    said = [
        build_reply([t], sender="p@x.example").get_content() for t in (sibling, first)
    ]

    assert (
        "Сейчас действуют цены из загруженного файла этого письма: «остатки.csv»."
        in said[0]
    )
    assert "предыдущие" not in said[0]
    assert "Ваших цен у нас пока нет" in said[1] and "предыдущие" not in said[1]


def test_a_message_with_no_address_cannot_be_answered() -> None:
    with pytest.raises(ValueError, match="no sender address"):
        build_reply(
            [Quarantined(_quarantined(sender=""), REPORT)], sender="p@x.example"
        )
