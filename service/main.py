"""ASGI entry point: `uvicorn service.main:app` (settings from `PARTS_*`)."""

from __future__ import annotations

from parts.logs import configure_logging
from parts.settings import get_settings
from service.app import create_app

configure_logging(get_settings().log_level, json=get_settings().log_json)
app = create_app()
