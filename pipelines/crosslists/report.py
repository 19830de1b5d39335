"""The load report of one cross file, for people and programs."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class CrossLoadReport:
    """What happened to one cross file."""

    source: str
    file: str
    load_id: str = ""
    status: str = "pending"  # published | unchanged | quarantined
    shape: str = ""
    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    sha256: str = ""
    size_bytes: int = 0
    rows_read: int = 0
    rows_with_crosses: int = 0
    edges: int = 0
    edges_by_kind: dict[str, int] = field(default_factory=dict)
    identities: int = 0
    duplicates: int = 0
    rejects: dict[str, int] = field(default_factory=dict)
    reject_examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    column_reasons: dict[str, str] = field(default_factory=dict)
    unused_columns: list[str] = field(default_factory=list)
    sheets: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unknown_brands: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    published_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)

    def summary(self) -> dict[str, Any]:
        """The fields `parts crosses load --json` promises."""
        data = {
            "status": self.status,
            "source": self.source,
            "load_id": self.load_id,
            "file": self.file,
            "shape": self.shape,
            "rows_read": self.rows_read,
            "rows_with_crosses": self.rows_with_crosses,
            "edges": self.edges,
            "edges_by_kind": self.edges_by_kind,
            "identities": self.identities,
            "duplicates": self.duplicates,
            "rejects": self.rejects,
            "reject_examples": self.reject_examples,
            "columns": self.columns,
            "unused_columns": self.unused_columns,
            "unknown_brands": sorted(self.unknown_brands),
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
        }
        if self.error:
            data["error"] = self.error
        return data
