"""E-mailed price lists against a real dovecot: `parts mail fetch` end to end."""

from __future__ import annotations

import datetime as dt
import json
import socket
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from parts.cli import app
from parts.settings import Settings, get_settings
from pipelines.mailbox import fetch, names
from pipelines.mailbox.errors import MailboxSettingsError, MailboxUnreachable
from pipelines.mailbox.intake import load_deliveries
from pipelines.pricelists.load import ingest
from search import lake
from search import mail_store as store
from tests.conftest import REPO
from tests.pipelines.mailbox.conftest import SmtpSink, TestMailbox
from tests.pipelines.mailbox.mails import (
    cut_attachment,
    message,
    price_csv,
    zipped,
)

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


NO_HEADER = (
    b"BOSCH;0 986 452 041;\xd0\xa4\xd0\xb8\xd0\xbb\xd1\x8c\xd1\x82\xd1\x80;1299,50;5\n"
)
"""A list with no header row: quarantined until the profile maps its columns."""
FIXED_AVTOOPT = (
    '\n[reader]\nheader_row = 0\n\n[columns]\nbrand = "A"\narticle = "B"\n'
    'name = "C"\nprice = "D"\nqty = "E"\n'
)
FOLDED = (
    "Price list for December 2025, warehouse Moscow, all positions with stock "
    "and delivery terms included"
)


def _subjects_of(messages: list[Any]) -> list[str]:
    """Subjects of the replies received, unfolded (long ones travel folded)."""
    return [
        names.header_text(str(make_header(decode_header(m["Subject"]))))
        for m in messages
    ]


def test_a_folded_subject_is_unfolded_and_the_quarantine_reply_goes_out(
    mail_env: Settings, mailbox: TestMailbox, smtp_sink: SmtpSink
) -> None:
    sent = message(sender="price@avtoopt.example", subject=FOLDED,
                   attachments=[("avtoopt_price.csv", NO_HEADER)])  # fmt: skip
    assert b"with\n stock" in sent.as_bytes()  # the sender's client folded it
    mailbox.append(sent)

    done = _fetch()

    assert [s["status"] for s in done["loads"]] == ["quarantined"]
    assert done["replies"]["sent"] and done["replies"]["errors"] == {}
    (entry,) = _ledger(mail_env)
    assert (entry["subject"], entry["reply"]) == (FOLDED, "sent")
    assert _subjects_of(smtp_sink.messages) == [f"Re: {FOLDED}"]
    again = _fetch()  # the next poll, an empty folder: no traceback, no reply
    assert (again["exit_code"], again["error"], again["replies"]["sent"]) == (
        0, None, [],
    )  # fmt: skip


def test_a_ledger_entry_with_a_folded_subject_no_longer_blocks_fetch(
    mail_env: Settings, smtp_sink: SmtpSink
) -> None:
    """Entries the old intake wrote kept the fold; replying to them raised
    `ValueError: Header values may not contain linefeed…` on every pass."""
    lake.write_report(mail_env.lake_dir, "avtoopt", "l1",
                      {"status": "quarantined", "file": "f.csv", "error": "bad"})  # fmt: skip
    ledger = store.Ledger.load(mail_env.mail_dir)
    ledger.files["0" * 64] = {  # the old format: keyed by the SHA-256 alone
        "supplier_id": "avtoopt", "message_id": "<m1@x>", "uid": "1",
        "sender": "price@avtoopt.example", "reply_to": "",
        "subject": "Price list for December,\r\n all positions", "date": "",
        "attachment": "avtoopt_1.csv", "file": "f.csv",
        "delivered_at": store.now_iso(), "status": "quarantined",
    }  # fmt: skip
    ledger.save()

    done = _fetch()

    assert (done["exit_code"], done["error"]) == (0, None)
    assert done["replies"]["sent"] == ["f.csv"]
    assert _subjects_of(smtp_sink.messages) == [
        "Re: Price list for December, all positions"
    ]
    body = smtp_sink.messages[0].get_payload(decode=True).decode()
    assert "()" not in body and "Мы получили ваше письмо «Price list" in body


