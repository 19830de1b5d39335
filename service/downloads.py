"""Files the API and the pages send to download: the workbook's media type
and the header that names a file."""

from __future__ import annotations

from urllib.parse import quote

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(name: str) -> dict[str, str]:
    """The `Content-Disposition` header of a download named `name` in any
    script: the name itself as UTF-8 (`filename*`, RFC 6266) and, for clients
    that read only `filename`, its ASCII letters and digits with `_` for the
    rest (`фильтр.xlsx` → `______.xlsx`)."""
    plain = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_"
                    for c in name)  # fmt: skip
    return {
        "Content-Disposition": f'attachment; filename="{plain}"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    }
