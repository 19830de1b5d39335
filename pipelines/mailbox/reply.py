"""After the loads: settle the ledger, and answer a supplier whose file was
quarantined.

Each ledger entry still `delivered` is matched to its load report by the file
name it was given in the inbox (unique per delivery). A quarantined one gets
one reply when `PARTS_SMTP_HOST` is set: the report's summary (status, reason,
row and reject counts of that file only), in Russian with an English line.
A reply that fails is tried again on the next pass, up to `MAX_REPLY_ATTEMPTS`.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from parts.settings import Settings
from pipelines.mailbox.config import SmtpConfig
from search import lake
from search import mail_store as store

log = logging.getLogger(__name__)

MAX_REPLY_ATTEMPTS = 3
Sender = Callable[[SmtpConfig, EmailMessage], None]


@dataclass
class ReplyPass:
    """What one pass settled and sent."""

    settled: dict[str, str] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"settled": self.settled, "sent": self.sent, "failed": self.failed}


def settle_and_reply(settings: Settings, *, send: Sender | None = None) -> ReplyPass:
    """Record the load of every delivered file; reply to quarantined ones."""
    smtp = SmtpConfig.from_settings(settings)
    send = send or send_reply
    done = ReplyPass()
    with store.locked(settings.mail_dir):
        ledger = store.Ledger.load(settings.mail_dir)
        reports: dict[str, list[dict[str, Any]]] = {}
        for sha, entry in ledger.unsettled():
            if entry["status"] == store.DELIVERED:
                _settle(settings, ledger, sha, entry, reports, done)
            if entry["status"] == "quarantined" and not entry.get("reply"):
                report = _report(settings, entry, reports) or {}
                _reply(smtp, ledger, sha, entry, report, send, done)
    return done


def _settle(
    settings: Settings,
    ledger: store.Ledger,
    sha: str,
    entry: dict[str, Any],
    reports: dict[str, list[dict[str, Any]]],
    done: ReplyPass,
) -> None:
    report = _report(settings, entry, reports)
    if report is not None:
        status, load_id = report["status"], report.get("load_id", "")
    elif not (settings.inbox_dir / entry["supplier_id"] / entry["file"]).exists():
        # `unchanged` is the one outcome that writes no report; the file was archived
        status, load_id = "unchanged", ""
    else:
        return  # not loaded yet
    ledger.update(sha, status=status, load_id=load_id, settled_at=store.now_iso())
    done.settled[entry["file"]] = status


def _reply(
    smtp: SmtpConfig,
    ledger: store.Ledger,
    sha: str,
    entry: dict[str, Any],
    report: dict[str, Any],
    send: Sender,
    done: ReplyPass,
) -> None:
    if not smtp.enabled:
        ledger.update(sha, reply="off")
        return
    message = build_reply(entry, report, sender=smtp.sender)
    try:
        send(smtp, message)
    except (smtplib.SMTPException, OSError) as exc:
        attempts = int(entry.get("reply_attempts", 0)) + 1
        gave_up = attempts >= MAX_REPLY_ATTEMPTS
        log.warning(
            "reply to %s via %s failed: %s", message["To"], smtp.describe(), exc
        )
        ledger.update(
            sha, reply_attempts=attempts, reply_error=str(exc),
            reply="failed" if gave_up else "",
        )  # fmt: skip
        done.failed.append(entry["file"])
        return
    ledger.update(
        sha, reply="sent", replied_at=store.now_iso(), replied_to=message["To"]
    )
    done.sent.append(entry["file"])
    log.info("replied to %s about %s", message["To"], entry["file"])


def _report(
    settings: Settings,
    entry: dict[str, Any],
    cache: dict[str, list[dict[str, Any]]],
) -> dict[str, Any] | None:
    supplier_id = entry["supplier_id"]
    if supplier_id not in cache:
        cache[supplier_id] = lake.reports(settings.lake_dir, supplier_id)
    return next((r for r in cache[supplier_id] if r.get("file") == entry["file"]), None)


def build_reply(
    entry: dict[str, Any], report: dict[str, Any], *, sender: str
) -> EmailMessage:
    """The answer to the message that brought a quarantined file."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = entry.get("reply_to") or entry["sender"]
    subject = entry.get("subject") or entry["attachment"]
    message["Subject"] = f"Re: {subject}" if subject else "Прайс-лист не загружен"
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or None)
    message["In-Reply-To"] = entry["message_id"]
    message["References"] = entry["message_id"]
    message["Auto-Submitted"] = "auto-replied"  # RFC 3834: no auto-answer loops
    message.set_content(_body(entry, report))
    return message


def _body(entry: dict[str, Any], report: dict[str, Any]) -> str:
    reason = report.get("error") or "не указана"
    rejects = report.get("rejects") or {}
    lines = [
        "Здравствуйте!",
        "",
        f"Прайс-лист «{entry['attachment']}» из письма «{entry.get('subject', '')}» "
        f"({entry.get('date', '')}) не загружен: файл отложен в карантин, "
        "действуют предыдущие цены.",
        "",
        f"Причина: {reason}",
        f"Строк прочитано: {report.get('rows_read', 0)}, принято: "
        f"{report.get('rows_accepted', 0)}, отклонено: {report.get('rows_rejected', 0)}.",
    ]
    if rejects:
        lines.append("Отклонённые строки по причинам:")
        lines += [f"  {name}: {count}" for name, count in sorted(rejects.items())]
    lines += [
        "",
        f"Your price list `{entry['attachment']}` was not loaded (quarantined; "
        f"the previous prices stay): {reason}",
        "",
        "Письмо отправлено автоматически.",
    ]
    return "\n".join(lines) + "\n"


def send_reply(config: SmtpConfig, message: EmailMessage) -> None:
    """Send one message through the configured SMTP server."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if config.security == "ssl":
        client = smtplib.SMTP_SSL(
            config.host, config.port, timeout=config.timeout_s, context=context
        )
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
    with client:
        if config.security == "starttls":
            client.starttls(context=context)
        if config.user:
            client.login(config.user, config.password.get_secret_value())
        client.send_message(message)