def test_a_reply_that_cannot_be_made_is_recorded_and_the_others_go_on(
    mail_env: Settings, smtp_sink: SmtpSink
) -> None:
    ledger = store.Ledger.load(mail_env.mail_dir)
    for n, sender in enumerate(["", "price@avtoopt.example"]):
        lake.write_report(mail_env.lake_dir, "avtoopt", f"l{n}",
                          {"status": "quarantined", "file": f"f{n}.csv"})  # fmt: skip
        ledger.add("avtoopt", f"{n}" * 64,
                   {"message_id": f"<m{n}@x>", "uid": str(n), "sender": sender,
                    "reply_to": "", "subject": f"s{n}", "date": "",
                    "attachment": f"avtoopt_{n}.csv", "file": f"f{n}.csv",
                    "delivered_at": store.now_iso()})  # fmt: skip

    done = _fetch()

    assert done["exit_code"] == 0 and done["replies"]["sent"] == ["f1.csv"]
    assert done["replies"]["failed"] == ["f0.csv"]
    assert "no sender address" in done["replies"]["errors"]["f0.csv"]
    by_file = {e["file"]: e for e in _ledger(mail_env)}
    assert by_file["f0.csv"]["reply"] == "failed"
    assert "no sender address" in by_file["f0.csv"]["reply_error"]
    assert _fetch()["replies"] == {"settled": {}, "sent": [], "failed": [],
                                   "errors": {}, "deferred": 0}  # fmt: skip


def _published_list(settings: Settings, rows: int) -> bytes:
    price = price_csv(*[("BOSCH", f"A{i:07d}", "1") for i in range(rows)])
    path = settings.tmp_dir / "avtoopt_full.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(price)
    assert ingest(path, supplier_id="avtoopt", settings=settings).status == "published"
    return price


def test_a_truncated_message_goes_to_review_and_the_live_list_stays(
    mail_env: Settings, mailbox: TestMailbox
) -> None:
    price = _published_list(mail_env, 2421)
    live = lake.current(mail_env.lake_dir, "avtoopt")
    raw = message(sender="price@avtoopt.example", subject="cut short",
                  attachments=[("avtoopt_new.csv", price.replace(b";1;", b";2;"))]
                  ).as_bytes()  # fmt: skip
    mailbox.append(raw[: int(len(raw) * 0.3)])  # the closing boundary is lost

    done = _fetch()

    assert (done["delivered"], done["loads"], done["processed"]) == ([], [], 0)
    (entry,) = done["review"]
    assert "CloseBoundaryNotFoundDefect (the message)" in entry["reason"]
    assert "nothing of it was delivered" in entry["reason"]
    assert lake.current(mail_env.lake_dir, "avtoopt") == live
    assert lake.scan_offers(mail_env.lake_dir, "avtoopt").collect().height == 2421
    assert mailbox.subjects(REVIEW) == ["cut short"]
    assert not any((mail_env.inbox_dir / "avtoopt").glob("*"))


def test_an_attachment_with_cut_base64_delivers_nothing_of_its_message(
    mail_env: Settings, mailbox: TestMailbox
) -> None:
    _published_list(mail_env, 300)
    live = lake.current(mail_env.lake_dir, "avtoopt")
    new = price_csv(*[("MANN", f"W{i:05d}", "2") for i in range(300)])
    raw = message(sender="price@avtoopt.example", subject="damaged",
                  attachments=[("avtoopt_a.csv", AVTOOPT), ("avtoopt_b.csv", new)]
                  ).as_bytes()  # fmt: skip
    mailbox.append(cut_attachment(raw, keep=0.5))

    done = _fetch()

    assert (done["delivered"], done["loads"]) == ([], [])  # not even the whole one
    (entry,) = done["review"]
    assert "InvalidBase64" in entry["reason"] and "`avtoopt_b.csv`" in entry["reason"]
    assert lake.current(mail_env.lake_dir, "avtoopt") == live
    assert mailbox.subjects(REVIEW) == ["damaged"]


