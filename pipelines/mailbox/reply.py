"""After the loads: settle the ledger, and answer a supplier whose file was
quarantined.

Each ledger entry still `delivered` is matched to its load report by the file
name it was given in the inbox (unique per delivery). When every file of a
message is settled (or after `SIBLINGS_WAIT_S`), its quarantined files get one
reply when `PARTS_SMTP_HOST` is set: per file, the sender's name for it and
its report's summary (reason, row and reject counts), and which prices are in
force now (the previous ones, or those of a sibling file published from the
same message), in Russian with an English line. A reply that fails to send
is tried again on the next pass, up to `MAX_REPLY_ATTEMPTS`; one that cannot
be built is recorded with the reason. Neither stops the other entries.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from parts.settings import Settings
from pipelines.mailbox.budget import Budget, unlimited
from pipelines.mailbox.config import SmtpConfig
from pipelines.mailbox.names import header_text
from search import lake
from search import mail_store as store

log = logging.getLogger(__name__)

MAX_REPLY_ATTEMPTS = 3
SIBLINGS_WAIT_S = 3600
"""How long a reply waits for the other files of its message to be loaded."""
Sender = Callable[[SmtpConfig, EmailMessage], None]
Entries = list[tuple[str, dict[str, Any]]]


@dataclass
class ReplyPass:
    """What one pass settled and sent, and what it could not do."""

    settled: dict[str, str] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    deferred: int = 0
    """Replies owed that did not fit in the pass's time budget."""

    def summary(self) -> dict[str, Any]:
        return {
            "settled": self.settled,
            "sent": self.sent,
            "failed": self.failed,
            "errors": self.errors,
            "deferred": self.deferred,
        }


@dataclass(frozen=True)
class Quarantined:
    """One quarantined file of a message, as its reply tells it."""

    entry: dict[str, Any]
    report: dict[str, Any]
    live_siblings: tuple[str, ...] = ()
    """The sender's names of the files of the same message and supplier
    whose list is live now."""
    had_prices: bool = True
    """Whether the supplier has a live list at all."""


def settle_and_reply(
    settings: Settings, *, send: Sender | None = None, budget: Budget | None = None
) -> ReplyPass:
    """Record the load of every delivered file; reply to quarantined ones."""
    smtp = SmtpConfig.from_settings(settings)
    budget = budget or unlimited()
    done = ReplyPass()
    with store.locked(settings.mail_dir):
        ledger = store.Ledger.load(settings.mail_dir)
        reports = _Reports(settings)
        for key, entry in ledger.unsettled():
            if entry["status"] == store.DELIVERED:
                _settle_guarded(settings, ledger, key, entry, reports, done)
        owed = _owed(ledger)
        for n, group in enumerate(owed):
            if not budget.allows(smtp.timeout_s):  # one SMTP step still fits
                done.deferred = len(owed) - n
                break
            _reply_guarded(settings, smtp, ledger, group, reports, send, done)
    return done


