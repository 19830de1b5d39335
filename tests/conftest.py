"""Shared fixtures: an isolated data dir per test, and the third-party samples."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from parts.settings import Settings, get_settings

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("PARTS_SHARED_DATA", REPO.parent / "shared" / "data"))
PROFILES = REPO / "tests" / "data" / "profiles"


def shared_file(*parts: str) -> Path:
    """A third-party sample read in place; the test is skipped when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared sample data not found at {path} (set PARTS_SHARED_DATA)")
    return path


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings pointing at a fresh data dir and the test profiles."""
    monkeypatch.setenv("PARTS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PARTS_PROFILES_DIR", str(PROFILES))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
