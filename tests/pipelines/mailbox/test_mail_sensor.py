"""The mailbox in Dagster, and the connection's failures, against a real dovecot."""

from __future__ import annotations

import logging
from collections.abc import Iterator
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

from parts.settings import Settings
from pipelines.mailbox import fetch
from pipelines.mailbox import sensors as mail_sensors
from pipelines.mailbox.errors import (
    LoginRefused,
    MailboxSettingsError,
    MailboxUnreachable,
)
from pipelines.mailbox.sensors import OFF, build_mailbox_sensor
from pipelines.pricelists.assets import SUPPLIERS, price_list_checks, supplier_offers
from pipelines.pricelists.sensors import build_inbox_sensor
from search import lake
from tests.conftest import _free_port
from tests.pipelines.mailbox.conftest import Dovecot, TestMailbox
from tests.pipelines.mailbox.mails import message, price_csv

PRICE = price_csv(("BOSCH", "0 986 452 041", "1 299,50"))


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
