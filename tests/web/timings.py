"""The page's timings, shared by the tests and the summary hook (a module of
its own: a conftest can be imported under two names)."""

from __future__ import annotations

# Enter (or a brand chosen) to the first result rows drawn, in the browser
ENTER_TO_ROWS_MS: list[float] = []
