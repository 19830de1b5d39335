"""A real IMAP server (Debian's dovecot) and a real SMTP server (aiosmtpd).

One dovecot per session, configured here in a temp dir: loopback only, a
plain port (also STARTTLS) and a TLS port with a self-signed certificate, one
password for any user name, Maildirs in the temp dir. Each test gets a user of its
own, so its mailbox starts empty. Messages are appended over IMAP.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from imap_tools import MailBoxUnencrypted

from parts.settings import Settings, get_settings
from pipelines.mailbox import local_imap
from tests.conftest import _free_port

DOVECOT = Path("/usr/sbin/dovecot")
PASSWORD = "s3cret-imap"
"""Every user's password (a static passdb: any new name is a fresh mailbox)."""
_users = itertools.count(1)

PROFILES = {
    "avtoopt": 'id = "avtoopt"\nname = "АвтоОпт"\n\n[match]\n'
    'senders = ["price@avtoopt.example"]\nfile_pattern = "avtoopt_*.csv"\n',
    "ural": 'id = "ural"\nname = "Урал-Деталь"\nexpected_every_hours = 24\n\n'
    '[match]\nsenders = ["@ural-detal.example"]\nsubject_pattern = "Прайс*"\n',
    "euro": 'id = "euro"\nname = "ЕвроЛайн"\n\n[match]\n'
    'senders = ["stock@euroline.example"]\nfile_pattern = "euro_*.csv"\n',
}


@dataclass
class Dovecot:
    """The running server: where it listens and how to add a user."""

    root: Path
    port: int
    ssl_port: int
    cert: Path | None
    log: Path

    def add_user(self) -> tuple[str, str]:
        """A user no test used yet: an empty Maildir of its own."""
        return f"u{next(_users)}-{os.getpid()}", PASSWORD

    def bytes_sent(self, user: str, *, sessions: int) -> list[int]:
        """Bytes the server sent in each ended session of a user (its log)."""
        deadline = time.monotonic() + 5
        while True:
            text = self.log.read_text(errors="replace") if self.log.exists() else ""
            sent = [
                int(m.group(1))
                for line in text.splitlines()
                if f"imap({user})" in line and "Disconnected" in line
                for m in [re.search(r" out=(\d+)", line)]
                if m
            ]
            if len(sent) >= sessions or time.monotonic() > deadline:
                return sent
            time.sleep(0.05)


@contextmanager
def running_dovecot(*, tls: bool) -> Iterator[Dovecot]:
    """Start a dovecot of its own in a temp dir; stop it and remove the dir after."""
    if not local_imap.DOVECOT.exists():
        pytest.skip(f"{local_imap.DOVECOT} missing: apt-get install dovecot-imapd")
    root = Path(tempfile.mkdtemp(prefix="parts-imap-"))
    local_imap.prepare(root)
    cert = local_imap.self_signed_cert(root) if tls else None
    port, ssl_port = _free_port(), _free_port()
    process = local_imap.start(root, port=port, password=PASSWORD,
                               ssl_port=ssl_port, cert=cert)  # fmt: skip
    try:
        yield Dovecot(root, port, ssl_port, cert, root / "dovecot.log")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """The shared server; skipped only when dovecot is missing."""
    with running_dovecot(tls=True) as server:
        yield server


@pytest.fixture
def lone_dovecot() -> Iterator[Dovecot]:
    """A server for one test: a refused login slows every later login from
    127.0.0.1 (dovecot's auth penalty), so refusals happen here."""
    with running_dovecot(tls=False) as server:
        yield server


class TestMailbox:
    """One test's mailbox, seen over IMAP as a mail client sees it."""

    __test__ = False  # not a test class

    def __init__(self, server: Dovecot, user: str, password: str) -> None:
        self.server, self.user, self.password = server, user, password

    def connect(self) -> MailBoxUnencrypted:
        box = MailBoxUnencrypted("127.0.0.1", self.server.port, timeout=5)
        return box.login(self.user, self.password, initial_folder=None)

    def append(self, *messages: EmailMessage | bytes) -> None:
        """Messages into INBOX; bytes as they are (a damaged message)."""
        with self.connect() as box:
            for message in messages:
                raw = message if isinstance(message, bytes) else message.as_bytes()
                box.append(raw, "INBOX")

    def subjects(self, folder: str) -> list[str]:
        """Subjects in a folder (`/` levels, as the settings write them)."""
        with self.connect() as box:
            delim = box.folder.list("", "INBOX")[0].delim
            name = folder.replace("/", delim)
            if not box.folder.exists(name):
                return []
            box.folder.set(name)
            return sorted(
                m.subject for m in box.fetch(mark_seen=False, headers_only=True)
            )


@pytest.fixture
def mailbox(dovecot: Dovecot) -> TestMailbox:
    """An empty mailbox of a user of its own."""
    user, password = dovecot.add_user()
    return TestMailbox(dovecot, user, password)


@pytest.fixture
def profiles_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    for supplier_id, text in PROFILES.items():
        (folder / f"{supplier_id}.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def mail_env(
    tmp_path: Path,
    profiles_dir: Path,
    mailbox: TestMailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Settings]:
    """Settings over a fresh data dir, the test profiles and the test's mailbox."""
    env = {
        "PARTS_DATA_DIR": str(tmp_path / "var"),
        "PARTS_PROFILES_DIR": str(profiles_dir),
        "PARTS_INDEX_ON_INGEST": "false",
        "PARTS_MAIL_HOST": "127.0.0.1",
        "PARTS_MAIL_PORT": str(mailbox.server.port),
        "PARTS_MAIL_SECURITY": "plain",
        "PARTS_MAIL_USER": mailbox.user,
        "PARTS_MAIL_PASSWORD": mailbox.password,
        "PARTS_MAIL_RETRIES": "0",
        "PARTS_MAIL_TIMEOUT_S": "5",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@dataclass
class SmtpSink:
    """Messages the local SMTP server received."""

    port: int
    messages: list[Any]


@pytest.fixture
def smtp_sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpSink]:
    """An aiosmtpd server on loopback; replies are sent to it (plain SMTP)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[Any] = []
    # its thread logs each connection's end, at times after pytest closed the
    # stream it captured logs in ("I/O operation on closed file" noise)
    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Collect(Message):  # type: ignore[misc]
        def handle_message(self, message: Any) -> None:
            received.append(message)

    port = _free_port()
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PARTS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PARTS_SMTP_PORT", str(port))
    monkeypatch.setenv("PARTS_SMTP_SECURITY", "plain")
    monkeypatch.setenv("PARTS_SMTP_FROM", "prices@parts.example")
    get_settings.cache_clear()
    try:
        yield SmtpSink(port, received)
    finally:
        controller.stop()
        get_settings.cache_clear()
