"""Keep the offers index in step with the lake, with suppliers' search settings.

The one path for the ingest (after every publish: a delta, never a long full
rebuild), the Dagster asset (deltas, and compaction when they pile up) and
`parts index sync|build`.
"""

from __future__ import annotations

import logging

from parts.settings import Settings
from pipelines.pricelists.profiles import load_profiles
from search import index_store
from search.index_store import SupplierMeta, SyncReport

log = logging.getLogger(__name__)


def supplier_metas(settings: Settings) -> dict[str, SupplierMeta]:
    """Search attributes of every supplier with a valid profile."""
    return {
        supplier_id: SupplierMeta(
            name=profile.name,
            price_groups=tuple(profile.price_groups),
            departments=tuple(profile.departments),
            delivery_probability=profile.delivery_probability,
            expected_every_hours=profile.expected_every_hours,
        )
        for supplier_id, profile in load_profiles(
            settings.profiles_dir, strict=False
        ).items()
    }


def sync_index(
    settings: Settings, *, full: bool = False, allow_compaction: bool = True
) -> SyncReport:
    """Bring the index in step with the live loads (see `search.index_store`)."""
    return index_store.sync(
        settings.index_dir,
        settings.lake_dir,
        metas=supplier_metas(settings),
        full=full,
        allow_compaction=allow_compaction,
    )


def sync_after_publish(settings: Settings) -> str | None:
    """The ingest's index update: None when done, else why it failed (the
    lake holds the new offers; the Dagster asset catches up later)."""
    if not settings.index_on_ingest:
        return None
    try:
        sync_index(settings, allow_compaction=False)
    except Exception as exc:  # the publish stands; the index catches up later
        log.exception("index not updated after publish")
        return f"index not updated: {exc!r}"
    return None


def pending_changes(settings: Settings) -> list[str]:
    """Why the index is out of step with the lake (empty: it is in step)."""
    manifest = index_store.read_current(settings.index_dir)
    loads = index_store.live_loads(settings.lake_dir)
    if manifest is None:
        return ["no index yet"] if loads else []
    changed, removed = index_store.load_changes(manifest, loads)
    reasons = [f"{s}: load {loads[s].load_id}" for s in changed]
    reasons += [f"{s}: removed" for s in removed]
    metas = supplier_metas(settings)
    reasons += [
        f"{s}: profile changed"
        for s, entry in sorted(manifest.suppliers.items())
        if s in metas and metas[s] != entry.meta
    ]
    unloaded = {s: m for s, m in metas.items() if s not in loads}
    if metas and unloaded != manifest.unloaded:
        reasons.append("profiles of suppliers with no load changed")
    return reasons
