"""A time budget for one poll: the sensor's tick must end well within
Dagster's 60 s, whatever the server's speed or the size of the folder.

Reconnects are tried only when the wait and one network step still fit; a
message is started, or a reply sent, only while one network step still fits
(the rest wait for the next poll), so the step under way ends in time too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Budget:
    """Seconds a poll may take, counted from its creation on `clock`."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def left_s(self) -> float:
        """Seconds still to spend (negative once overspent)."""
        return self.seconds - (self.clock() - self.started)

    def allows(self, seconds: float) -> bool:
        """Whether `seconds` more still fit."""
        return self.left_s() >= seconds

    def describe(self) -> str:
        """`the poll's time budget of 40 s`: what a message may show."""
        return f"the poll's time budget of {self.seconds:g} s"


def unlimited() -> Budget:
    """A budget nothing reaches (a library call that set none)."""
    return Budget(float("inf"))
