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
    date: str | None = "Thu, 04 Dec 2025 09:00:00 +0300",
) -> EmailMessage:
    """A supplier's e-mail with files attached (no Date: with `date=None`)."""
    msg = EmailMessage()
    msg["From"] = f"Отдел продаж <{sender}>"
    msg["To"] = "prices@parts.example"
    msg["Subject"] = subject
    if date:
        msg["Date"] = date
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


def cut_attachment(raw: bytes, *, keep: float) -> bytes:
    """A message whose last attachment's base64 was cut short mid-quantum (a
    broken upload), its closing MIME boundary kept."""
    head = raw.index(b"\n\n", raw.rindex(b"Content-Disposition: attachment")) + 2
    end = raw.index(b"\n--", head)
    body = raw[head:end]
    kept = int(len(body) * keep)
    if len(body[:kept].replace(b"\n", b"")) % 4 == 0:
        kept -= 1  # a cut on a whole quantum would leave no trace
    return raw[:head] + body[:kept] + raw[end:]
