"""One poll of the price-list mailbox: messages in, inbox files out.

The watched folder is listed with headers only; a message over
`PARTS_MAIL_MAX_MESSAGE_MB` (by the size the server reports) or from a sender
no profile knows goes to the review folder without its body being
downloaded. Every other message is downloaded and its matching attachments
are written into `inbox/<supplier>/` (tmp file, then rename) and recorded in
the ledger before the message is moved to the processed folder. So a
connection that drops between the two leaves a message whose files are in the
ledger: the next poll moves it and delivers nothing twice. Each message is
handled on its own: a broken one goes to review and the others go on. A
message whose MIME structure says bytes are missing (cut short, damaged
base64) delivers nothing at all: a part of a list would replace the whole.

A poll refuses to start with no supplier profile that names a sender (every
message would go to review), keeps within its time budget (`budget`) and
records a refused login for the sensor's pause (`login_pause`).
"""

from __future__ import annotations

import datetime as dt
import email.errors
import email.message
import hashlib
import imaplib
import logging
import os
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from imap_tools import (
    BaseMailBox,
    MailBox,
    MailBoxStartTls,
    MailBoxUnencrypted,
    MailMessage,
)
from imap_tools.errors import (
    MailboxFolderSelectError,
    MailboxLoginError,
    MailboxStarttlsError,
    UnexpectedCommandStatusError,
)

from crosses import lake_files
from parts.settings import Settings
from pipelines.mailbox import login_pause, matching, names
from pipelines.mailbox.budget import Budget
from pipelines.mailbox.config import MailConfig
from pipelines.mailbox.errors import (
    LoginRefused,
    MailboxError,
    MailboxSettingsError,
    MailboxUnreachable,
)
from pipelines.pricelists.profiles import SupplierProfile, load_profiles
from search import mail_store as store

log = logging.getLogger(__name__)

MAX_MESSAGES = 200
"""Messages handled in one poll; the rest wait for the next one."""
MAX_BACKOFF_S = 30.0
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (imaplib.IMAP4.abort, OSError)
"""What a lost or refused connection raises (imaplib wraps some, not all)."""
LOST_BYTES: tuple[type[email.errors.MessageDefect], ...] = (
    email.errors.CloseBoundaryNotFoundDefect,
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.NoBoundaryInMultipartDefect,
    email.errors.MultipartInvariantViolationDefect,
    email.errors.InvalidBase64PaddingDefect,
    email.errors.InvalidBase64CharactersDefect,
    email.errors.InvalidBase64LengthDefect,
)
"""MIME defects that mean part of the message is missing or unreadable."""

Hook = Callable[[str, str, BaseMailBox], None]
"""`(step, uid, mailbox)` after each step of a message: `delivered`, `moved`."""


class _Dropped(Exception):
    """The connection is gone; the poll may start again."""

    def __init__(self, cause: BaseException) -> None:
        self.cause = cause
        super().__init__(str(cause) or type(cause).__name__)


class _LocalWriteError(Exception):
    """The inbox could not be written (disk, permissions): try again later."""


@dataclass(frozen=True)
class Delivery:
    """An attachment written into the inbox, waiting for its load."""

    supplier_id: str
    path: Path
    attachment: str
    sha256: str
    message_id: str
    sender: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}


@dataclass
class PollResult:
    """What one poll did."""

    delivered: list[Delivery] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    review: list[dict[str, Any]] = field(default_factory=list)
    processed: int = 0
    left: list[dict[str, Any]] = field(default_factory=list)
    remaining: int = 0
    attempts: int = 0
    stopped: str | None = None
    """Why the poll stopped before the end of the folder (its time budget)."""

    def summary(self) -> dict[str, Any]:
        """Counts and entries, for the CLI's JSON and Dagster metadata."""
        return {
            "delivered": [d.to_dict() for d in self.delivered],
            "duplicates": self.duplicates,
            "review": self.review,
            "processed": self.processed,
            "left": self.left,
            "remaining": self.remaining,
            "attempts": self.attempts,
            "stopped": self.stopped,
        }