@pytest.mark.parametrize(
    ("pattern", "sent_as"),
    [
        ("Прайс «Тест»*.xlsx", "Прайс «Тест» 04.12.xlsx"),
        ("Остатки — опт*.csv", "Остатки — опт 04.12.csv"),
        ("A&B price #*.csv", "A&B price #12.csv"),
        ("price__full_*.csv", "price__full_0412.csv"),
    ],
)
def test_file_patterns_match_the_name_the_sender_used(
    mail_env: Settings, mailbox: TestMailbox, pattern: str, sent_as: str
) -> None:
    (mail_env.profiles_dir / "test.toml").write_text(
        f'id = "test"\n\n[match]\nsenders = ["@test.example"]\n'
        f'file_pattern = "{pattern}"\n', encoding="utf-8",
    )  # fmt: skip
    mailbox.append(
        message(sender="price@test.example", subject="Прайс",
                attachments=[(sent_as, AVTOOPT)])
    )  # fmt: skip

    result = fetch.poll(mail_env)

    (delivery,) = result.delivered
    assert (delivery.supplier_id, delivery.attachment) == ("test", sent_as)
    written = delivery.path.name.split("-", 2)[2]
    assert written == names.safe_name(sent_as)  # the safe name only for writing
    assert mailbox.subjects(PROCESSED) == ["Прайс"]


def test_two_messages_with_one_message_id_are_both_listed_for_review(
    mail_env: Settings, mailbox: TestMailbox
) -> None:
    mailbox.append(
        message(sender="a@elsewhere.example", subject="first", attachments=[],
                message_id="<same@elsewhere.example>"),
        message(sender="b@elsewhere.example", subject="second", attachments=[],
                message_id="<same@elsewhere.example>"),
    )  # fmt: skip

    fetch.poll(mail_env)

    entries, _ = store.review_entries(mail_env.mail_dir, limit=10)
    assert sorted(e["subject"] for e in entries) == ["first", "second"]
    review = store.ReviewList.load(mail_env.mail_dir)
    first = next(e for e in entries if e["subject"] == "first")
    assert review.resolve(first)  # processed after all: the other one stays
    assert [e["subject"] for e in review.entries] == ["second"]


def test_a_quarantined_file_sent_again_after_the_profile_fix_is_loaded(
    mail_env: Settings, mailbox: TestMailbox, smtp_sink: SmtpSink
) -> None:
    mailbox.append(
        message(sender="price@avtoopt.example", subject="v1",
                attachments=[("avtoopt_price.csv", NO_HEADER)])
    )  # fmt: skip
    assert [s["status"] for s in _fetch()["loads"]] == ["quarantined"]
    assert len(smtp_sink.messages) == 1
    with (mail_env.profiles_dir / "avtoopt.toml").open("a", encoding="utf-8") as fh:
        fh.write(FIXED_AVTOOPT)  # the data engineer maps the columns

    mailbox.append(
        message(sender="price@avtoopt.example", subject="v1 again",
                attachments=[("avtoopt_price.csv", NO_HEADER)])
    )  # fmt: skip
    again = _fetch()

    assert (again["duplicates"], [s["status"] for s in again["loads"]]) == (
        [], ["published"],
    )  # fmt: skip
    assert _articles(mail_env, "avtoopt") == ["0986452041"]
    (entry,) = _ledger(mail_env)
    assert (entry["status"], entry["reply"]) == ("published", "sent")
    assert len(smtp_sink.messages) == 1  # the same bytes are answered once

    mailbox.append(
        message(sender="price@avtoopt.example", subject="v1 third time",
                attachments=[("avtoopt_price.csv", NO_HEADER)])
    )  # fmt: skip
    assert [d["attachment"] for d in _fetch()["duplicates"]] == ["avtoopt_price.csv"]


def test_the_same_bytes_from_two_suppliers_are_both_delivered(
    mail_env: Settings, mailbox: TestMailbox
) -> None:
    mailbox.append(
        message(sender="price@avtoopt.example", subject="a",
                attachments=[("avtoopt_price.csv", AVTOOPT)]),
        message(sender="stock@euroline.example", subject="e",
                attachments=[("euro_price.csv", AVTOOPT)]),
    )  # fmt: skip

    done = _fetch()

    assert done["duplicates"] == []
    assert sorted((s["supplier_id"], s["status"]) for s in done["loads"]) == [
        ("avtoopt", "published"), ("euro", "published"),
    ]  # fmt: skip
    assert sorted(e["supplier_id"] for e in _ledger(mail_env)) == ["avtoopt", "euro"]


