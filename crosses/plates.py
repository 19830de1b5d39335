"""Vehicle lookup by Russian plate number through the state registry (ГИБДД).

The registry is an outside HTTP service reached through a configurable
endpoint (`PARTS_PLATES_URL`, `PARTS_PLATES_TOKEN`). The protocol this client
speaks:

    GET {base_url}/vehicles?plate=А123ВС77
    Authorization: Bearer <token>

    200 {"plate": "А123ВС77", "vin": "…", "make": "…", "model": "…", "year": …}
        (the object may also come wrapped as {"vehicle": {…}})
    404 not found · 400/422 plate refused · 401/403 token refused
    429, 5xx, timeouts: retried with exponential backoff

Plates are normalized first: Latin look-alike letters (`A123BC77`) become the
Cyrillic ones the registry uses (`А123ВС77`), spaces and dashes go, and a
plate that no Russian format allows is refused before any request.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger(__name__)

PLATE_LETTERS = "АВЕКМНОРСТУХ"
"""The twelve Cyrillic letters used on plates: those with a Latin twin."""
_LATIN_TWINS = "ABEKMHOPCTYX"
_TO_CYRILLIC = str.maketrans(_LATIN_TWINS, PLATE_LETTERS)
_TO_LATIN = str.maketrans(PLATE_LETTERS, _LATIN_TWINS)
_NOISE = re.compile(r"[\s\-_|.]+")
_L = f"[{PLATE_LETTERS}]"
_REGION = r"(?!00$|000$)\d{2,3}"
FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("car", re.compile(rf"^{_L}\d{{3}}{_L}{{2}}{_REGION}$")),
    ("motorcycle", re.compile(rf"^\d{{4}}{_L}{{2}}{_REGION}$")),
    ("public", re.compile(rf"^{_L}{{2}}\d{{3}}{_REGION}$")),
    ("trailer", re.compile(rf"^{_L}{{2}}\d{{4}}{_REGION}$")),
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class PlateError(Exception):
    """A plate lookup that did not give a vehicle."""


class BadPlate(PlateError, ValueError):
    """Text that is not a Russian plate number."""


class PlateNotFound(PlateError):
    """The registry has no vehicle with this plate."""


class RegistryError(PlateError):
    """The registry answered in a way this client cannot use."""


class RegistryNotConfigured(RegistryError):
    """No endpoint is configured."""


class RegistryUnavailable(RegistryError):
    """Timeouts or server errors on every attempt."""


def normalize_plate(text: str) -> str:
    """The registry form of a plate: Cyrillic letters, no spaces (`А123ВС77`)."""
    raw = _NOISE.sub("", text.upper()).removesuffix("RUS").removesuffix("РУС")
    plate = raw.translate(_TO_CYRILLIC)
    strange = sorted({c for c in plate if not c.isdigit() and c not in PLATE_LETTERS})
    if strange:
        shown = ", ".join(f"`{c}`" for c in strange)
        raise BadPlate(
            f"plate `{text}`: {shown} not used on Russian plates "
            f"(letters: {' '.join(PLATE_LETTERS)})"
        )
    if plate_kind(plate) is None:
        raise BadPlate(
            f"plate `{text}` matches no Russian format; a car plate is a letter, "
            "three digits, two letters and a 2-3 digit region, e.g. `А123ВС77`"
        )
    return plate


def plate_fragment(text: str) -> str | None:
    """A part of a plate in the registry's letters (`e789kx` → `Е789КХ`), or
    None when it holds a character no plate has; for searching by a piece."""
    raw = _NOISE.sub("", text.upper()).removesuffix("RUS").removesuffix("РУС")
    fragment = raw.translate(_TO_CYRILLIC)
    if not fragment or any(
        not c.isdigit() and c not in PLATE_LETTERS for c in fragment
    ):
        return None
    return fragment


def plate_kind(plate: str) -> str | None:
    """`car`, `motorcycle`, `public`, `trailer` (or `public/trailer`), else None.

    `АВ123450` is a bus with region 450 or a trailer with region 50: both.
    """
    kinds = [kind for kind, pattern in FORMATS if pattern.match(plate)]
    return "/".join(kinds) or None


def latin_plate(plate: str) -> str:
    """The same plate spelled with Latin twins (`A123BC77`)."""
    return plate.translate(_TO_LATIN)


@dataclass(frozen=True)
class RegistryVehicle:
    """What the registry says about a plate."""

    plate: str
    vin: str | None
    make: str | None
    model: str | None
    year: int | None
    raw: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping, with the plate also in Latin letters."""
        return {
            "plate": self.plate,
            "plate_latin": latin_plate(self.plate),
            "vin": self.vin,
            "make": self.make,
            "model": self.model,
            "year": self.year,
            "registry": self.raw,
        }