@dataclass(frozen=True)
class _Head:
    """The headers of one message, as the ledger and the review list keep them."""

    uid: str
    message_id: str
    sender: str
    sender_name: str
    reply_to: str
    subject: str
    date: str
    size: int

    @classmethod
    def of(cls, msg: MailMessage) -> _Head:
        """The headers, unfolded and on one line (a reply may carry them)."""
        found = msg.from_values
        sender = names.header_text(found.email).lower() if found else ""
        subject, date = names.header_text(msg.subject), names.header_text(msg.date_str)
        message_id = names.header_text((msg.headers.get("message-id") or ("",))[0])
        if not message_id:  # no id: one made of what identifies the message
            digest = hashlib.sha256(
                f"{sender}|{subject}|{date}|{msg.size_rfc822}".encode()
            ).hexdigest()
            message_id = f"<no-id-{digest[:24]}>"
        return cls(
            uid=msg.uid or "",
            message_id=message_id,
            sender=sender,
            sender_name=names.header_text(found.name) if found else "",
            reply_to=names.header_text(msg.reply_to[0]) if msg.reply_to else "",
            subject=subject,
            date=date,
            size=msg.size_rfc822,
        )

    @classmethod
    def unreadable(cls, msg: MailMessage) -> _Head:
        """What is left to name a message whose headers do not parse."""
        uid = msg.uid or ""
        return cls(uid, f"<unreadable-uid-{uid}>", "", "", "", "", "", msg.size_rfc822)

    def record(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "uid": self.uid,
            "from": self.sender,
            "from_name": self.sender_name,
            "subject": self.subject,
            "date": self.date,
            "size": self.size,
        }


def poll(
    settings: Settings,
    *,
    on_step: Hook | None = None,
    sleep: Callable[[float], None] = time.sleep,
    budget: Budget | None = None,
) -> PollResult:
    """Poll the mailbox once; reconnect with backoff if it is unreachable.

    Raises `MailboxUnreachable` when the retries are spent or no retry fits
    in the `budget` (`PARTS_MAIL_FETCH_BUDGET_S` when none is given),
    `LoginRefused` at once (and records it for the sensor's pause),
    `MailboxSettingsError` when the settings cannot work; each carries what
    was done before in its `partial`.
    """
    config = MailConfig.from_settings(settings)
    if not config.enabled:
        raise MailboxSettingsError(
            "mailbox intake is off: `PARTS_MAIL_HOST` is empty",
            hint="set PARTS_MAIL_HOST, PARTS_MAIL_USER and PARTS_MAIL_PASSWORD",
        )
    profiles = mail_profiles(settings)
    result = PollResult()
    with store.locked(settings.mail_dir):
        session = _Session(
            config,
            settings=settings,
            profiles=profiles,
            ledger=store.Ledger.load(settings.mail_dir),
            review=store.ReviewList.load(settings.mail_dir),
            result=result,
            on_step=on_step,
            budget=budget or Budget(settings.mail_fetch_budget_s),
        )
        _run_recorded(session, sleep)
    log.info(
        "mail poll: delivered=%s duplicates=%s review=%s processed=%s left=%s "
        "remaining=%s", len(result.delivered), len(result.duplicates),
        len(result.review), result.processed, len(result.left), result.remaining,
    )  # fmt: skip
    return result


def mail_profiles(settings: Settings) -> dict[str, SupplierProfile]:
    """The supplier profiles that name senders; none is a settings error,
    since every message would go to review."""
    folder = settings.profiles_dir
    profiles = load_profiles(folder, strict=False)
    found = {sid: p for sid, p in profiles.items() if p.match.senders}
    if found:
        return found
    where = f"`{folder}` (`{folder.resolve()}`)"
    problem = (
        f"the profiles folder {where} does not exist"
        if not folder.is_dir()
        else f"no supplier profile in {where} names a sender (`[match] senders`)"
    )
    raise MailboxSettingsError(
        f"{problem}: every message would go to review, so none is touched",
        hint="set PARTS_PROFILES_DIR to the supplier profiles folder (an "
        "absolute path to run from elsewhere)",
    )


