"""E-mailed price lists against a real dovecot: `parts mail fetch` end to end."""

from __future__ import annotations

import json
import socket
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from parts.cli import app
from parts.settings import Settings
from pipelines.mailbox import fetch
from pipelines.mailbox.errors import MailboxUnreachable
from pipelines.mailbox.intake import load_deliveries
from search import lake
from search import mail_store as store
from tests.pipelines.mailbox.conftest import SmtpSink, TestMailbox
from tests.pipelines.mailbox.mails import message, price_csv, zipped

runner = CliRunner()
PROCESSED, REVIEW = "parts/processed", "parts/review"

AVTOOPT = price_csv(("BOSCH", "0 986 452 041", "1 299,50"), ("MANN", "W 712/75", "455"))
URAL = price_csv(("MAHLE", "OC 90", "390,00"))


def _fetch() -> dict[str, Any]:
    result = runner.invoke(app, ["mail", "fetch", "--json"])
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    data["exit_code"] = result.exit_code
    return data


def _articles(settings: Settings, supplier_id: str) -> list[str]:
    offers = lake.scan_offers(settings.lake_dir, supplier_id).collect()
    return sorted(offers["article"].to_list())


def _ledger(settings: Settings) -> list[dict[str, Any]]:
    return sorted(
        store.Ledger.load(settings.mail_dir).files.values(),
        key=lambda e: e["attachment"],
    )


def test_two_suppliers_messages_are_published_and_moved(
    mail_env: Settings, mailbox: TestMailbox
) -> None:
    mailbox.append(
        message(sender="price@avtoopt.example", subject="Price",
                attachments=[("avtoopt_price_0412.csv", AVTOOPT)]),
        message(sender="Sklad@URAL-DETAL.example", subject="Прайс на 04.12",
                attachments=[("остатки.csv", URAL), ("logo.png", b"\x89PNG")]),
    )  # fmt: skip

    done = _fetch()

    assert done["exit_code"] == 0
    assert sorted((s["supplier_id"], s["status"]) for s in done["loads"]) == [
        ("avtoopt", "published"),
        ("ural", "published"),
    ]
    assert _articles(mail_env, "avtoopt") == ["0986452041", "W71275"]
    assert _articles(mail_env, "ural") == ["OC90"]
    assert mailbox.subjects("INBOX") == []
    assert mailbox.subjects(PROCESSED) == ["Price", "Прайс на 04.12"]
    ledger = _ledger(mail_env)
    assert [(e["supplier_id"], e["attachment"], e["status"]) for e in ledger] == [
        ("avtoopt", "avtoopt_price_0412.csv", "published"),
        ("ural", "остатки.csv", "published"),
    ]
    assert ledger[1]["sender"] == "sklad@ural-detal.example"
    inbox = [list((mail_env.inbox_dir / s).iterdir()) for s in ("avtoopt", "ural")]
    assert inbox == [[], []]
    archived = sorted(p.name for p in mail_env.archive_dir.rglob("*.csv"))
    assert [name.rsplit("-", 1)[-1] for name in archived] == [
        "avtoopt_price_0412.csv", "остатки.csv",
    ]  # fmt: skip

    suppliers = json.loads(runner.invoke(app, ["suppliers", "--json"]).stdout)
    by_id = {r["supplier_id"]: r for r in suppliers}
    assert (by_id["ural"]["last_status"], by_id["ural"]["stale"]) == (
        "published",
        False,
    )
    assert by_id["euro"]["stale"] is True  # never sent anything


def test_zip_of_two_files_is_one_load_of_both(
    mail_env: Settings, mailbox: TestMailbox
) -> None:
    archive = zipped(
        ("euro_moscow.csv", price_csv(("BOSCH", "0 986 452 041", "10,5"))),
        ("euro_spb.csv", price_csv(("KNECHT", "OC 90", "7,25"))),
    )
    mailbox.append(
        message(sender="stock@euroline.example", subject="stock",
                attachments=[("stock 04.12.zip", archive)])
    )  # fmt: skip

    done = _fetch()

    (load,) = done["loads"]
    assert (load["status"], load["rows_accepted"]) == ("published", 2)
    assert _articles(mail_env, "euro") == ["0986452041", "OC90"]
    assert mailbox.subjects(PROCESSED) == ["stock"]


