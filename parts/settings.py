"""The one settings class: every knob has a default, a help string and a check."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Process-wide settings, read from `PARTS_*` environment variables."""

    # an error of a check over several settings would otherwise echo them
    # all, the passwords too
    model_config = SettingsConfigDict(
        env_prefix="PARTS_", extra="ignore", hide_input_in_errors=True
    )

    data_dir: Path = Field(
        Path("var"),
        description="Where everything lives: inbox, lake, index, quarantine, databases.",
    )
    profiles_dir: Path = Field(
        Path("suppliers"),
        description="Folder of supplier profiles, one TOML file per supplier.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Lowest level of log lines written to stderr."
    )
    log_json: bool = Field(
        False, description="Write logs as JSON lines instead of text."
    )
    max_file_mb: int = Field(
        1024, ge=1, description="Largest price file accepted, in MiB (as received)."
    )
    max_decompressed_mb: int = Field(
        2048,
        ge=1,
        description="Largest total size unpacked from one archive or workbook, in MiB.",
    )
    max_rows: int = Field(
        20_000_000, ge=1, description="Most data rows accepted from one price file."
    )
    max_columns: int = Field(
        256, ge=1, description="Most columns accepted in one sheet or CSV file."
    )
    max_cell_chars: int = Field(
        4000, ge=16, description="Longest cell accepted; a longer cell rejects its row."
    )
    max_reject_share: float = Field(
        0.25,
        ge=0.0,
        le=1.0,
        description="Default share of rejected rows above which a file is quarantined.",
    )
    keep_loads: int = Field(
        5, ge=1, description="Published loads kept per supplier (price history)."
    )
    inbox_poll_s: int = Field(
        15, ge=1, description="How often the Dagster inbox sensor looks for new files."
    )
    crosses_depth: int = Field(
        2, ge=1, le=6, description="How many cross edges an analog search follows."
    )
    crosses_max_group: int = Field(
        200,
        ge=2,
        description="Most parts one cross group may join: a bigger group in a file is "
        "rejected, and an analog search stops there and names the busiest part.",
    )

    catalogue_keep_versions: int = Field(
        3,
        ge=1,
        description="Catalogue versions kept in the lake (the live one included).",
    )
    plates_url: str = Field(
        "",
        description="Base URL of the vehicle registry (ГИБДД) plate service; empty: off.",
    )
    plates_token: SecretStr = Field(
        SecretStr(""), description="Bearer token for the plate service."
    )
    plates_timeout_s: float = Field(
        5.0, gt=0, le=120, description="Timeout of one plate-service request, seconds."
    )
    plates_retries: int = Field(
        2,
        ge=0,
        le=10,
        description="Retries of a plate request after a 5xx or a timeout.",
    )

    index_on_ingest: bool = Field(
        True,
        description="Update the offers index as part of every publish, so a search "
        "right after a load sees it (off: the Dagster asset catches up).",
    )
    search_time_limit_ms: float = Field(
        2000,
        gt=0,
        le=60_000,
        description="Time limit of one quote search; a cut answer says so.",
    )
    search_max_lines: int = Field(
        300, ge=1, le=10_000, description="Most lines one quote search returns."
    )
    priority_brands: str = Field(
        "",
        description="Brands marked as priority in quote answers, comma-separated.",
    )
    online_deadline_s: float = Field(
        2.5,
        gt=0,
        le=60,
        description="Overall deadline for online suppliers in one quote search.",
    )

    session_ttl_h: float = Field(
        12,
        gt=0,
        le=24 * 30,
        description="How long a page sign-in lasts, in hours; then sign in again.",
    )
    token_ttl_days: int = Field(
        30, ge=1, le=366, description="How long an API bearer token lasts, in days."
    )
    cookie_secure: bool = Field(
        False,
        description="Send the session cookie over HTTPS only (set behind TLS).",
    )
    default_phone_region: str = Field(
        "RU",
        min_length=2,
        max_length=2,
        description="Country of phone numbers written without `+` (ISO 3166).",
    )

    timezone: str = Field(
        "Europe/Moscow",
        description="Time zone of the dates and times people read: order pages "
        "and workbooks (an IANA name such as `Asia/Yekaterinburg`); the API's "
        "JSON keeps UTC.",
    )

    database_url: str = Field(
        "",
        description="Operational database URL (postgresql://…); empty: "
        "$DATABASE_URL, else the SQLite file $PARTS_DATA_DIR/parts.db.",
    )

    mail_host: str = Field(
        "",
        description="IMAP server that suppliers e-mail their price lists to; "
        "empty: mailbox intake is off.",
    )
    mail_port: int = Field(993, ge=1, le=65535, description="IMAP server port.")
    mail_security: Literal["ssl", "starttls", "plain"] = Field(
        "ssl",
        description="IMAP transport: TLS from the start (`ssl`), `starttls`, or "
        "`plain` (unencrypted: a server on this machine only, unless "
        "PARTS_MAIL_ALLOW_PLAIN).",
    )
    mail_allow_plain: bool = Field(
        False,
        description="Allow `plain` (unencrypted) IMAP, and SMTP with a login, to a "
        "server that is not on this machine: the password crosses the network "
        "in clear text.",
    )
    mail_user: str = Field("", description="IMAP login of the price-list mailbox.")
    mail_password: SecretStr = Field(
        SecretStr(""), description="IMAP password (never logged)."
    )
    mail_folder: str = Field(
        "INBOX", description="Mailbox folder watched for price lists."
    )
    mail_processed_folder: str = Field(
        "parts/processed",
        min_length=1,
        description="Folder processed messages are moved to (`/` separates "
        "levels; created if missing).",
    )
    mail_review_folder: str = Field(
        "parts/review",
        min_length=1,
        description="Folder for messages no supplier profile matches, oversized "
        "or broken ones (created if missing); nothing is deleted.",
    )
    mail_poll_s: int = Field(
        60, ge=5, description="How often the Dagster mailbox sensor polls, seconds."
    )
    mail_max_message_mb: int = Field(
        50,
        ge=1,
        description="Largest message downloaded, in MiB (by the size the server "
        "reports); a bigger one goes to the review folder unread.",
    )
    mail_retries: int = Field(
        2,
        ge=0,
        le=10,
        description="Reconnects after the mailbox was unreachable or the "
        "connection dropped, with exponential backoff.",
    )
    mail_timeout_s: float = Field(
        15, gt=0, le=300, description="Timeout of one IMAP or SMTP network step."
    )
    mail_tick_budget_s: float = Field(
        40,
        gt=0,
        le=50,
        description="Time budget of one mailbox sensor tick, seconds (under "
        "Dagster's 60 s limit): reconnects that would not fit are not tried, "
        "messages not started in time wait for the next tick.",
    )
    mail_fetch_budget_s: float = Field(
        900,
        gt=0,
        le=86_400,
        description="Time budget of one `parts mail fetch` poll, seconds "
        "(as the sensor's, but a person may wait longer).",
    )
    smtp_host: str = Field(
        "",
        description="SMTP server for replies to a supplier whose file was "
        "quarantined; empty: no replies.",
    )
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP server port.")
    smtp_security: Literal["ssl", "starttls", "plain"] = Field(
        "starttls", description="SMTP transport: `ssl`, `starttls` or `plain`."
    )
    smtp_user: str = Field("", description="SMTP login; empty: send without login.")
    smtp_password: SecretStr = Field(
        SecretStr(""), description="SMTP password (never logged)."
    )
    smtp_from: str = Field(
        "", description="From address of replies; empty: PARTS_MAIL_USER."
    )

    @model_validator(mode="after")
    def _mail_folders_differ(self) -> Settings:
        watched = self.mail_folder.strip("/").lower()
        for name in ("mail_processed_folder", "mail_review_folder"):
            if getattr(self, name).strip("/").lower() == watched:
                raise ValueError(
                    f"`{name}` must differ from the watched folder `{self.mail_folder}`"
                    " (messages would be read again)"
                )
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone `{value}`: use an IANA name such as `Europe/Moscow`"
            ) from exc
        return value

    @model_validator(mode="after")
    def _a_step_fits_in_a_tick(self) -> Settings:
        if self.mail_timeout_s >= self.mail_tick_budget_s:
            raise ValueError(
                f"`PARTS_MAIL_TIMEOUT_S` ({self.mail_timeout_s:g}) must be below "
                f"`PARTS_MAIL_TICK_BUDGET_S` ({self.mail_tick_budget_s:g}): a "
                "message is started only when one network step still fits"
            )
        return self

    @model_validator(mode="after")
    def _no_clear_text_password(self) -> Settings:
        if self.mail_allow_plain:
            return self
        for kind, host, plain in (
            ("mail", self.mail_host, self.mail_security == "plain"),
            ("smtp", self.smtp_host, self.smtp_security == "plain" and self.smtp_user),
        ):
            if host and plain and not is_loopback(host):
                raise ValueError(
                    f"`PARTS_{kind.upper()}_SECURITY=plain` would send the password "
                    f"to `{host}` in clear text; use `ssl` or `starttls` (or set "
                    "PARTS_MAIL_ALLOW_PLAIN=true for a trusted network)"
                )
        return self

    @field_validator("data_dir", "profiles_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def zone(self) -> ZoneInfo:
        """`timezone` as a tzinfo: local dates and times are in it."""
        return ZoneInfo(self.timezone)

    @property
    def inbox_dir(self) -> Path:
        return self.data_dir / "inbox"

    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def mail_dir(self) -> Path:
        """The mailbox intake's ledger and review list."""
        return self.lake_dir / "mail"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster"


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine (`localhost`, 127.x, ::1)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
