"""Errors of price-list ingestion; each says what is wrong and where."""

from __future__ import annotations


class IngestError(Exception):
    """A price file that cannot be published; the message names file and place."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.hint = hint
        where = ", ".join(
            f"{k} {v}"
            for k, v in (
                ("file", file),
                ("sheet", sheet),
                ("row", row),
                ("column", column),
            )
            if v is not None
        )
        text = message if not where else f"{message} ({where})"
        if hint:
            text = f"{text}; hint: {hint}"
        super().__init__(text)


class UnreadableFile(IngestError):
    """The bytes are not a price list we can read (format, encoding, corruption)."""


class LimitExceeded(IngestError):
    """A configured limit (size, rows, columns, decompressed bytes) was passed."""


class HeaderNotFound(IngestError):
    """No row names the columns, and the profile does not pin them."""


class TooManyRejects(IngestError):
    """The share of rejected rows passed the profile's threshold."""


class ProfileError(IngestError):
    """A supplier profile is invalid."""
