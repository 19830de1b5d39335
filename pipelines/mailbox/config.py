"""The mailbox and SMTP settings as two small views, with a safe description."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import SecretStr

from parts.settings import Settings

Security = Literal["ssl", "starttls", "plain"]


@dataclass(frozen=True)
class MailConfig:
    """Where the price-list mailbox is and how far to trust a message."""

    host: str
    port: int
    security: Security
    user: str
    password: SecretStr
    folder: str
    processed_folder: str
    review_folder: str
    timeout_s: float
    retries: int
    max_message_bytes: int
    max_file_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> MailConfig:
        """The mailbox part of the settings."""
        return cls(
            host=settings.mail_host,
            port=settings.mail_port,
            security=settings.mail_security,
            user=settings.mail_user,
            password=settings.mail_password,
            folder=settings.mail_folder,
            processed_folder=settings.mail_processed_folder,
            review_folder=settings.mail_review_folder,
            timeout_s=settings.mail_timeout_s,
            retries=settings.mail_retries,
            max_message_bytes=settings.mail_max_message_mb << 20,
            max_file_bytes=settings.max_file_mb << 20,
        )

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    def describe(self) -> str:
        """`user@host:port (security)`: what an error may show."""
        return f"{self.user or '(no user)'}@{self.host}:{self.port} ({self.security})"


@dataclass(frozen=True)
class SmtpConfig:
    """Where replies to suppliers are sent from."""

    host: str
    port: int
    security: Security
    user: str
    password: SecretStr
    sender: str
    timeout_s: float

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig:
        """The SMTP part of the settings (the sender falls back to the IMAP user)."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            user=settings.smtp_user,
            password=settings.smtp_password,
            sender=settings.smtp_from or settings.mail_user,
            timeout_s=settings.mail_timeout_s,
        )

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    def describe(self) -> str:
        """`host:port (security)`: what an error may show."""
        return f"{self.host}:{self.port} ({self.security})"