def test_a_reply_names_the_senders_file_and_the_sibling_now_in_force(
    mail_env: Settings, mailbox: TestMailbox, smtp_sink: SmtpSink
) -> None:
    mailbox.append(
        message(sender="sklad@ural-detal.example", subject="Прайс склад",
                attachments=[("ural.csv", URAL), ("ural.xlsx", b"PK\x03\x04broken")],
                date=None)
    )  # fmt: skip

    _fetch()

    (reply,) = smtp_sink.messages
    body = reply.get_payload(decode=True).decode()
    assert "«ural.xlsx» не загружен" in body
    assert (
        "Сейчас действуют цены из загруженного файла этого письма: «ural.csv»" in body
    )
    assert "действуют предыдущие цены" not in body.lower()
    assert "(file ural.xlsx)" in body  # the reason names the sender's file…
    (quarantined,) = (mail_env.quarantine_dir / "ural").glob("*ural.xlsx")
    inbox_name = quarantined.name.split("-", 1)[1]
    assert inbox_name not in body  # …not our inbox copy
    assert "()" not in body and "Мы получили ваше письмо «Прайс склад»." in body


def test_no_supplier_profiles_refuses_the_poll_and_touches_no_message(
    mail_env: Settings,
    mailbox: TestMailbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)  # run from elsewhere: `suppliers` is not here
    monkeypatch.setattr(mail_env, "profiles_dir", Path("suppliers"))
    mailbox.append(
        message(sender="price@avtoopt.example", subject="Price",
                attachments=[("avtoopt_price.csv", AVTOOPT)])
    )  # fmt: skip

    done = _fetch()

    assert done["exit_code"] == 1
    assert done["error"].startswith("the profiles folder `suppliers` (`")
    assert "does not exist" in done["error"] and "PARTS_PROFILES_DIR" in done["error"]
    assert (done["review"], done["processed"], done["attempts"]) == ([], 0, 0)
    assert mailbox.subjects("INBOX") == ["Price"]
    assert mailbox.subjects(REVIEW) == []
    assert store.ReviewList.load(mail_env.mail_dir).entries == []

    (tmp_path / "suppliers").mkdir()  # a folder, but no profile names a sender
    (tmp_path / "suppliers" / "quiet.toml").write_text('id = "quiet"\n')
    with pytest.raises(MailboxSettingsError, match="names a sender"):
        fetch.poll(mail_env)
    assert mailbox.subjects("INBOX") == ["Price"]


def test_the_demos_three_mails_are_published_quarantined_and_sent_to_review(
    mail_env: Settings, mailbox: TestMailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`parts mail send-demo --kind …` as the README has a new user try it,
    read with the repository's own supplier profiles."""
    monkeypatch.setenv("PARTS_PROFILES_DIR", str(REPO / "suppliers"))
    get_settings.cache_clear()
    for kind in ("price", "broken", "stranger"):
        sent = runner.invoke(app, ["mail", "send-demo", "--kind", kind])
        assert sent.exit_code == 0, sent.output
    refused = runner.invoke(app, ["mail", "send-demo", "--kind", "nonsense"])

    done = _fetch()

    assert refused.exit_code == 2 and "--kind is one of" in refused.output
    assert [(s["supplier_id"], s["status"]) for s in done["loads"]] == [
        ("avtoopt-msk", "published"),
        ("avtoopt-msk", "quarantined"),
    ]
    assert _articles(get_settings(), "avtoopt-msk")  # the good list stays live
    cut = done["loads"][1]["error"]  # says what the file starts with, and why
    assert "the first row read is ['BOSCH', '0 986 452 041'" in cut
    assert "a file cut off above its header starts with data rows" in cut
    assert mailbox.subjects(REVIEW) == [f"Прайс-лист на {dt.date.today():%d.%m.%Y}"]
    listed = json.loads(runner.invoke(app, ["mail", "review", "--json"]).stdout)
    (stranger,) = listed["entries"]
    assert stranger["from"] == "sales@unknown-parts.example"
    assert stranger["message_id"].endswith("@unknown-parts.example>")
    assert stranger["date"]