def test_repeated_message_delivers_nothing_new(
    mail_env: Settings, mailbox: TestMailbox
) -> None:
    sent = message(sender="price@avtoopt.example", subject="Price",
                   attachments=[("avtoopt_price.csv", AVTOOPT)])  # fmt: skip
    mailbox.append(sent)
    assert _fetch()["loads"][0]["status"] == "published"
    reports = len(lake.reports(mail_env.lake_dir, "avtoopt"))

    mailbox.append(sent)  # the supplier's mail client sends it again
    again = _fetch()

    assert (again["delivered"], again["loads"], again["processed"]) == ([], [], 1)
    (duplicate,) = again["duplicates"]
    assert duplicate["attachment"] == "avtoopt_price.csv"
    assert len(lake.reports(mail_env.lake_dir, "avtoopt")) == reports
    assert mailbox.subjects(PROCESSED) == ["Price", "Price"]
    (entry,) = _ledger(mail_env)
    assert entry["last_seen_at"] >= entry["delivered_at"]


def test_unknown_sender_goes_to_review_and_is_listed(
    mail_env: Settings, mailbox: TestMailbox
) -> None:
    mailbox.append(
        message(sender="spam@elsewhere.example", subject="Выгодное предложение",
                attachments=[("avtoopt_price.csv", AVTOOPT)],
                message_id="<spam-1@elsewhere.example>"),
        message(sender="price@avtoopt.example", subject="no file", attachments=[]),
    )  # fmt: skip

    done = _fetch()

    assert (done["delivered"], done["processed"]) == ([], 0)
    assert mailbox.subjects(REVIEW) == ["no file", "Выгодное предложение"]
    assert mailbox.subjects("INBOX") == []
    listed = json.loads(runner.invoke(app, ["mail", "review", "--json"]).stdout)
    assert listed["truncated"] is False
    reasons = {e["from"]: e["reason"] for e in listed["entries"]}
    assert reasons == {
        "spam@elsewhere.example": "no supplier profile matches the sender "
        "`spam@elsewhere.example` and the subject",
        "price@avtoopt.example": "no attachment matches the supplier's file pattern",
    }
    spam = next(e for e in listed["entries"] if e["from"] == "spam@elsewhere.example")
    assert (spam["message_id"], spam["subject"], spam["folder"]) == (
        "<spam-1@elsewhere.example>", "Выгодное предложение", REVIEW,
    )  # fmt: skip
    assert not mail_env.inbox_dir.exists() or not any(mail_env.inbox_dir.rglob("*.csv"))
    shown = runner.invoke(app, ["mail", "review"])
    assert shown.exit_code == 0 and "reason" in shown.stdout


