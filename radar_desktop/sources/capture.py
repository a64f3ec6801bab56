"""The capture loop: reads a frame source on its own thread into a newest-wins mailbox, and reconnects.

The loop never waits for inspection: every frame replaces the previous one in the mailbox, so a slow
model drops frames instead of queueing them. When the source ends or fails (an unplugged camera, a
video file at its end, a device that will not open) the loop says so and retries with back-off.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from radar_desktop.core.mailbox import NewestWins
from radar_desktop.sources.frames import FrameSource, SourceError

log = logging.getLogger(__name__)

BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 5.0)  # waits between reconnection attempts; the last one repeats


@dataclass(frozen=True)
class Frame:
    """One captured frame: the image as decoded (OpenCV channel order), its number and capture time."""

    image: np.ndarray
    index: int
    captured_at: float  # time.monotonic()
    source: str


@dataclass(frozen=True)
class CaptureStatus:
    """What the capture loop is doing, for the user: ``connecting``, ``live``, ``disconnected`` or ``stopped``."""

    state: str
    message: str
    retry_in_s: float = 0.0
    reconnects: int = 0


class RateMeter:
    """Events per second over the last ``window`` events."""

    def __init__(self, window: int = 30) -> None:
        self._times: deque[float] = deque(maxlen=window)

    def tick(self, now: float | None = None) -> None:
        self._times.append(time.monotonic() if now is None else now)

    @property
    def rate(self) -> float:
        if len(self._times) < 2:
            return 0.0
        span = self._times[-1] - self._times[0]
        return (len(self._times) - 1) / span if span > 0 else 0.0


class CaptureLoop:
    """Runs ``source`` on a daemon-free thread until :meth:`stop`; frames go to ``mailbox``."""

    def __init__(
        self,
        source: FrameSource,
        mailbox: NewestWins[Frame],
        on_status: Callable[[CaptureStatus], None] = lambda status: None,
        backoff: tuple[float, ...] = BACKOFF_S,
    ) -> None:
        self.source = source
        self.mailbox = mailbox
        self.on_status = on_status
        self.backoff = backoff
        self.meter = RateMeter()
        self.frames = 0
        self.reconnects = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="capture")

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop reading, release the source, wake the consumer; False if the thread did not end in time."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.mailbox.close()
        return not self._thread.is_alive()

    @property
    def fps(self) -> float:
        return self.meter.rate

    def _status(self, state: str, message: str, retry_in_s: float = 0.0) -> None:
        self.on_status(CaptureStatus(state, message, retry_in_s, self.reconnects))

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self._status("connecting", f"opening {self.source.description}")
            try:
                self.source.open()
            except Exception as error:  # a driver fault must not end capture: retry as for a missing camera
                if not isinstance(error, SourceError):
                    log.exception("opening %s failed", self.source.description)
                failures += 1
                self._wait_to_retry(str(error), failures)
                continue
            failures = 0
            refused = self.source.refused_settings()
            self._status("live", f"{self.source.description}: live" + (f" (not accepted: {', '.join(refused)})" if refused else ""))
            reason = self._read_until_failure()
            self.source.close()
            if not self._stop.is_set():
                failures += 1
                self._wait_to_retry(reason, failures)
        self._status("stopped", f"{self.source.description}: stopped")

    def _read_until_failure(self) -> str:
        """Put frames into the mailbox until stopped or the source fails; returns why it failed."""
        while not self._stop.is_set():
            try:
                image = self.source.read()
            except Exception as error:  # as above: a failing camera is reconnected, never lost
                log.exception("reading %s failed", self.source.description)
                return f"{self.source.description}: reading failed ({error})"
            if image is None:
                return f"{self.source.description}: no more frames (unplugged or ended)"
            self.frames += 1
            now = time.monotonic()
            self.meter.tick(now)
            self.mailbox.put(Frame(image, self.frames, now, self.source.description))
        return "stopped"

    def _wait_to_retry(self, reason: str, failures: int) -> None:
        delay = self.backoff[min(failures, len(self.backoff)) - 1]
        log.warning("%s; retrying in %.1f s", reason, delay)
        self._status("disconnected", reason, delay)
        if not self._stop.wait(delay):
            self.reconnects += 1
