"""The mailbox in Dagster, and the connection's failures, against a real dovecot."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    AssetObservation,
    DagsterInstance,
    RunRequest,
    SensorResult,
    build_sensor_context,
    instance_for_test,
    materialize,
)
from pydantic import SecretStr
from typer.testing import CliRunner

from parts.cli import app
from parts.settings import Settings
from pipelines.mailbox import fetch, login_pause
from pipelines.mailbox import sensors as mail_sensors
from pipelines.mailbox.budget import Budget
from pipelines.mailbox.errors import (
    LoginRefused,
    MailboxSettingsError,
    MailboxUnreachable,
)
from pipelines.mailbox.sensors import OFF, build_mailbox_sensor
from pipelines.pricelists.assets import SUPPLIERS, price_list_checks, supplier_offers
from pipelines.pricelists.sensors import build_inbox_sensor
from search import lake
from search import mail_store as store
from tests.conftest import _free_port
from tests.pipelines.mailbox.conftest import PASSWORD, Dovecot, SmtpSink, TestMailbox
from tests.pipelines.mailbox.mails import message, price_csv

PRICE = price_csv(("BOSCH", "0 986 452 041", "1 299,50"))
runner = CliRunner()


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with instance_for_test() as instance:
        yield instance


def _tick(instance: DagsterInstance, cursor: str | None = None) -> SensorResult:
    sensor = build_mailbox_sensor(poll_s=60)
    result = sensor(build_sensor_context(instance=instance, cursor=cursor))
    assert isinstance(result, SensorResult)
    return result


def test_sensor_delivers_and_observes_then_the_inbox_sensor_publishes(
    mail_env: Settings, mailbox: TestMailbox, instance: DagsterInstance
) -> None:
    mailbox.append(
        message(sender="price@avtoopt.example", subject="Price",
                attachments=[("avtoopt_price.csv", PRICE)]),
        message(sender="who@unknown.example", subject="Привет | вопрос",
                attachments=[]),
    )  # fmt: skip

    result = _tick(instance)

    (event,) = result.asset_events
    assert (
        isinstance(event, AssetObservation)
        and event.asset_key == mail_sensors.mailbox.key
    )
    meta = {k: v.value for k, v in event.metadata.items()}
    assert (meta["delivered"], meta["to_review"], meta["review_waiting"]) == (1, 1, 1)
    assert "who@unknown.example" in meta["review"]
    assert "Привет \\| вопрос" in meta["review"]  # the pipe cannot break the table
    assert "avtoopt" in meta["stale_suppliers"]  # not loaded yet
    assert result.skip_reason is not None
    assert "delivered 1 file(s)" in result.skip_reason.skip_message

    inbox_sensor = build_inbox_sensor(poll_s=15, settle_s=0)
    found = inbox_sensor(build_sensor_context(instance=instance))
    assert isinstance(found, SensorResult)
    (request,) = found.run_requests or []
    assert isinstance(request, RunRequest) and request.partition_key == "avtoopt"
    instance.add_dynamic_partitions(SUPPLIERS, ["avtoopt"])
    run = materialize(
        [supplier_offers, *price_list_checks],
        instance=instance,
        partition_key="avtoopt",
        run_config=request.run_config,
    )
    assert run.success
    assert lake.current(mail_env.lake_dir, "avtoopt") is not None

    quiet = _tick(instance, cursor=result.cursor)  # ledger settles, review stays
    (after,) = quiet.asset_events  # stale suppliers changed: observed again
    assert after.metadata["stale_suppliers"].value == ["euro", "ural"]
    assert _tick(instance, cursor=quiet.cursor).asset_events == []  # nothing new


def test_sensor_skips_when_intake_is_off(
    mail_env: Settings, monkeypatch: pytest.MonkeyPatch, instance: DagsterInstance
) -> None:
    monkeypatch.setattr(mail_env, "mail_host", "")
    result = _tick(instance)
    assert result.skip_reason is not None and result.skip_reason.skip_message == OFF
    assert not result.asset_events


def test_wrong_password_fails_the_tick_at_once_and_is_never_shown(
    mail_env: Settings,
    lone_dovecot: Dovecot,
    monkeypatch: pytest.MonkeyPatch,
    instance: DagsterInstance,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "not-the-password-9f3c"
    monkeypatch.setattr(mail_env, "mail_port", lone_dovecot.port)
    monkeypatch.setattr(mail_env, "mail_password", SecretStr(secret))
    monkeypatch.setattr(mail_env, "mail_retries", 3)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(LoginRefused) as refused:
        _tick(instance)

    text = str(refused.value)
    assert text.startswith(f"login refused for {mail_env.mail_user}@127.0.0.1:")
    assert "AUTHENTICATIONFAILED" in text and "PARTS_MAIL_PASSWORD" in text
    assert secret not in text and secret not in caplog.text
    assert refused.value.__cause__ is None and refused.value.__context__ is not None
    assert secret not in repr(refused.value.__context__)


def test_server_down_is_retried_with_backoff_then_fails_the_tick(
    mail_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mail_env, "mail_port", _free_port())  # nothing listens
    monkeypatch.setattr(mail_env, "mail_retries", 2)
    waits: list[float] = []

    with pytest.raises(MailboxUnreachable) as down:
        fetch.poll(mail_env, sleep=waits.append)

    assert waits == [1.0, 2.0]
    assert (
        f"@127.0.0.1:{mail_env.mail_port} (plain) unreachable after 3 attempt(s)"
        in str(down.value)
    )
    assert "Connection refused" in str(down.value)


def test_sensor_tick_fails_with_the_reason_when_the_server_is_down(
    mail_env: Settings, monkeypatch: pytest.MonkeyPatch, instance: DagsterInstance
) -> None:
    monkeypatch.setattr(mail_env, "mail_port", _free_port())
    with pytest.raises(MailboxUnreachable, match="unreachable after 1 attempt"):
        _tick(instance)


def test_tls_from_the_start_with_a_trusted_certificate(
    mail_env: Settings, mailbox: TestMailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    if mailbox.server.cert is None:
        pytest.skip("openssl missing: no certificate for the TLS port")
    monkeypatch.setenv("SSL_CERT_FILE", str(mailbox.server.cert))
    monkeypatch.setattr(mail_env, "mail_security", "ssl")
    monkeypatch.setattr(mail_env, "mail_port", mailbox.server.ssl_port)
    mailbox.append(
        message(sender="price@avtoopt.example", subject="tls",
                attachments=[("avtoopt_price.csv", PRICE)])
    )  # fmt: skip

    assert [d.supplier_id for d in fetch.poll(mail_env).delivered] == ["avtoopt"]

    monkeypatch.setattr(mail_env, "mail_security", "starttls")
    monkeypatch.setattr(mail_env, "mail_port", mailbox.server.port)
    assert fetch.poll(mail_env).processed == 0  # STARTTLS works; nothing left


def test_untrusted_certificate_is_refused_with_the_reason(
    mail_env: Settings, mailbox: TestMailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    if mailbox.server.cert is None:
        pytest.skip("openssl missing: no certificate for the TLS port")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setattr(mail_env, "mail_security", "ssl")
    monkeypatch.setattr(mail_env, "mail_port", mailbox.server.ssl_port)
    monkeypatch.setattr(mail_env, "mail_retries", 3)
    waits: list[Any] = []

    with pytest.raises(MailboxSettingsError, match=r"is not trusted: self.signed"):
        fetch.poll(mail_env, sleep=waits.append)
    assert waits == []  # a certificate does not fix itself: no retries


def _skip_message(result: SensorResult) -> str:
    assert result.skip_reason is not None
    return str(result.skip_reason.skip_message)


def _refusals(server: Dovecot) -> int:
    """Logins the server refused so far (its log)."""
    text = server.log.read_text(errors="replace") if server.log.exists() else ""
    return text.count("auth failed")


def test_a_refused_login_pauses_the_sensor_and_a_person_still_tries(
    mail_env: Settings,
    lone_dovecot: Dovecot,
    monkeypatch: pytest.MonkeyPatch,
    instance: DagsterInstance,
) -> None:
    clock = [dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)]
    monkeypatch.setattr(login_pause, "utc_now", lambda: clock[0])
    monkeypatch.setattr(mail_env, "mail_port", lone_dovecot.port)
    monkeypatch.setattr(mail_env, "mail_password", SecretStr("wrong-password"))

    with pytest.raises(LoginRefused, match="the sensor tries again at 12:05:00 UTC"):
        _tick(instance)
    assert _refusals(lone_dovecot) == 1

    clock[0] += dt.timedelta(minutes=2)
    paused = _tick(instance)  # no login at all: the server sees nothing
    said = _skip_message(paused)
    assert said.startswith("mailbox login paused after 1 refusal(s), the last at ")
    assert "next try at 12:05:00 UTC, in 3 min" in said
    assert "AUTHENTICATIONFAILED" in said and "wrong-password" not in said
    assert _refusals(lone_dovecot) == 1

    clock[0] += dt.timedelta(minutes=4)  # past the pause: one try, then 10 min
    with pytest.raises(LoginRefused, match="tries again at 12:16:00 UTC"):
        _tick(instance)
    assert _refusals(lone_dovecot) == 2

    asked = runner.invoke(app, ["mail", "fetch", "--json"])  # a person asks
    assert asked.exit_code == 1
    assert json.loads(asked.stdout)["error"].startswith("login refused for")
    assert _refusals(lone_dovecot) == 3
    assert "after 3 refusal(s)" in _skip_message(_tick(instance))

    monkeypatch.setattr(mail_env, "mail_password", SecretStr(PASSWORD))
    fixed = _tick(instance)  # new settings end the pause at once
    assert _skip_message(fixed) == "no new price lists in the mailbox"
    assert login_pause.current(mail_env) is None
    assert not (mail_env.mail_dir / login_pause.FILE).exists()


def test_the_login_pause_doubles_up_to_an_hour(mail_env: Settings) -> None:
    start = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
    pauses = [login_pause.refused(mail_env, reason="no", now=start) for _ in range(6)]
    minutes = [round((p.until - start).total_seconds() / 60) for p in pauses]
    assert minutes == [5, 10, 20, 40, 60, 60]
    stored = (mail_env.mail_dir / login_pause.FILE).read_text()
    assert mail_env.mail_password.get_secret_value() not in stored


def test_a_cyrillic_wrong_password_is_a_refused_login_never_shown(
    mail_env: Settings,
    lone_dovecot: Dovecot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "НеверныйПароль-ёж"
    monkeypatch.setattr(mail_env, "mail_port", lone_dovecot.port)
    monkeypatch.setattr(mail_env, "mail_password", SecretStr(secret))
    caplog.set_level(logging.DEBUG)

    asked = runner.invoke(app, ["mail", "fetch", "--json"])

    assert asked.exit_code == 1
    assert isinstance(asked.exception, SystemExit)  # no traceback: a clean exit
    done = json.loads(asked.stdout)
    assert done["error"].startswith(f"login refused for {mail_env.mail_user}@127.0.0.1")
    assert "PARTS_MAIL_PASSWORD" in done["error"]
    assert done["attempts"] == 1
    assert secret not in asked.output and secret not in caplog.text
    with pytest.raises(LoginRefused) as refused:
        fetch.poll(mail_env)
    chain = [refused.value, refused.value.__context__]
    chain += [getattr(chain[-1], "__context__", None)]
    assert refused.value.__cause__ is None
    assert all(secret not in repr(e) for e in chain)


def test_a_poll_starts_no_message_once_its_budget_is_spent(
    mail_env: Settings, mailbox: TestMailbox
) -> None:
    mailbox.append(
        *(message(sender="price@avtoopt.example", subject=f"m{n}",
                  attachments=[(f"avtoopt_{n}.csv", price_csv(("BOSCH", f"A{n}", "1")))])
          for n in range(3))
    )  # fmt: skip
    now = [0.0]

    def slow_server(step: str, uid: str, box: Any) -> None:
        if step == "moved":
            now[0] += 3.0  # each message takes 3 s

    budget = Budget(10, clock=lambda: now[0])  # timeout 5 s: starts until 5 s
    result = fetch.poll(mail_env, on_step=slow_server, budget=budget)

    assert (result.processed, result.remaining) == (2, 1)
    assert result.stopped == (
        "the poll's time budget of 10 s is spent: 1 message(s) wait for the next poll"
    )
    assert mailbox.subjects("INBOX") == ["m2"]
    assert [d.attachment for d in fetch.poll(mail_env).delivered] == ["avtoopt_2.csv"]


def test_reconnects_stop_when_the_budget_would_be_exceeded(
    mail_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mail_env, "mail_port", _free_port())  # nothing listens
    monkeypatch.setattr(mail_env, "mail_retries", 10)
    now, waits = [0.0], []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    with pytest.raises(MailboxUnreachable) as down:
        fetch.poll(mail_env, sleep=sleep, budget=Budget(10, clock=lambda: now[0]))

    assert waits == [1.0, 2.0]  # a third wait (4 s) and a step (5 s) do not fit
    assert "unreachable after 3 attempt(s)" in str(down.value)
    assert "no retry fits in the poll's time budget of 10 s" in str(down.value)


def test_a_sensor_tick_ends_with_the_reason_inside_its_budget(
    mail_env: Settings, monkeypatch: pytest.MonkeyPatch, instance: DagsterInstance
) -> None:
    monkeypatch.setattr(mail_env, "mail_port", _free_port())
    monkeypatch.setattr(mail_env, "mail_retries", 10)  # 1+2+4+… s: over 60 s
    monkeypatch.setattr(mail_env, "mail_tick_budget_s", 3)
    started = time.monotonic()

    with pytest.raises(MailboxUnreachable, match="no retry fits in the poll's time"):
        _tick(instance)

    assert time.monotonic() - started < 3


def test_starttls_with_an_untrusted_certificate_names_the_certificate(
    mail_env: Settings, mailbox: TestMailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    if mailbox.server.cert is None:
        pytest.skip("openssl missing: no certificate for the TLS port")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setattr(mail_env, "mail_security", "starttls")
    monkeypatch.setattr(mail_env, "mail_port", mailbox.server.port)

    with pytest.raises(MailboxSettingsError) as refused:
        fetch.poll(mail_env)

    assert "is not trusted: self-signed certificate" in str(refused.value)
    assert "add its CA to the system store" in str(refused.value)
    assert "PARTS_MAIL_PORT" not in str(refused.value)

    monkeypatch.setattr(mail_env, "mail_port", 993)
    with pytest.raises(MailboxSettingsError, match="port 993 speaks TLS from the"):
        fetch.poll(mail_env)


def test_a_sensor_with_no_supplier_profiles_fails_its_tick_touching_nothing(
    mail_env: Settings,
    mailbox: TestMailbox,
    monkeypatch: pytest.MonkeyPatch,
    instance: DagsterInstance,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(mail_env, "profiles_dir", tmp_path / "nowhere")
    mailbox.append(
        message(sender="price@avtoopt.example", subject="Price",
                attachments=[("avtoopt_price.csv", PRICE)])
    )  # fmt: skip

    with pytest.raises(MailboxSettingsError, match="PARTS_PROFILES_DIR"):
        _tick(instance)

    assert mailbox.subjects("INBOX") == ["Price"]


def test_a_reply_that_cannot_be_made_never_fails_a_sensor_tick(
    mail_env: Settings,
    mailbox: TestMailbox,
    smtp_sink: SmtpSink,
    instance: DagsterInstance,
) -> None:
    lake.write_report(mail_env.lake_dir, "avtoopt", "l1",
                      {"status": "quarantined", "file": "f.csv", "error": "bad"})  # fmt: skip
    ledger = store.Ledger.load(mail_env.mail_dir)
    ledger.add("avtoopt", "0" * 64,
               {"message_id": "<m@x>", "uid": "1", "sender": "", "reply_to": "",
                "subject": "Price,\r\n folded", "date": "",
                "attachment": "avtoopt_1.csv", "file": "f.csv",
                "delivered_at": store.now_iso()})  # fmt: skip

    first = _tick(instance)
    again = _tick(instance, cursor=first.cursor)

    assert _skip_message(again) == "no new price lists in the mailbox"
    (entry,) = store.Ledger.load(mail_env.mail_dir).files.values()
    assert (entry["status"], entry["reply"]) == ("quarantined", "failed")
    assert "no sender address" in entry["reply_error"]
    assert smtp_sink.messages == []