def test_fetch_in_text_and_with_intake_off(
    mail_env: Settings, mailbox: TestMailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox.append(
        message(sender="price@avtoopt.example", subject="Price",
                attachments=[("avtoopt_price.csv", AVTOOPT)])
    )  # fmt: skip
    shown = runner.invoke(app, ["mail", "fetch"], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "published avtoopt avtoopt_price.csv: 2 offers, 0 rejected" in shown.stdout
    assert "1 message(s) processed, 0 to review, 1 file(s) delivered" in shown.stdout

    monkeypatch.setattr(mail_env, "mail_host", "")
    off = runner.invoke(app, ["mail", "fetch"])
    assert off.exit_code == 2 and "mailbox intake is off" in off.stderr


def test_malicious_attachment_names_stay_in_the_supplier_folder(
    mail_env: Settings, mailbox: TestMailbox, tmp_path: Path
) -> None:
    names = ["../../x.csv", "..\\..\\..\\evil.csv", "/etc/cron.d/job.csv", ".."]
    mailbox.append(
        message(sender="sklad@ural-detal.example", subject="Прайс",
                attachments=[(n, price_csv(("MAHLE", f"OC {i}", "1"))) for i, n in enumerate(names)])
    )  # fmt: skip

    result = fetch.poll(mail_env)

    folder = (mail_env.inbox_dir / "ural").resolve()
    paths = [d.path for d in result.delivered]
    assert len(paths) == 3  # `..` has no price-file name: not a price list
    assert all(p.parent == folder for p in paths)
    assert sorted(p.name.split("-", 2)[2] for p in paths) == [
        "evil.csv", "job.csv", "x.csv",
    ]  # fmt: skip
    written = {
        p for p in tmp_path.rglob("*") if p.is_file() and "profiles" not in p.parts
    }
    outside = {p for p in written if not p.is_relative_to(mail_env.data_dir)}
    assert outside == set()
    assert not (mail_env.data_dir / "x.csv").exists()
    assert not (mail_env.inbox_dir / "x.csv").exists()


def test_corrupt_attachment_is_quarantined_its_sibling_published_and_answered(
    mail_env: Settings, mailbox: TestMailbox, smtp_sink: SmtpSink
) -> None:
    mailbox.append(
        message(sender="sklad@ural-detal.example", subject="Прайс склад",
                attachments=[("ural.csv", URAL), ("ural.xlsx", b"PK\x03\x04broken")],
                message_id="<p-1@ural-detal.example>")
    )  # fmt: skip

    done = _fetch()

    assert done["exit_code"] == 1
    assert sorted((s["attachment"], s["status"]) for s in done["loads"]) == [
        ("ural.csv", "published"),
        ("ural.xlsx", "quarantined"),
    ]
    assert _articles(mail_env, "ural") == ["OC90"]
    assert any((mail_env.quarantine_dir / "ural").glob("*-ural.xlsx"))
    assert mailbox.subjects(PROCESSED) == ["Прайс склад"]
    (reply,) = smtp_sink.messages
    subject = str(make_header(decode_header(reply["Subject"])))
    assert (reply["To"], subject, reply["In-Reply-To"]) == (
        "sklad@ural-detal.example", "Re: Прайс склад", "<p-1@ural-detal.example>",
    )  # fmt: skip
    body = reply.get_payload(decode=True).decode()
    assert "«ural.xlsx»" in body and "карантин" in body and "damaged ZIP" in body
    assert "OC90" not in body and "390" not in body  # no offers in a reply
    by_name = {e["attachment"]: e for e in _ledger(mail_env)}
    assert by_name["ural.xlsx"]["reply"] == "sent"
    assert "reply" not in by_name["ural.csv"]

    assert _fetch()["replies"]["sent"] == []  # one reply, never two
    assert len(smtp_sink.messages) == 1


def test_oversized_message_goes_to_review_without_being_downloaded(
    mail_env: Settings, mailbox: TestMailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size the server reports decides; the small one still loads."""
    monkeypatch.setattr(mail_env, "mail_max_message_mb", 1)
    big = price_csv(*[("BOSCH", f"A{i:07d}", "1") for i in range(40_000)])
    assert len(big) > 1 << 20
    mailbox.append(
        message(sender="price@avtoopt.example", subject="big",
                attachments=[("avtoopt_big.csv", big)]),
        message(sender="price@avtoopt.example", subject="small",
                attachments=[("avtoopt_small.csv", AVTOOPT)]),
    )  # fmt: skip

    result = fetch.poll(mail_env)

    sent = mailbox.server.bytes_sent(mailbox.user, sessions=2)  # append, poll
    assert len(sent) == 2 and max(sent) < len(big) // 4  # the body stayed there
    (entry,) = result.review
    assert entry["subject"] == "big"
    assert "over the limit of 1048576 (PARTS_MAIL_MAX_MESSAGE_MB)" in entry["reason"]
    assert [d.attachment for d in result.delivered] == ["avtoopt_small.csv"]
    assert mailbox.subjects(REVIEW) == ["big"]
    assert mailbox.subjects(PROCESSED) == ["small"]


def test_broken_message_goes_to_review_and_the_others_go_on(
    mail_env: Settings, mailbox: TestMailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_owner = fetch.matching.owner

    def owner(name: str, payload: bytes, profiles: list[Any]) -> Any:
        if name == "avtoopt_boom.csv":
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        return real_owner(name, payload, profiles)

    monkeypatch.setattr(fetch.matching, "owner", owner)
    mailbox.append(
        message(sender="price@avtoopt.example", subject="boom",
                attachments=[("avtoopt_boom.csv", AVTOOPT)]),
        message(sender="price@avtoopt.example", subject="fine",
                attachments=[("avtoopt_fine.csv", AVTOOPT)]),
    )  # fmt: skip

    result = fetch.poll(mail_env)

    (entry,) = result.review
    assert entry["reason"].startswith("could not read the message: UnicodeDecodeError")
    assert [d.attachment for d in result.delivered] == ["avtoopt_fine.csv"]
    assert (mailbox.subjects(REVIEW), mailbox.subjects(PROCESSED)) == (
        ["boom"],
        ["fine"],
    )


def test_an_unwritable_inbox_leaves_the_message_for_later(
    mail_env: Settings, mailbox: TestMailbox
) -> None:
    mail_env.inbox_dir.mkdir(parents=True)
    (mail_env.inbox_dir / "avtoopt").write_text("a file where the folder goes")
    mailbox.append(
        message(sender="price@avtoopt.example", subject="first",
                attachments=[("avtoopt_1.csv", AVTOOPT)]),
        message(sender="sklad@ural-detal.example", subject="Прайс second",
                attachments=[("ural.csv", URAL)]),
    )  # fmt: skip

    result = fetch.poll(mail_env)

    (left,) = result.left
    assert left["subject"] == "first"
    assert left["reason"].startswith("could not write to the inbox:")
    assert [d.supplier_id for d in result.delivered] == ["ural"]
    assert (mailbox.subjects("INBOX"), mailbox.subjects(PROCESSED)) == (
        ["first"], ["Прайс second"],
    )  # fmt: skip

    (mail_env.inbox_dir / "avtoopt").unlink()
    assert [d.supplier_id for d in fetch.poll(mail_env).delivered] == ["avtoopt"]
    assert mailbox.subjects("INBOX") == []


def _drop_after_first(step: str, uid: str, box: Any) -> None:
    """Cut the connection once, after the first message's files were written."""
    if step == "delivered" and not getattr(_drop_after_first, "done", False):
        _drop_after_first.done = True  # type: ignore[attr-defined]
        box.client.sock.shutdown(socket.SHUT_RDWR)


def test_server_gone_mid_poll_loses_nothing_and_loads_nothing_twice(
    mail_env: Settings, mailbox: TestMailbox
) -> None:
    mailbox.append(
        message(sender="price@avtoopt.example", subject="first",
                attachments=[("avtoopt_1.csv", AVTOOPT)]),
        message(sender="sklad@ural-detal.example", subject="Прайс second",
                attachments=[("ural.csv", URAL)]),
    )  # fmt: skip
    _drop_after_first.done = False  # type: ignore[attr-defined]

    with pytest.raises(MailboxUnreachable, match="unreachable after 1 attempt") as cut:
        fetch.poll(mail_env, on_step=_drop_after_first)

    partial = cut.value.partial
    assert partial is not None
    assert [d.supplier_id for d in partial.delivered] == ["avtoopt"]
    assert mailbox.subjects("INBOX") == ["first", "Прайс second"]  # none moved
    assert mailbox.subjects(PROCESSED) == []
    assert [e["attachment"] for e in _ledger(mail_env)] == ["avtoopt_1.csv"]
    assert not (mail_env.inbox_dir / "ural").exists()  # second one untouched

    again = fetch.poll(mail_env)

    assert [d.supplier_id for d in again.delivered] == ["ural"]
    assert (again.duplicates, again.processed) == ([], 2)
    assert mailbox.subjects("INBOX") == []
    assert mailbox.subjects(PROCESSED) == ["first", "Прайс second"]
    loads = load_deliveries(mail_env, partial.delivered + again.delivered)
    assert [(s["supplier_id"], s["status"]) for s in loads] == [
        ("avtoopt", "published"), ("ural", "published"),
    ]  # fmt: skip
    assert [len(lake.reports(mail_env.lake_dir, s)) for s in ("avtoopt", "ural")] == [
        1,
        1,
    ]


def test_a_dropped_connection_is_retried_with_backoff(
    mail_env: Settings, mailbox: TestMailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mail_env, "mail_retries", 2)
    mailbox.append(
        message(sender="price@avtoopt.example", subject="first",
                attachments=[("avtoopt_1.csv", AVTOOPT)]),
        message(sender="sklad@ural-detal.example", subject="Прайс second",
                attachments=[("ural.csv", URAL)]),
    )  # fmt: skip
    _drop_after_first.done = False  # type: ignore[attr-defined]
    waits: list[float] = []

    result = fetch.poll(mail_env, on_step=_drop_after_first, sleep=waits.append)

    assert (result.attempts, waits) == (2, [1.0])
    assert sorted(d.supplier_id for d in result.delivered) == ["avtoopt", "ural"]
    assert (result.processed, result.duplicates) == (2, [])
    assert mailbox.subjects(PROCESSED) == ["first", "Прайс second"]


def test_ledger_entries_are_settled_from_the_load_reports(
    mail_env: Settings, mailbox: TestMailbox
) -> None:
    mailbox.append(
        message(sender="price@avtoopt.example", subject="Price",
                attachments=[("avtoopt_price.csv", AVTOOPT)])
    )  # fmt: skip
    done = _fetch()
    (entry,) = _ledger(mail_env)
    (load,) = done["loads"]
    assert (entry["status"], entry["load_id"]) == ("published", load["load_id"])
    assert "reply" not in entry  # a published file owes no reply
    offers = lake.scan_offers(mail_env.lake_dir, "avtoopt").collect()
    assert offers.select(pl.col("supplier_id").unique()).to_series().to_list() == [
        "avtoopt"
    ]
