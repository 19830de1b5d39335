"""Online supplier configs: one TOML file per supplier web service.

Every supplier is spoken to by the same generic client; its file says where to
send the query (a URL template with `{article}` and `{brand}`), how to log in,
where the list of offers sits in the JSON reply and which item keys hold our
fields. Secrets may be written as `env:NAME` and are read from the environment
when a request is built, never logged.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from search import supplier_fields

log = logging.getLogger(__name__)

PLACEHOLDERS = frozenset({"article", "brand"})
FIELD_NAMES = (
    "brand",
    "article",
    "name",
    "price",
    "currency",
    "qty",
    "multiplicity",
    "delivery_days",
    "delivery_days_min",
    "delivery_days_max",
    "delivery_probability",
    "warehouse",
)
REQUIRED_FIELDS = ("article", "price")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_ENV_PREFIX = "env:"


class OnlineConfigError(ValueError):
    """An online supplier config that cannot be used; the message names the file."""

    def __init__(self, message: str, *, file: str | None = None) -> None:
        self.file = file
        super().__init__(message if file is None else f"{message} (file {file})")


def resolve_secret(secret: SecretStr) -> str:
    """The value of a secret, read from the environment when written `env:NAME`."""
    value = secret.get_secret_value()
    if not value.startswith(_ENV_PREFIX):
        return value
    name = value.removeprefix(_ENV_PREFIX)
    found = os.environ.get(name)
    if not found:
        raise OnlineConfigError(f"environment variable `{name}` is not set")
    return found


class NoAuth(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["none"] = "none"


class BearerAuth(BaseModel):
    """`Authorization: Bearer <token>`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["bearer"]
    token: SecretStr


class BasicAuth(BaseModel):
    """HTTP basic authentication."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["basic"]
    user: str
    password: SecretStr


class HeaderAuth(BaseModel):
    """A key sent in a header of its own (`X-Api-Key: …`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["header"]
    name: str = Field(min_length=1)
    value: SecretStr


class QueryAuth(BaseModel):
    """A key sent as a query parameter (`?key=…`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["query"]
    name: str = Field(min_length=1)
    value: SecretStr


Auth = Annotated[
    NoAuth | BearerAuth | BasicAuth | HeaderAuth | QueryAuth,
    Field(discriminator="kind"),
]


def _check_placeholders(text: str, where: str) -> None:
    unknown = {m for m in _PLACEHOLDER.findall(text) if m not in PLACEHOLDERS}
    if unknown:
        names = ", ".join(f"`{{{m}}}`" for m in sorted(unknown))
        raise ValueError(
            f"{where} has unknown placeholders {names}; use `{{article}}`, `{{brand}}`"
        )


def _template_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _template_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _template_strings(v)]
    return []


class OnlineSupplier(BaseModel):
    """One supplier web service, read from `<profiles>/online/<id>.toml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str = ""
    url: str = Field(description="URL template with `{article}` and `{brand}`.")
    method: Literal["GET", "POST"] = "GET"
    body: dict[str, Any] | None = Field(
        None, description="JSON body template for POST, same placeholders."
    )
    auth: Auth = Field(default_factory=NoAuth)
    timeout_s: float = Field(2.0, gt=0, le=60)
    currency: str = "RUB"
    vat_included: bool = True
    delivery_probability: float | None = Field(None, ge=0, le=100)
    decimal: Literal[",", "."] | None = Field(
        None, description="Decimal separator that settles prices such as `1,234`."
    )
    items: str = Field(description="Dotted path to the list of offers; `` = top.")
    fields: dict[str, str]
    max_items: int = Field(500, ge=1, le=100_000)
    price_groups: list[str] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)
    enabled: bool = True
    cache_ttl_s: float = Field(60, ge=0)
    cooldown_s: float = Field(
        30,
        ge=0,
        description="After a timeout or an error, searches skip the supplier for "
        "this long instead of waiting for it again (0: always ask).",
    )

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return supplier_fields.supplier_id(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/{}]+", value):
            raise ValueError(f"url `{value}` must start with http:// or https://")
        _check_placeholders(value, "url")
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return supplier_fields.currency(value)

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FIELD_NAMES))
        if unknown:
            raise ValueError(f"unknown fields {unknown}; known: {list(FIELD_NAMES)}")
        missing = [f for f in REQUIRED_FIELDS if not value.get(f)]
        if missing:
            raise ValueError(f"fields must map {missing} to a key of each item")
        return value

    @model_validator(mode="after")
    def _body_matches_method(self) -> OnlineSupplier:
        if self.method == "POST" and self.body is None:
            raise ValueError("method `POST` needs a `body` template")
        if self.method == "GET" and self.body is not None:
            raise ValueError("a `body` is sent only with method `POST`")
        for text in _template_strings(self.body):
            _check_placeholders(text, "body")
        return self

    def visible_to(self, department: str | None) -> bool:
        """True when a department may see this supplier (no list = everyone)."""
        return not self.departments or department in self.departments

    def secrets(self) -> list[SecretStr]:
        """Every secret of the config, to scrub from error texts."""
        auth = self.auth
        if isinstance(auth, BearerAuth):
            return [auth.token]
        if isinstance(auth, BasicAuth):
            return [auth.password]
        if isinstance(auth, HeaderAuth | QueryAuth):
            return [auth.value]
        return []


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "file"
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"`{where}`: {message}")
    return "; ".join(parts)


def load_online_supplier(path: Path) -> OnlineSupplier:
    """Read and validate one online supplier file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise OnlineConfigError(
            f"unreadable online supplier: {exc}", file=str(path)
        ) from exc
    try:
        return OnlineSupplier.model_validate(data)
    except ValidationError as exc:
        message = f"invalid online supplier: {_describe(exc)}"
        raise OnlineConfigError(message, file=str(path)) from None


def load_online_suppliers(folder: Path) -> dict[str, OnlineSupplier]:
    """Every `*.toml` in a folder by supplier id; a broken file is logged, left out."""
    found: dict[str, tuple[OnlineSupplier, Path]] = {}
    if not folder.is_dir():
        return {}
    for path in sorted(folder.glob("*.toml")):
        try:
            supplier = load_online_supplier(path)
        except OnlineConfigError as exc:
            log.warning("online supplier left out: %s", exc)
            continue
        if supplier.id in found:
            first = found[supplier.id][1]
            message = f"online supplier `{supplier.id}` is also defined in {first}"
            raise OnlineConfigError(message, file=str(path))
        found[supplier.id] = (supplier, path)
    log.info("loaded %d online suppliers from %s", len(found), folder)
    return {sid: supplier for sid, (supplier, _) in found.items()}
