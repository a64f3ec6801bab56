"""Live inspection: always the newest captured frame, one at a time, until cancelled or enough frames."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from radar_desktop.core.cancel import CancelToken
from radar_desktop.core.mailbox import NewestWins
from radar_desktop.core.records import InspectionResult
from radar_desktop.core.verdict import Verdict
from radar_desktop.sources.capture import CaptureLoop, CaptureStatus, Frame, RateMeter
from radar_desktop.sources.frames import FrameSource
from radar_desktop.sources.images import to_float

if TYPE_CHECKING:  # the window imports this module at start; torch loads only with a model
    from radar_desktop.engine.jobs.inspection import Inspector

POLL_S = 0.1  # how often a consumer with no frame checks for cancellation


@dataclass(frozen=True)
class Roi:
    """A region of interest in frame pixels; frames are cropped to it before inspection."""

    x: int
    y: int
    width: int
    height: int

    def window(self, shape: tuple[int, ...]) -> tuple[slice, slice] | None:
        """The region clipped to an image of ``shape``, as slices; ``None`` if under 8 x 8 pixels is left."""
        h, w = shape[:2]
        x0, y0 = min(max(self.x, 0), w), min(max(self.y, 0), h)
        x1, y1 = min(x0 + max(self.width, 0), w), min(y0 + max(self.height, 0), h)
        return (slice(y0, y1), slice(x0, x1)) if x1 - x0 >= 8 and y1 - y0 >= 8 else None

    def to_dict(self) -> dict:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class LiveResult:
    """One inspected frame, its result, and how fresh it was.

    ``image`` is the whole frame (float32 0..1, (H, W, C)) and the result's map covers it; with a region
    of interest only the region was inspected, and the map is flat outside it.
    """

    frame_index: int
    image: np.ndarray
    result: InspectionResult
    latency_ms: float  # capture to result
    inference_ms: float
    inference_fps: float
    dropped: int  # frames replaced in the mailbox before inspection took them, so far


def embed(region_map: np.ndarray, shape: tuple[int, int], window: tuple[slice, slice]) -> np.ndarray:
    """A map of the whole frame: ``region_map`` inside ``window``, its minimum elsewhere (no false outlines)."""
    full = np.full(shape, float(region_map.min()), dtype=region_map.dtype)
    full[window] = region_map
    return full


def inspect_newest(
    mailbox: NewestWins[Frame],
    inspector: Inspector,
    on_result: Callable[[LiveResult], None],
    *,
    roi: Callable[[], Roi | None] = lambda: None,
    max_frames: int | None = None,
    cancel: CancelToken | None = None,
) -> int:
    """Inspect the newest frame whenever one is there; returns the number of frames inspected.

    Ends when cancelled, when ``max_frames`` are done, or when the mailbox is closed and empty.
    """
    cancel = cancel or CancelToken()
    meter = RateMeter()
    channels = inspector.model.config.channels
    done = 0
    while max_frames is None or done < max_frames:
        cancel.raise_if_cancelled()
        frame = mailbox.take(POLL_S)
        if frame is None:
            if mailbox.closed:
                break
            continue
        began = time.monotonic()
        image = to_float(frame.image, channels)
        region = roi()
        window = region.window(image.shape) if region else None
        result = inspector.inspect([image[window] if window else image], [f"{frame.source} #{frame.index}"])[0]
        if window:
            result = replace(result, anomaly_map=embed(result.anomaly_map, image.shape[:2], window))
        finished = time.monotonic()
        meter.tick(finished)
        done += 1
        on_result(
            LiveResult(
                frame_index=frame.index,
                image=image,
                result=result,
                latency_ms=(finished - frame.captured_at) * 1000,
                inference_ms=(finished - began) * 1000,
                inference_fps=meter.rate,
                dropped=mailbox.dropped,
            )
        )
    return done


class LiveSession:
    """One source being watched: its capture loop, the newest frame and result, and recent scores.

    Capture runs on its own thread from :meth:`start`; inspection runs wherever :meth:`inspect` is
    called (the engine thread in the app) and publishes each result; a display takes the newest
    result when it repaints. ``roi`` may be changed at any time and applies from the next frame.
    """

    def __init__(self, source: FrameSource, *, max_frames: int | None = None, history: int = 300) -> None:
        self.source = source
        self.frames: NewestWins[Frame] = NewestWins()
        self.results: NewestWins[LiveResult] = NewestWins()
        self.capture = CaptureLoop(source, self.frames, self._on_status)
        self.roi: Roi | None = None
        self.max_frames = max_frames
        self.inspected = 0
        self.keep_nok = False  # queue every NOK result for saving (bounded; the oldest go first)
        self._nok: deque[LiveResult] = deque(maxlen=50)
        self._lock = threading.Lock()
        self._status = CaptureStatus("connecting", f"opening {source.description}")
        self._scores: deque[tuple[int, float]] = deque(maxlen=history)

    def start(self) -> None:
        self.capture.start()

    def stop(self) -> bool:
        """Stop capturing (inspection then ends once it has taken the last frame)."""
        return self.capture.stop()

    def inspect(self, inspector: Inspector, cancel: CancelToken | None = None) -> int:
        """Inspect newest frames until cancelled, ``max_frames`` are done or capture stops."""
        return inspect_newest(
            self.frames, inspector, self._publish, roi=lambda: self.roi, max_frames=self.max_frames, cancel=cancel
        )

    def _publish(self, live: LiveResult) -> None:
        with self._lock:
            self._scores.append((live.frame_index, live.result.score))
            self.inspected += 1
            if self.keep_nok and live.result.verdict == Verdict.NOK:
                self._nok.append(live)
        self.results.put(live)

    def _on_status(self, status: CaptureStatus) -> None:
        with self._lock:
            self._status = status

    @property
    def status(self) -> CaptureStatus:
        with self._lock:
            return self._status

    def take_nok(self) -> list[LiveResult]:
        """NOK results queued since the last call (with ``keep_nok``), oldest first."""
        with self._lock:
            taken = list(self._nok)
            self._nok.clear()
            return taken

    def scores(self) -> list[tuple[int, float]]:
        """(frame number, score) of the most recent inspections, oldest first."""
        with self._lock:
            return list(self._scores)