def backoff_s(attempt: int) -> float:
    """Seconds to wait before reconnect `attempt` (0-based): 1, 2, 4… up to 30."""
    return float(min(2**attempt, MAX_BACKOFF_S))


def _run_recorded(session: _Session, sleep: Callable[[float], None]) -> None:
    """Run the session; a refused login starts or lengthens the sensor's
    pause, one that succeeded ends it; errors carry what was done."""
    settings, result = session.settings, session.result
    try:
        _with_retries(session, sleep)
    except LoginRefused as exc:
        pause = login_pause.refused(settings, reason=exc.message)
        raise LoginRefused(
            f"{exc.message}; {pause.next_try()}", hint=exc.hint, partial=result
        ) from None  # the chain of the login command stays out
    except MailboxError as exc:
        exc.partial = exc.partial or result
        raise
    finally:
        if session.logged_in:
            login_pause.clear(settings)


def _with_retries(session: _Session, sleep: Callable[[float], None]) -> None:
    config, result, budget = session.config, session.result, session.budget
    for attempt in range(config.retries + 1):
        result.attempts = attempt + 1
        try:
            session.run()
            return
        except _Dropped as exc:
            cause = exc
        if attempt == config.retries:
            break
        delay = backoff_s(attempt)
        if not budget.allows(delay + config.timeout_s):  # a wait and one step
            why = f"no retry fits in {budget.describe()}"
            raise _unreachable(config, result, cause, why)
        log.warning("mailbox %s: %s; retrying in %s s", config.describe(), cause, delay)
        sleep(delay)
    raise _unreachable(config, result, cause)


def _unreachable(
    config: MailConfig, result: PollResult, cause: _Dropped, why: str = ""
) -> MailboxUnreachable:
    return MailboxUnreachable(
        f"mailbox {config.describe()} unreachable after {result.attempts} "
        f"attempt(s): {cause}" + (f"; {why}" if why else ""),
        hint="check PARTS_MAIL_HOST, PARTS_MAIL_PORT and PARTS_MAIL_SECURITY",
        partial=result,
    )


@dataclass(frozen=True)
class _Outcome:
    """Where a message goes: processed, or review with the reason."""

    review_reason: str | None = None


