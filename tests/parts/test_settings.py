"""Every setting has a default and a help string, and bad values fail at start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from parts.settings import Settings


def test_every_setting_is_documented() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting `{name}` has no help string"
        assert not field.is_required(), f"setting `{name}` has no default"


def test_bad_value_fails_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTS_MAX_ROWS", "-5")
    with pytest.raises(ValidationError):
        Settings()


def test_readme_lists_every_setting() -> None:
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"PARTS_{name.upper()}" in readme, f"PARTS_{name.upper()} not in README"


def test_an_unknown_time_zone_fails_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTS_TIMEZONE", "Europe/Atlantis")

    with pytest.raises(ValidationError) as raised:
        Settings()

    assert "unknown time zone `Europe/Atlantis`: use an IANA name" in str(raised.value)
    assert str(Settings(timezone="Asia/Yekaterinburg").zone) == "Asia/Yekaterinburg"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_plain_imap_to_this_machine_is_allowed(host: str) -> None:
    assert Settings(mail_host=host, mail_security="plain").mail_host == host


def test_plain_imap_to_another_host_is_refused_unless_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARTS_MAIL_HOST", "imap.example.ru")
    monkeypatch.setenv("PARTS_MAIL_SECURITY", "plain")
    monkeypatch.setenv("PARTS_MAIL_PASSWORD", "hunter2-secret")

    with pytest.raises(ValidationError) as refused:
        Settings()

    text = str(refused.value)
    assert "`PARTS_MAIL_SECURITY=plain` would send the password to " in text
    assert (
        "`imap.example.ru` in clear text" in text and "PARTS_MAIL_ALLOW_PLAIN" in text
    )
    assert "hunter2-secret" not in text  # the error never echoes the settings
    monkeypatch.setenv("PARTS_MAIL_ALLOW_PLAIN", "true")
    assert Settings().mail_security == "plain"


def test_plain_smtp_with_a_login_to_another_host_is_refused() -> None:
    with pytest.raises(ValidationError, match="PARTS_SMTP_SECURITY=plain"):
        Settings(smtp_host="smtp.example.ru", smtp_security="plain", smtp_user="u")
    relay = Settings(smtp_host="relay.lan", smtp_security="plain")  # no login
    assert relay.smtp_host == "relay.lan"


def test_a_mail_step_longer_than_the_tick_budget_is_refused() -> None:
    with pytest.raises(ValidationError, match="PARTS_MAIL_TIMEOUT_S"):
        Settings(mail_timeout_s=45, mail_tick_budget_s=40)
