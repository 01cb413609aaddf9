"""One progress bar for the package: a line redrawn in place, on a terminal only.

:class:`Progress` counts finished units (runs of a sweep, months of ``concertsim run``) and
shows the rate and the time left. Two ways to feed it:

* ``bar.update(n, failed)`` -- ``n`` more units finished (a sweep's tasks);
* ``bar(done, total)`` -- the absolute count, as a callback (``concertsim run``'s
  ``progress=`` argument); the line ends by itself when ``done`` reaches ``total``.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> bar = Progress(10, label="sweep", stream=out, enabled=True)
    >>> bar.update(5)
    >>> "sweep [##############--------------] 5/10 runs" in out.getvalue()
    True
    >>> months = Progress(label="run baseline", unit="months", stream=out, enabled=True)
    >>> months(12, 12)
    >>> "12/12 months" in out.getvalue() and out.getvalue().endswith("\\n")
    True
"""

from __future__ import annotations

import math
import sys
import time
from typing import IO

__all__ = ["Progress", "duration"]

_WIDTH = 28
_EVERY = 0.2
"""Seconds between redraws (the last one is always drawn)."""


def duration(seconds: float) -> str:
    """A short duration: ``42s``, ``3m05s``, ``2h07m``.

    Example:
        >>> duration(185), duration(7620)
        ('3m05s', '2h07m')
    """
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s" if m else f"{s}s"


class Progress:
    """A one-line progress bar with rate and time left.

    Args:
        total: units to do.
        done: units already done (not counted in the rate).
        label: text before the bar (e.g. ``"run baseline"``).
        unit: what is counted (``"runs"``, ``"months"``).
        stream: where to draw (default: stderr).
        enabled: draw at all (default: when ``stream`` is a terminal).
    """

    def __init__(
        self,
        total: int = 0,
        done: int = 0,
        *,
        label: str = "",
        unit: str = "runs",
        stream: IO[str] | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total, self.done, self.failed, self.start_done = total, done, 0, done
        self.label, self.unit = label, unit
        self.t0 = time.monotonic()
        self._last = -math.inf
        self._closed = False

    def update(self, units: int, failed: int = 0) -> None:
        """Count ``units`` more finished units, ``failed`` of which failed."""
        self.done += units
        self.failed += failed
        self._draw()

    def __call__(self, done: int, total: int, *_: object) -> None:
        """Set the absolute count (a callback); ends the line when ``done >= total``."""
        self.done, self.total = done, total
        self._draw()
        if done >= total:
            self.close()

    def _draw(self) -> None:
        now = time.monotonic()
        if self.enabled and (now - self._last > _EVERY or self.done >= self.total):
            self._last = now
            self.stream.write("\r" + self.line(now))
            self.stream.flush()

    def line(self, now: float | None = None) -> str:
        """The current progress line."""
        elapsed = max((now or time.monotonic()) - self.t0, 1e-9)
        rate = (self.done - self.start_done) / elapsed
        left = (self.total - self.done) / rate if rate > 0 else math.inf
        filled = int(_WIDTH * min(self.done, self.total) / max(self.total, 1))
        bar = "#" * filled + "-" * (_WIDTH - filled)
        eta = duration(left) if math.isfinite(left) else "?"
        fail = f", {self.failed} failed" if self.failed else ""
        head = f"{self.label} " if self.label else ""
        return (
            f"{head}[{bar}] {self.done}/{self.total} {self.unit}  "
            f"{rate:,.1f} {self.unit}/s  ETA {eta}{fail}  "
        )

    def close(self) -> None:
        """End the line (once)."""
        if self.enabled and not self._closed:
            self._closed = True
            self.stream.write("\n")
            self.stream.flush()