@dataclass
class _Session:
    """One connection's worth of work; run again after a drop, it resumes."""

    config: MailConfig
    settings: Settings
    profiles: Mapping[str, SupplierProfile]
    ledger: store.Ledger
    review: store.ReviewList
    result: PollResult
    on_step: Hook | None
    budget: Budget
    processed_folder: str = field(init=False, default="")
    review_folder: str = field(init=False, default="")
    logged_in: bool = field(init=False, default=False)

    def run(self) -> None:
        box = connect(self.config)
        self.logged_in = True
        try:
            self._run(box)
        except CONNECTION_ERRORS as exc:
            raise _Dropped(exc) from exc
        finally:
            close(box)

    def _run(self, box: BaseMailBox) -> None:
        delimiter = _delimiter(box)
        self.processed_folder = _ensure_folder(
            box, self.config.processed_folder, delimiter
        )
        self.review_folder = _ensure_folder(box, self.config.review_folder, delimiter)
        try:
            box.folder.set(self.config.folder)
        except MailboxFolderSelectError as exc:
            raise MailboxSettingsError(
                f"folder `{self.config.folder}` not found in {self.config.describe()}",
                hint="check PARTS_MAIL_FOLDER",
            ) from exc
        uids = box.uids("ALL")
        self.result.remaining = max(0, len(uids) - MAX_MESSAGES)
        fetched = box.fetch(
            uid_list=uids[:MAX_MESSAGES], headers_only=True, mark_seen=False, bulk=50
        )
        heads = list(fetched)
        for n, msg in enumerate(heads):
            if not self.budget.allows(self.config.timeout_s):  # one step fits
                self._out_of_time(len(heads) - n)
                return
            self._message(box, msg)

    def _out_of_time(self, unstarted: int) -> None:
        self.result.remaining += unstarted
        self.result.stopped = (
            f"{self.budget.describe()} is spent: {unstarted} message(s) wait "
            "for the next poll"
        )
        log.info("mail poll stopped: %s", self.result.stopped)

    def _message(self, box: BaseMailBox, msg: MailMessage) -> None:
        head = _Head.unreadable(msg)
        try:
            head = _Head.of(msg)
            outcome = self._handle(box, head)
        except CONNECTION_ERRORS:
            raise
        except (_LocalWriteError, store.StoreError) as exc:
            self._leave(head, f"could not write to the inbox: {exc}")
            return
        except Exception as exc:  # a broken message must not stop the others
            log.warning("message %s unreadable: %r", head.message_id, exc)
            outcome = _Outcome(f"could not read the message: {exc!r}")
        self._step("delivered", head, box)
        try:
            self._move(box, head, outcome)
        except UnexpectedCommandStatusError as exc:
            self._leave(head, f"could not move the message: {exc}")
            return
        self._step("moved", head, box)

    def _handle(self, box: BaseMailBox, head: _Head) -> _Outcome:
        limit = self.config.max_message_bytes
        if head.size > limit:
            return _Outcome(
                f"message is {head.size} bytes, over the limit of {limit} "
                "(PARTS_MAIL_MAX_MESSAGE_MB); not downloaded"
            )
        suppliers = matching.candidates(head.sender, head.subject, self.profiles)
        if not suppliers:
            return _Outcome(
                f"no supplier profile matches the sender `{head.sender}` "
                "and the subject"
            )
        full = next(box.fetch(uid_list=[head.uid], mark_seen=False), None)
        if full is None:
            raise LookupError("the server returned no message for its uid")
        damage = lost_bytes(full.obj)
        if damage:
            return _Outcome(
                f"the message is damaged, bytes are missing: {'; '.join(damage)}; "
                "nothing of it was delivered (ask the supplier to send it again)"
            )
        owned, problems = 0, []
        for attachment in full.attachments:
            took, problem = self._attachment(head, attachment, suppliers)
            owned += took
            if problem:
                problems.append(problem)
        if not owned and not problems:
            problems.append("no attachment matches the supplier's file pattern")
        return _Outcome("; ".join(problems) if problems else None)

    def _attachment(
        self, head: _Head, attachment: Any, suppliers: list[SupplierProfile]
    ) -> tuple[bool, str | None]:
        """Deliver one attachment if it is a price list: whether it was one, and
        the problem that sends the message to review, if any."""
        name = names.sent_name(attachment.filename)  # what profiles match
        payload: bytes = attachment.payload
        found = matching.owner(name, payload, suppliers)
        if found.supplier_id is None:
            return False, f"`{name}`: {found.reason}" if found.ambiguous else None
        if len(payload) > self.config.max_file_bytes:
            return True, (
                f"`{name}` is {len(payload)} bytes, over the limit of "
                f"{self.config.max_file_bytes} (PARTS_MAX_FILE_MB)"
            )
        self._deliver(head, found.supplier_id, name, payload)
        return True, None

    def _deliver(
        self, head: _Head, supplier_id: str, name: str, payload: bytes
    ) -> None:
        sha = hashlib.sha256(payload).hexdigest()
        known = self.ledger.get(supplier_id, sha)
        again = known is None or self._again(
            head, known, supplier_id=supplier_id, name=name, sha=sha
        )
        if not again:
            return
        safe = names.safe_name(name)
        try:
            path = self._write(supplier_id, f"{_stamp()}-{head.uid}-{safe}", payload)
        except OSError as exc:  # not the connection: the message stays, for later
            raise _LocalWriteError(str(exc)) from exc
        self.ledger.add(
            supplier_id, sha,
            {"message_id": head.message_id, "uid": head.uid,
             "sender": head.sender, "reply_to": head.reply_to,
             "subject": head.subject, "date": head.date, "attachment": name,
             "file": path.name, "delivered_at": store.now_iso()},
        )  # fmt: skip
        self.result.delivered.append(
            Delivery(supplier_id, path, name, sha, head.message_id, head.sender)
        )
        log.info("delivered supplier=%s file=%s", supplier_id, path.name)

    def _again(
        self,
        head: _Head,
        known: dict[str, Any],
        *,
        supplier_id: str,
        name: str,
        sha: str,
    ) -> bool:
        """Whether bytes the ledger knows are delivered again: only a re-send
        of bytes whose load was quarantined (the profile may be fixed since)."""
        self.ledger.seen_again(store.ledger_key(supplier_id, sha), store.now_iso())
        resumed = (known.get("message_id"), known.get("uid")) == (
            head.message_id,
            head.uid,
        )  # the same message read again after a drop (or left), not a re-send
        if resumed:
            return False
        if known.get("status") == store.QUARANTINED:
            log.info("re-sent after a quarantine: supplier=%s sha=%s", supplier_id, sha)
            return True
        self.result.duplicates.append(
            {"supplier_id": supplier_id, "attachment": name, "sha256": sha,
             "first_message_id": known.get("message_id"),
             "message_id": head.message_id}
        )  # fmt: skip
        return False

    def _write(self, supplier_id: str, name: str, payload: bytes) -> Path:
        """Write into `inbox/<supplier>/` under a free name: tmp file, then rename."""
        folder = self.settings.inbox_dir / supplier_id
        folder.mkdir(parents=True, exist_ok=True)
        target = names.inside(folder, name)
        n = 1
        while target.exists():
            target = names.inside(folder, f"{Path(name).stem}-{n}{Path(name).suffix}")
            n += 1
        tmp_dir = self.settings.tmp_dir / "mail"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        tmp = tmp_dir / f".{os.getpid()}-{target.name}.part"
        lake_files.write_synced(tmp, payload)
        os.replace(tmp, target)
        return target

    def _move(self, box: BaseMailBox, head: _Head, outcome: _Outcome) -> None:
        if outcome.review_reason is None:
            box.move([head.uid], self.processed_folder)
            self.result.processed += 1
            self.review.resolve(head.record())
            return
        entry = {
            **head.record(),
            "reason": outcome.review_reason,
            "folder": self.config.review_folder,
            "at": store.now_iso(),
        }
        self.review.record(entry)  # before the move: a drop then repeats it, once
        box.move([head.uid], self.review_folder)
        self.result.review.append(entry)
        log.info("to review: %s (%s)", head.message_id, outcome.review_reason)

    def _leave(self, head: _Head, reason: str) -> None:
        log.warning("left in the folder: %s: %s", head.message_id, reason)
        self.result.left.append({**head.record(), "reason": reason})

    def _step(self, step: str, head: _Head, box: BaseMailBox) -> None:
        if self.on_step is not None:
            self.on_step(step, head.uid, box)


