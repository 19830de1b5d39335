"""Attachment names chosen by a sender never choose our paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.mailbox.names import MAX_NAME_BYTES, UnsafePath, inside, safe_name


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../x.xls", "x.xls"),
        ("..\\..\\Windows\\evil.xlsx", "evil.xlsx"),
        ("/etc/cron.d/job.csv", "job.csv"),
        ("..", "attachment"),
        (".", "attachment"),
        ("", "attachment"),
        (None, "attachment"),
        ("...", "attachment"),
        (".hidden.csv", "hidden.csv"),  # the inbox skips dot files
        ("=?utf-8?b?0J/RgNCw0LnRgSAwNC4xMi54bHM=?=", "Прайс 04.12.xls"),
        ("=?x-unknown?q?price.csv?=", "price.csv"),
        ("прайс\x00\x07\tлист;rm -rf $(id).csv", "прайс лист_rm -rf _(id).csv"),
        ("price\u202egnp.csv", "pricegnp.csv"),  # bidi override dropped
        ("Прайс\u00a0№5 (опт).XLSX", "Прайс №5 (опт).XLSX"),
    ],
)
def test_safe_name(raw: str | None, safe: str) -> None:
    assert safe_name(raw) == safe


def test_long_names_are_cut_in_bytes_keeping_the_extension() -> None:
    # Cyrillic is two bytes a letter: a cut by characters made names the
    # archive's stamp pushed past the file system's 255 bytes
    name = safe_name("п" * 500 + ".xlsx")
    assert MAX_NAME_BYTES - 1 <= len(name.encode()) <= MAX_NAME_BYTES
    assert name.endswith("п.xlsx")
    assert len(safe_name("avtoopt_price_" + "Я" * 300 + ".csv").encode()) <= 120


def test_inside_refuses_a_path_that_leaves_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "inbox" / "ural"
    folder.mkdir(parents=True)
    assert inside(folder, "x.csv") == (folder / "x.csv").resolve()
    for bad in ("../x.csv", "/etc/passwd", "..", "."):
        with pytest.raises(UnsafePath):
            inside(folder, bad)
    (folder / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePath):
        inside(folder, "link/x.csv")
