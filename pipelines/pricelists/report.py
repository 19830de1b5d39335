"""The load report: what happened to one file, for people and programs."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SheetReport:
    name: str | None
    source: str
    header_rows: list[int] | None  # 1-based
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    skipped: str | None = None


@dataclass
class LoadReport:
    supplier_id: str
    file: str
    load_id: str = ""
    status: str = "pending"  # published | unchanged | quarantined
    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    sha256: str = ""
    size_bytes: int = 0
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rejects: dict[str, int] = field(default_factory=dict)
    reject_examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    column_reasons: dict[str, str] = field(default_factory=dict)
    sheets: list[SheetReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    value_notes: dict[str, int] = field(default_factory=dict)
    unknown_brands: dict[str, list[str]] = field(default_factory=dict)
    identities: int = 0
    currency: str | None = None
    error: str | None = None
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    published_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)

    def summary(self) -> dict[str, Any]:
        """The fields `parts ingest --json` promises, plus a few more."""
        data = {
            "status": self.status,
            "supplier_id": self.supplier_id,
            "load_id": self.load_id,
            "file": self.file,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "rejects": self.rejects,
            "columns": self.columns,
            "encoding": self.encoding,
            "sheets": [
                {
                    "name": s.name,
                    "rows_read": s.rows_read,
                    "rows_accepted": s.rows_accepted,
                }
                for s in self.sheets
                if not s.skipped
            ],
            "unknown_brands": sorted(self.unknown_brands),
            "identities": self.identities,
            "seconds": round(self.seconds, 3),
            "warnings": self.warnings,
        }
        if self.error:
            data["error"] = self.error
        return data