def connect(config: MailConfig) -> BaseMailBox:
    """A logged-in connection; `_Dropped` when the server cannot be reached."""
    try:
        box = _open(config)
    except ssl.SSLCertVerificationError as exc:
        raise MailboxSettingsError(
            f"the TLS certificate of {config.host}:{config.port} is not trusted: "
            f"{exc.verify_message}",
            hint="fix the server's certificate, or add its CA to the system store",
        ) from exc
    except MailboxStarttlsError as exc:
        raise MailboxSettingsError(
            f"{config.describe()} refused STARTTLS",
            hint="set PARTS_MAIL_SECURITY=ssl and the TLS port",
        ) from exc
    except CONNECTION_ERRORS as exc:
        raise _Dropped(exc) from exc
    try:
        _login(box, config)
    except MailboxLoginError as exc:
        close(box)
        raise _refused(config, _server_text(exc)) from None
    except CONNECTION_ERRORS as exc:
        close(box)
        raise _Dropped(exc) from exc
    except imaplib.IMAP4.error as exc:  # AUTHENTICATE (a UTF-8 login) says NO
        close(box)
        raise _refused(config, str(exc) or "no reason given") from None
    return box


def _refused(config: MailConfig, reason: str) -> LoginRefused:
    """The refusal; raised `from None`, so that the login command, with the
    password, stays out of the chain."""
    return LoginRefused(
        f"login refused for {config.describe()}: {reason}",
        hint="check PARTS_MAIL_USER and PARTS_MAIL_PASSWORD",
    )


