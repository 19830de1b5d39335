"""A whole intake round for the command line: poll, load, settle, reply.

The Dagster sensor only polls and replies: its deliveries are loaded by the
inbox sensor. `parts mail fetch` loads them at once, through the same
`ingest` and `settle_file` the inbox path uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parts.settings import Settings
from pipelines.mailbox.budget import Budget
from pipelines.mailbox.errors import MailboxError
from pipelines.mailbox.fetch import Delivery, Hook, PollResult, poll
from pipelines.mailbox.reply import ReplyPass, settle_and_reply
from pipelines.pricelists.errors import IngestError
from pipelines.pricelists.load import load_inbox_file


@dataclass
class IntakeRound:
    """One poll, the loads of what it delivered, and the reply pass."""

    poll: PollResult
    loads: list[dict[str, Any]] = field(default_factory=list)
    replies: ReplyPass = field(default_factory=ReplyPass)
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        """One JSON object: `parts mail fetch --json`."""
        return {
            **self.poll.summary(),
            "loads": self.loads,
            "replies": self.replies.summary(),
            "error": self.error,
        }


def fetch_and_load(settings: Settings, *, on_step: Hook | None = None) -> IntakeRound:
    """Poll once, load every delivered file, then settle and reply; the poll,
    and then the replies, within `PARTS_MAIL_FETCH_BUDGET_S` each.

    A mailbox that fails mid-poll still has what it delivered loaded; the
    error is in the round's `error`. A person runs this: the sensor's pause
    after a refused login does not apply.
    """
    try:
        result = poll(settings, on_step=on_step)
        error = None
    except MailboxError as exc:
        result, error = exc.partial or PollResult(), str(exc)
    round_ = IntakeRound(result, loads=load_deliveries(settings, result.delivered))
    round_.error = error
    # the loads took their own time: the replies get a budget of their own
    round_.replies = settle_and_reply(
        settings, budget=Budget(settings.mail_fetch_budget_s)
    )
    return round_


def load_deliveries(
    settings: Settings, deliveries: list[Delivery]
) -> list[dict[str, Any]]:
    """Ingest delivered files still in the inbox and move them out, like a run."""
    summaries = []
    for delivery in deliveries:
        if not delivery.path.is_file():  # the inbox sensor took it already
            continue
        try:
            report = load_inbox_file(
                delivery.path, supplier_id=delivery.supplier_id, settings=settings
            )
        except IngestError as exc:  # the supplier's profile broke: file stays
            summaries.append(
                {"status": "failed", "supplier_id": delivery.supplier_id,
                 "file": delivery.path.name, "error": str(exc),
                 "attachment": delivery.attachment}
            )  # fmt: skip
            continue
        summaries.append(
            {**report.summary(), "attachment": delivery.attachment,
             "message_id": delivery.message_id}
        )  # fmt: skip
    return summaries
