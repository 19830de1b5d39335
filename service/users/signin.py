"""Page sessions (a cookie) and API tokens (a bearer header), kept as hashes.

The secret itself is given to the browser or the caller once and never
stored: the table holds its SHA-256, so a copy of the database signs no one
in. A session also carries a CSRF token that pages send back on every write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.db.models import AuthToken, User, utcnow

Kind = Literal["session", "token"]
COOKIE = "parts_session"


@dataclass(frozen=True)
class Issued:
    """A new secret, shown once, and when it stops working."""

    secret: str
    csrf: str | None
    expires_at: dt.datetime
    row: dict[str, object]  # the row as the audit keeps it (its secrets redacted there)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(
    session: Session,
    user: User,
    *,
    kind: Kind,
    ttl: dt.timedelta,
    label: str | None = None,
) -> Issued:
    """A new session or token for `user`, valid for `ttl`."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24) if kind == "session" else None
    expires = utcnow() + ttl
    token = AuthToken(
        user_id=user.id,
        kind=kind,
        token_hash=_digest(secret),
        csrf=csrf,
        label=label,
        created_at=utcnow(),
        expires_at=expires,
    )
    session.add(token)
    session.flush()
    row: dict[str, object] = {
        "id": token.id, "user_id": user.id, "kind": kind,
        "token_hash": token.token_hash, "csrf": csrf, "label": label,
        "created_at": token.created_at.isoformat(), "expires_at": expires.isoformat(),
    }  # fmt: skip
    return Issued(secret, csrf, expires, row)


@dataclass(frozen=True)
class Resolved:
    """The user behind a secret, and the session's CSRF token."""

    user: User
    kind: str
    csrf: str | None


def resolve(session: Session, secret: str, *, kind: Kind) -> Resolved | None:
    """The active user of an unexpired, unrevoked secret; else None."""
    if not secret or len(secret) > 200:
        return None
    row = session.scalar(
        select(AuthToken).where(
            AuthToken.token_hash == _digest(secret), AuthToken.kind == kind
        )
    )
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return Resolved(user, row.kind, row.csrf)


def revoke(session: Session, secret: str) -> bool:
    """End a session or token now; whether one was ended."""
    result = session.execute(
        update(AuthToken)
        .where(AuthToken.token_hash == _digest(secret), AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))


def revoke_user(session: Session, user_id: int) -> None:
    """End every session and token of a user (deactivated, password changed)."""
    session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


class SignInThrottle:
    """Wrong passwords slow a login down: after `free` failures within
    `window_s`, that login is refused for `lock_s` seconds.

    Kept in the process: each API process counts on its own, which bounds a
    guesser to `free` tries per window per process.
    """

    def __init__(
        self,
        *,
        free: int = 5,
        window_s: float = 600.0,
        lock_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.window_s, self.lock_s = free, window_s, lock_s
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, login: str) -> float:
        """Seconds before `login` may try again (0: now)."""
        now = self._clock()
        with self._lock:
            recent = self._recent(login.strip().lower(), now)
            if len(recent) < self.free:
                return 0.0
            return max(0.0, recent[-1] + self.lock_s - now)

    def failed(self, login: str) -> None:
        """Count a wrong password for `login`."""
        key = login.strip().lower()
        with self._lock:
            self._failures[key] = [*self._recent(key, self._clock()), self._clock()]

    def succeeded(self, login: str) -> None:
        """Forget the failures of `login`."""
        with self._lock:
            self._failures.pop(login.strip().lower(), None)

    def _recent(self, key: str, now: float) -> list[float]:
        return [t for t in self._failures.get(key, []) if now - t < self.window_s]
