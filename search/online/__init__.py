"""Online suppliers: configs, the generic client, and a fake supplier for demos."""

from search.online.client import (
    OnlineClients,
    OnlineOffer,
    OnlineResult,
    ParsedReply,
    ReplyError,
    parse_reply,
)
from search.online.config import (
    OnlineConfigError,
    OnlineSupplier,
    load_online_supplier,
    load_online_suppliers,
)

__all__ = [
    "OnlineClients",
    "OnlineConfigError",
    "OnlineOffer",
    "OnlineResult",
    "OnlineSupplier",
    "ParsedReply",
    "ReplyError",
    "load_online_supplier",
    "load_online_suppliers",
    "parse_reply",
]