def close(box: BaseMailBox) -> None:
    """Log out, or drop the socket if the connection is already gone."""
    try:
        box.logout()
    except Exception:  # a dead connection cannot say goodbye
        try:
            box.client.shutdown()
        except Exception:
            log.debug("socket already closed")


def _open(config: MailConfig) -> BaseMailBox:
    context = ssl.create_default_context()
    if config.security == "ssl":
        return MailBox(
            config.host, config.port, timeout=config.timeout_s, ssl_context=context
        )
    if config.security == "starttls":
        if config.port == 993:  # checked here: imap-tools' ValueError for it
            raise MailboxSettingsError(  # looks like a certificate error's
                f"{config.describe()}: port 993 speaks TLS from the start, "
                "not STARTTLS",
                hint="set PARTS_MAIL_SECURITY=ssl, or PARTS_MAIL_PORT=143",
            )
        return MailBoxStartTls(
            config.host, config.port, timeout=config.timeout_s, ssl_context=context
        )
    return MailBoxUnencrypted(config.host, config.port, timeout=config.timeout_s)


def _login(box: BaseMailBox, config: MailConfig) -> None:
    secret = config.password.get_secret_value()
    if secret.isascii() and config.user.isascii():
        box.login(config.user, secret, initial_folder=None)
    else:
        box.login_utf8(config.user, secret, initial_folder=None)
    # the greeting's capabilities are pre-login; MOVE is often announced after
    typ, data = box.client.capability()
    if typ == "OK" and data and data[-1]:
        box.client.capabilities = tuple(data[-1].decode().upper().split())


def _server_text(exc: UnexpectedCommandStatusError) -> str:
    parts = exc.command_result[1] if exc.command_result else []
    text = " ".join(
        p.decode(errors="replace") if isinstance(p, bytes) else str(p)
        for p in parts or []
    )
    return text or "no reason given"


def lost_bytes(message: email.message.Message) -> list[str]:
    """The defects of a message or its parts that mean bytes are missing, as
    `CloseBoundaryNotFoundDefect (the message)`; empty for a whole message."""
    found = []
    for part in message.walk():
        if not part.is_multipart():
            part.get_payload(decode=True)  # base64 defects show when decoded
        where = _part_name(part, top=part is message)
        found += [
            f"{type(d).__name__} ({where})"
            for d in part.defects
            if isinstance(d, LOST_BYTES)
        ]
    return list(dict.fromkeys(found))


def _part_name(part: email.message.Message, *, top: bool) -> str:
    if top:
        return "the message"
    name = names.sent_name(part.get_filename())
    return f"`{name}`" if name else f"a {part.get_content_type()} part"


def _delimiter(box: BaseMailBox) -> str:
    found = box.folder.list("", "INBOX") or box.folder.list()
    return found[0].delim if found and found[0].delim else "/"


def _ensure_folder(box: BaseMailBox, name: str, delimiter: str) -> str:
    """The server's name of a `/`-separated folder, created if missing."""
    server_name = delimiter.join(p for p in name.split("/") if p)
    if box.folder.exists(server_name):
        return server_name
    try:
        box.folder.create(server_name)
    except UnexpectedCommandStatusError as exc:
        raise MailboxSettingsError(
            f"cannot create the mail folder `{server_name}`: {_server_text(exc)}",
            hint="create it by hand, or set PARTS_MAIL_PROCESSED_FOLDER and "
            "PARTS_MAIL_REVIEW_FOLDER to folders that exist",
        ) from exc
    log.info("created mail folder %s", server_name)
    return server_name


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
