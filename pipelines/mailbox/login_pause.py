"""A pause after a refused login, so the sensor does not lock the account.

Providers lock a mailbox after a few wrong passwords, and a wrong password
stays wrong: after a refusal the sensor makes no login for 5 minutes, then
10, 20, 40, and at most an hour between tries. The pause is kept in
`lake/mail/login_pause.json` with a salted scrypt digest of the settings it
was refused with (host, port, user, password), so new settings end it at
once, as does any login that succeeds. `parts mail fetch` (a person asking)
tries whatever the pause says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from parts.settings import Settings
from search import mail_store as store

FILE = "login_pause.json"
FIRST_PAUSE_S = 5 * 60
LONGEST_PAUSE_S = 60 * 60


@dataclass(frozen=True)
class LoginPause:
    """Refusals in a row with these settings, and when the sensor tries again."""

    refusals: int
    refused_at: dt.datetime
    until: dt.datetime
    reason: str

    def next_try(self) -> str:
        """`the sensor tries again at 12:05:00 UTC`: for the refusal's message."""
        return f"the sensor tries again at {_hms(self.until)}"

    def skip_reason(self, now: dt.datetime) -> str:
        """Why a sensor tick made no login, and when the next one will."""
        minutes = max(1, round((self.until - now).total_seconds() / 60))
        return (
            f"mailbox login paused after {self.refusals} refusal(s), the last at "
            f"{_hms(self.refused_at)} ({self.reason}); next try at "
            f"{_hms(self.until)}, in {minutes} min; `parts mail fetch` tries at "
            "once, and new PARTS_MAIL_USER or PARTS_MAIL_PASSWORD settings end "
            "the pause"
        )


def current(settings: Settings, *, now: dt.datetime | None = None) -> LoginPause | None:
    """The pause in force for these settings, if any."""
    now = now or utc_now()
    found = _read(settings)
    return found if found is not None and found.until > now else None


def refused(
    settings: Settings, *, reason: str, now: dt.datetime | None = None
) -> LoginPause:
    """Record a refused login: the pause doubles with each refusal in a row."""
    now = now or utc_now()
    earlier = _read(settings)
    refusals = earlier.refusals + 1 if earlier else 1
    pause_s = min(FIRST_PAUSE_S * 2 ** (refusals - 1), LONGEST_PAUSE_S)
    pause = LoginPause(refusals, now, now + dt.timedelta(seconds=pause_s), reason)
    salt = secrets.token_hex(16)
    store.write_json(
        settings.mail_dir / FILE,
        {"salt": salt, "settings": _digest(settings, salt),
         "refusals": refusals, "refused_at": now.isoformat(),
         "until": pause.until.isoformat(), "reason": reason},
    )  # fmt: skip
    return pause


def clear(settings: Settings) -> None:
    """A login succeeded: no pause any more."""
    (settings.mail_dir / FILE).unlink(missing_ok=True)


def _read(settings: Settings) -> LoginPause | None:
    """The recorded pause, if it was recorded with the present settings."""
    data = store.read_json(settings.mail_dir / FILE, {})
    if not data or data.get("settings") != _digest(settings, data.get("salt", "")):
        return None
    return LoginPause(
        refusals=int(data["refusals"]),
        refused_at=dt.datetime.fromisoformat(data["refused_at"]),
        until=dt.datetime.fromisoformat(data["until"]),
        reason=str(data.get("reason", "")),
    )


def _digest(settings: Settings, salt: str) -> str:
    """Tells the settings apart without keeping anything a password is easily
    guessed back from (scrypt, salted)."""
    secret = settings.mail_password.get_secret_value()
    text = f"{settings.mail_host}\0{settings.mail_port}\0{settings.mail_user}\0{secret}"
    derived = hashlib.scrypt(
        text.encode(), salt=bytes.fromhex(salt), n=2**14, r=8, p=1, dklen=16
    )
    return derived.hex()


def utc_now() -> dt.datetime:
    """The time the pause is measured on (a test moves it)."""
    return dt.datetime.now(dt.UTC)


def _hms(at: dt.datetime) -> str:
    return f"{at.astimezone(dt.UTC):%H:%M:%S} UTC"
