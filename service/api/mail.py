"""`GET /api/mail/review`: e-mailed messages that wait for a person, newest first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from search import mail_store as store
from service.deps import SettingsDep, require

router = APIRouter(tags=["mail"])


# senders and subjects of supplier mail: not for every signed-in user
@router.get("/mail/review", dependencies=[require("mail.review")])
def review(
    settings: SettingsDep,
    limit: int = Query(100, ge=1, le=1000, description="Most entries returned."),
) -> dict[str, Any]:
    """Messages moved to the review folder (no supplier matched, oversized,
    broken), with sender, subject, date and the reason; `truncated` when cut."""

    entries, cut = store.review_entries(settings.mail_dir, limit=limit)
    return {"entries": entries, "truncated": cut}
