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
