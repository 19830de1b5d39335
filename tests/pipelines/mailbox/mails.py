"""Factories for the mailbox tests: suppliers' e-mails and small price lists."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage


def message(
    *,
    sender: str,
    subject: str,
    attachments: list[tuple[str, bytes]],
    message_id: str | None = None,
) -> EmailMessage:
    """A supplier's e-mail with files attached."""
    msg = EmailMessage()
    msg["From"] = f"Отдел продаж <{sender}>"
    msg["To"] = "prices@parts.example"
    msg["Subject"] = subject
    msg["Date"] = "Thu, 04 Dec 2025 09:00:00 +0300"
    if message_id:
        msg["Message-ID"] = message_id
    msg.set_content("Добрый день! Прайс во вложении.")
    for name, payload in attachments:
        msg.add_attachment(
            payload, maintype="application", subtype="octet-stream", filename=name
        )
    return msg


def price_csv(*rows: tuple[str, str, str]) -> bytes:
    """A small price list: (brand, article, price) rows."""
    lines = ["Бренд;Артикул;Наименование;Цена;Остаток"]
    lines += [f"{b};{a};Фильтр масляный;{p};5" for b, a, p in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def zipped(*members: tuple[str, bytes]) -> bytes:
    """A ZIP archive of the given files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members:
            archive.writestr(name, payload)
    return buffer.getvalue()
