"""The mailbox in Dagster: a sensor that polls it, an asset that shows it.

Every `PARTS_MAIL_POLL_S` seconds `mailbox_sensor` runs one poll, which writes
the price lists it finds into the inbox (the inbox sensor loads them), then
settles the ledger and replies to quarantined files, all within
`PARTS_MAIL_TICK_BUDGET_S`. Whenever something happened, or the review list
or the stale suppliers changed, it records an observation of the `mailbox`
asset whose metadata lists the messages waiting for review. An unreachable
mailbox, a refused login or unworkable settings fail the tick with the reason
(after the ledger was settled: that needs no mailbox). After a refused login
the ticks make no login until the pause is over (`login_pause`), and say so.

Dagster reads the parameter annotations at run time, so this module does not
use `from __future__ import annotations`.
"""

import hashlib
import json
from typing import Any

from dagster import (
    AssetObservation,
    AssetSpec,
    DefaultSensorStatus,
    MetadataValue,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from parts.settings import Settings, get_settings
from pipelines.mailbox import login_pause
from pipelines.mailbox.budget import Budget
from pipelines.mailbox.errors import MailboxError
from pipelines.mailbox.fetch import PollResult, poll
from pipelines.mailbox.reply import ReplyPass, settle_and_reply
from pipelines.pricelists.freshness import supplier_freshness
from search import mail_store as store

REVIEW_SHOWN = 20
OFF = "mailbox intake is off: PARTS_MAIL_HOST is empty"

mailbox = AssetSpec(
    "mailbox",
    group_name="price_lists",
    kinds={"email"},
    description="The price-list mailbox: what each poll delivered to the inbox, "
    "the messages waiting in the review folder, suppliers whose price list is "
    "overdue.",
)


def build_mailbox_sensor(
    *, poll_s: int, name: str = "mailbox_sensor"
) -> SensorDefinition:
    """A sensor that polls the mailbox and observes the `mailbox` asset."""

    @sensor(
        name=name,
        minimum_interval_seconds=poll_s,
        default_status=DefaultSensorStatus.RUNNING,
        description="Polls the price-list mailbox; the inbox sensor loads what "
        "it delivers.",
    )
    def _sensor(context: SensorEvaluationContext) -> SensorResult:
        settings = get_settings()
        if not settings.mail_host:
            return SensorResult(skip_reason=SkipReason(OFF))
        budget = Budget(settings.mail_tick_budget_s)
        paused = login_pause.current(settings)
        result, failure = PollResult(), None
        if paused is None:
            result, failure = _poll(settings, budget)
        replies = settle_and_reply(settings, budget=budget)
        if failure is not None:
            raise failure  # the tick fails with the reason
        metadata, state = observation(settings, result, replies)
        busy = bool(result.delivered or result.duplicates or result.review)
        changed = busy or result.left or state != context.cursor
        events = (
            [AssetObservation(asset_key=mailbox.key, metadata=metadata)]
            if changed
            else []
        )
        said = paused.skip_reason(login_pause.utc_now()) if paused else _said(result)
        return SensorResult(
            asset_events=events, cursor=state, skip_reason=SkipReason(said)
        )

    return _sensor


def _poll(settings: Settings, budget: Budget) -> tuple[PollResult, MailboxError | None]:
    """One poll, or what it did before it failed and why."""
    try:
        return poll(settings, budget=budget), None
    except MailboxError as exc:
        return exc.partial or PollResult(), exc


def observation(
    settings: Settings, result: PollResult, replies: ReplyPass
) -> tuple[dict[str, Any], str]:
    """The `mailbox` metadata of a poll, and a digest of the standing state
    (review list, stale suppliers) to tell when it changed."""
    waiting, cut = store.review_entries(settings.mail_dir, limit=REVIEW_SHOWN)
    total = len(store.ReviewList.load(settings.mail_dir).entries)
    stale = sorted(s for s, f in supplier_freshness(settings).items() if f.stale)
    metadata = {
        "delivered": MetadataValue.int(len(result.delivered)),
        "duplicates": MetadataValue.int(len(result.duplicates)),
        "to_review": MetadataValue.int(len(result.review)),
        "processed": MetadataValue.int(result.processed),
        "left_in_folder": MetadataValue.int(len(result.left)),
        "review_waiting": MetadataValue.int(total),
        "review": MetadataValue.md(_review_table(waiting, cut=cut, total=total)),
        "delivered_files": MetadataValue.json(
            [
                {"supplier_id": d.supplier_id, "file": d.path.name}
                for d in result.delivered
            ]
        ),
        "replies_sent": MetadataValue.int(len(replies.sent)),
        "stale_suppliers": MetadataValue.json(stale),
    }
    ids = [store.review_key(e) for e in waiting]
    state = hashlib.sha256(json.dumps([ids, total, stale]).encode()).hexdigest()[:16]
    return metadata, state


def _review_table(entries: list[dict[str, Any]], *, cut: bool, total: int) -> str:
    if not entries:
        return "No messages wait for review."
    rows = ["| date | from | subject | reason |", "| --- | --- | --- | --- |"]
    rows += [
        "| "
        + " | ".join(_cell(e.get(k, "")) for k in ("date", "from", "subject", "reason"))
        + " |"
        for e in entries
    ]
    if cut:
        rows.append(
            f"\nThe newest {len(entries)} of {total}; `parts mail review` lists all."
        )
    return "\n".join(rows)


def _cell(value: object) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")[:200]


def _said(result: PollResult) -> str:
    """The tick's line: nothing is requested here, the inbox sensor loads."""
    later = f"; {result.stopped}" if result.stopped else ""
    if not (result.delivered or result.review or result.left or result.duplicates):
        return "no new price lists in the mailbox" + later
    return (
        f"delivered {len(result.delivered)} file(s) to the inbox, "
        f"{len(result.duplicates)} duplicate(s), {len(result.review)} message(s) "
        f"to review, {len(result.left)} left in the folder" + later
    )