class _Reports:
    """Load reports by supplier, read once per pass."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cache: dict[str, list[dict[str, Any]]] = {}

    def of(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        supplier_id = entry["supplier_id"]
        if supplier_id not in self.cache:
            self.cache[supplier_id] = lake.reports(self.settings.lake_dir, supplier_id)
        found = self.cache[supplier_id]
        return next((r for r in found if r.get("file") == entry["file"]), None)


def _settle_guarded(
    settings: Settings,
    ledger: store.Ledger,
    key: str,
    entry: dict[str, Any],
    reports: _Reports,
    done: ReplyPass,
) -> None:
    """Settle one entry; a failure is recorded on it and the others go on."""
    try:
        _settle(settings, ledger, key, entry, reports, done)
    except store.StoreError:
        raise  # the ledger itself cannot be written: nothing else can be done
    except Exception as exc:  # one unreadable report must not stop the pass
        log.warning("cannot settle %s: %r", entry.get("file"), exc)
        ledger.update(key, settle_error=repr(exc))
        done.errors[str(entry.get("file"))] = f"cannot settle: {exc!r}"


def _settle(
    settings: Settings,
    ledger: store.Ledger,
    key: str,
    entry: dict[str, Any],
    reports: _Reports,
    done: ReplyPass,
) -> None:
    report = reports.of(entry)
    if report is not None:
        status, load_id = report["status"], report.get("load_id", "")
    elif not (settings.inbox_dir / entry["supplier_id"] / entry["file"]).exists():
        # `unchanged` is the one outcome that writes no report; the file was archived
        status, load_id = "unchanged", ""
    else:
        return  # not loaded yet
    ledger.update(key, status=status, load_id=load_id, settled_at=store.now_iso())
    done.settled[entry["file"]] = status


def _owed(ledger: store.Ledger, *, now: dt.datetime | None = None) -> list[Entries]:
    """Quarantined files owing a reply, grouped by message; a message whose
    other files are still waiting for their load waits (a while) too."""
    groups: dict[tuple[str, str], Entries] = {}
    for key, entry in ledger.unsettled():
        if entry["status"] == store.QUARANTINED and not entry.get("reply"):
            groups.setdefault(_message_of(entry), []).append((key, entry))
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(seconds=SIBLINGS_WAIT_S)
    waited = cutoff.isoformat(timespec="seconds")
    return [
        group
        for message, group in groups.items()
        if not _pending_siblings(ledger, message)
        or max(e.get("settled_at", "") for _, e in group) < waited
    ]


def _message_of(entry: dict[str, Any]) -> tuple[str, str]:
    """The message an entry came with (two messages may share a Message-ID)."""
    return entry["message_id"], str(entry.get("uid", ""))


def _pending_siblings(ledger: store.Ledger, message: tuple[str, str]) -> bool:
    return any(
        _message_of(e) == message and e.get("status") == store.DELIVERED
        for e in ledger.files.values()
    )


def _reply_guarded(
    settings: Settings,
    smtp: SmtpConfig,
    ledger: store.Ledger,
    group: Entries,
    reports: _Reports,
    send: Sender | None,
    done: ReplyPass,
) -> None:
    """Reply about one message; a reply that cannot be made is recorded on
    its entries with the reason, and the other messages go on."""
    files = [entry["file"] for _, entry in group]
    try:
        _reply(settings, smtp, ledger, group, reports, send or send_reply, done)
    except store.StoreError:
        raise
    except Exception as exc:  # a bad header or a bug: not fixed by trying again
        log.warning("no reply about %s: %r", ", ".join(files), exc)
        for key, _ in group:
            ledger.update(key, reply="failed", reply_error=repr(exc))
        done.failed += files
        done.errors.update({f: f"cannot reply: {exc!r}" for f in files})


def _reply(
    settings: Settings,
    smtp: SmtpConfig,
    ledger: store.Ledger,
    group: Entries,
    reports: _Reports,
    send: Sender,
    done: ReplyPass,
) -> None:
    files = [entry["file"] for _, entry in group]
    if not smtp.enabled:
        for key, _ in group:
            ledger.update(key, reply="off")
        return
    told = [_told(settings, ledger, entry, reports) for _, entry in group]
    message = build_reply(told, sender=smtp.sender)
    try:
        send(smtp, message)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning(
            "reply to %s via %s failed: %s", message["To"], smtp.describe(), exc
        )
        for key, entry in group:
            attempts = int(entry.get("reply_attempts", 0)) + 1
            gave_up = attempts >= MAX_REPLY_ATTEMPTS
            ledger.update(
                key, reply_attempts=attempts, reply_error=str(exc),
                reply="failed" if gave_up else "",
            )  # fmt: skip
        done.failed += files
        return
    for key, _ in group:
        ledger.update(
            key, reply="sent", replied_at=store.now_iso(), replied_to=message["To"]
        )
    done.sent += files
    log.info("replied to %s about %s", message["To"], ", ".join(files))


def _told(
    settings: Settings,
    ledger: store.Ledger,
    entry: dict[str, Any],
    reports: _Reports,
) -> Quarantined:
    """What the reply says of one file: its report, and the prices in force."""
    supplier_id = entry["supplier_id"]
    live = lake.current(settings.lake_dir, supplier_id)
    siblings = tuple(
        e["attachment"]
        for e in ledger.files.values()
        if _message_of(e) == _message_of(entry)
        and e["supplier_id"] == supplier_id
        and e.get("status") in store.LIVE_STATUSES
        and live is not None
        and e.get("load_id") in (live.load_id, "")
    )
    return Quarantined(entry, reports.of(entry) or {}, siblings, live is not None)


def build_reply(files: list[Quarantined], *, sender: str) -> EmailMessage:
    """The answer to the message that brought quarantined files (one reply
    per message); header values are put on one line."""
    entry = files[0].entry
    to = header_text(entry.get("reply_to") or entry.get("sender"))
    if not to:
        raise ValueError("the message has no sender address to reply to")
    subject = header_text(entry.get("subject"))
    if subject and not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    message_id = header_text(entry["message_id"])
    message = EmailMessage()
    message["From"] = header_text(sender)
    message["To"] = to
    message["Subject"] = subject or "Прайс-лист не загружен"
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or None)
    message["In-Reply-To"] = message_id
    message["References"] = message_id
    message["Auto-Submitted"] = "auto-replied"  # RFC 3834: no auto-answer loops
    message.set_content(_body(files))
    return message


def _body(files: list[Quarantined]) -> str:
    entry = files[0].entry
    lines = ["Здравствуйте!", "", _received(entry), ""]
    for told in files:
        lines += [*_file_lines(told), ""]
    names = ", ".join(f"`{t.entry['attachment']}`" for t in files)
    reasons = "; ".join(_reason(t) for t in files)
    lines += [
        f"Not loaded (quarantined): {names}: {reasons}",
        "",
        "Письмо отправлено автоматически.",
    ]
    return "\n".join(lines) + "\n"


def _received(entry: dict[str, Any]) -> str:
    """`Мы получили ваше письмо «…» от 04.12.2025 09:00.`, with what is known."""
    subject = header_text(entry.get("subject"))
    when = _date(entry.get("date") or "")
    said = "Мы получили ваше письмо"
    if subject:
        said += f" «{subject}»"
    if when:
        said += f" от {when}"
    return said + "."


def _file_lines(told: Quarantined) -> list[str]:
    report = told.report
    rejects = report.get("rejects") or {}
    lines = [
        f"Прайс-лист «{told.entry['attachment']}» не загружен: файл отложен "
        "в карантин.",
        f"Причина: {_reason(told)}",
        f"Строк прочитано: {report.get('rows_read', 0)}, принято: "
        f"{report.get('rows_accepted', 0)}, отклонено: "
        f"{report.get('rows_rejected', 0)}.",
    ]
    if rejects:
        lines.append("Отклонённые строки по причинам:")
        lines += [f"  {name}: {count}" for name, count in sorted(rejects.items())]
    lines.append(_prices_now(told))
    return lines


def _prices_now(told: Quarantined) -> str:
    if told.live_siblings:
        shown = ", ".join(f"«{name}»" for name in told.live_siblings)
        return f"Сейчас действуют цены из загруженного файла этого письма: {shown}."
    if told.had_prices:
        return "Действуют предыдущие цены."
    return "Ваших цен у нас пока нет: ни один прайс-лист ещё не загружен."


def _reason(told: Quarantined) -> str:
    """The report's reason, naming the file as the sender did, not our inbox copy."""
    reason = str(told.report.get("error") or "не указана")
    return reason.replace(told.entry["file"], told.entry["attachment"])


def _date(raw: str) -> str:
    """A message's Date: as `04.12.2025 09:00` (its own time zone), or as sent."""
    text = header_text(raw)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return text
    return f"{when:%d.%m.%Y %H:%M}"


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
