"""Errors of the mailbox intake; each names the mailbox, never the password."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.mailbox.fetch import PollResult


class MailboxError(Exception):
    """The mailbox could not be polled; `partial` is what was done before."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        partial: PollResult | None = None,
    ) -> None:
        self.message = message
        self.hint = hint
        self.partial = partial
        super().__init__(f"{message}; hint: {hint}" if hint else message)


class MailboxUnreachable(MailboxError):
    """No connection, or it dropped, and the retries are spent."""


class LoginRefused(MailboxError):
    """The server refused the login (not retried: a wrong password stays wrong)."""


class MailboxSettingsError(MailboxError):
    """The mailbox settings cannot work (intake off, folder missing)."""
