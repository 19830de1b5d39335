"""How a download is named: in its own script, with an ASCII fallback."""

from __future__ import annotations

import pytest

from service.downloads import attachment


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("order-12.xlsx",
         "attachment; filename=\"order-12.xlsx\"; filename*=UTF-8''order-12.xlsx"),
        ("quote-фильтр масляный.xlsx",
         "attachment; filename=\"quote-_______________.xlsx\"; "
         "filename*=UTF-8''quote-%D1%84%D0%B8%D0%BB%D1%8C%D1%82%D1%80%20"
         "%D0%BC%D0%B0%D1%81%D0%BB%D1%8F%D0%BD%D1%8B%D0%B9.xlsx"),
        # a slash or a quote never reaches a file name as itself
        ('quote-W712/75 "x".xlsx',
         "attachment; filename=\"quote-W712_75__x_.xlsx\"; "
         "filename*=UTF-8''quote-W712%2F75%20%22x%22.xlsx"),
    ],
)  # fmt: skip
def test_a_download_is_named_in_utf8_with_an_ascii_fallback(
    name: str, header: str
) -> None:
    assert attachment(name) == {"Content-Disposition": header}