class PlateClient:
    """A client of the plate registry with timeouts, retries and clear errors."""

    def __init__(
        self,
        base_url: str,
        token: str = "",
        *,
        timeout_s: float = 5.0,
        retries: int = 2,
        backoff_s: float = 0.2,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not base_url:
            raise RegistryNotConfigured(
                "no plate service configured: set PARTS_PLATES_URL (and "
                "PARTS_PLATES_TOKEN)"
            )
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
        )
        self.retries = retries
        self.backoff_s = backoff_s
        self._sleep = sleep

    def __enter__(self) -> PlateClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def lookup(self, text: str) -> RegistryVehicle:
        """The registered vehicle of a plate; raises a `PlateError` otherwise."""
        plate = normalize_plate(text)
        response = self._get_with_retries(plate)
        if response.status_code == 404:
            raise PlateNotFound(f"the registry has no vehicle with plate `{plate}`")
        if response.status_code in (400, 422):
            raise BadPlate(f"the registry refused plate `{plate}`: {_detail(response)}")
        if response.status_code in (401, 403):
            raise RegistryError(
                f"the registry refused the token (HTTP {response.status_code}); "
                "check PARTS_PLATES_TOKEN"
            )
        if response.status_code != 200:
            raise RegistryError(
                f"unexpected HTTP {response.status_code} from the registry: "
                f"{_detail(response)}"
            )
        return _vehicle(plate, response)

    def _get_with_retries(self, plate: str) -> httpx.Response:
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff_s * 2 ** (attempt - 1))
            started = time.perf_counter()
            try:
                response = self._http.get("/vehicles", params={"plate": plate})
            except httpx.TimeoutException:
                last = "timed out"
            except httpx.TransportError as exc:
                last = f"connection failed ({exc.__class__.__name__})"
            else:
                log.info(
                    "plate lookup status=%d attempt=%d ms=%d",
                    response.status_code, attempt + 1,
                    (time.perf_counter() - started) * 1000,
                )  # fmt: skip
                if response.status_code not in RETRY_STATUSES:
                    return response
                last = f"HTTP {response.status_code}"
                continue
            log.info("plate lookup failed=%s attempt=%d", last, attempt + 1)
        raise RegistryUnavailable(
            f"the plate registry did not answer after {self.retries + 1} attempt(s): "
            f"{last}"
        )


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        return str(
            body.get("detail") or body.get("error") or body.get("message") or body
        )
    return str(body)[:200]


def _vehicle(plate: str, response: httpx.Response) -> RegistryVehicle:
    try:
        body = response.json()
    except ValueError as exc:
        raise RegistryError(
            "the registry answered with something that is not JSON"
        ) from exc
    data = body.get("vehicle", body) if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise RegistryError("the registry answer is not a JSON object")
    year = data.get("year")
    return RegistryVehicle(
        plate=plate,
        vin=str(data["vin"]).strip().upper() if data.get("vin") else None,
        make=data.get("make"),
        model=data.get("model"),
        year=int(str(year)) if str(year or "").isdigit() else None,
        raw=data,
    )
